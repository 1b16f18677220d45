// Browser journey for finding partners: Cornwall lists a need; Leeds, far
// away, lists its own in other words and finds Cornwall's through "Others
// with the same need"; Leeds offers to co-fund with a pledge; the LGA, a
// broker, introduces the two about the need and both accept; Cornwall
// accepts the pledge and turns the need into a partnership; the broker
// dashboard counts the introduction as converted. Every page is checked with
// axe and at 390 px.
//
// Run with: node --test e2e/

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, signInAs, checkA11y, navigate, visit, assertPageText } from './helpers.mjs';

const STAMP = Date.now();
const CORNWALL_TITLE = `Book a bulky waste collection online ${STAMP}`;
const LEEDS_TITLE = `Collecting sofas, fridges and mattresses from homes ${STAMP}`;

describe('Concord find partners', () => {
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

  const url = (p) => `${server.baseUrl}${p}`;

  async function signIn(email) {
    await context?.close();
    const page = await signInAs(browser, server.baseUrl, email);
    context = page.context();
    return page;
  }

  async function listNeed(page, { title, problem, collaboration }) {
    await visit(page, url('/needs/new'));
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByLabel('The problem to be solved').fill(problem);
    await page.getByLabel('Service areas (optional)').fill('Bulky household waste collections');
    await page.getByLabel('Phase').selectOption('discovery');
    await page.getByLabel(collaboration).check();
    await page.getByLabel('Everyone signed in to Concord').check();
    await navigate(page, () => page.getByRole('button', { name: 'List the need' }).click());
    const path = new URL(page.url()).pathname;
    assert.match(path, /^\/needs\/\d+$/);
    return path;
  }

  it('a far-away council finds a need, co-funds it, and it becomes a brokered partnership', async () => {
    const cornwall = await signIn('officer@cornwall.example');
    const cornwallNeed = await listNeed(cornwall, {
      title: CORNWALL_TITLE,
      problem: 'People phone to book collection of large items and pay by card over the phone; we want them to book and pay online.',
      collaboration: 'Share funding',
    });
    const needId = cornwallNeed.split('/').pop();

    // Leeds says the same thing in other words and is shown Cornwall's need.
    const leeds = await signIn('lead@leeds.example');
    await listNeed(leeds, {
      title: LEEDS_TITLE,
      problem: 'Residents ring us to arrange a special pick-up of furniture and white goods; we want a digital booking and payment service.',
      collaboration: 'Develop it together',
    });
    await assertPageText(leeds, 'Others with the same need');
    const match = leeds.getByRole('link', { name: CORNWALL_TITLE });
    await match.first().waitFor();
    await checkA11y(leeds);
    await navigate(leeds, () => match.first().click());
    assert.equal(new URL(leeds.url()).pathname, cornwallNeed);

    // A pledge without an amount is refused clearly, then made.
    await leeds.getByLabel('Co-fund it').check();
    await navigate(leeds, () => leeds.getByRole('button', { name: 'Express interest' }).click());
    await assertPageText(leeds, 'There is a problem');
    await checkA11y(leeds);
    await leeds.getByLabel('Co-fund it').check();
    await leeds.getByLabel('Pledge in pounds (co-funders only)').fill('25,000');
    await leeds.getByLabel('Note to the owner (optional)').fill('We have budget for this year.');
    await navigate(leeds, () => leeds.getByRole('button', { name: 'Express interest' }).click());
    await assertPageText(leeds, "Your organisation's interest is recorded");
    await checkA11y(leeds);

    // The LGA, a broker, introduces the two councils about the need.
    const broker = await signIn('admin@concord.example');
    await visit(broker, url('/introductions/new'));
    await broker.getByLabel('Organisations to introduce').fill('CON\nLDS');
    await broker.getByLabel('The need it is about (optional)').fill(needId);
    await broker.getByLabel('Note', { exact: true }).fill('You both want large items booked and paid for online.');
    await navigate(broker, () => broker.getByRole('button', { name: 'Propose the introduction' }).click());
    const introduction = new URL(broker.url()).pathname;
    assert.match(introduction, /^\/introductions\/\d+$/);
    await checkA11y(broker);

    for (const email of ['lead@leeds.example', 'officer@cornwall.example']) {
      const party = await signIn(email);
      await visit(party, url(introduction));
      await checkA11y(party);
      await party.getByLabel('Accept', { exact: true }).check();
      await navigate(party, () => party.getByRole('button', { name: 'Send your answer' }).click());
      await checkA11y(party);
    }

    // Cornwall accepts the pledge and starts the partnership.
    const owner = await signIn('officer@cornwall.example');
    await visit(owner, url(cornwallNeed));
    await navigate(owner, () => owner.getByRole('button', { name: /^Accept Leeds/ }).click());
    await assertPageText(owner, 'Interest accepted');
    await checkA11y(owner);
    await navigate(owner, () => owner.getByRole('link', { name: 'Start a partnership from this need' }).click());
    await assertPageText(owner, 'Leeds City Council');
    await checkA11y(owner);
    await navigate(owner, () => owner.getByRole('button', { name: 'Start the partnership' }).click());
    await assertPageText(owner, 'go to the partnership');
    await navigate(owner, () => owner.getByRole('link', { name: 'go to the partnership', exact: true }).click());
    assert.match(new URL(owner.url()).pathname, /^\/partnerships\/\d+$/);
    await assertPageText(owner, CORNWALL_TITLE);
    await checkA11y(owner);

    // The broker dashboard counts the introduction as converted.
    const again = await signIn('admin@concord.example');
    await visit(again, url('/introductions/dashboard'));
    await checkA11y(again);
    const convertedCells = await again.locator('table').first().locator('tbody tr td:last-child').allInnerTexts();
    const converted = convertedCells.reduce((sum, cell) => sum + Number(cell.replace(/,/g, '')), 0);
    assert.ok(converted >= 1, `converted by month: ${convertedCells}`);
    await visit(again, url(introduction));
    await assertPageText(again, 'Converted');
  });
});
