// Browser tests for Concord's organisation directory.
//
// Run with: node --test e2e/
// (needs a built binary: CONCORD_BIN, default target/debug/concord)

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer,
  launchBrowser,
  newContext,
  checkA11y,
  navigate,
  visit,
  assertPageText,
} from './helpers.mjs';

const OFFICER_EMAIL = 'officer@birmingham.example';
const OFFICER_PASSWORD = 'concord-demo-password';

describe('Concord directory', () => {
  let server;
  let browser;
  let context;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  // Every test gets its own context, so cookies (the session) never leak.
  async function freshPage() {
    await context?.close();
    context = await newContext(browser);
    return context.newPage();
  }

  const url = (p) => `${server.baseUrl}${p}`;

  it('signs in, searches the directory, follows neighbours and signs out', async () => {
    const page = await freshPage();

    // Home page.
    await visit(page, url('/'));
    await checkA11y(page);

    // Sign in.
    await visit(page, url('/sign-in'));
    await checkA11y(page);
    await page.getByLabel('Email address', { exact: true }).fill(OFFICER_EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(OFFICER_PASSWORD);
    await navigate(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click());
    await assertPageText(page, 'Signed in as');
    await checkA11y(page);

    // Organisations directory, through the header navigation.
    const siteNav = page.getByRole('banner').or(page.getByRole('navigation'));
    await navigate(page, () =>
      siteNav.getByRole('link', { name: 'Organisations', exact: true }).first().click(),
    );
    assert.equal(new URL(page.url()).pathname, '/organisations');
    await checkA11y(page);

    // Search.
    await page.getByLabel('Search organisations', { exact: true }).fill('Birmingham');
    await navigate(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
    const results = page.getByRole('table');
    assert.ok((await results.count()) >= 1, `expected a results table on ${page.url()}`);
    const birmingham = results.getByRole('link', { name: 'Birmingham City Council', exact: true });
    assert.equal(
      await birmingham.count(),
      1,
      `expected one "Birmingham City Council" link in the results; links were: ${JSON.stringify(
        await results.getByRole('link').allInnerTexts(),
      )}`,
    );
    await checkA11y(page);

    // Organisation page.
    await navigate(page, () => birmingham.click());
    assert.equal(new URL(page.url()).pathname, '/organisations/BIR');
    assert.equal(
      await page.getByRole('heading', { level: 1, name: 'Birmingham City Council', exact: true }).count(),
      1,
      'expected an h1 "Birmingham City Council"',
    );
    // GOV.UK summary list: <dl> with <dt> keys (role term) and <dd> values (role definition).
    const gss = page.getByRole('definition').filter({ hasText: 'E08000025' });
    assert.equal(await gss.count(), 1, 'expected the GSS code E08000025 as a value in a summary list');
    const gssKey = await gss.evaluate((dd) => {
      let key = dd.previousElementSibling;
      while (key && key.tagName !== 'DT') key = key.previousElementSibling;
      return key?.innerText ?? '';
    });
    assert.match(gssKey, /GSS/i, `expected the key of E08000025 to mention GSS, got ${JSON.stringify(gssKey)}`);

    // Neighbouring councils: the innermost block holding the heading and its links.
    const neighboursHeading = page.getByRole('heading', { name: 'Neighbouring councils', exact: true });
    assert.equal(await neighboursHeading.count(), 1, 'expected a heading "Neighbouring councils"');
    const neighbours = page
      .locator('section, article, aside, nav, div')
      .filter({ has: neighboursHeading })
      .filter({ has: page.getByRole('link') })
      .last();
    const neighbourNames = await neighbours.getByRole('link').allInnerTexts();
    for (const name of ['Solihull', 'Dudley', 'Sandwell', 'Walsall']) {
      assert.ok(
        neighbourNames.some((text) => text.includes(name)),
        `expected a neighbouring council link including "${name}"; got ${JSON.stringify(neighbourNames)}`,
      );
    }
    await checkA11y(page);

    // Follow a neighbour.
    await navigate(page, () => neighbours.getByRole('link', { name: 'Solihull' }).first().click());
    assert.ok(
      (await page.getByRole('heading', { name: 'Solihull Metropolitan Borough Council', exact: true }).count()) >= 1,
      `expected a heading "Solihull Metropolitan Borough Council" on ${page.url()}`,
    );
    await checkA11y(page);

    // Other pages.
    await visit(page, url('/services'));
    await checkA11y(page);
    await visit(page, url('/about/data'));
    await checkA11y(page);

    // Sign out from the header.
    await navigate(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).first().click());
    await assertPageText(page, 'You have signed out');
    await checkA11y(page);
  });

  it('signs in with the keyboard alone', async () => {
    const page = await freshPage();
    await visit(page, url('/sign-in'));
    await checkA11y(page);

    const email = page.getByLabel('Email address', { exact: true });
    const password = page.getByLabel('Password', { exact: true });
    const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement);

    let tabs = 0;
    while (!(await isFocused(email))) {
      assert.ok(tabs < 50, 'the Email address field was not reached after 50 presses of Tab');
      await page.keyboard.press('Tab');
      tabs += 1;
    }
    await page.keyboard.type(OFFICER_EMAIL);
    await page.keyboard.press('Tab');
    assert.ok(await isFocused(password), 'Tab from Email address should move focus to Password');
    await page.keyboard.type(OFFICER_PASSWORD);
    await navigate(page, () => page.keyboard.press('Enter'));

    await assertPageText(page, 'Signed in as');
    await checkA11y(page);
  });

  it('says when no organisation matches a search', async () => {
    const page = await freshPage();
    await visit(page, url('/organisations?q=zzzz-no-such'));
    await assertPageText(page, 'No organisations match');
    await checkA11y(page);
  });

  it('shows an accessible 404 page for an unknown organisation', async () => {
    const page = await freshPage();
    await visit(page, url('/organisations/NOPE'), 404);
    assert.equal(
      await page.getByRole('heading', { name: 'Page not found', exact: true }).count(),
      1,
      'expected a heading "Page not found"',
    );
    await checkA11y(page);
  });
});
