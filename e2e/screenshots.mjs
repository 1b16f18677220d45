// Screenshots for the README: the signed-in home page, the portfolio and a
// partnership, each at 1280 px and 390 px wide, from a fresh demo database,
// signed in as Birmingham's lead. Written to docs/screenshots/.
//
// Run with: make screenshots
// (or CONCORD_BIN=target/debug/concord node e2e/screenshots.mjs)

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launchBrowser, signInAs, visit, repoRoot } from './helpers.mjs';

const OUT = path.join(repoRoot, 'docs', 'screenshots');
const WIDTHS = [
  { name: '1280', width: 1280, height: 900 },
  { name: '390', width: 390, height: 844 },
];

const server = await startServer();
const browser = await launchBrowser();
try {
  await mkdir(OUT, { recursive: true });
  const page = await signInAs(browser, server.baseUrl, 'lead@birmingham.example');
  // The demo partnership Birmingham leads, found as a person would: by name.
  await visit(page, `${server.baseUrl}/partnerships?q=Waste+services`);
  const href = await page.locator('a[href^="/partnerships/"]').filter({ hasText: 'Waste services' }).first().getAttribute('href');
  const pages = [
    { name: 'home', url: '/' },
    { name: 'portfolio', url: '/partnerships' },
    { name: 'partnership', url: href },
  ];
  for (const { name: size, width, height } of WIDTHS) {
    await page.setViewportSize({ width, height });
    for (const { name, url } of pages) {
      await visit(page, `${server.baseUrl}${url}`);
      const file = path.join(OUT, `${name}-${size}.png`);
      await page.screenshot({ path: file });
      console.log(`wrote ${path.relative(repoRoot, file)}`);
    }
  }
  await page.context().close();
} finally {
  await browser.close();
  await server.stop();
}
