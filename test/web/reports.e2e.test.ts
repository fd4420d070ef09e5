import { readFileSync, statSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixedClock } from '../../src/lib/clock.js';
import { bearer, newTenant, PASSWORD, uniq, userWithRole, type TestTenant } from '../helpers/app.js';
import { adminPool } from '../helpers/db.js';
import type { Story } from '../helpers/story.js';
import { reportsFixture } from '../helpers/reportsFixture.js';
import { axeViolations, goTo, launch, overflowsSideways, screenshot, signedInContext, startWebStack, tokensFor, VIEWPORTS, type WebStack, captureFailure } from './harness.js';

/**
 * The Reports page (issue 18 item 3) over the fixture of test/reports.test.ts, whose figures are
 * worked out by hand there: one school in a district, one position, three applications, New York.
 *
 *  app 1: completed Mon 1 Feb 2027 with "by Fri 5 Feb" (P1, Pat); reply Thu 4 Feb "by Wed 10" (P2,
 *         Pat); offer Fri 12 Feb: P1 late 5 business days, P2 late 2. Its two thank-yous, sent on
 *         time Mon 1 Feb, answered by the reply after 2.875 days.
 *  app 2: completed Tue 2 Feb with "by Tue 9 Feb" (P3, Pat); rejected Mon 8 Feb: kept. Thank-yous
 *         sent Tue (Terry's 10 minutes late), answered after 1 day by a reply on Wed 3 Feb.
 *  app 3: completed Wed 3 Feb with "by Fri 19 Feb" (P4, Terry): open. Thank-yous never sent.
 *
 * Default period (the 90 days to Mon 15 Feb 2027): family promised 4, decided 3, kept 1 (33%),
 * median late 2, open 1, 4 answers (median 1.9 days); Pat 3/3/1/2/0/2/1.9; Terry 1/0/0 (–)/–/1/2/1.9.
 * Thank-yous: due 6, sent 4, on time 3 (75%), overdue 2, answered 4 (100%). Pipeline: 3 candidates
 * (interviewing 1, offer 1, rejected 1), decided 2, median 8.6 days.
 *
 * From Wed 3 Feb: only P4 (given Wed) and P2 (Thu): family promised 2, decided 1 (P2, late 2), kept
 * 0 (0%), median late 2, open 1; no email sent from Wed 3 Feb was answered. Pat 1/1/0 (0%)/2/0;
 * Terry 1/0/0 (–)/–/1. No worker runs: nothing is sent.
 */
const NOW = '2027-02-15T15:00:00Z';
const clock = fixedClock('2027-01-25T15:00:00Z');

let stack: WebStack;
let browser: Browser;
let tenant: TestTenant;
let story: Story;
let viewer: { email: string };
let recruiterName: string;
let districtName: string;
let schoolName: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startWebStack({ clock });
  tenant = await newTenant(stack.t.app);
  ({ story } = await reportsFixture(stack.t.app, tenant, clock));
  districtName = String(story.district.name);
  schoolName = String(story.school.name);
  clock.set(NOW);
  const r = await userWithRole(stack.t.app, tenant, 'recruiter');
  recruiterName = 'recruiter person';
  expect(r.id).toBeTruthy();
  const v = await userWithRole(stack.t.app, tenant, 'viewer');
  viewer = { email: v.email };
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach((ctx) => captureFailure(ctx, 'reports', contexts));

async function open(size: keyof typeof VIEWPORTS, email: string, path = '/', scripts?: string[], slug = tenant.slug): Promise<Page> {
  const tokens = await tokensFor(stack.t, slug, email, PASSWORD);
  const context = await signedInContext(browser, tokens.refreshToken, slug, VIEWPORTS[size]);
  await context.clock.setFixedTime(new Date(NOW));
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  const page = await context.newPage();
  if (scripts) page.on('request', (r) => void (r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname)));
  await page.goto(`${stack.url}${path}`);
  await page.getByTestId('role').waitFor({ state: 'attached' });
  return page;
}

