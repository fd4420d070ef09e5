import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixedClock } from '../../src/lib/clock.js';
import { bearer, json, newTenant, PASSWORD, type Schemas, type TestTenant } from '../helpers/app.js';
import { readMail, smtpSink } from '../helpers/smtpSink.js';
import { recruitingStory, scheduledInterview, type Story } from '../helpers/story.js';
import { axeViolations, captureFailure, launch, overflowsSideways, pastUndo, screenshot, signedInContext, startWebStack, tokensFor, VIEWPORTS, type WebStack } from './harness.js';

/**
 * Issue 16 in the browser, at a laptop's size and a phone's: "Waiting for you" first on Today
 * (approve, edit and approve, decline after a confirmation, approve all of an interview), "Needs
 * review" with the stale steps of a backfilled interview and their reason, Send now… showing the
 * email as it goes and sending only once confirmed (the worker delivers it to the SMTP sink: the
 * same subject and text), and the plan marking hand-edited notes and showing paused status checks
 * as paused. axe-core on each state. Now is Wed 2 Feb 2028 11:10 New York; no other test file
 * plans in February 2028, and the worker runs without its schedules.
 */
const NOW = '2028-02-02T16:10:00Z';
const clock = fixedClock(NOW);
const sink = smtpSink();
let stack: WebStack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const port = await sink.listen();
  stack = await startWebStack({ clock, worker: true, env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@agency.example' } });
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await sink.close();
});

afterEach((ctx) => captureFailure(ctx, 'approvals', contexts));

type FollowUp = Schemas['FollowUp'];

