// Browser journey for records that each partner owns (issue 12, items 2-4),
// on the demo "Waste services digital platform" (Birmingham leads, Leeds
// and Cornwall are partners): Cornwall's officer sees Birmingham's £180,000
// cost but is offered no way to delete it (and is refused if they try);
// Birmingham deletes it after a confirmation page and is told so in a
// success banner. Every page is checked with axe at 1280 px and must not
// scroll sideways at 390 px.
//
// Run with: node --test e2e/

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, checkA11y, navigate, visit, assertPageText, signInAs } from './helpers.mjs';

const LEAD = 'lead@birmingham.example';
const CORNWALL = 'officer@cornwall.example';
const PARTNERSHIP = 'Waste services digital platform';

describe('Concord records each partner owns', () => {
  let server;
  let browser;
  const pages = [];

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    for (const p of pages) await p.context().close();
    await browser?.close();
    await server?.stop();
  });

  const url = (p) => `${server.baseUrl}${p}`;

  async function as(email) {
    const page = await signInAs(browser, server.baseUrl, email);
    await page.setViewportSize({ width: 1280, height: 900 });
    pages.push(page);
    return page;
  }

  /** The ledger page of the demo partnership, opened from the portfolio. */
  async function openLedger(page) {
    await visit(page, url('/partnerships'));
    await navigate(page, () => page.getByRole('link', { name: PARTNERSHIP }).first().click());
    const overview = new URL(page.url()).pathname;
    await visit(page, url(`${overview}/ledger`));
    return overview;
  }

  /** The row of the entries table about Birmingham's £180,000 cost. */
  const costRow = (page) =>
    page.getByRole('row').filter({ hasText: 'Birmingham City Council' }).filter({ hasText: '£180,000' });

  it('shows another partner their entry without a way to delete it', async () => {
    const page = await as(CORNWALL);
    const overview = await openLedger(page);
    await assertPageText(page, '£180,000');
    await checkA11y(page);
    assert.equal(await costRow(page).getByRole('link', { name: /^Delete/ }).count(), 0, 'no Delete on Birmingham\'s entry');
    const options = await page.getByLabel('Partner', { exact: true }).locator('option').allInnerTexts();
    assert.deepEqual(options, ['Cornwall Council'], 'Cornwall records only for Cornwall');
    // The confirmation page itself refuses them.
    const lead = await as(LEAD);
    await openLedger(lead);
    const href = await costRow(lead).getByRole('link', { name: /^Delete/ }).getAttribute('href');
    assert.ok(href?.startsWith(`${overview}/ledger/`), href);
    await visit(page, url(href), 403);
  });

  it('asks the entry\'s own organisation before deleting, then says what was deleted', async () => {
    const page = await as(LEAD);
    await openLedger(page);
    await navigate(page, () => costRow(page).getByRole('link', { name: /^Delete/ }).click());
    assert.match(new URL(page.url()).pathname, /\/ledger\/\d+\/delete$/);
    await assertPageText(page, 'Are you sure you want to delete this cost: Cost of £180,000 for Birmingham City Council');
    await checkA11y(page);
    await navigate(page, () => page.getByRole('button', { name: 'Delete cost', exact: true }).click());
    const banner = page.locator('.govuk-notification-banner--success');
    assert.equal(
      (await banner.locator('.govuk-notification-banner__heading').innerText()).trim(),
      'Cost of £180,000 for Birmingham City Council deleted',
    );
    await checkA11y(page);
    assert.equal(await costRow(page).count(), 0);
  });

  it('refuses a realised amount in a financial year that has not begun', async () => {
    const page = await as(LEAD);
    await openLedger(page);
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Add entry' }) });
    await form.getByLabel('Type', { exact: true }).selectOption({ label: 'Cost' });
    await form.getByLabel('Expected or realised', { exact: true }).selectOption({ label: 'Realised' });
    const years = await form.getByLabel('Financial year', { exact: true }).locator('option').allInnerTexts();
    await form.getByLabel('Financial year', { exact: true }).selectOption({ label: years[years.length - 1] });
    await form.getByLabel(/Amount/).fill('100');
    await navigate(page, () => form.getByRole('button', { name: 'Add entry' }).click());
    await assertPageText(page, 'A realised amount cannot be in a future financial year');
    await checkA11y(page);
  });
});
