import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixedClock } from '../../src/lib/clock.js';
import { bearer, json, newTenant, PASSWORD, userWithRole, type Schemas, type TestTenant } from '../helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from '../helpers/story.js';
import { axeViolations, goTo, launch, overflowsSideways, screenshot, signedInContext, startWebStack, tokensFor, VIEWPORTS, type WebStack, captureFailure } from './harness.js';

/**
 * Issue 19 in the browser, at a laptop's size and a phone's: the navigation, confirmations,
 * focus and Escape, forms that close with a message after saving, plain error messages, Today's
 * "needs completing" and "tomorrow", the Interviews list's API calls, the activity feed, and
 * axe-core on every page state. Now is Tue 13 Nov 2029 09:00 New York; no other test file plans
 * in November 2029, and no worker runs (nothing here is sent).
 */
const NOW = '2029-11-13T14:00:00Z';
const clock = fixedClock(NOW);

let stack: WebStack;
let browser: Browser;
let tenant: TestTenant;
let story: Story;
let recruiter: { id: string; email: string; name: string };
type Interview = Awaited<ReturnType<typeof scheduledInterview>>;
let ended: Interview;
let tomorrow: Interview;
let moved: Schemas['FollowUp'];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startWebStack({ clock });
  const { app } = stack.t;
  tenant = await newTenant(app);
  const h = bearer(tenant.token);
  expect((await app.inject({ method: 'PATCH', url: `/v1/users/${tenant.ownerId}`, headers: h, payload: { timeZone: 'America/New_York' } })).statusCode).toBe(200);
  story = await recruitingStory(app, tenant);
  // Monday's interview ended and was never completed; Wednesday's is tomorrow.
  ended = await scheduledInterview(app, tenant, story, '2029-11-12T10:00:00-05:00');
  tomorrow = await scheduledInterview(app, tenant, story, '2029-11-14T15:00:00-05:00');
  await scheduledInterview(app, tenant, story, '2029-11-16T09:00:00-05:00');
  // Monday afternoon's was completed; one of its thank-yous was moved to tomorrow 10:00.
  const done = await scheduledInterview(app, tenant, story, '2029-11-12T13:00:00-05:00');
  clock.set('2029-11-12T19:10:00Z');
  expect((await app.inject({ method: 'POST', url: `/v1/interviews/${done.id}/complete`, headers: h, payload: {} })).statusCode).toBe(200);
  clock.set(NOW);
  const thanks = json<{ data: Schemas['FollowUp'][] }>(await app.inject({ url: `/v1/follow-ups?interviewId=${done.id}&kind=thank_you`, headers: h })).data;
  moved = thanks.find((f) => f.vars.interviewer === 'Pat Principal')!;
  const res = await app.inject({ method: 'POST', url: `/v1/follow-ups/${moved.id}/reschedule`, headers: { ...h, 'if-match': `"${moved.version}"` }, payload: { dueAt: '2029-11-14T15:00:00Z', reason: 'After the school assembly' } });
  expect(res.statusCode, res.body).toBe(200);
  const linked = await app.inject({ method: 'PATCH', url: `/v1/contacts/${story.principal.id}`, headers: { ...h, 'if-match': `"${String(story.principal.version)}"` }, payload: { linkedinUrl: 'https://www.linkedin.com/in/pat-principal' } });
  expect(linked.statusCode, linked.body).toBe(200);
  const r = await userWithRole(app, tenant, 'recruiter');
  recruiter = { id: r.id, email: r.email, name: 'recruiter person' };
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach((ctx) => captureFailure(ctx, 'day', contexts));

