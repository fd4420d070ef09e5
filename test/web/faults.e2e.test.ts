import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixedClock } from '../../src/lib/clock.js';
import { reconcileFollowUps } from '../../src/modules/followups/followups.jobs.js';
import { bearer, json, newTenant, PASSWORD, type Schemas, type TestTenant } from '../helpers/app.js';
import { adminPool } from '../helpers/db.js';
import { smtpSink } from '../helpers/smtpSink.js';
import { recruitingStory, scheduledInterview, type Story } from '../helpers/story.js';
import { launch, pastUndo, screenshot, signedInContext, startWebStack, tokensFor, type WebStack } from './harness.js';

/**
 * Issue 15 in the browser: faults shown to the people who can act on them. Today shows the
 * follow-ups whose send is uncertain (their worker died mid-send) with "may not have been sent:
 * check and resend", and the recruiter resends one (the worker delivers it to the SMTP sink) and
 * marks the other sent; Settings shows a webhook endpoint whose circuit is open. The interview runs
 * Wed 10 May 2028 10:00–11:00 New York; no other test file plans in May 2028, and the worker runs
 * without its schedules.
 */
const clock = fixedClock('2028-05-03T12:00:00Z');
const LEASE_MS = 300_000;

const sink = smtpSink();
let stack: WebStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tenant: TestTenant;
let story: Story;
let thanks: Schemas['FollowUp'][];

beforeAll(async () => {
  const port = await sink.listen();
  stack = await startWebStack({ clock, worker: true, env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@agency.example' } });
  const { app } = stack.t;
  tenant = await newTenant(app);
  story = await recruitingStory(app, tenant);
  const interview = await scheduledInterview(app, tenant, story, '2028-05-10T10:00:00-04:00');
  clock.set('2028-05-10T15:10:00Z');
  const done = await app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: bearer(tenant.token), payload: {} });
  expect(done.statusCode, done.body).toBe(200);
  thanks = json<{ data: Schemas['FollowUp'][] }>(await app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&kind=thank_you`, headers: bearer(tenant.token) })).data;
  expect(thanks.map((f) => f.vars.interviewer)).toEqual(['Pat Principal', 'Terry Teacher']);
  // The candidate's update, due at once, is sent first, once its undo window has passed (the clock jumps ahead of its claim below).
  const update = json<{ data: Schemas['FollowUp'][] }>(await app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&kind=candidate_update`, headers: bearer(tenant.token) })).data.find((f) => f.key === 'candidate_update:completed')!;
  await pastUndo(stack, clock, bearer(tenant.token), update.id);
  const queued = async () => (await adminPool().query("SELECT count(*)::int AS n FROM follow_ups WHERE tenant_id = $1 AND status IN ('pending', 'queued') AND due_at <= $2", [tenant.tenantId, clock.now()])).rows[0].n;
  await vi.waitFor(async () => expect(await queued()).toBe(0), { timeout: 10_000, interval: 20 });
  // Both claimed by a worker that died before it could say how the sends went; their claims run out.
  clock.set(thanks[0]!.dueAt);
  await adminPool().query("UPDATE follow_ups SET status = 'queued', attempts = 1, claimed_until = $2 WHERE id = ANY($1::uuid[])", [
    thanks.map((f) => f.id),
    new Date(clock.now().getTime() + LEASE_MS),
  ]);
  clock.advance(LEASE_MS + 60_000);
  expect(await reconcileFollowUps(stack.t.deps, { tenantId: tenant.tenantId })).toMatchObject({ uncertain: 2 });

  browser = await launch();
  const tokens = await tokensFor(stack.t, tenant.slug, tenant.ownerEmail, PASSWORD);
  context = await signedInContext(browser, tokens.refreshToken, tenant.slug);
  await context.clock.setFixedTime(clock.now());
  context.setDefaultTimeout(8_000);
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await sink.close();
});

const statusOf = async (id: string) => json<Schemas['FollowUp']>(await stack.t.app.inject({ url: `/v1/follow-ups/${id}`, headers: bearer(tenant.token) })).status;

