// Browser journey for needs and projects: Cornwall lists a need (after a
// clear error), and a council far away finds it in the national pipeline.
// Every page is checked with axe and at 390 px.
//
// Run with: node --test e2e/

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, signInAs, checkA11y, checkNarrow, navigate, visit, assertPageText } from './helpers.mjs';

const TITLE = `Book a bulky waste collection online ${Date.now()}`;

describe('Concord needs', () => {
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

  it('Cornwall lists a need and Leeds finds it in the pipeline', async () => {
    const cornwall = await signIn('officer@cornwall.example');
    await navigate(cornwall, () => cornwall.getByRole('link', { name: 'Needs', exact: true }).first().click());
    assert.equal(new URL(cornwall.url()).pathname, '/needs');
    await checkA11y(cornwall);
    await checkNarrow(cornwall);

    await navigate(cornwall, () => cornwall.getByRole('link', { name: 'List a need or project' }).first().click());
    await checkA11y(cornwall);
    await checkNarrow(cornwall);

    // A mistake first: the summary names it and links to the field.
    await cornwall.getByLabel('Service areas (optional)').fill('Bulky rubbish');
    await navigate(cornwall, () => cornwall.getByRole('button', { name: 'List the need' }).click());
    await assertPageText(cornwall, 'There is a problem');
    await assertPageText(cornwall, 'Enter a title for the need');
    await assertPageText(cornwall, "There is no LGSL service called 'Bulky rubbish'");
    await checkA11y(cornwall);
    await checkNarrow(cornwall);

    await cornwall.getByLabel('Title', { exact: true }).fill(TITLE);
    await cornwall.getByLabel('The problem to be solved').fill('People phone to book a bulky waste collection and pay by card over the phone.');
    await cornwall.getByLabel('Service areas (optional)').fill('Household waste collection');
    await cornwall.getByLabel('Phase').selectOption('alpha');
    await cornwall.getByLabel('Develop it together').check();
    await cornwall.getByLabel('Everyone, including the public').check();
    await navigate(cornwall, () => cornwall.getByRole('button', { name: 'List the need' }).click());
    assert.match(new URL(cornwall.url()).pathname, /^\/needs\/\d+$/);
    await assertPageText(cornwall, TITLE);
    await assertPageText(cornwall, 'Household waste collection');
    await checkA11y(cornwall);
    await checkNarrow(cornwall);

    // Leeds, far away, finds it by words and phase.
    const leeds = await signIn('lead@leeds.example');
    await visit(leeds, url('/needs'));
    await leeds.getByLabel('Words').fill('bulky waste');
    await leeds.getByLabel('Phase').selectOption('alpha');
    await navigate(leeds, () => leeds.getByRole('button', { name: 'Filter' }).click());
    await checkA11y(leeds);
    await navigate(leeds, () => leeds.getByRole('link', { name: TITLE }).click());
    await assertPageText(leeds, 'Cornwall');
    assert.equal(await leeds.getByRole('link', { name: 'Change the need' }).count(), 0, 'only Cornwall changes it');
    await navigate(leeds, () => leeds.getByRole('button', { name: /^Watch/ }).click());
    await assertPageText(leeds, 'You are watching this');
    await checkA11y(leeds);
  });

  it('the pipeline shows where needs cluster, asks owners "still active?", and imports for admins', async () => {
    const leeds = await signIn('lead@leeds.example');
    await visit(leeds, url('/needs'));
    await leeds.getByLabel('Nation').selectOption('England');
    await navigate(leeds, () => leeds.getByRole('button', { name: 'Filter' }).click());
    await navigate(leeds, () => leeds.getByRole('link', { name: 'See where these needs cluster by region and service' }).click());
    assert.equal(new URL(leeds.url()).pathname, '/needs/clusters');
    await assertPageText(leeds, 'Needs by region and service');
    await checkA11y(leeds);

    // An organisation admin imports; a mistake names its line.
    await visit(leeds, url('/needs'));
    await navigate(leeds, () => leeds.getByRole('link', { name: 'Import needs from a file' }).click());
    await checkA11y(leeds);
    await leeds.locator('#file').setInputFiles({
      name: 'needs.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('organisation,title,problem,services,phase,collaboration,visibility\nLDS,Shared pest control,Rats in terraced streets,,someday,share_ideas,public\n'),
    });
    await navigate(leeds, () => leeds.getByRole('button', { name: 'Import' }).click());
    await assertPageText(leeds, 'There is a problem');
    await assertPageText(leeds, 'Line 2');
    await checkA11y(leeds);

    // The owner of a need answers "still active?" (asked by a daily job; the page is always there).
    const cornwall = await signIn('officer@cornwall.example');
    await visit(cornwall, url('/needs?organisation=CON'));
    await navigate(cornwall, () => cornwall.getByRole('link', { name: TITLE }).click());
    const need = new URL(cornwall.url()).pathname;
    await visit(cornwall, url(`${need}/still-active`));
    await checkA11y(cornwall);
    await navigate(cornwall, () => cornwall.getByRole('button', { name: 'Save answer' }).click());
    await assertPageText(cornwall, 'Select yes if the need is still active');
    await checkA11y(cornwall);
    await cornwall.getByLabel('Yes, we are still working on it').check();
    await navigate(cornwall, () => cornwall.getByRole('button', { name: 'Save answer' }).click());
    await assertPageText(cornwall, 'the need stays listed as active');
    await checkA11y(cornwall);
  });
});