/** A page signed in as the owner at `size`, at NOW by the browser's clock. */
async function open(size: keyof typeof VIEWPORTS, path = '/', email = tenant.ownerEmail): Promise<Page> {
  const tokens = await tokensFor(stack.t, tenant.slug, email, PASSWORD);
  const context = await signedInContext(browser, tokens.refreshToken, tenant.slug, VIEWPORTS[size]);
  await context.clock.setFixedTime(new Date(NOW));
  context.setDefaultTimeout(8_000);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.url}${path}`);
  await page.getByTestId('role').waitFor({ state: 'attached' });
  return page;
}

/** No axe-core violation on the page as it is now. */
async function accessible(page: Page, what: string) {
  expect(await axeViolations(page), what).toEqual([]);
}

describe.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s size', (size) => {
  const phone = size === 'phone';

  it('every main page is reachable from the navigation, Settings too, and nothing overflows sideways', async () => {
    const page = await open(size);
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.isVisible()).toBe(phone);
    if (phone) {
      expect(await page.getByRole('link', { name: 'Employers' }).isVisible()).toBe(false);
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
    }
    // Each link is whole inside the viewport (not cut off as "Employe").
    for (const name of ['Today', 'Interviews', 'Candidates', 'Employers', 'Settings']) {
      const box = (await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).boundingBox())!;
      expect(box.x, name).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, name).toBeLessThanOrEqual(VIEWPORTS[size].width);
    }
    if (phone) {
      // Escape folds the menu again and gives the focus back to its button.
      await page.keyboard.press('Escape');
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await page.evaluate('document.activeElement.id')).toBe('menu-button');
    }
    for (const [name, heading] of [['Interviews', 'Interviews'], ['Candidates', 'Candidates'], ['Employers', 'Employers'], ['Settings', 'Settings'], ['Today', 'Today']]) {
      await goTo(page, name!);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      if (phone) expect(await menu.getAttribute('aria-expanded'), `the menu folds after opening ${name}`).toBe('false');
      expect(await overflowsSideways(page), name).toBe(false);
    }
    await screenshot(page, `nav-${size}`);
  });

  it('Settings › Users fits the screen and each role select shows its role', async () => {
    const page = await open(size, '/settings');
    await page.getByRole('tab', { name: 'Users and roles' }).click();
    const role = page.getByLabel(`Role of ${recruiter.name}`);
    await role.waitFor();
    expect(await overflowsSideways(page)).toBe(false);
    expect(await role.inputValue()).toBe('recruiter');
    // Wide enough for its value's text, and inside the screen.
    const box = (await role.boundingBox())!;
    expect(box.width).toBeGreaterThan(90);
    expect(box.x + box.width).toBeLessThanOrEqual(VIEWPORTS[size].width);
    const table = (await page.getByRole('table', { name: 'Users' }).boundingBox())!;
    expect(table.x + table.width).toBeLessThanOrEqual(VIEWPORTS[size].width);
    await screenshot(page, `users-${size}`);
  });

  it('deactivating a user and revoking an API key each ask first, in a dialog that Escape and Cancel close', async () => {
    const { app } = stack.t;
    const key = json<{ id: string }>(await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(tenant.token), payload: { name: `CRM ${size}`, scopes: ['agency:read'] } }));
    const page = await open(size, '/settings');
    await page.getByRole('tab', { name: 'Users and roles' }).click();
    const status = async () => json<{ status: string }>(await app.inject({ url: `/v1/users/${recruiter.id}`, headers: bearer(tenant.token) })).status;
    const deactivate = page.getByRole('button', { name: `Deactivate ${recruiter.name}` });
    await deactivate.click();
    const dialog = page.getByRole('alertdialog', { name: `Deactivate ${recruiter.name}?` });
    await dialog.waitFor();
    // The safe choice has the focus; Escape closes without acting and gives the focus back.
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await accessible(page, 'the confirmation dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe(`Deactivate ${recruiter.name}`);
    expect(await status()).toBe('active');
    await deactivate.click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await status()).toBe('active');
    await deactivate.click();
    await dialog.getByRole('button', { name: 'Deactivate', exact: true }).click();
    const reactivate = page.getByRole('button', { name: `Reactivate ${recruiter.name}` });
    await reactivate.waitFor();
    expect(await status()).toBe('deactivated');
    // Reactivating undoes it: one click.
    await reactivate.click();
    await deactivate.waitFor();
    expect(await status()).toBe('active');

    await page.getByRole('tab', { name: 'API keys' }).click();
    const revoke = page.getByRole('button', { name: `Revoke the key CRM ${size}` });
    await revoke.click();
    const ask = page.getByRole('alertdialog', { name: `Revoke the key CRM ${size}?` });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached' });
    const keys = async () => json<{ data: { id: string }[] }>(await app.inject({ url: '/v1/api-keys', headers: bearer(tenant.token) })).data.map((k) => k.id);
    expect(await keys()).toContain(key.id);
    await revoke.click();
    await ask.getByRole('button', { name: 'Revoke', exact: true }).click();
    await revoke.waitFor({ state: 'detached' });
    expect(await keys()).not.toContain(key.id);
  });

  it('after a route change the focus is on the page’s heading; a panel takes the focus, Escape closes it and gives the focus back', async () => {
    const page = await open(size);
    await goTo(page, 'Candidates');
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('H1 Candidates');
    await page.getByRole('link', { name: /Jordan Lee/ }).click();
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('H1 Jordan Lee');
    const application = page.getByTestId('application').filter({ hasText: '5th grade teacher' });
    await application.getByRole('button', { name: 'Log outcome…' }).click();
    await application.getByLabel('Outcome').waitFor();
    expect(await focused(page)).toBe('SELECT Outcome');
    await page.keyboard.press('Escape');
    await application.getByLabel('Outcome').waitFor({ state: 'detached' });
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('BUTTON Log outcome…');
    // Back in history too: the heading of the page returned to.
    await page.goBack();
    await expect.poll(() => focused(page), { timeout: 10_000 }).toBe('H1 Candidates');
  });

  it('put forward, record a reply and log an outcome each close their form after saving and say what they did, so nothing is saved twice', async () => {
    const { app } = stack.t;
    const title = `Reading coach (${size})`;
    const position = json<{ id: string }>(await app.inject({ method: 'POST', url: '/v1/positions', headers: bearer(tenant.token), payload: { employerId: story.school.id, title } }));
    const page = await open(size, `/candidates/${story.candidate.id}`);
    const said = page.getByTestId('announcement');
    await page.getByRole('button', { name: 'Put forward for a position…' }).click();
    await page.getByLabel('Position').selectOption({ label: title });
    await page.getByRole('button', { name: 'Add application' }).click();
    await said.filter({ hasText: `Put forward for ${title}.` }).waitFor();
    expect(await page.getByRole('button', { name: 'Add application' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Put forward for a position…' }).waitFor();
    await accessible(page, 'the candidate page with a message');
    const card = page.getByTestId('application').filter({ hasText: title });
    await card.waitFor();

    await card.getByRole('button', { name: 'Record employer reply…' }).click();
    await card.getByLabel('What did they say?').fill('They will decide after the holidays');
    await card.getByRole('button', { name: 'Record reply' }).click();
    await said.filter({ hasText: `Reply from ${String(story.school.name)} recorded.` }).waitFor();
    expect(await card.getByLabel('What did they say?').count()).toBe(0);
    await expect.poll(() => page.evaluate('document.activeElement.textContent')).toBe('Record employer reply…');

    await card.getByRole('button', { name: 'Log outcome…' }).click();
    await card.getByLabel('Outcome').selectOption('on_hold');
    await card.getByRole('button', { name: 'Log outcome', exact: true }).click();
    await said.filter({ hasText: `Outcome logged for ${title}: On hold.` }).waitFor();
    expect(await card.getByLabel('Outcome').count()).toBe(0);
    await card.getByText('Latest outcome: On hold').waitFor();

    // One of each, as the API holds them.
    const applications = json<{ data: { id: string; positionId: string }[] }>(await app.inject({ url: `/v1/applications?candidateId=${story.candidate.id}&positionId=${position.id}`, headers: bearer(tenant.token) })).data;
    expect(applications).toHaveLength(1);
    const activity = json<{ data: { action: string }[] }>(await app.inject({ url: `/v1/activity?applicationId=${applications[0]!.id}&limit=100`, headers: bearer(tenant.token) })).data.map((a) => a.action);
    expect(activity.filter((a) => a === 'reply.recorded')).toHaveLength(1);
    expect(activity.filter((a) => a === 'outcome.logged')).toHaveLength(1);
    await screenshot(page, `saved-${size}`);
  });

  it('a refused form says what is wrong in plain words at each field', async () => {
    const page = await open(size, '/candidates');
    await page.getByRole('button', { name: 'Add a candidate' }).click();
    const form = page.getByRole('form', { name: 'New candidate' });
    await form.getByLabel('Email').fill('jordan at example');
    await form.getByRole('button', { name: 'Add' }).click();
    const error = (field: string) => form.locator(`.field-error[data-field="${field}"]`);
    await error('name').waitFor();
    expect(await error('name').textContent()).toBe('Required');
    expect(await error('email').textContent()).toBe('Must be an email address');
    expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('main').innerText()).not.toMatch(/Too small|expected string|Invalid email/);
    await accessible(page, 'a form showing its errors');
    await form.getByLabel('Name').fill('x'.repeat(300));
    await form.getByLabel('Email').fill('');
    await form.getByRole('button', { name: 'Add' }).click();
    await error('name').filter({ hasText: /^Must be at most \d+ characters$/ }).waitFor();
    expect(await error('email').count()).toBe(0);
  });

  it('Today shows the interviews that ended but need completing, and tomorrow’s interviews and follow-ups', async () => {
    const page = await open(size);
    const needs = page.getByTestId('needs-completing');
    await needs.waitFor();
    expect(await needs.getByRole('heading').textContent()).toBe('Needs completing (1)');
    await needs.getByText('Jordan Lee').waitFor();
    const line = await needs.getByRole('link').textContent();
    expect(line).toContain(`5th grade teacher at ${String(story.school.name)}`);
    expect(line).toContain('ended Mon 12 Nov, 11:00');
    const next = page.getByTestId('tomorrow');
    await next.getByTestId('tomorrow-interviews').getByText('Jordan Lee').waitFor();
    expect(await next.getByTestId('tomorrow-interviews').getByRole('link').allTextContents()).toEqual([expect.stringContaining('15:00–16:00')]);
    const moves = next.getByTestId('tomorrow-followups').getByRole('link').filter({ hasText: 'Thank-you note to Pat Principal' });
    expect(await moves.textContent()).toContain('Email to Pat Principal · 10:00');
    // Not counted as due today.
    expect(await page.locator(`[data-testid="today-group"] [data-id="${moved.id}"]`).count()).toBe(0);
    await accessible(page, 'Today');
    await needs.getByRole('link').click();
    await page.waitForURL(`**/interviews/${ended.id}`);
    await page.getByRole('button', { name: 'Complete…' }).waitFor();
    expect(tomorrow.id).not.toBe(ended.id);
  });

  it('the Interviews list names its rows without a call per row: the lists it needs anyway, and each record once per session', async () => {
    // From Settings › You, which loads neither list.
    const page = await open(size, '/settings');
    await page.getByTestId('sessions').waitFor();
    const calls: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/v1/') && !path.startsWith('/v1/auth/') && path !== '/v1/me') calls.push(path.replace(/[0-9a-f-]{36}/g, '{id}'));
    });
    await goTo(page, 'Interviews');
    const rows = page.getByTestId('interview-row');
    await rows.nth(3).getByText('Jordan Lee').waitFor();
    expect(await rows.count()).toBe(4);
    await expect.poll(() => rows.filter({ hasText: `5th grade teacher · ${String(story.school.name)}` }).count()).toBe(4);
    // The list (its rows carry the names) and the filters' two lists: 3, whatever the rows.
    expect(calls.sort()).toEqual(['/v1/employers', '/v1/interviews', '/v1/users']);
    await accessible(page, 'Interviews');
    // Back on the list later: only the list itself.
    await goTo(page, 'Today');
    await page.getByTestId('today-summary').waitFor();
    calls.length = 0;
    await goTo(page, 'Interviews');
    await rows.nth(3).getByText('Jordan Lee').waitFor();
    expect(calls).toEqual(['/v1/interviews']);
  });

  it('the activity feed says who did what to whom, and a LinkedIn address is a link', async () => {
    const page = await open(size, `/candidates/${story.candidate.id}`, recruiter.email);
    const feed = page.getByTestId('activity');
    await feed.waitFor();
    const lines = feed.getByRole('listitem');
    await lines.filter({ hasText: 'Olive Owner planned' }).first().waitFor();
    const text = await lines.allTextContents();
    expect(text.join('\n')).not.toMatch(/followup planned/);
    const planned = text.find((t) => /Olive Owner planned \d+ follow-ups: /.test(t))!;
    for (const step of ['a thank-you to Pat Principal', 'a thank-you to Terry Teacher', 'a request for the timeline to Pat Principal', 'an update to Jordan Lee']) expect(planned).toContain(step);
    expect(text).toContainEqual(expect.stringMatching(/Olive Owner moved a thank-you to Pat Principal to Wed 14 Nov, 10:00$/));
    expect(text).toContainEqual(expect.stringMatching(/Olive Owner completed round \d+ \(Mon 12 Nov, 13:00\)$/));
    expect(text).toContainEqual(expect.stringMatching(/Olive Owner put Jordan Lee forward for 5th grade teacher$/));
    await accessible(page, 'the candidate page');
    await page.goto(`${stack.url}/employers/${story.school.id}`);
    const link = page.getByRole('link', { name: 'Pat Principal on LinkedIn' });
    expect(await link.getAttribute('href')).toBe('https://www.linkedin.com/in/pat-principal');
    await accessible(page, 'an employer page');
  });

  it('axe-core finds no violation on sign-in, the lists, an interview and every Settings tab', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS[size] });
    context.setDefaultTimeout(8_000);
    contexts.push(context);
    const signIn = await context.newPage();
    await signIn.goto(stack.url);
    await signIn.getByRole('button', { name: 'Sign in' }).waitFor();
    await accessible(signIn, 'sign-in');
    await signIn.goto(`${stack.url}/forgot-password`);
    await signIn.getByRole('heading', { level: 1 }).waitFor();
    await accessible(signIn, 'forgot password');

    const page = await open(size, '/candidates');
    await page.getByRole('link', { name: /Jordan Lee/ }).waitFor();
    await accessible(page, 'Candidates');
    await goTo(page, 'Employers');
    await page.getByRole('link', { name: String(story.school.name) }).waitFor();
    await accessible(page, 'Employers');
    await page.goto(`${stack.url}/interviews/${ended.id}`);
    await page.getByRole('button', { name: 'Complete…' }).click();
    await page.getByLabel('Highlights').waitFor();
    await accessible(page, 'an interview, completing it');
    await page.goto(`${stack.url}/interviews/${moved.interviewId}`);
    await page.getByTestId('plan').waitFor();
    await page.getByTestId('plan').getByRole('button', { name: 'Reschedule…' }).first().click();
    await accessible(page, 'an interview’s plan, moving a step');
    await page.goto(`${stack.url}/settings`);
    for (const tab of ['You', 'Playbook', 'Users and roles', 'API keys', 'Templates', 'Webhooks']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect.poll(() => page.locator('[role="tabpanel"] .loading').count()).toBe(0);
      if (tab === 'Templates') await page.getByTestId('template-editor').waitFor();
      await accessible(page, `Settings › ${tab}`);
    }
  });
});

/** The focused element: its tag, then its text (a heading, a button) or its label's text (a field). */
const focused = (page: Page) =>
  page.evaluate("(() => { const e = document.activeElement; const l = e.labels && e.labels[0]; return e.tagName + ' ' + (l ? l.textContent : e.textContent).trim() })()");

