// Browser tests for Concord's partnership register: two councils set up a
// partnership and run it (members and cost shares, an objective, a shared
// risk, costs and savings, a review), then check the heat map and portfolio.
//
// Run with: node --test e2e/
// (needs a built binary: CONCORD_BIN, default target/debug/concord)
//
// The journey is split into ordered steps that share one server and the
// partnership they build, so that a failure in one step still lets the later
// steps run. Each step starts a fresh browser context and signs in.
// Accessibility is checked with axe on every page visited; violations are
// collected and reported at the end of the step, so one bad page does not
// hide the rest of the journey (the step still fails).

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

const PASSWORD = 'concord-demo-password';
const BIRMINGHAM = {
  email: 'lead@birmingham.example',
  name: 'Birmingham City Council',
  short: 'Birmingham',
  code: 'BIR',
};
const LEEDS = { email: 'lead@leeds.example', name: 'Leeds City Council', short: 'Leeds', code: 'LDS' };

const PARTNERSHIP_NAME = `E2E shared revenues service ${Date.now()}`;
const PURPOSE = 'One revenues and benefits service for Birmingham and Leeds, to cut costs and share specialists.';
const OBJECTIVE = 'Faster processing of new benefit claims';
const RISK_CATEGORY = 'Supplier failure leaving the public sector in limbo';
const ACTION = 'Agree a joint plan for claim processing';

// Dates relative to today, so that the review is always in the past and its
// action always in the future.
const DAY_MS = 24 * 60 * 60 * 1000;
const REVIEW_HELD = new Date(Date.now() - 7 * DAY_MS);
const ACTION_DUE = new Date(Date.now() + 90 * DAY_MS);

/** A date as the [day, month, year] a GOV.UK date input takes. */
function dateParts(date) {
  return [String(date.getUTCDate()), String(date.getUTCMonth() + 1), String(date.getUTCFullYear())];
}