describe('Today with sends that may not have gone out', () => {
  it('lists them apart, each with "may not have been sent: check and resend" and its reason', async () => {
    await page.goto(stack.url);
    const box = page.getByTestId('today-uncertain');
    await box.waitFor();
    expect(await box.getByRole('heading').textContent()).toBe('May not have been sent: check and resend');
    const rows = box.getByTestId('followup');
    expect(await rows.locator('.fu-title').allTextContents()).toEqual(['Thank-you note to Pat Principal', 'Thank-you note to Terry Teacher']);
    expect(await rows.getByTestId('uncertain').allTextContents()).toEqual(['May not have been sent: check and resend', 'May not have been sent: check and resend']);
    expect(await rows.first().textContent()).toContain('The worker stopped while sending it');
    expect(await page.getByTestId('today-summary').textContent()).toMatch(/ 2 may not have been sent\.$/);
    await screenshot(page, 'today-uncertain');
  });

  it('Resend… sends it again: the worker delivers it, and the row turns sent', async () => {
    const pat = page.getByTestId('followup').filter({ hasText: 'Thank-you note to Pat Principal' });
    await pat.getByRole('button', { name: 'Resend…' }).click();
    expect(await pat.locator('.panel').textContent()).toContain('If the first one did arrive, they get it twice.');
    const arrived = sink.for(String(story.principal.email));
    await pat.getByLabel('Why (optional)').fill('Pat has not got it');
    await pat.getByRole('button', { name: 'Resend now' }).click();
    // Resent, it waits its undo window like any release, then goes.
    await vi.waitFor(async () => expect(await statusOf(thanks[0]!.id)).toBe('pending'), { timeout: 8_000, interval: 50 });
    await pastUndo(stack, clock, bearer(tenant.token), thanks[0]!.id);
    const mail = await arrived;
    expect(mail.raw).toMatch(new RegExp(`^Message-ID: <fu-${thanks[0]!.id}@afterview>$`, 'm'));
    await pat.locator('.badge-sent').waitFor();
    expect(await statusOf(thanks[0]!.id)).toBe('sent');
  });

  it('Mark sent… closes the other as sent without sending anything', async () => {
    const terry = page.getByTestId('followup').filter({ hasText: 'Thank-you note to Terry Teacher' });
    await terry.getByRole('button', { name: 'Mark sent…' }).click();
    await terry.getByRole('button', { name: 'Mark sent', exact: true }).click();
    await terry.locator('.badge-sent').waitFor();
    expect(await statusOf(thanks[1]!.id)).toBe('sent');
    expect(sink.received.filter((m) => m.to.includes(String(story.teacher.email).toLowerCase()))).toEqual([]);
    // Nothing is left to check: after a reload the box is gone.
    await page.reload();
    await page.getByTestId('today-summary').waitFor();
    expect(await page.getByTestId('today-uncertain').count()).toBe(0);
  });
});

describe('Settings with a webhook receiver that does not answer', () => {
  it('says so on the endpoint, with when the next try goes', async () => {
    // Subscribed to test events only, and on the discard port: the shared database's relay sends it nothing.
    const res = await stack.t.app.inject({
      method: 'POST',
      url: '/v1/webhook-endpoints',
      headers: bearer(tenant.token),
      payload: { url: 'http://127.0.0.1:9/down-hook', eventTypes: ['webhook.test'] },
    });
    expect(res.statusCode, res.body).toBe(201);
    // Its circuit as 12 failed tries in a row leave it (webhooks.circuit.ts): open for 30 s.
    await adminPool().query('UPDATE webhook_endpoints SET circuit_failures = 12, circuit_opens = 1, circuit_opened_at = $2, circuit_retry_at = $3 WHERE id = $1', [
      res.json().id,
      clock.now(),
      new Date(clock.now().getTime() + 30_000),
    ]);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    const endpoint = page.getByTestId('webhook-endpoint').filter({ hasText: 'down-hook' });
    await endpoint.getByTestId('circuit').waitFor();
    expect(await endpoint.getByTestId('circuit').textContent()).toMatch(/^Not answering: 12 failed tries in a row\. Deliveries wait; the next try is at .+\.$/);
  });
});
