// Browser journey for the home page: signed out it is the brochure;
// signed in it says what needs the person, each item leading to the page
// to act on. Checked with axe at 1280 px and at 390 px (where nothing may
// scroll sideways), and a signed-in 404 page keeps the signed-in header.
//
// Run with: node --test e2e/

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  launchBrowser,
  newContext,
  checkA11y,
  checkNarrow,
  navigate,
  visit,
  assertPageText,
  signInAs,
} from './helpers.mjs';

const LEAD = 'lead@birmingham.example';

describe('Concord home', () => {
  let server;
  let browser;
  const contexts = [];

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  const url = (p) => `${server.baseUrl}${p}`;

  it('signed out: the brochure, with the counts it explains', async () => {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await visit(page, url('/'));
      await assertPageText(page, 'current principal councils');
      assert.equal(await page.getByRole('button', { name: 'Sign in' }).count(), 1);
      await checkA11y(page);
    }
  });

  it('signed in: what needs you, at 1280 and 390 px, each item leads somewhere', async () => {
    const page = await signInAs(browser, server.baseUrl, LEAD);
    contexts.push(page.context());
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await visit(page, url('/'));
      await assertPageText(page, 'What needs you');
      await assertPageText(page, 'Waiting for your organisation');
      await assertPageText(page, 'Due in the next 30 days or overdue');
      await checkA11y(page);
      await checkNarrow(page);
    }

    // Where to start something.
    const start = page.getByRole('button', { name: 'Start a partnership' });
    assert.equal(await start.count(), 1);
    assert.equal(await page.getByRole('button', { name: 'List a need' }).count(), 1);

    // The demo's Birmingham-led partnerships have reviews due or overdue:
    // the first item due leads to a page that answers.
    const due = page.locator('ul[aria-labelledby="due"] a').first();
    assert.equal(await due.count(), 1, 'an item due for the demo lead');
    const href = await due.getAttribute('href');
    await navigate(page, () => due.click());
    assert.equal(new URL(page.url()).pathname, href.split('#')[0]);
    await checkA11y(page);

    // The JSON twin needs an API token, not the session.
    const api = await page.request.get(url('/api/v1/home'));
    assert.equal(api.status(), 401);
  });

  it('signed in: a page that is not found keeps the signed-in header', async () => {
    const page = await signInAs(browser, server.baseUrl, LEAD);
    contexts.push(page.context());
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await visit(page, url('/no-such-page'), 404);
      await assertPageText(page, 'Page not found');
      await assertPageText(page, 'Signed in as');
      await checkA11y(page);
    }
  });
});
