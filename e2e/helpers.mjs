// Shared helpers for Concord's browser tests.
//
// The tests drive a real Concord binary (CONCORD_BIN, default
// target/debug/concord) with a throwaway SQLite demo database, through the
// system Chromium (/usr/bin/chromium) via playwright-core.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const READY_MARKER = 'Concord is ready at';
const READY_URL = /http:\/\/127\.0\.0\.1:(\d+)\//;
// Keep at most this much of the server's stderr for error messages.
const STDERR_LIMIT = 64 * 1024;

export const CHROMIUM_PATH = process.env.CONCORD_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE_PATH = path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js');

function concordBin() {
  const bin = path.resolve(repoRoot, process.env.CONCORD_BIN || 'target/debug/concord');
  if (!existsSync(bin)) {
    throw new Error(
      `Concord binary not found at ${bin}. Build it first (cargo build) ` +
        'or point CONCORD_BIN at an existing binary.',
    );
  }
  return bin;
}

// Strip ANSI colour codes, in case the ready line comes through a coloured logger.
function stripAnsi(text) {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

function tail(text, limit = STDERR_LIMIT) {
  return text.length > limit ? text.slice(-limit) : text;
}

// Run `bin args...` to completion; resolves with its output, rejects on a
// non-zero exit or after `timeoutMs`.
function runToCompletion(bin, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout = tail(stdout + d)));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr = tail(stderr + d)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `\`${path.basename(bin)} ${args.join(' ')}\` did not finish within ${timeoutMs / 1000} s.\n` +
            `--- stderr ---\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${bin}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve({ stdout, stderr });
      } else {
        reject(
          new Error(
            `\`${path.basename(bin)} ${args.join(' ')}\` exited with ` +
              `${signal ? `signal ${signal}` : `status ${code}`}.\n` +
              `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
          ),
        );
      }
    });
  });
}

/**
 * Start Concord on a free port against a fresh demo database.
 *
 * @returns {Promise<{baseUrl: string, stop: () => Promise<void>}>}
 *   baseUrl has no trailing slash, e.g. "http://127.0.0.1:41234".
 */
export async function startServer({ args = [] } = {}) {
  const bin = concordBin();
  const dir = await mkdtemp(path.join(tmpdir(), 'concord-e2e-'));
  const databaseUrl = `sqlite://${path.join(dir, 'e2e.db')}`;

  try {
    await runToCompletion(bin, ['demo', '--database-url', databaseUrl], STARTUP_TIMEOUT_MS);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--database-url', databaseUrl, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr = tail(stderr + d)));

  let running = true;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A failed spawn emits 'error' and possibly no 'exit'.
    child.once('error', (err) => resolve({ code: null, signal: null, error: err }));
  }).then((result) => {
    running = false;
    return result;
  });

  const stop = async () => {
    if (running) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  let ready = false;
  let baseUrl;
  try {
    baseUrl = await new Promise((resolve, reject) => {
      let pending = '';
      const fail = (why) =>
        reject(
          new Error(
            `Concord did not become ready: ${why}.\n` +
              `command: ${bin} serve --addr 127.0.0.1:0 --database-url ${databaseUrl}\n` +
              `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
          ),
        );
      const timer = setTimeout(
        () => fail(`no "${READY_MARKER} http://127.0.0.1:PORT/" line on stdout within ${STARTUP_TIMEOUT_MS / 1000} s`),
        STARTUP_TIMEOUT_MS,
      );
      exited.then(({ code, signal, error }) => {
        if (ready) return;
        clearTimeout(timer);
        if (error) {
          fail(`could not start it (${error.message})`);
          return;
        }
        // Give the stderr stream a moment to drain so the message is complete.
        setTimeout(() => fail(`it exited early with ${signal ? `signal ${signal}` : `status ${code}`}`), 100);
      });
      // Keep reading stdout for the whole life of the server, so that it
      // never blocks on a full pipe.
      child.stdout.setEncoding('utf8').on('data', (chunk) => {
        stdout = tail(stdout + chunk);
        if (ready) return;
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop();
        for (const raw of lines) {
          const line = stripAnsi(raw);
          const match = line.includes(READY_MARKER) && line.match(READY_URL);
          if (match) {
            ready = true;
            clearTimeout(timer);
            resolve(`http://127.0.0.1:${match[1]}`);
            return;
          }
        }
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }

  return { baseUrl, stop, databaseUrl, run: (more) => runToCompletion(bin, [...more, '--database-url', databaseUrl], STARTUP_TIMEOUT_MS) };
}

/** Launch the system Chromium through playwright-core. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context (own cookies). bypassCSP lets axe be injected as an
 * inline script even if the app sends a strict Content-Security-Policy.
 */
export async function newContext(browser) {
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  // Pages are server-rendered and local: fail fast rather than after 30 s.
  context.setDefaultTimeout(10_000);
  return context;
}

function formatViolations(violations, url) {
  const lines = [`${violations.length} accessibility violation(s) on ${url}:`];
  for (const v of violations) {
    lines.push(`- ${v.id} [${v.impact ?? 'n/a'}]: ${v.help}`);
    lines.push(`  ${v.helpUrl}`);
    for (const node of v.nodes) {
      lines.push(`    at ${node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', ')}`);
    }
  }
  return lines.join('\n');
}

/** Run axe-core (WCAG 2.2 AA tag set) on the current page; assert no violations. */
export async function checkA11y(page) {
  await page.waitForLoadState('load');
  await page.addScriptTag({ path: AXE_PATH });
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    AXE_TAGS,
  );
  assert.equal(results.violations.length, 0, formatViolations(results.violations, page.url()));
  // Every page checked for accessibility must also fit a phone.
  await checkNarrow(page);
  return results;
}

/**
 * Perform `action` (a click, a key press...) that triggers a full page
 * navigation, and wait until the new document has loaded.
 */
export async function navigate(page, action) {
  const navigated = page.waitForEvent('framenavigated', {
    predicate: (frame) => frame === page.mainFrame(),
    timeout: 15_000,
  });
  await action();
  await navigated;
  await page.waitForLoadState('load');
}

/** Go to `url` and assert the response status (200 by default). */
export async function visit(page, url, expectedStatus = 200) {
  const response = await page.goto(url);
  assert.ok(response, `no response for ${url}`);
  assert.equal(response.status(), expectedStatus, `GET ${url}: expected status ${expectedStatus}, got ${response.status()}`);
  return response;
}

/** Assert the page does not scroll sideways on a 390 px wide phone. */
export async function checkNarrow(page) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(before);
  assert.ok(width <= 390, `${page.url()} is ${width} px wide at 390 px: it scrolls sideways`);
}

/** Assert that the visible text of the page includes `text`. */
export async function assertPageText(page, text) {
  const body = await page.locator('body').innerText();
  assert.ok(
    body.includes(text),
    `expected the page at ${page.url()} to include ${JSON.stringify(text)}; its text was:\n${body}`,
  );
}

/** The password every demo account has. */
export const DEMO_PASSWORD = 'concord-demo-password';

/**
 * Signs `email` in with the demo password in a fresh context (own cookies)
 * and returns the page; close it with `page.context().close()`.
 */
export async function signInAs(browser, baseUrl, email) {
  const context = await newContext(browser);
  const page = await context.newPage();
  await visit(page, `${baseUrl}/sign-in`);
  await page.getByLabel('Email address', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await navigate(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click());
  return page;
}
