// Browser journey for health checks: Birmingham's lead opens the demo
// report, starts a round on the waste platform partnership, invites six
// stakeholders across Birmingham and Leeds, each answers through the link in
// their email without an account, the lead closes the round and opens the
// report with its heat map; then the portfolio, the strategy review and the
// skills self-assessment. Every page is checked with axe and at 390 px.
//
// Run with: node --test e2e/

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newContext, signInAs, checkA11y, navigate, visit, assertPageText } from './helpers.mjs';
import { startSmtp } from './smtp.mjs';

const LEAD = 'lead@birmingham.example';
const STAMP = Date.now();
const PEOPLE = [
  [`a${STAMP}@birmingham.example`, 'BIR', 'leadership', '5'],
  [`b${STAMP}@birmingham.example`, 'BIR', 'management', '4'],
  [`c${STAMP}@birmingham.example`, 'BIR', 'operational', '4'],
  [`d${STAMP}@leeds.example`, 'LDS', 'leadership', '2'],
  [`e${STAMP}@leeds.example`, 'LDS', 'management', '3'],
  [`f${STAMP}@leeds.example`, 'LDS', 'operational', '2'],
];

describe('Concord health checks', () => {
  let server;
  let smtp;
  let browser;
  let context;

  before(async () => {
    smtp = await startSmtp();
    server = await startServer({ args: ['--smtp-url', smtp.url, '--mail-from', 'Concord <no-reply@concord.example>'] });
    browser = await launchBrowser();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
  });

  const url = (p) => `${server.baseUrl}${p}`;

  async function signIn(email) {
    await context?.close();
    const page = await signInAs(browser, server.baseUrl, email);
    context = page.context();
    return page;
  }

  /** The answer link in the invitation emailed to `email`. */
  async function linkFor(email) {
    const raw = await smtp.waitFor((m) => m.includes(`To: ${email}`));
    const text = raw.replace(/=\r\n/g, '');
    const match = text.match(/\/health\/([A-Za-z0-9_-]{20,})/);
    assert.ok(match, `no answer link in the email to ${email}`);
    return `/health/${match[1]}`;
  }

  it('six stakeholders answer by their links and the lead reads the report', async () => {
    const lead = await signIn(LEAD);
    await visit(lead, url('/partnerships?q=Waste%20services%20digital%20platform'));
    await navigate(lead, () => lead.getByRole('link', { name: 'Waste services digital platform' }).first().click());
    await navigate(lead, () => lead.getByRole('link', { name: 'Health checks' }).first().click());
    await checkA11y(lead);

    // The demo's closed round already has a report.
    await navigate(lead, () => lead.getByRole('link', { name: 'Annual health check' }).first().click());
    await visit(lead, `${lead.url()}/report`);
    await assertPageText(lead, 'Place on the collaboration spectrum');
    await checkA11y(lead);
    await lead.goBack();
    await lead.goBack();

    // A new round, with a mistake first.
    await navigate(lead, () => lead.getByRole('button', { name: 'Start the round' }).click());
    await assertPageText(lead, 'There is a problem');
    await checkA11y(lead);
    const today = new Date();
    const close = new Date(Date.now() + 14 * 86_400_000);
    await lead.getByLabel('Title', { exact: true }).fill(`Winter check ${STAMP}`);
    await lead.locator('#opens_on-day').fill(String(today.getDate()));
    await lead.locator('#opens_on-month').fill(String(today.getMonth() + 1));
    await lead.locator('#opens_on-year').fill(String(today.getFullYear()));
    await lead.locator('#closes_on-day').fill(String(close.getDate()));
    await lead.locator('#closes_on-month').fill(String(close.getMonth() + 1));
    await lead.locator('#closes_on-year').fill(String(close.getFullYear()));
    await navigate(lead, () => lead.getByRole('button', { name: 'Start the round' }).click());
    const round = new URL(lead.url()).pathname;
    assert.match(round, /^\/health-checks\/\d+$/);
    await checkA11y(lead);

    // Six people in two batches of the form's rows.
    for (const batch of [PEOPLE.slice(0, 3), PEOPLE.slice(3)]) {
      await visit(lead, url(round));
      for (const [i, [email, org, role]] of batch.entries()) {
        await lead.locator(`#invite${i + 1}_email`).fill(email);
        await lead.locator(`#invite${i + 1}_organisation`).selectOption(org);
        await lead.locator(`#invite${i + 1}_role`).selectOption(role);
      }
      await navigate(lead, () => lead.getByRole('button', { name: 'Send invitations' }).click());
      await checkA11y(lead);
    }

    // Each answers through their own link, signed out.
    const answering = await newContext(browser);
    try {
      for (const [index, [email, , , score]] of PEOPLE.entries()) {
        const page = await answering.newPage();
        await visit(page, url(await linkFor(email)));
        if (index === 0) await checkA11y(page);
        await page.locator(`input[type=radio][value="${score}"]`).evaluateAll((inputs) => {
          for (const input of inputs) input.checked = true;
        });
        await navigate(page, () => page.getByRole('button', { name: 'Save my answers' }).click());
        if (index === 0) {
          await assertPageText(page, 'Success');
          await checkA11y(page);
        }
        await page.close();
      }
    } finally {
      await answering.close();
    }

    // Six of six answered; the lead closes the round and opens the report.
    await visit(lead, url(round));
    await assertPageText(lead, '100%');
    await navigate(lead, () => lead.getByRole('button', { name: 'Close the round now' }).click());
    await visit(lead, url(`${round}/report`));
    await assertPageText(lead, 'Birmingham City Council');
    await assertPageText(lead, 'Leeds City Council');
    assert.ok(await lead.locator('svg').count() >= 2, 'a factor profile and a heat map');
    await checkA11y(lead);

    for (const path of ['/health-checks/portfolio', '/organisations/BIR/strategy', '/organisations/BIR/strategy/review', '/account/skills']) {
      await visit(lead, url(path));
      await checkA11y(lead);
    }
  });
});