/** A date as Concord writes it in full, e.g. "16 November 2026". */
function longDate(date) {
  const month = date.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}`;
}

/** "£100,000" or "£1,234.50" -> pence. */
function pence(text) {
  const match = text.trim().match(/^(-?)£([\d,]+)(?:\.(\d{2}))?$/);
  assert.ok(match, `expected an amount like £1,234.50, got ${JSON.stringify(text)}`);
  const value = Number(match[2].replaceAll(',', '')) * 100 + Number(match[3] ?? 0);
  return match[1] ? -value : value;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('Concord partnerships', () => {
  let server;
  let browser;
  let context;
  // The partnership the journey builds, for the later steps.
  let partnershipId;
  // Portfolio totals before the journey, to compare at the end.
  let totalsBefore;

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
  const partnershipUrl = (suffix = '') => {
    assert.ok(partnershipId, 'no partnership to work on: step 1 did not create one');
    return url(`/partnerships/${partnershipId}${suffix}`);
  };

  // Every step gets its own context, so cookies (the session) never leak.
  async function freshPage() {
    await context?.close();
    context = await newContext(browser);
    return context.newPage();
  }

  // Accessibility problems found during the current step.
  let a11yProblems = [];

  /** Run axe on the page; record (rather than throw) violations, so the step can go on. */
  async function a11y(page, what) {
    try {
      await checkA11y(page);
    } catch (err) {
      if (!(err instanceof assert.AssertionError)) throw err;
      a11yProblems.push(`[${what}] ${err.message}`);
    }
  }

  /** One journey step: fails at its end if any page it visited had axe violations. */
  function step(name, fn) {
    it(name, async (t) => {
      a11yProblems = [];
      await fn(t);
      assert.equal(
        a11yProblems.length,
        0,
        `the step's checks passed, but ${a11yProblems.length} page(s) had accessibility violations:\n\n` +
          a11yProblems.join('\n\n'),
      );
    });
  }

  async function signIn(page, who) {
    await visit(page, url('/sign-in'));
    await a11y(page, 'sign in');
    await page.getByLabel('Email address', { exact: true }).fill(who.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await navigate(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click());
    await assertPageText(page, 'Signed in as');
    await a11y(page, 'after signing in');
  }

  async function signOut(page) {
    await navigate(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).first().click());
    await assertPageText(page, 'You have signed out');
    await a11y(page, 'signed out');
  }

  const siteNav = (page) => page.getByRole('navigation', { name: 'Menu', exact: true });
  const sectionNav = (page) => page.getByRole('navigation', { name: 'Partnership sections', exact: true });

  /** Follow a link in the header navigation. */
  async function openPartnerships(page) {
    await navigate(page, () => siteNav(page).getByRole('link', { name: 'Partnerships', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, '/partnerships');
  }

  /** Follow a link in the partnership's section navigation. */
  async function openSection(page, label, suffix) {
    await navigate(page, () => sectionNav(page).getByRole('link', { name: label, exact: true }).click());
    assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}${suffix}`);
    const current = sectionNav(page).locator('[aria-current="page"]');
    assert.equal((await current.innerText()).trim(), label, `expected "${label}" to be the current section`);
  }

  /** Fill a GOV.UK date input, found by its fieldset's legend within `scope`. */
  async function fillDate(scope, legend, [day, month, year]) {
    const group = scope.getByRole('group', { name: legend, exact: true });
    await group.getByLabel('Day', { exact: true }).fill(day);
    await group.getByLabel('Month', { exact: true }).fill(month);
    await group.getByLabel('Year', { exact: true }).fill(year);
  }

  /** Assert the GOV.UK error summary is there; return the messages it lists. */
  async function errorSummary(page) {
    const summary = page.locator('.govuk-error-summary');
    assert.equal(await summary.count(), 1, `expected a GOV.UK error summary on ${page.url()}`);
    assert.equal(
      await summary.getByRole('heading', { name: 'There is a problem', exact: true }).count(),
      1,
      'expected the error summary heading "There is a problem"',
    );
    assert.match(await page.title(), /^Error: /, 'the page title should start with "Error: "');
    return summary.getByRole('listitem').allInnerTexts();
  }

  /** The text of the cell in `column` of the first row mentioning `rowText`. */
  async function cellText(table, rowText, column) {
    assert.equal(await table.count(), 1, `expected one table ${table}`);
    const headers = (await table.getByRole('columnheader').allInnerTexts()).map((t) => t.trim());
    const index = headers.indexOf(column);
    assert.ok(index >= 0, `expected a column "${column}"; the columns were ${JSON.stringify(headers)}`);
    const rows = table.locator('tbody > tr').filter({ hasText: rowText });
    assert.ok(
      (await rows.count()) >= 1,
      `expected a row mentioning "${rowText}"; the rows were:\n${(await table.locator('tbody > tr').allInnerTexts()).join('\n')}`,
    );
    return (await rows.first().locator(':scope > th, :scope > td').nth(index).innerText()).trim();
  }

  /** The value of a GOV.UK summary list row, by its key (the first such row within `scope`). */
  async function summaryValue(scope, key) {
    const keys = [];
    for (const row of await scope.locator('.govuk-summary-list__row').all()) {
      const text = (await row.getByRole('term').innerText()).trim();
      if (text === key) return (await row.getByRole('definition').first().innerText()).trim();
      keys.push(text);
    }
    return assert.fail(`expected a summary list row "${key}"; the keys were ${JSON.stringify(keys)}`);
  }

  step('1. Birmingham starts a partnership (after a validation error)', async () => {
    const page = await freshPage();
    await signIn(page, BIRMINGHAM);

    await openPartnerships(page);
    await a11y(page, 'partnerships');
    totalsBefore = {
      arrangements: Number(await summaryValue(page, 'Arrangements')),
      savings: pence(await summaryValue(page, 'Realised savings, all partners together')),
      costs: pence(await summaryValue(page, 'Realised costs, all partners together')),
    };

    await navigate(page, () => page.getByRole('button', { name: 'Start a partnership', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, '/partnerships/new');
    assert.equal(await page.getByRole('heading', { level: 1, name: 'Start a partnership', exact: true }).count(), 1);
    await a11y(page, 'start a partnership');

    // Submitted empty: the GOV.UK error summary.
    await navigate(page, () => page.getByRole('button', { name: 'Start partnership', exact: true }).click());
    const problems = await errorSummary(page);
    assert.ok(problems.length >= 1, 'expected at least one error in the summary');
    await a11y(page, 'start a partnership, submitted empty');

    // Filled in.
    await page.getByLabel('Name', { exact: true }).fill(PARTNERSHIP_NAME);
    await page.getByLabel('Purpose', { exact: true }).fill(PURPOSE);
    await page.getByLabel('Type of partnership', { exact: true }).selectOption({ label: 'Shared service' });
    await page.getByLabel('Degree of collaboration', { exact: true }).selectOption({ label: 'Collaborating' });
    await page.getByLabel('Lifecycle stage (ISO 44001)', { exact: true }).selectOption({ label: '5. Working together' });
    await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Active' });
    await page.getByLabel('Who can see it', { exact: true }).selectOption({ label: 'Partners only' });
    await fillDate(page, 'Start date (optional)', ['1', '4', '2025']);
    await page.getByLabel('Review every (months, optional)', { exact: true }).fill('12');
    // Service areas by name, one per line.
    await page.getByLabel('Service areas (optional)', { exact: true }).fill('Household waste collection');
    await navigate(page, () => page.getByRole('button', { name: 'Start partnership', exact: true }).click());

    const match = new URL(page.url()).pathname.match(/^\/partnerships\/(\d+)$/);
    assert.ok(match, `expected to land on the new partnership's overview, got ${page.url()}`);
    partnershipId = match[1];
    assert.equal(await page.getByRole('heading', { level: 1, name: PARTNERSHIP_NAME, exact: true }).count(), 1);
    assert.equal(await summaryValue(page, 'Type'), 'Shared service');
    assert.equal(await summaryValue(page, 'Degree'), 'Collaborating');
    assert.equal(await summaryValue(page, 'Lifecycle stage'), '5. Working together');
    assert.equal(await summaryValue(page, 'Status'), 'Active');
    assert.equal(await summaryValue(page, 'Who can see it'), 'Partners only');
    assert.equal(await summaryValue(page, 'Dates'), 'From 1 April 2025');
    assert.equal(await summaryValue(page, 'Next review'), '1 April 2026');
    await a11y(page, 'overview');
  });

  step('2. Birmingham invites Leeds', async () => {
    const page = await freshPage();
    await signIn(page, BIRMINGHAM);
    await visit(page, partnershipUrl());
    await a11y(page, 'overview');

    await openSection(page, 'Members', '/members');
    await a11y(page, 'members');
    // Each member row has its own "Role" select (in a details element), so
    // work within the invitation form.
    const invite = page.locator('form').filter({ has: page.getByRole('button', { name: 'Send invitation' }) });
    // A name that matches several organisations: the form asks which one.
    await invite.getByLabel('Organisation', { exact: true }).fill('Newcastle');
    await invite.getByLabel('Role', { exact: true }).selectOption({ label: 'Partner' });
    await navigate(page, () => invite.getByRole('button', { name: 'Send invitation', exact: true }).click());
    const which = await errorSummary(page);
    assert.ok(which.some((p) => p.startsWith("More than one organisation matches 'Newcastle'")), which.join('\n'));
    const choices = page.getByRole('group', { name: 'Which ‘Newcastle’ did you mean?', exact: true });
    assert.ok((await choices.getByRole('radio').count()) >= 2, 'the matching organisations to choose from');
    await a11y(page, 'members, which organisation');
    await checkNarrow(page);
    await page.getByRole('link', { name: 'Type another name or code', exact: true }).click();
    await page.waitForLoadState();
    // Chosen by name, not by the register code.
    await invite.getByLabel('Organisation', { exact: true }).fill(LEEDS.name);
    await invite.getByLabel('Role', { exact: true }).selectOption({ label: 'Partner' });
    await navigate(page, () => invite.getByRole('button', { name: 'Send invitation', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}/members`);

    const members = page.getByRole('table', { name: 'Member organisations', exact: true });
    assert.equal(await cellText(members, BIRMINGHAM.name, 'Role'), 'Lead');
    assert.equal(await cellText(members, LEEDS.name, 'Role'), 'Partner');
    assert.equal(await cellText(members, LEEDS.name, 'Status'), 'Invited');
    await a11y(page, 'members, after inviting Leeds');

    await signOut(page);
  });

  step('3. Leeds accepts the invitation', async (t) => {
    const page = await freshPage();
    await signIn(page, LEEDS);

    await openPartnerships(page);
    await a11y(page, 'partnerships');
    await page.getByRole('group', { name: 'Show', exact: true }).getByLabel("My organisation's", { exact: true }).check();
    await navigate(page, () => page.getByRole('button', { name: 'Apply filters', exact: true }).click());
    await a11y(page, "partnerships, my organisation's");
    const link = page.getByRole('table').getByRole('link', { name: PARTNERSHIP_NAME, exact: true });
    if ((await link.count()) === 1) {
      t.diagnostic(`opened from the "My organisation's" list`);
      await navigate(page, () => link.click());
    } else {
      // An invitation may not count as "my organisation's" yet: go by the URL.
      t.diagnostic(`not in the "My organisation's" list while only invited; opened by its URL`);
      await visit(page, partnershipUrl());
    }
    assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}`);

    const banner = page.getByRole('region', { name: 'Invitation', exact: true });
    assert.equal(await banner.count(), 1, 'expected an "Invitation" notification banner');
    assert.match(await banner.innerText(), /invited to join this partnership/);
    await a11y(page, 'overview, with the invitation');

    await navigate(page, () => banner.getByRole('button', { name: 'Accept invitation', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}`);
    assert.equal(await page.getByRole('region', { name: 'Invitation', exact: true }).count(), 0, 'the banner should go');
    const membersList = page.getByRole('heading', { name: 'Members', exact: true }).locator('xpath=following-sibling::ul[1]');
    const members = await membersList.getByRole('listitem').allInnerTexts();
    assert.ok(
      members.some((t) => t.includes(LEEDS.name) && t.includes('Partner')),
      `expected Leeds to be listed as a partner; the members were ${JSON.stringify(members)}`,
    );
    await a11y(page, 'overview, after accepting');

    await signOut(page);
  });

  step('4. Birmingham agrees 60/40 cost shares and uses the calculator', async () => {
    const page = await freshPage();
    await signIn(page, BIRMINGHAM);
    await visit(page, partnershipUrl());
    await openSection(page, 'Members', '/members');
    await a11y(page, 'members');

    await page.getByLabel(`Share for ${BIRMINGHAM.name} (%)`, { exact: true }).fill('60');
    await page.getByLabel(`Share for ${LEEDS.name} (%)`, { exact: true }).fill('40');
    await navigate(page, () => page.getByRole('button', { name: 'Save cost shares', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}/members`);
    const members = page.getByRole('table', { name: 'Member organisations', exact: true });
    assert.equal(await cellText(members, LEEDS.name, 'Status'), 'Member');
    assert.equal(await cellText(members, BIRMINGHAM.name, 'Cost share'), '60%');
    assert.equal(await cellText(members, LEEDS.name, 'Cost share'), '40%');
    await a11y(page, 'members, after saving the shares');

    // Cost-sharing calculator: £100,000 by population.
    await page.getByLabel('Cost to share', { exact: true }).fill('100000');
    await page
      .getByRole('group', { name: 'Split it', exact: true })
      .getByLabel('By population (2020 estimates)', { exact: true })
      .check();
    await navigate(page, () => page.getByRole('button', { name: 'Calculate', exact: true }).click());
    const result = page.getByRole('table', { name: '£100,000 split by population', exact: true });
    assert.equal(await result.count(), 1, 'expected a result table captioned "£100,000 split by population"');
    const birminghamPays = pence(await cellText(result, BIRMINGHAM.name, 'Pays'));
    const leedsPays = pence(await cellText(result, LEEDS.name, 'Pays'));
    assert.equal(birminghamPays + leedsPays, 100_000_00, 'the parts should add up to £100,000');
    assert.ok(birminghamPays > leedsPays, 'Birmingham has more people than Leeds, so should pay more');
    for (const org of [BIRMINGHAM, LEEDS]) {
      assert.match(await cellText(result, org.name, 'Share'), /^\d+(\.\d+)?%$/);
    }
    await a11y(page, 'members, with a calculation');
  });

  step('5. Birmingham adds an objective and records progress', async () => {
    const page = await freshPage();
    await signIn(page, BIRMINGHAM);
    await visit(page, partnershipUrl());
    await openSection(page, 'Objectives', '/objectives');
    await assertPageText(page, 'No joint objectives have been set yet.');
    await a11y(page, 'objectives, none yet');

    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Add objective' }) });
    await form.getByLabel('Objective', { exact: true }).fill(OBJECTIVE);
    await form.getByLabel('Measure', { exact: true }).fill('Average days to process a new claim');
    await form.getByLabel('Unit (optional)', { exact: true }).fill('days');
    await form.getByLabel('Baseline', { exact: true }).fill('30');
    await form.getByLabel('Target', { exact: true }).fill('15');
    await fillDate(form, 'Start date', ['1', '4', '2025']);
    await fillDate(form, 'Due date', ['31', '3', '2027']);
    await form.getByLabel('Owning partner', { exact: true }).selectOption({ label: LEEDS.name });
    await navigate(page, () => form.getByRole('button', { name: 'Add objective', exact: true }).click());
    assert.match(new URL(page.url()).pathname, new RegExp(`^/partnerships/${partnershipId}/objectives/\\d+$`));
    await a11y(page, 'objective, just added');

    // Back to the list, and open it from there.
    await navigate(page, () => page.getByRole('link', { name: 'All objectives', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}/objectives`);
    const list = page.getByRole('table', { name: 'Joint objectives, soonest due first', exact: true });
    assert.equal(await cellText(list, OBJECTIVE, 'Owner'), LEEDS.name);
    assert.equal(await cellText(list, OBJECTIVE, 'Latest'), 'No update yet');
    await a11y(page, 'objectives, one');
    await navigate(page, () => list.getByRole('link', { name: OBJECTIVE, exact: true }).click());
    assert.match(new URL(page.url()).pathname, new RegExp(`^/partnerships/${partnershipId}/objectives/\\d+$`));
    assert.equal(await page.getByRole('heading', { name: OBJECTIVE, exact: true }).count(), 1);
    await assertPageText(page, 'No progress has been recorded yet.');
    await a11y(page, 'objective');

    // Record progress (the date left blank means today).
    const progress = page.locator('form').filter({ has: page.getByRole('button', { name: 'Record progress' }) });
    await progress.getByLabel('Value', { exact: true }).fill('20');
    await progress.getByLabel('Note (optional)', { exact: true }).fill('Online document upload cut the waiting.');
    await navigate(page, () => progress.getByRole('button', { name: 'Record progress', exact: true }).click());
    const updates = page.getByRole('table', { name: 'Progress updates, newest first', exact: true });
    assert.equal(await updates.locator('tbody > tr').count(), 1, 'expected one progress update');
    const rag = await summaryValue(page, 'Status');
    assert.ok(['Green', 'Amber', 'Red'].includes(rag), `expected a red, amber or green status, got ${JSON.stringify(rag)}`);
    const tag = page.locator('.govuk-summary-list strong.govuk-tag');
    assert.equal(await tag.count(), 1, 'expected the status as a GOV.UK tag');
    assert.match(await tag.getAttribute('class'), /govuk-tag--(green|yellow|red)/);
    await a11y(page, 'objective, after recording progress');
  });

  step('6. Birmingham adds a shared risk (60/30 refused, 60/40 accepted); exposure and heat map', async () => {
    const page = await freshPage();
    await signIn(page, BIRMINGHAM);
    await visit(page, partnershipUrl());
    await openSection(page, 'Risks', '/risks');
    await assertPageText(page, 'No risks recorded yet.');
    await a11y(page, 'risk register, empty');

    // "Add a risk" is a link styled as a button.
    await navigate(page, () => page.getByRole('main').getByRole('button', { name: 'Add a risk', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}/risks/new`);
    await a11y(page, 'add a risk');

    const fillRisk = async (leedsShare) => {
      await page.getByRole('group', { name: 'Category', exact: true }).getByLabel(RISK_CATEGORY, { exact: true }).check();
      await page.getByRole('group', { name: 'Likelihood', exact: true }).getByLabel('4 – Likely', { exact: true }).check();
      await page.getByRole('group', { name: 'Impact', exact: true }).getByLabel('5 – Severe', { exact: true }).check();
      await page.getByLabel('Owner', { exact: true }).selectOption({ label: BIRMINGHAM.name });
      await page.getByLabel('Mitigation', { exact: true }).fill('Escrow for the software, and a six-month exit clause.');
      await page.getByRole('group', { name: 'Status', exact: true }).getByLabel('Open', { exact: true }).check();
      const shares = page.getByRole('group', { name: 'Who carries the risk', exact: true });
      await shares.getByLabel(`Share for ${BIRMINGHAM.name} (%)`, { exact: true }).fill('60');
      await shares.getByLabel(`Share for ${LEEDS.name} (%)`, { exact: true }).fill(leedsShare);
    };

    // 60 + 30 is refused.
    await fillRisk('30');
    await navigate(page, () => page.getByRole('button', { name: 'Add risk', exact: true }).click());
    const problems = await errorSummary(page);
    assert.ok(
      problems.some((p) => p.includes('add up to 100%')),
      `expected an error saying the shares must add up to 100%; got ${JSON.stringify(problems)}`,
    );
    await assertPageText(page, 'these add up to 90%');
    await a11y(page, 'add a risk, shares 60/30');

    // 60 + 40 is accepted.
    await fillRisk('40');
    await navigate(page, () => page.getByRole('button', { name: 'Add risk', exact: true }).click());
    assert.match(new URL(page.url()).pathname, new RegExp(`^/partnerships/${partnershipId}/risks/\\d+$`));
    assert.equal(
      await page.getByRole('heading', { name: RISK_CATEGORY, exact: true }).count(),
      1,
      'with no title, the category should be the title',
    );
    assert.equal(await summaryValue(page, 'Score'), '20 Red');
    const carriers = page.getByRole('table', { name: 'Who carries the risk', exact: true });
    assert.equal(await cellText(carriers, BIRMINGHAM.name, 'Share'), '60%');
    assert.equal(await cellText(carriers, LEEDS.name, 'Share'), '40%');
    await a11y(page, 'risk');

    // The register.
    await navigate(page, () => page.getByRole('link', { name: 'Back to the risk register', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}/risks`);
    const register = page.getByRole('table', { name: /^1 risk, 1 open/ });
    assert.equal(await cellText(register, RISK_CATEGORY, 'Shares'), `${BIRMINGHAM.short} 60%, ${LEEDS.short} 40%`);
    assert.match(await cellText(register, RISK_CATEGORY, 'Score'), /^20 Red/);

    const exposure = page.getByRole('table', { name: 'Exposure to open risks by partner', exact: true });
    assert.equal(await cellText(exposure, BIRMINGHAM.name, 'Exposure'), '12.00');
    assert.equal(await cellText(exposure, LEEDS.name, 'Exposure'), '8.00');

    const heatMap = page.getByRole('img', { name: /^Heat map of open risks by likelihood and impact\b/ });
    assert.equal(await heatMap.count(), 1, 'expected the heat map, an SVG with role="img"');
    assert.equal(await heatMap.evaluate((el) => el.tagName.toLowerCase()), 'svg');
    assert.match(await heatMap.evaluate((el) => el.querySelector('desc')?.textContent ?? ''), /^1 open risk: 1 red/);
    assert.equal(await heatMap.locator('[data-cell="4-5"]').textContent(), '1', 'the 4 × 5 cell should show 1');

    // Its table version, inside a govuk-details.
    const heatTable = page.getByRole('table', { name: 'Open risks by likelihood (rows) and impact (columns)', exact: true });
    if (!(await heatTable.isVisible())) {
      await page.getByText('Heat map as a table', { exact: true }).click();
    }
    await heatTable.waitFor({ state: 'visible' });
    assert.equal(await cellText(heatTable, '4 – Likely', 'Impact 5 – Severe'), '1');
    assert.equal(await cellText(heatTable, '4 – Likely', 'Impact 4 – Major'), '0');
    assert.equal(await cellText(heatTable, '5 – Almost certain', 'Impact 5 – Severe'), '0');
    await a11y(page, 'risk register, heat map table open');
  });

  step('7. Birmingham records a realised cost and a realised saving', async () => {
    const page = await freshPage();
    await signIn(page, BIRMINGHAM);
    await visit(page, partnershipUrl());
    await openSection(page, 'Costs and benefits', '/ledger');
    await assertPageText(page, 'No realised costs or cashable savings have been recorded yet.');
    await a11y(page, 'costs and benefits, empty');

    const addEntry = async ({ type, amount, description }) => {
      const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Add entry' }) });
      await form.getByLabel('Partner', { exact: true }).selectOption({ label: BIRMINGHAM.name });
      await form.getByLabel('Type', { exact: true }).selectOption({ label: type });
      await form.getByLabel('Expected or realised', { exact: true }).selectOption({ label: 'Realised' });
      await form.getByLabel('Financial year', { exact: true }).selectOption({ label: '2025/26' });
      await form.getByLabel('Amount', { exact: true }).fill(amount);
      await form.getByLabel('Description', { exact: true }).fill(description);
      await navigate(page, () => form.getByRole('button', { name: 'Add entry', exact: true }).click());
      assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}/ledger`);
    };
    await addEntry({ type: 'Cost', amount: '50000', description: 'Shared case management system' });
    await a11y(page, 'costs and benefits, one cost');
    await addEntry({ type: 'Cashable saving', amount: '80000', description: 'One team instead of two' });

    const totals = page.getByRole('table', { name: 'Totals by partner', exact: true });
    assert.equal(await cellText(totals, 'Partnership total', 'Realised costs'), '£50,000');
    assert.equal(await cellText(totals, 'Partnership total', 'Realised cashable savings'), '£80,000');
    assert.equal(await cellText(totals, 'Partnership total', 'Net realised (savings − costs)'), '£30,000');
    assert.equal(await cellText(totals, BIRMINGHAM.name, 'Realised costs'), '£50,000');
    assert.equal(await cellText(totals, BIRMINGHAM.name, 'Realised cashable savings'), '£80,000');
    assert.equal(await cellText(totals, LEEDS.name, 'Realised cashable savings'), '£0');

    const entries = page.getByRole('table', { name: '2025/26', exact: true });
    assert.equal(await entries.locator('tbody > tr').count(), 2, 'expected two entries for 2025/26');
    assert.ok(
      (await page.getByRole('main').locator('svg[role="img"]').count()) >= 1,
      'expected a chart of realised costs and savings (svg role="img")',
    );
    await a11y(page, 'costs and benefits, a cost and a saving');
  });

  step('8. Birmingham records a review with an action for Leeds', async () => {
    const page = await freshPage();
    await signIn(page, BIRMINGHAM);
    await visit(page, partnershipUrl());
    await openSection(page, 'Reviews', '/reviews');
    await assertPageText(page, 'No reviews have been recorded yet.');
    await a11y(page, 'reviews, none yet');

    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Record review' }) });
    await fillDate(form, 'Date the review was held', dateParts(REVIEW_HELD));
    await form.getByLabel('Findings', { exact: true }).fill('Savings are ahead of plan; claim processing is behind.');
    await form.getByRole('group', { name: 'Decision', exact: true }).getByLabel('Continue', { exact: true }).check();
    // Every action row has a "Description", an "Owner" and a "Due date":
    // their fieldset's legend ("Action 1") tells them apart.
    const action1 = form.getByRole('group', { name: 'Action 1', exact: true });
    await action1.getByLabel('Description', { exact: true }).fill(ACTION);
    await action1.getByLabel('Owner', { exact: true }).selectOption({ label: LEEDS.name });
    await fillDate(action1, 'Due date', dateParts(ACTION_DUE));
    await navigate(page, () => form.getByRole('button', { name: 'Record review', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, `/partnerships/${partnershipId}/reviews`);

    const heading = `Review held ${longDate(REVIEW_HELD)}`;
    const card = page.locator('.govuk-summary-card').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
    assert.equal(await card.count(), 1, `expected a summary card "${heading}"`);
    assert.equal(await summaryValue(card, 'Decision'), 'Continue');
    assert.equal(await summaryValue(card, 'Findings'), 'Savings are ahead of plan; claim processing is behind.');
    const actions = page.getByRole('table', { name: 'Actions from all reviews, those still to do first', exact: true });
    assert.equal(await cellText(actions, ACTION, 'Owner'), LEEDS.name);
    assert.equal(await cellText(actions, ACTION, 'Status'), 'Open');
    await a11y(page, 'reviews, after recording one');

    // The overview counts everything.
    await openSection(page, 'Overview', '');
    assert.match(await summaryValue(page, 'Reviews'), /^1, last /);
    assert.equal(await summaryValue(page, 'Realised savings'), '£80,000');
    assert.equal(await summaryValue(page, 'Realised costs'), '£50,000');
    assert.equal(await summaryValue(page, 'Open risks'), '1 (1 high)');
    assert.match(await summaryValue(page, 'Objectives'), /^1 (Green|Amber|Red)$/);
    await a11y(page, 'overview, at the end');
  });

  step('9. History shows the changes; the portfolio lists the partnership', async () => {
    const page = await freshPage();
    await signIn(page, BIRMINGHAM);
    await visit(page, partnershipUrl());
    await openSection(page, 'History', '/history');
    const history = page.getByRole('list', { name: 'Changes', exact: true });
    assert.equal(await history.count(), 1, 'expected a list of changes');
    const changes = await history.locator(':scope > li').allInnerTexts();
    // Created, invited, accepted, cost shares, objective, progress, risk,
    // two ledger entries, review: at least ten changes.
    assert.ok(changes.length >= 10, `expected at least 10 changes, got ${changes.length}:\n${changes.join('\n')}`);
    // Sentences people read: who, what, and money in pounds.
    assert.ok(
      changes.some((c) => /added a ledger entry: £[\d,]+ /.test(c)),
      `expected a ledger entry in pounds:\n${changes.join('\n')}`,
    );
    await a11y(page, 'history');

    // The portfolio: everything Birmingham can see.
    await openPartnerships(page);
    if (totalsBefore) {
      assert.equal(Number(await summaryValue(page, 'Arrangements')), totalsBefore.arrangements + 1);
      assert.equal(pence(await summaryValue(page, 'Realised savings, all partners together')), totalsBefore.savings + 80_000_00);
      assert.equal(pence(await summaryValue(page, 'Realised costs, all partners together')), totalsBefore.costs + 50_000_00);
    }
    const chartTitles = await page
      .locator('svg[role="img"]')
      .evaluateAll((svgs) => svgs.map((svg) => svg.querySelector('title')?.textContent ?? ''));
    for (const title of [
      'Cashable savings by financial year: expected and realised',
      'Partnerships by type',
      'Partnerships by degree of collaboration',
    ]) {
      assert.equal(
        await page.getByRole('img', { name: new RegExp(`^${escapeRegExp(title)}\\b`) }).count(),
        1,
        `expected a chart "${title}" (svg role="img"); the charts were ${JSON.stringify(chartTitles)}`,
      );
    }
    await a11y(page, 'partnerships');

    // Filtered down to this partnership.
    await page.getByLabel('Name contains', { exact: true }).fill(PARTNERSHIP_NAME);
    await navigate(page, () => page.getByRole('button', { name: 'Apply filters', exact: true }).click());
    const portfolio = page.getByRole('table', { name: 'Partnerships, sortable by name, stage and next review', exact: true });
    assert.equal(await portfolio.getByRole('link', { name: PARTNERSHIP_NAME, exact: true }).count(), 1);
    assert.equal(await cellText(portfolio, PARTNERSHIP_NAME, 'Type'), 'Shared service');
    assert.equal(await cellText(portfolio, PARTNERSHIP_NAME, 'Degree'), 'Collaborating');
    assert.equal(await cellText(portfolio, PARTNERSHIP_NAME, 'Lead'), BIRMINGHAM.name);
    assert.equal(await cellText(portfolio, PARTNERSHIP_NAME, 'Partners'), '2');
    assert.equal(await cellText(portfolio, PARTNERSHIP_NAME, 'Realised savings, all partners'), '£80,000');
    assert.equal(await summaryValue(page, 'Arrangements'), '1');
    assert.equal(await summaryValue(page, 'Partner organisations'), '2');
    assert.equal(await summaryValue(page, 'Realised savings, all partners together'), '£80,000');
    assert.equal(await summaryValue(page, 'Realised costs, all partners together'), '£50,000');
    // Both entries were recorded for Birmingham, so its own part is all of it.
    assert.equal(await summaryValue(page, `Realised savings recorded for ${BIRMINGHAM.name}`), '£80,000');
    assert.equal(await summaryValue(page, `Realised costs recorded for ${BIRMINGHAM.name}`), '£50,000');
    assert.equal(await page.locator('svg[role="img"]').count(), 3, 'expected the three portfolio charts');
    await a11y(page, 'partnerships, filtered by name');
  });

  step('opens a section of a partnership with the keyboard alone', async () => {
    const page = await freshPage();
    await signIn(page, BIRMINGHAM);
    if (partnershipId) {
      await visit(page, partnershipUrl());
    } else {
      // The journey did not create one: use any partnership Birmingham is in.
      await visit(page, url('/partnerships?scope=mine'));
      await navigate(page, () => page.getByRole('table').getByRole('link').first().click());
    }
    const id = new URL(page.url()).pathname.split('/')[2];
    await a11y(page, 'overview');

    const risks = sectionNav(page).getByRole('link', { name: 'Risks', exact: true });
    const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement);
    let tabs = 0;
    while (!(await isFocused(risks))) {
      assert.ok(tabs < 60, 'the "Risks" section link was not reached after 60 presses of Tab');
      await page.keyboard.press('Tab');
      tabs += 1;
    }
    await navigate(page, () => page.keyboard.press('Enter'));
    assert.equal(new URL(page.url()).pathname, `/partnerships/${id}/risks`);
    assert.equal(await page.getByRole('heading', { name: 'Shared risk register', exact: true }).count(), 1);
    await a11y(page, 'risk register');
  });
});
