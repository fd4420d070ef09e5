import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixedClock } from '../../src/lib/clock.js';
import { bearer, json, newTenant, PASSWORD, type Schemas, type TestTenant } from '../helpers/app.js';
import { axeViolations, captureFailure, launch, overflowsSideways, signedInContext, startWebStack, tokensFor, VIEWPORTS, type WebStack } from './harness.js';

/**
 * Issue 19, finding anyone and moving them along: the header's search over candidates, employers,
 * contacts and positions; a position's pipeline by stage, a card moved along the allowed
 * transitions; the candidate list saying where each one stands. Both sizes, axe-core on each state.
 */
const NOW = '2033-03-08T15:00:00Z';
const clock = fixedClock(NOW);

let stack: WebStack;
let browser: Browser;
let tenant: TestTenant;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startWebStack({ clock });
  tenant = await newTenant(stack.t.app);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach((ctx) => captureFailure(ctx, 'pipeline', contexts));

async function api<T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<T> {
  const res = await stack.t.app.inject({ method, url, headers: bearer(tenant.token), ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return json<T>(res);
}

async function open(size: keyof typeof VIEWPORTS, path: string): Promise<Page> {
  const tokens = await tokensFor(stack.t, tenant.slug, tenant.ownerEmail, PASSWORD);
  const context = await signedInContext(browser, tokens.refreshToken, tenant.slug, VIEWPORTS[size]);
  await context.clock.setFixedTime(new Date(NOW));
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.url}${path}`);
  await page.getByTestId('role').waitFor({ state: 'attached' });
  return page;
}

async function accessible(page: Page, what: string) {
  expect(await axeViolations(page), what).toEqual([]);
  expect(await overflowsSideways(page), `${what}: nothing wider than the screen`).toBe(false);
}

/** A school with an open position and two candidates put forward for it. */
async function story(size: string) {
  const school = await api<{ id: string; name: string }>('POST', '/v1/employers', { name: `Maplewood ${size} School`, kind: 'school', timeZone: 'America/New_York' });
  const position = await api<{ id: string; title: string }>('POST', '/v1/positions', { employerId: school.id, title: `Orchestra teacher ${size}` });
  const people = [];
  for (const name of [`Avery Quintero ${size}`, `Blake Okafor ${size}`]) {
    const c = await api<{ id: string }>('POST', '/v1/candidates', { name, relayConsent: true });
    const a = await api<{ id: string }>('POST', '/v1/applications', { candidateId: c.id, positionId: position.id });
    people.push({ name, candidateId: c.id, applicationId: a.id });
  }
  return { school, position, people };
}

describe.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s size', (size) => {
  it('the header’s search finds a position; its pipeline shows each candidate by stage and moves one along', async () => {
    const { school, position, people } = await story(size);
    const page = await open(size, '/');
    const menu = page.getByRole('button', { name: 'Menu' });
    if (await menu.isVisible()) await menu.click();
    await page.getByRole('searchbox', { name: 'Search all records' }).fill(`Orchestra teacher ${size}`);
    await page.getByRole('search', { name: 'Everything' }).getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: 'Search', level: 1 }).waitFor();
    const positions = page.getByRole('region', { name: 'Positions' });
    await positions.getByRole('link', { name: new RegExp(`Orchestra teacher ${size}`) }).waitFor();
    expect(await page.getByRole('region', { name: 'Candidates' }).count()).toBe(0);
    await accessible(page, 'search results');

    await positions.getByRole('link', { name: new RegExp(`Orchestra teacher ${size}`) }).click();
    await page.getByRole('heading', { name: position.title, level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: school.name }).count()).toBe(1);
    const submitted = page.getByRole('region', { name: /Submitted/ });
    const interviewing = page.getByRole('region', { name: /Interviewing/ });
    await submitted.getByRole('link', { name: people[0]!.name }).waitFor();
    expect(await submitted.getByRole('listitem').count()).toBe(2);
    expect(await interviewing.getByRole('listitem').count()).toBe(0);
    await accessible(page, 'a position’s pipeline');

    // Only the allowed moves are offered: from submitted, never straight to hired.
    const move = page.getByRole('combobox', { name: `Move ${people[0]!.name} to` });
    const offered = await move.locator('option').allTextContents();
    expect(offered).toEqual(['Move to…', 'Interviewing', 'Offer', 'Rejected', 'Withdrawn', 'On hold']);
    await move.selectOption('interviewing');
    await submitted.getByRole('listitem').filter({ hasText: people[0]!.name }).getByRole('button', { name: 'Move' }).click();
    await interviewing.getByRole('link', { name: people[0]!.name }).waitFor();
    expect(await page.getByTestId('announcement').textContent()).toContain(`${people[0]!.name} moved to interviewing.`);
    expect(await submitted.getByRole('listitem').count()).toBe(1);
    // The API kept it.
    const app = await api<Schemas['ApplicationDetail']>('GET', `/v1/applications/${people[0]!.applicationId}`);
    expect(app.stage).toBe('interviewing');
    await accessible(page, 'after a move');
  });

  it('the candidate list says where each one stands, and the search finds them by name', async () => {
    const { position, people } = await story(`${size} list`);
    const page = await open(size, `/candidates?q=${encodeURIComponent(people[1]!.name)}`);
    const row = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: new RegExp(people[1]!.name) }) });
    await row.waitFor();
    expect(await row.textContent()).toContain(`Submitted · ${position.title} at Maplewood ${size} list School`);
    expect(await row.textContent()).toContain('last activity Tue, 8 Mar 2033');
    await accessible(page, 'the candidate list');

    const menu = page.getByRole('button', { name: 'Menu' });
    if (await menu.isVisible()) await menu.click();
    await page.getByRole('searchbox', { name: 'Search all records' }).fill(people[1]!.name);
    await page.getByRole('searchbox', { name: 'Search all records' }).press('Enter');
    const found = page.getByRole('region', { name: 'Candidates' });
    await found.getByRole('link', { name: new RegExp(people[1]!.name) }).click();
    await page.getByRole('heading', { name: people[1]!.name, level: 1 }).waitFor();
  });
});
