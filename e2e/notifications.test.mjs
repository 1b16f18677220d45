// Browser journey for notifications: a review falls due, the lead sees it in
// the inbox (with the count in the header) and on the home page, the
// reminder email reaches a real SMTP conversation, and after choosing a
// daily digest for changes the digest email arrives too. Every page visited
// is checked with axe and at 390 px.
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
} from './helpers.mjs';
import { startSmtp } from './smtp.mjs';

const PASSWORD = 'concord-demo-password';
const LEAD = 'lead@birmingham.example';
const OFFICER = 'officer@birmingham.example';

describe('Concord notifications', () => {
  let smtp;
  let server;
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
    context = await newContext(browser);
    const page = await context.newPage();
    await visit(page, url('/sign-in'));
    await page.getByLabel('Email address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await navigate(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click());
    return page;
  }

  it('a review falls due: inbox, home page, email, then a digest', async () => {
    // The reminder job runs as the server starts: the demo's Birmingham-led
    // partnerships have reviews due or overdue, and review reminders go by
    // email unless someone chooses otherwise.
    const reminder = await smtp.waitFor((m) => m.includes(`To: ${LEAD}`) && /Subject:.*review (due|overdue)/.test(m));
    assert.match(reminder, /List-Unsubscribe: <http:\/\/127\.0\.0\.1:\d+\/unsubscribe\//);
    assert.match(reminder, /Content-Type: text\/html/);

    const page = await signIn(LEAD);
    await visit(page, url('/'));
    await assertPageText(page, 'What needs you');
    await assertPageText(page, 'review');
    await checkA11y(page);
    await checkNarrow(page);

    // The header counts unread notifications and leads to the inbox.
    const header = page.getByRole('banner');
    await navigate(page, () => header.getByRole('link', { name: /Notifications/ }).click());
    assert.equal(new URL(page.url()).pathname, '/notifications');
    await assertPageText(page, 'Partnership reviews due or overdue');
    await checkA11y(page);
    await checkNarrow(page);

    // Opening one goes to the partnership's reviews and marks it read.
    const before = await page.getByText('Unread', { exact: true }).count();
    await navigate(page, () => page.getByRole('link', { name: /review (due|overdue)/ }).first().click());
    assert.match(new URL(page.url()).pathname, /^\/partnerships\/\d+\/reviews$/);
    await visit(page, url('/notifications'));
    assert.equal(await page.getByText('Unread', { exact: true }).count(), before - 1);

    // Choose a daily digest for changes to things I watch.
    await visit(page, url('/notifications/settings'));
    await checkA11y(page);
    await checkNarrow(page);
    const changes = page.getByRole('group', { name: 'Changes to things I watch' }).first();
    await changes.getByLabel('In a daily email digest', { exact: true }).check();
    await navigate(page, () => page.getByRole('button', { name: 'Save your choices' }).click());
    await assertPageText(page, 'Your choices are saved.');
    await checkA11y(page);

    // A colleague changes a partnership Birmingham leads: a SWOT item.
    const officer = await signIn(OFFICER);
    await visit(officer, url('/partnerships'));
    await navigate(officer, () => officer.getByRole('link', { name: 'Waste services digital platform' }).first().click());
    const overview = officer.url();
    await visit(officer, `${overview}/swot`);
    const strengths = officer.getByRole('region', { name: 'Strengths' });
    await strengths.getByRole('textbox').fill('One team answers every bin question');
    await navigate(officer, () => strengths.getByRole('button', { name: /^Add / }).click());
    await assertPageText(officer, 'One team answers every bin question');

    // The digest goes when its job runs (daily; queued by hand here).
    await server.run(['queue', 'notifications.digest']);
    const digest = await smtp.waitFor((m) => m.includes(`To: ${LEAD}`) && m.includes('Subject: Your Concord digest'));
    assert.match(digest, /Olu Officer added a SWOT item/);
  });
});