/** Each row of a report's table as its cells' text (the row's heading first). */
const rows = (page: Page, testId: string): Promise<string[][]> =>
  page.getByTestId(testId).evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c as unknown as { innerText: string }).innerText.trim())));

const waitRows = (page: Page, testId: string, expected: string[][]) => expect.poll(() => rows(page, testId), { timeout: 8_000, interval: 100 }).toEqual(expected);

const DIST = new URL('../../web/dist/', import.meta.url).pathname;

describe.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s size', (size) => {
  it('a viewer opens Reports from the navigation and reads the fixture’s figures, charted and in tables', async () => {
    const scripts: string[] = [];
    const page = await open(size, viewer.email, '/', scripts);
    await page.getByRole('heading', { level: 1, name: 'Today' }).waitFor();
    // The first load brings neither the page nor its chart library, and stays under 250 kB gzipped.
    const first = [...scripts];
    expect(first.length).toBeGreaterThan(0);
    const firstGzip = first.reduce((n, p) => n + statSync(`${DIST}${p.slice(1)}.gz`).size, 0);
    expect(firstGzip).toBeLessThan(250 * 1024);
    expect(first.some((p) => /Reports-/.test(p))).toBe(false);

    await goTo(page, 'Reports');
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    await waitRows(page, 'employer-row', [
      [districtName, '4', '3', '1 (33%)', '2', '1', '4', '1.9'],
      ['Pat Principal', '3', '3', '1 (33%)', '2', '0', '2', '1.9'],
      ['Terry Teacher', '1', '0', '0 (–)', '–', '1', '2', '1.9'],
    ]);
    const thanks = (await rows(page, 'follow-up-row')).find((r) => r[0] === 'Olive Owner: Thank-you note');
    expect(thanks).toEqual(['Olive Owner: Thank-you note', '6', '4', '3 (75%)', '2', '0', '4 (100%)']);
    await waitRows(page, 'pipeline-row', [[`5th grade teacher, ${schoolName}`, '3', '0', '1', '1', '0', '1', '0', '0', '2', '8.6']]);
    // The fixture's one position fits the first page (100): nothing more to show, and no button for it.
    await page.getByTestId('report-pipeline').getByText('1 position', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Show more positions' }).count()).toBe(0);
    // The page and Chartist came as chunks of their own, after the first load.
    const later = scripts.filter((p) => !first.includes(p));
    expect(later.some((p) => /Reports-/.test(p))).toBe(true);
    expect(later.length, 'the page and Chartist, each in its own chunk').toBeGreaterThanOrEqual(2);

    // Each chart draws one bar per row (the stages: one per stage and position), hidden from
    // screen readers, who read the table under it.
    const charts = page.getByTestId('chart');
    await expect.poll(() => charts.evaluateAll((cs) => cs.map((c) => c.querySelectorAll('.ct-bar').length)), { timeout: 8_000 }).toEqual([1, 1, 1, (await rows(page, 'follow-up-row')).length, 7, 1]);
    expect(await charts.evaluateAll((cs) => cs.every((c) => c.getAttribute('aria-hidden') === 'true'))).toBe(true);
    // The stacked stages take the legend's colours: interviewing (b), offer (c), rejected (e).
    const drawn = await charts.nth(4).evaluate((c) =>
      [...c.querySelectorAll('.ct-series')].filter((g) => [...g.querySelectorAll('.ct-bar')].some((b) => b.getAttribute('x1') !== b.getAttribute('x2'))).map((g) => g.getAttribute('class')),
    );
    expect(drawn.map((c) => c?.match(/ct-series-([a-g])/)?.[1]).sort()).toEqual(['b', 'c', 'e']);
    expect(await page.locator('.legend li').allInnerTexts()).toEqual(['Submitted', 'Interviewing', 'Offer', 'Hired', 'Rejected', 'Withdrawn', 'On hold']);
    expect(await page.getByRole('figure', { name: /Dates kept/ }).count()).toBe(1);
    expect(await page.locator('table caption', { hasText: 'Per employer' }).count()).toBe(1);
    // A viewer downloads too (reading), and nothing offers a write.
    expect(await page.getByRole('button', { name: /^Download CSV of/ }).count()).toBe(3);
    expect(await overflowsSideways(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, `reports-${size}`);
  });

  it('the filters change the figures: a later start, an employer elsewhere, another recruiter', async () => {
    const page = await open(size, tenant.ownerEmail, '/reports');
    await waitRows(page, 'pipeline-row', [[`5th grade teacher, ${schoolName}`, '3', '0', '1', '1', '0', '1', '0', '0', '2', '8.6']]);
    await page.getByLabel('From', { exact: true }).fill('2027-02-03');
    await waitRows(page, 'employer-row', [
      [districtName, '2', '1', '0 (0%)', '2', '1', '0', '–'],
      ['Pat Principal', '1', '1', '0 (0%)', '2', '0', '0', '–'],
      ['Terry Teacher', '1', '0', '0 (–)', '–', '1', '0', '–'],
    ]);
    expect(await page.getByText('2027-02-03 to 2027-02-15').count()).toBe(1);
    await page.getByLabel('From', { exact: true }).fill('2027-02-01');
    await waitRows(page, 'employer-row', [
      [districtName, '4', '3', '1 (33%)', '2', '1', '4', '1.9'],
      ['Pat Principal', '3', '3', '1 (33%)', '2', '0', '2', '1.9'],
      ['Terry Teacher', '1', '0', '0 (–)', '–', '1', '2', '1.9'],
    ]);
    // The school and its district give the same rows.
    await page.getByLabel('Employer', { exact: true }).selectOption({ label: schoolName });
    await waitRows(page, 'pipeline-row', [[`5th grade teacher, ${schoolName}`, '3', '0', '1', '1', '0', '1', '0', '0', '2', '8.6']]);
    expect((await rows(page, 'employer-row')).length).toBe(3);
    await page.getByLabel('Employer', { exact: true }).selectOption({ label: 'All' });
    // The recruiter owns none of these applications: every section says so.
    await page.getByLabel('Recruiter', { exact: true }).selectOption({ label: recruiterName });
    await page.getByText('No dates promised and no emails answered in this period.').waitFor();
    await page.getByText('No applications in the pipeline in this period.').waitFor();
    expect(await page.getByTestId('employer-row').count()).toBe(0);
    // A period that ends before it starts: the API's problem, said plainly at the To field.
    await page.getByLabel('Recruiter', { exact: true }).selectOption({ label: 'Everyone' });
    await page.getByLabel('To', { exact: true }).fill('2027-01-20');
    const err = page.locator('.field-error[data-field="to"]');
    await err.waitFor();
    expect(await err.innerText()).toBe('Must be on or after from');
    expect(await page.getByLabel('To', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await overflowsSideways(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('Download CSV saves the report as CSV, with the filters applied', async () => {
    const page = await open(size, tenant.ownerEmail, '/reports');
    await page.getByLabel('From', { exact: true }).fill('2027-02-01');
    await page.getByLabel('To', { exact: true }).fill('2027-02-28');
    await waitRows(page, 'employer-row', [
      [districtName, '4', '3', '1 (33%)', '2', '1', '4', '1.9'],
      ['Pat Principal', '3', '3', '1 (33%)', '2', '0', '2', '1.9'],
      ['Terry Teacher', '1', '0', '0 (–)', '–', '1', '2', '1.9'],
    ]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV of the employers report' }).click()]);
    expect(download.suggestedFilename()).toBe('afterview-employers-2027-02-01-2027-02-28.csv');
    const lines = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('level,familyId,familyName,contactId,contactName,promised,decided,kept,keptShare,medianLateBusinessDays,open,emailsAnswered,medianAnswerDays');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(`contact,${story.district.id},${districtName},${story.principal.id},Pat Principal,3,3,1,0.3333,2,0,2,1.9`);
    const [pipeline] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV of the pipeline report' }).click()]);
    const p = readFileSync((await pipeline.path())!, 'utf8').split('\r\n');
    expect(p[1]).toBe(`${story.position.id},5th grade teacher,${story.school.id},${schoolName},3,0,1,1,0,1,0,0,2,8.6`);
    // From Wed 3 Feb only P4 and P2 were given.
    await page.getByLabel('From', { exact: true }).fill('2027-02-03');
    await waitRows(page, 'employer-row', [
      [districtName, '2', '1', '0 (0%)', '2', '1', '0', '–'],
      ['Pat Principal', '1', '1', '0 (0%)', '2', '0', '0', '–'],
      ['Terry Teacher', '1', '0', '0 (–)', '–', '1', '0', '–'],
    ]);
    const [later] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV of the employers report' }).click()]);
    const l = readFileSync((await later.path())!, 'utf8').trimEnd().split('\r\n');
    expect(l[1]).toBe(`family,${story.district.id},${districtName},,,2,1,0,0,2,1,0,`);
  });
});

describe('Show more positions', () => {
  // An agency of its own with 130 positions, one candidate put forward for each on 14 Feb: the
  // pipeline's first page holds 100 of them, the button appends the other 30.
  let many: TestTenant;
  beforeAll(async () => {
    many = await newTenant(stack.t.app);
    const db = adminPool();
    const employer = (await db.query<{ id: string }>(
      `INSERT INTO employers (tenant_id, id, name, kind, time_zone, created_at, updated_at)
       VALUES ($1, gen_random_uuid(), 'Maple Academy', 'school', 'America/New_York', $2, $2) RETURNING id`,
      [many.tenantId, NOW],
    )).rows[0]!.id;
    await db.query(
      `WITH p AS (INSERT INTO positions (tenant_id, id, employer_id, title, created_at, updated_at)
                  SELECT $1, gen_random_uuid(), $2, 'Position ' || lpad(g::text, 3, '0'), $3, $3 FROM generate_series(1, 130) g RETURNING id, title),
            c AS (INSERT INTO candidates (tenant_id, id, name, email, created_at, updated_at)
                  SELECT $1, gen_random_uuid(), 'Candidate ' || g, 'cand' || g || '-' || $5 || '@example.org', $3, $3 FROM generate_series(1, 130) g RETURNING id, name)
       INSERT INTO applications (tenant_id, id, candidate_id, position_id, owner_id, stage, stage_changed_at, created_at, updated_at)
       SELECT $1, gen_random_uuid(), c.id, p.id, $4, 'submitted', $6, $6, $6
       FROM p JOIN c ON substr(p.title, 10)::int = substr(c.name, 11)::int`,
      [many.tenantId, employer, NOW, many.ownerId, uniq(), '2027-02-14T15:00:00Z'],
    );
  });

  it('appends the next page to the pipeline table, by keyboard, focus on the first position added', async () => {
    const page = await open('laptop', many.ownerEmail, '/reports', undefined, many.slug);
    const more = page.getByRole('button', { name: 'Show more positions' });
    await more.waitFor();
    expect(await page.getByTestId('pipeline-row').count()).toBe(100);
    await page.getByTestId('report-pipeline').getByText('100 positions, more to show').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await more.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('report-pipeline').getByText('130 positions', { exact: true }).waitFor();
    expect(await more.count()).toBe(0);
    const all = await rows(page, 'pipeline-row');
    expect(all).toHaveLength(130);
    expect(new Set(all.map((r) => r[0])).size).toBe(130);
    expect(all.every((r) => r.slice(1).join(' ') === '1 1 0 0 0 0 0 0 0 –')).toBe(true);
    expect((await page.locator(':focus').textContent())?.trim()).toBe(all[100]![0]);
    expect(await axeViolations(page)).toEqual([]);
  });
});