/** An agency whose owner works in New York, with four interviews (see each below). */
async function agency() {
  const { app } = stack.t;
  clock.set(NOW);
  const tenant = await newTenant(app);
  const h = bearer(tenant.token);
  expect((await app.inject({ method: 'PATCH', url: `/v1/users/${tenant.ownerId}`, headers: h, payload: { timeZone: 'America/New_York' } })).statusCode).toBe(200);
  const complete = async (story: Story, startsAt: string) => {
    const iv = await scheduledInterview(app, tenant, story, startsAt);
    const res = await app.inject({ method: 'POST', url: `/v1/interviews/${iv.id}/complete`, headers: h, payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    return iv.id;
  };
  const plan = async (interviewId: string) => json<{ data: FollowUp[] }>(await app.inject({ url: `/v1/follow-ups?interviewId=${interviewId}&limit=100`, headers: h })).data;
  const reject = async (story: Story) => {
    const res = await app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/outcomes`, headers: h, payload: { kind: 'rejected' } });
    expect(res.statusCode, res.body).toBe(201);
  };
  // Rejected this morning: the thanks-anyway notes and the candidate's update wait for approval.
  const rejected = await recruitingStory(app, tenant);
  const rejectedIv = await complete(rejected, '2028-02-02T09:00:00-05:00');
  await reject(rejected);
  // Another rejection, its three approved at once.
  const another = await recruitingStory(app, tenant);
  const anotherIv = await complete(another, '2028-02-02T08:00:00-05:00');
  await reject(another);
  for (const id of [rejectedIv, anotherIv]) {
    expect((await plan(id)).filter((f) => f.status === 'awaiting_approval').map((f) => f.kind).sort()).toEqual(['candidate_update', 'post_decision_thanks', 'post_decision_thanks']);
  }
  // Completed today, its thank-you to Pat edited by hand; the employer then answered without a date.
  const replied = await recruitingStory(app, tenant);
  const repliedIv = await complete(replied, '2028-02-02T10:00:00-05:00');
  const pat = (await plan(repliedIv)).find((f) => f.kind === 'thank_you' && f.vars.interviewer === 'Pat Principal')!;
  const edit = await app.inject({ method: 'PATCH', url: `/v1/follow-ups/${pat.id}`, headers: { ...h, 'if-match': `"${pat.version}"` }, payload: { subject: 'Thank you, Pat', body: 'Dear Pat,\n\nThank you for this morning.\n\nJordan' } });
  expect(edit.statusCode, edit.body).toBe(200);
  const reply = await app.inject({ method: 'POST', url: `/v1/applications/${replied.application.id}/replies`, headers: h, payload: { channel: 'phone', summary: 'Still interviewing, no date yet', interviewId: repliedIv } });
  expect(reply.statusCode, reply.body).toBe(201);
  expect((await plan(repliedIv)).filter((f) => f.kind === 'status_check').map((f) => f.status)).toContain('paused');
  // Entered today, held on 20 January: its plan is stale and sends nothing by itself.
  const backfilled = await recruitingStory(app, tenant);
  const backfilledIv = await complete(backfilled, '2028-01-20T10:00:00-05:00');
  const stale = (await plan(backfilledIv)).filter((f) => f.status === 'stale');
  expect(stale.map((f) => f.kind)).toContain('thank_you');
  return { tenant, h, plan, rejected, rejectedIv, anotherIv, replied, repliedIv, pat, backfilled, backfilledIv, stale };
}

/** A page signed in as the owner at `size`, at NOW by the browser's clock. */
async function open(tenant: TestTenant, size: keyof typeof VIEWPORTS, path = '/'): Promise<Page> {
  const tokens = await tokensFor(stack.t, tenant.slug, tenant.ownerEmail, PASSWORD);
  const context = await signedInContext(browser, tokens.refreshToken, tenant.slug, VIEWPORTS[size]);
  await context.clock.setFixedTime(new Date(NOW));
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${stack.url}${path}`);
  await page.getByTestId('role').waitFor({ state: 'attached' });
  return page;
}

const accessible = async (page: Page, what: string) => expect(await axeViolations(page), what).toEqual([]);

describe.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s size', (size) => {
  let a: Awaited<ReturnType<typeof agency>>;
  let page: Page;
  const status = async (id: string) => json<FollowUp>(await stack.t.app.inject({ url: `/v1/follow-ups/${id}`, headers: a.h }));

  beforeAll(async () => {
    a = await agency();
    page = await open(a.tenant, size);
  }, 60_000);

  it('Today opens with "Waiting for you": each follow-up the playbook holds, grouped by interview, with why it waits', async () => {
    const waiting = page.getByTestId('waiting-for-you');
    await waiting.getByTestId('followup').first().waitFor();
    // First on the page: before what needs review and the day's list.
    const order = await page.locator('[data-testid="waiting-for-you"], [data-testid="needs-review"], [data-testid="today-group"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order[0]).toBe('waiting-for-you');
    expect(order).toContain('needs-review');
    expect(await waiting.getByRole('heading', { level: 2 }).textContent()).toBe('Waiting for you (6)');
    expect(await waiting.getByTestId('waiting-group').count()).toBe(2);
    const mine = waiting.getByTestId('waiting-group').filter({ has: page.locator(`a[href="/interviews/${a.rejectedIv}"]`) });
    expect((await mine.locator('.fu-title').allTextContents()).sort()).toEqual(['Thanks anyway', 'Thanks anyway', 'Update the candidate']);
    expect(await mine.locator('.badge-awaiting_approval').allTextContents()).toEqual(['Waiting for approval', 'Waiting for approval', 'Waiting for approval']);
    expect((await mine.getByTestId('hold-reason').allTextContents()).every((t) => t.length > 10)).toBe(true);
    expect(await overflowsSideways(page)).toBe(false);
    await accessible(page, 'Today with follow-ups waiting');
    await screenshot(page, `waiting-${size}`);
  });

  it('Approve: the follow-up leaves the list, a message says when it goes, and the API has it pending', async () => {
    const rows = (await a.plan(a.rejectedIv)).filter((f) => f.status === 'awaiting_approval');
    const pat = rows.find((f) => f.kind === 'post_decision_thanks' && f.recipient.name === 'Pat Principal')!;
    const row = page.locator(`[data-id="${pat.id}"]`);
    await row.getByRole('button', { name: 'Approve', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    expect(await page.getByTestId('announcement').textContent()).toMatch(/^Thanks anyway: approved; it goes \w{3} \d+ Feb, \d\d:\d\d\.$/);
    expect(await page.getByTestId('waiting-for-you').getByRole('heading', { level: 2 }).textContent()).toBe('Waiting for you (5)');
    expect(await status(pat.id)).toMatchObject({ status: 'pending', edited: false, approvedAt: new Date(NOW).toISOString() });
  });

  it('Edit and approve…: the text that would go out, editable; approved with the new text and marked edited', async () => {
    const terry = (await a.plan(a.rejectedIv)).find((f) => f.status === 'awaiting_approval' && f.kind === 'post_decision_thanks')!;
    expect(terry.recipient.name).toBe('Terry Teacher');
    const row = page.locator(`[data-id="${terry.id}"]`);
    await row.getByRole('button', { name: 'Edit and approve…' }).click();
    const body = row.getByLabel('Text');
    await expect.poll(() => body.inputValue()).toMatch(/Terry Teacher/);
    await accessible(page, 'the edit-and-approve form');
    await body.fill('Dear Terry,\n\nThank you all the same. I hope we meet again.\n\nJordan');
    await row.getByRole('button', { name: 'Approve with this text' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await page.getByTestId('announcement').textContent()).toMatch(/^Thanks anyway: approved with your text; it goes /);
    expect(await status(terry.id)).toMatchObject({ status: 'pending', edited: true, body: 'Dear Terry,\n\nThank you all the same. I hope we meet again.\n\nJordan' });
  });

  it('Decline… asks first; Keep it waiting changes nothing, Decline cancels it for good', async () => {
    const update = (await a.plan(a.rejectedIv)).find((f) => f.status === 'awaiting_approval' && f.kind === 'candidate_update')!;
    const row = page.locator(`[data-id="${update.id}"]`);
    await row.getByRole('button', { name: 'Decline: Update the candidate' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Decline “Update the candidate”?' });
    await dialog.waitFor();
    await accessible(page, 'the decline confirmation');
    await dialog.getByRole('button', { name: 'Keep it waiting' }).click();
    expect(await status(update.id)).toMatchObject({ status: 'awaiting_approval' });
    await row.getByRole('button', { name: 'Decline: Update the candidate' }).click();
    await dialog.getByRole('button', { name: 'Decline', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    expect(await page.getByTestId('announcement').textContent()).toBe('Update the candidate: declined; it will not be sent.');
    expect(await status(update.id)).toMatchObject({ status: 'cancelled', cancelReason: 'declined: not approved' });
  });

  it('Approve all 3 approves the other interview’s at once', async () => {
    const group = page.getByTestId('waiting-group').filter({ has: page.locator(`a[href="/interviews/${a.anotherIv}"]`) });
    await group.getByRole('button', { name: 'Approve all 3' }).click();
    await group.waitFor({ state: 'detached' });
    expect(await page.getByTestId('announcement').textContent()).toBe('Approved 3 follow-ups for Jordan Lee.');
    const waiting = page.getByTestId('waiting-for-you');
    expect(await waiting.getByRole('heading', { level: 2 }).textContent()).toBe('Waiting for you (0)');
    expect(await waiting.textContent()).toContain('Nothing waits for your approval now.');
    expect((await a.plan(a.anotherIv)).filter((f) => f.status === 'awaiting_approval')).toEqual([]);
    await accessible(page, 'Today once nothing waits');
  });

  it('"Needs review" lists the backfilled interview’s stale steps with their reason', async () => {
    const review = page.getByTestId('needs-review');
    const stale = review.getByTestId('today-stale');
    expect(await stale.getByRole('heading').textContent()).toBe('Planned too late to go by itself');
    expect((await stale.getByTestId('followup').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).sort()).toEqual(a.stale.map((f) => f.id).sort());
    const reasons = await stale.getByTestId('hold-reason').allTextContents();
    expect(reasons.length).toBe(a.stale.length);
    expect(reasons.every((r) => r.startsWith('stale: '))).toBe(true);
    expect(await stale.locator('.badge-stale').first().textContent()).toBe('Needs review');
    // Nothing of it is listed as due today.
    expect(await page.getByTestId('today-group').locator(`[data-id="${a.stale[0]!.id}"]`).count()).toBe(0);
    await accessible(page, 'Needs review');
  });

  it('Send now… shows the email as it will go; Cancel sends nothing; Send it now sends exactly that', async () => {
    const thanks = a.stale.find((f) => f.kind === 'thank_you' && f.vars.interviewer === 'Terry Teacher')!;
    const row = page.getByTestId('today-stale').locator(`[data-id="${thanks.id}"]`);
    const to = String(a.backfilled.teacher.email);
    await row.getByRole('button', { name: 'Send now…' }).click();
    const panel = row.getByTestId('send-now');
    await panel.getByTestId('outgoing-subject').waitFor();
    expect(await panel.getByText('Send this email now?').count()).toBe(1);
    expect(await panel.getByTestId('outgoing-to').textContent()).toBe(`Terry Teacher <${to}>`);
    const subject = (await panel.getByTestId('outgoing-subject').textContent())!;
    const body = (await panel.getByTestId('outgoing-body').textContent())!;
    expect(subject).toBe('Thank you for the interview for the 5th grade teacher position');
    expect(body).toMatch(/^Dear Terry Teacher,/);
    await accessible(page, 'the Send now confirmation');
    await screenshot(page, `send-now-${size}`);
    await panel.getByRole('button', { name: 'Cancel' }).click();
    expect(await status(thanks.id)).toMatchObject({ status: 'stale' });
    expect(sink.received.filter((m) => m.to.includes(to.toLowerCase()))).toEqual([]);

    // Sent, then undone inside its window from the toast: back to review, nothing leaves.
    await row.getByRole('button', { name: 'Send now…' }).click();
    await row.getByTestId('outgoing-subject').waitFor();
    await row.getByRole('button', { name: 'Send it now' }).click();
    const toast = page.getByTestId('undo-toast');
    await toast.waitFor();
    expect(await toast.textContent()).toMatch(/^Sending to Terry Teacher at \d\d:\d\d:\d\d\./);
    await accessible(page, 'the Undo toast');
    await toast.getByRole('button', { name: 'Undo' }).click();
    await page.getByTestId('announcement').filter({ hasText: 'Not sent: the email to Terry Teacher is back as it was.' }).waitFor();
    expect(await status(thanks.id)).toMatchObject({ status: 'stale' });
    expect(await toast.count()).toBe(0);

    const arrived = sink.for(to);
    await page.reload();
    await row.getByRole('button', { name: 'Send now…' }).click();
    await row.getByTestId('outgoing-subject').waitFor();
    await row.getByRole('button', { name: 'Send it now' }).click();
    await page.getByTestId('undo-toast').waitFor();
    await pastUndo(stack, clock, a.h, thanks.id);
    const mail = readMail(await arrived);
    // The undone release never went: exactly one message.
    expect(sink.received.filter((m) => m.to.includes(to.toLowerCase()))).toHaveLength(1);
    expect(mail.subject).toBe(subject);
    expect(mail.text.trim()).toBe(body.trim());
    // It stays in the box, where the outcome shows.
    await row.locator('.badge-sent').waitFor();
    expect(await status(thanks.id)).toMatchObject({ status: 'sent' });
  });

  it('the plan marks the note edited by hand and shows the paused status checks as paused, with why', async () => {
    await page.goto(`${stack.url}/interviews/${a.repliedIv}`);
    const plan = page.getByTestId('plan');
    await plan.waitFor();
    const pat = plan.locator(`[data-id="${a.pat.id}"]`);
    expect(await pat.getByTestId('edited').textContent()).toBe('Edited');
    expect(await plan.getByTestId('edited').count()).toBe(1);
    const paused = plan.locator('[data-kind="status_check"].fu-paused');
    await paused.first().waitFor();
    expect(await paused.locator('.badge-paused').first().textContent()).toBe('Paused');
    expect(await paused.getByTestId('hold-reason').first().textContent()).toMatch(/\S/);
    expect(await paused.locator('.badge-cancelled').count()).toBe(0);
    // Paused is open, not among the dropped ones.
    expect(await page.locator('details [data-kind="status_check"].fu-paused').count()).toBe(0);
    expect(await overflowsSideways(page)).toBe(false);
    await accessible(page, 'the plan with an edited note and paused checks');
    await screenshot(page, `plan-paused-${size}`);
  });

  it('Send now… on the edited note shows its own subject and text, and sends those', async () => {
    const pat = page.getByTestId('plan').locator(`[data-id="${a.pat.id}"]`);
    // Pat's address corrected after the note was planned: the worker writes to the one she has now, and so does the panel.
    const principal = `/v1/contacts/${a.replied.principal.id}`;
    const before = json<{ version: number }>(await stack.t.app.inject({ url: principal, headers: a.h }));
    const to = `pat.new-${size}@lincoln.example.org`;
    const fix = await stack.t.app.inject({ method: 'PATCH', url: principal, headers: { ...a.h, 'if-match': `"${before.version}"` }, payload: { email: to } });
    expect(fix.statusCode, fix.body).toBe(200);
    const arrived = sink.for(to);
    await pat.getByRole('button', { name: 'Send now…' }).click();
    await pat.getByTestId('outgoing-subject').waitFor();
    expect(await pat.getByTestId('outgoing-to').textContent()).toBe(`Pat Principal <${to}>`);
    expect(await pat.getByTestId('outgoing-subject').textContent()).toBe('Thank you, Pat');
    expect(await pat.getByTestId('outgoing-body').textContent()).toBe('Dear Pat,\n\nThank you for this morning.\n\nJordan');
    await pat.getByRole('button', { name: 'Send it now' }).click();
    await page.getByTestId('undo-toast').waitFor();
    await pastUndo(stack, clock, a.h, a.pat.id);
    const mail = readMail(await arrived);
    expect(mail.subject).toBe('Thank you, Pat');
    expect(mail.text.trim()).toBe('Dear Pat,\n\nThank you for this morning.\n\nJordan');
    await vi.waitFor(async () => expect((await status(a.pat.id)).status).toBe('sent'), { timeout: 10_000, interval: 50 });
  });
});
