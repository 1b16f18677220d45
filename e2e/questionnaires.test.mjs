// Browser journey for questionnaires and round settings: Birmingham's lead
// starts a questionnaire from Concord's own, makes a mistake the page names
// by line, creates it, publishes a second version, views the first, and
// starts a round with a threshold below 3 (refused) then 4. Every page is
// checked with axe and at 390 px.
//
// Run with: node --test e2e/

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, signInAs, checkA11y, navigate, visit, assertPageText } from './helpers.mjs';

const LEAD = 'lead@birmingham.example';
const NAME = `Waste platform check ${Date.now()}`;

describe('Concord health check questionnaires', () => {
  let server;
  let browser;
  let page;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await page?.context().close();
    await browser?.close();
    await server?.stop();
  });

  const url = (p) => `${server.baseUrl}${p}`;

  it('a lead creates and versions a questionnaire and sets a round’s thresholds', async () => {
    page = await signInAs(browser, server.baseUrl, LEAD);
    await visit(page, url('/health/questionnaires'));
    await assertPageText(page, 'Concord partnership health check');
    await checkA11y(page);

    await navigate(page, () => page.getByRole('link', { name: 'Create a questionnaire' }).click());
    await checkA11y(page);
    await navigate(page, () => page.getByRole('link', { name: 'Start from Concord partnership health check' }).click());
    const text = await page.locator('#factors').inputValue();
    assert.ok(text.startsWith('# Strategy'), text.slice(0, 80));

    // A statement outside any factor, and no name.
    await page.locator('#factors').fill(`- Stray\n${text}`);
    await navigate(page, () => page.getByRole('button', { name: 'Create the questionnaire' }).click());
    await assertPageText(page, 'There is a problem');
    await assertPageText(page, 'Line 1: A statement must come after the name of its factor');
    await assertPageText(page, 'Enter a name for the questionnaire');
    await checkA11y(page);

    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await page.locator('#factors').fill(text);
    await navigate(page, () => page.getByRole('button', { name: 'Create the questionnaire' }).click());
    await assertPageText(page, 'Questionnaire created');
    const show = new URL(page.url()).pathname;
    assert.match(show, /^\/health\/questionnaires\/\d+$/);
    await checkA11y(page);

    await navigate(page, () => page.getByRole('link', { name: 'Publish a new version' }).click());
    await checkA11y(page);
    await page.locator('#factors').fill('# Trust\nHow far partners rely on each other.\n- Partners keep their word.\n');
    await navigate(page, () => page.getByRole('button', { name: 'Publish the new version' }).click());
    await assertPageText(page, 'New version published');
    await assertPageText(page, 'Partners keep their word.');
    await navigate(page, () => page.getByRole('link', { name: 'Version 1', exact: true }).click());
    await assertPageText(page, 'not the latest version');
    await checkA11y(page);

    // A round with a threshold below 3 is refused; 4 is taken.
    await visit(page, url('/partnerships?q=Waste%20services%20digital%20platform'));
    await navigate(page, () => page.getByRole('link', { name: 'Waste services digital platform' }).first().click());
    await navigate(page, () => page.getByRole('link', { name: 'Health checks' }).first().click());
    const today = new Date();
    const close = new Date(Date.now() + 14 * 86_400_000);
    await page.getByLabel('Title', { exact: true }).fill('Spring check');
    await page.locator('#questionnaire_id').selectOption({ label: `${NAME} (version 2)` });
    await page.locator('#opens_on-day').fill(String(today.getDate()));
    await page.locator('#opens_on-month').fill(String(today.getMonth() + 1));
    await page.locator('#opens_on-year').fill(String(today.getFullYear()));
    await page.locator('#closes_on-day').fill(String(close.getDate()));
    await page.locator('#closes_on-month').fill(String(close.getMonth() + 1));
    await page.locator('#closes_on-year').fill(String(close.getFullYear()));
    await page.locator('#min_group').fill('2');
    await navigate(page, () => page.getByRole('button', { name: 'Start the round' }).click());
    await assertPageText(page, 'The anonymity threshold must be at least 3');
    await checkA11y(page);
    await page.locator('#min_group').fill('4');
    await page.locator('#divergence_gap').fill('0.5');
    await navigate(page, () => page.getByRole('button', { name: 'Start the round' }).click());
    await assertPageText(page, 'Groups smaller than 4');
    await assertPageText(page, `${NAME}, version 2`);
    await checkA11y(page);
  });
});
