import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeps, type Deps } from '../src/deps.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { removeQueueKeys } from '../src/jobs/queues.js';
import { addBusinessDays, businessCalendar } from '../src/core/businessTime.js';
import { fixedClock } from '../src/lib/clock.js';
import { deliverFollowUp } from '../src/modules/followups/followups.delivery.js';
import { reconcileFollowUps, replanJobId } from '../src/modules/followups/followups.jobs.js';
import { replanAfterReply } from '../src/modules/followups/followups.replanJob.js';
import { sha256 } from '../src/lib/secrets.js';
import { bearer, createTestApp, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { adminPool } from './helpers/db.js';
import { testConfig } from './helpers/env.js';
import { readMail, smtpSink } from './helpers/smtpSink.js';

// Response links (docs/response-links.md): the link read from the email at the SMTP sink, opened
// and answered as the contact would, with the plan, the reply, the ledger and Today read back.
// The answer is recorded by the request; the follow-ups are re-planned from it by the worker
// (`followups.replan`), which runs here on the test's clock.
// An interview Thu 4 Mar 2027 10:00–11:00 New York, completed without a decision date at 11:10:
// the timeline request is due Fri 5 Mar 09:30 New York (14:30Z).
const clock = fixedClock('2027-03-04T16:10:00Z');
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;
let env: Record<string, string>;
let workerDeps: Deps;
let worker: RunningWorkers;
let ip = 0;
/** Each test from an address of its own: the page's per-address limit is counted per address. */
const from = () => `10.18.0.${++ip}`;

async function completedStory() {
  const story = await recruitingStory(t.app, tenant);
  clock.set('2027-03-04T16:10:00Z');
  const iv = await scheduledInterview(t.app, tenant, story, '2027-03-04T10:00:00-05:00');
  const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${iv.id}/complete`, headers: bearer(tenant.token), payload: {} });
  expect(done.statusCode).toBe(200);
  return { story, interviewId: iv.id };
}

async function followUps(interviewId: string) {
  const res = await adminPool().query<{ id: string; key: string; kind: string; status: string; due_at: Date; version: number }>(
    'SELECT id, key, kind, status, due_at, version FROM follow_ups WHERE interview_id = $1 ORDER BY due_at, key',
    [interviewId],
  );
  return res.rows;
}

/** Sends the interview's pending follow-up of `kind` now, and returns its message at the sink. */
async function send(story: Story, interviewId: string, kind: string) {
  const f = (await followUps(interviewId)).find((r) => r.kind === kind && r.status === 'pending')!;
  clock.set(new Date(f.due_at.getTime() + 60_000));
  const before = sink.received.length;
  const result = await deliverFollowUp(t.deps, { tenantId: tenant.tenantId, followUpId: f.id, version: f.version }, { number: 1, of: 3 });
  expect(result.outcome).toBe('sent');
  const m = sink.received.slice(before).find((x) => x.to.includes(String(story.principal.email).toLowerCase()))!;
  return readMail(m);
}

const linkIn = (text: string) => {
  const url = /https?:\/\/\S+\/respond\/(rsp_[A-Za-z0-9_-]+)/.exec(text);
  if (!url) throw new Error(`no response link in:\n${text}`);
  return url[1]!;
};

const open = (token: string, remoteAddress = from()) => t.app.inject({ method: 'GET', url: `/respond/${token}`, remoteAddress });
const answer = (token: string, form: Record<string, string>, opts: { remoteAddress?: string; headers?: Record<string, string> } = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/respond/${token}`,
    remoteAddress: opts.remoteAddress ?? from(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers },
    payload: new URLSearchParams(form).toString(),
  });

const replies = async (applicationId: string) =>
  json<{ data: Schemas['EmployerReply'][] }>(await t.app.inject({ method: 'GET', url: `/v1/applications/${applicationId}/replies`, headers: bearer(tenant.token) })).data;

beforeAll(async () => {
  const port = await sink.listen();
  env = { SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL: 'https://afterview.example', RESPONSE_RATE_LIMIT_MAX: '6' };
  t = await createTestApp({ clock, env });
  tenant = await newTenant(t.app);
  workerDeps = createDeps(testConfig(env), { clock });
  worker = await startWorkers(workerDeps, { schedules: false, relay: false });
});

afterAll(async () => {
  await worker?.close();
  await workerDeps?.close();
  await t?.close();
  await sink.close();
});

/** Waits for the worker's re-plan toward a decision on Fri 12 March: the first status check 1 business day before, 09:30 New York (EST); the window's checks cancelled. */
const plannedToward12March = (interviewId: string) =>
  vi.waitFor(
    async () => {
      const plan = await followUps(interviewId);
      expect(plan.find((f) => f.key === 'status_check:2027-03-12:1')).toMatchObject({ status: 'pending', due_at: new Date('2027-03-11T14:30:00Z') });
      expect(plan.filter((f) => f.key.startsWith('status_check:window')).every((f) => f.status === 'cancelled')).toBe(true);
    },
    { timeout: 20_000, interval: 50 },
  );

const replannedAt = async (replyId: string) =>
  (await adminPool().query<{ replanned_at: Date | null }>('SELECT replanned_at FROM employer_replies WHERE id = $1', [replyId])).rows[0]!.replanned_at;

describe('the link in the email', () => {
  it('a timeline request carries a link whose token is random, stored only hashed and bound to the application and contact', async () => {
    const { story, interviewId } = await completedStory();
    const mail = await send(story, interviewId, 'timeline_request');
    expect(mail.text).toContain('To answer in one click: https://afterview.example/respond/rsp_');
    const token = linkIn(mail.text);
    // rsp_<tenant hex>_<secret>: base64url may hold '_' itself.
    const secret = token.split('_').slice(2).join('_');
    expect(Buffer.from(secret, 'base64url').length).toBeGreaterThanOrEqual(16);
    const rows = (await adminPool().query('SELECT * FROM response_links WHERE application_id = $1', [story.application.id])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(sha256(token));
    expect(JSON.stringify(rows[0])).not.toContain(secret);
    expect(rows[0].contact_id).toBe(story.principal.id);
    // No decision date yet: 30 days after the day it was sent (Fri 5 Mar), to the end of that day.
    expect(new Date(rows[0].expires_at).toISOString()).toBe('2027-04-05T23:59:59.000Z');
  });

  it('the page shows the candidate’s first name, the position and the agency, and nothing else about them', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    const res = await open(token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('Jordan');
    expect(res.body).toContain('5th grade teacher');
    const agency = (await adminPool().query('SELECT name FROM tenants WHERE id = $1', [tenant.tenantId])).rows[0].name as string;
    expect(res.body).toContain(agency);
    expect(res.body).not.toContain('Lee');
    expect(res.body).not.toContain(String(story.candidate.email));
    expect(res.body).not.toContain('<script');
    expect(res.body).not.toMatch(/src="https?:/);
  });

  it('a timeline request for a candidate without relay consent goes to them as a draft, without a link', async () => {
    const { story, interviewId } = await completedStory();
    await t.app.inject({ method: 'PATCH', url: `/v1/candidates/${story.candidate.id}`, headers: { ...bearer(tenant.token), 'if-match': '"1"' }, payload: { relayConsent: false } });
    const f = (await followUps(interviewId)).find((r) => r.kind === 'timeline_request')!;
    clock.set(new Date(f.due_at.getTime() + 60_000));
    const before = sink.received.length;
    await deliverFollowUp(t.deps, { tenantId: tenant.tenantId, followUpId: f.id, version: f.version }, { number: 1, of: 3 });
    const m = sink.received.slice(before).find((x) => x.to.includes(String(story.candidate.email).toLowerCase()))!;
    expect(readMail(m).subject).toMatch(/^Draft to send/);
    expect(readMail(m).text).not.toContain('/respond/');
    expect((await adminPool().query('SELECT count(*)::int AS n FROM response_links WHERE application_id = $1', [story.application.id])).rows[0].n).toBe(0);
  });
});

describe('answering', () => {
  it('"we will decide by" is the employer’s reply by the contact, re-plans the status checks and goes in the promise ledger', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    const res = await answer(token, { answer: 'decide_by', date: '2027-03-12', note: 'Second round first.' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Thank you');
    const [reply] = await replies(story.application.id);
    expect(reply).toMatchObject({ source: 'link', contactId: story.principal.id, newDecisionExpectedBy: '2027-03-12', suggestedOutcome: null });
    expect(reply!.summary).toBe('We will decide by 2027-03-12.\n\nSecond round first.');
    // The worker re-plans from the reply a moment later.
    await plannedToward12March(interviewId);
    expect(await replannedAt(reply!.id)).not.toBeNull();
    const ledger = (await adminPool().query('SELECT *, promised_date::text AS promised FROM employer_promises WHERE application_id = $1', [story.application.id])).rows;
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ promised: '2027-03-12', source: 'link', contact_id: story.principal.id, status: 'open', reply_id: reply!.id, actor_type: 'system' });
    const events = (await adminPool().query("SELECT payload FROM events WHERE tenant_id = $1 AND type = 'response_link.answered'", [tenant.tenantId])).rows;
    expect(events.some((e) => e.payload.data.replyId === reply!.id && e.payload.data.answer === 'decide_by')).toBe(true);
    // The link now lives 30 days past the new date.
    const link = (await adminPool().query('SELECT expires_at, answers FROM response_links WHERE application_id = $1', [story.application.id])).rows[0];
    expect(link).toMatchObject({ answers: 1, expires_at: new Date('2027-04-12T23:59:59Z') });
  });

  it('"ask me again on" plans the first status check on that day, and is no promise', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    expect((await answer(token, { answer: 'ask_again', date: '2027-03-16' })).statusCode).toBe(200);
    await vi.waitFor(
      async () => {
        const plan = await followUps(interviewId);
        // Tue 16 Mar 09:30 New York, daylight time from 14 March.
        const first = plan.find((f) => f.kind === 'status_check' && f.status === 'pending' && f.key.endsWith(':1'));
        expect(first?.due_at.toISOString()).toBe('2027-03-16T13:30:00.000Z');
      },
      { timeout: 20_000, interval: 50 },
    );
    expect((await adminPool().query('SELECT count(*)::int AS n FROM employer_promises WHERE application_id = $1', [story.application.id])).rows[0].n).toBe(0);
  });

  it('"ask me again on" follows the agency’s playbook: its business days, and how far before the date the first check falls', async () => {
    // Monday, Wednesday, Friday; the first status check 2 business days before the decision date.
    const playbook = (payload: object) => t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: bearer(tenant.token), payload });
    expect((await playbook({ businessDays: [1, 3, 5], statusCheck: { beforeDecisionBusinessDays: 2 } })).statusCode).toBe(200);
    try {
      const { story, interviewId } = await completedStory();
      const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
      expect((await answer(token, { answer: 'ask_again', date: '2027-03-17' })).statusCode).toBe(200);
      // Wed 17 March, then 2 of those days on: Fri 19, Mon 22, as the planner counts them.
      const cal = businessCalendar({ zone: 'America/New_York', businessDays: [1, 3, 5] });
      const [reply] = await replies(story.application.id);
      expect(reply).toMatchObject({ newDecisionExpectedBy: '2027-03-22', summary: 'Still deciding; ask me again on 2027-03-17.' });
      // The answer statement counts in SQL what the planner counts in core: the two must agree.
      expect(reply!.newDecisionExpectedBy).toBe(addBusinessDays('2027-03-17', 2, cal).date);
      await vi.waitFor(
        async () => {
          const first = (await followUps(interviewId)).find((f) => f.kind === 'status_check' && f.status === 'pending' && f.key.endsWith(':1'));
          // Wed 17 March 09:30 New York (daylight time).
          expect(first).toMatchObject({ key: 'status_check:2027-03-22:1', due_at: new Date('2027-03-17T13:30:00Z') });
        },
        { timeout: 20_000, interval: 50 },
      );
    } finally {
      expect((await playbook({})).statusCode).toBe(200);
    }
  });

  it('a decision is a suggested outcome on Today for the recruiter to confirm, never an outcome by itself', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    expect((await answer(token, { answer: 'offer' })).statusCode).toBe(200);
    const [reply] = await replies(story.application.id);
    expect(reply).toMatchObject({ source: 'link', suggestedOutcome: 'offer' });
    const outcomes = json<{ data: unknown[] }>(await t.app.inject({ method: 'GET', url: `/v1/applications/${story.application.id}/outcomes`, headers: bearer(tenant.token) }));
    expect(outcomes.data).toHaveLength(0);
    const app = json<{ stage: string }>(await t.app.inject({ method: 'GET', url: `/v1/applications/${story.application.id}`, headers: bearer(tenant.token) }));
    expect(app.stage).toBe('interviewing');
    const today = json<{ data: Schemas['SuggestedOutcome'][] }>(await t.app.inject({ method: 'GET', url: '/v1/suggested-outcomes?limit=100', headers: bearer(tenant.token) }));
    expect(today.data.find((s) => s.replyId === reply!.id)).toMatchObject({ suggestedOutcome: 'offer', source: 'link', contactName: 'Pat Principal', candidateName: 'Jordan Lee' });
    // Confirmed by logging it: off Today.
    const logged = await t.app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/outcomes`, headers: bearer(tenant.token), payload: { kind: 'offer' } });
    expect(logged.statusCode).toBe(201);
    const after = json<{ data: Schemas['SuggestedOutcome'][] }>(await t.app.inject({ method: 'GET', url: '/v1/suggested-outcomes?limit=100', headers: bearer(tenant.token) }));
    expect(after.data.find((s) => s.replyId === reply!.id)).toBeUndefined();
  });

  it('a decision settles the dates promised before it (the promise ledger), once the worker has followed the reply', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    expect((await answer(token, { answer: 'decide_by', date: '2027-03-09' })).statusCode).toBe(200);
    // The offer comes Thu 11 March (New York): two business days after the date given.
    clock.set('2027-03-11T15:00:00Z');
    expect((await answer(token, { answer: 'offer' })).statusCode).toBe(200);
    const [offer] = await replies(story.application.id);
    expect(offer).toMatchObject({ suggestedOutcome: 'offer' });
    await vi.waitFor(async () => expect(await replannedAt(offer!.id)).not.toBeNull(), { timeout: 20_000, interval: 50 });
    const ledger = (await adminPool().query('SELECT status, late_business_days, decided_at FROM employer_promises WHERE application_id = $1', [story.application.id])).rows;
    expect(ledger).toEqual([{ status: 'late', late_business_days: 2, decided_at: new Date('2027-03-11T15:00:00Z') }]);
    // And the decision paused what was still asking for it.
    const plan = await followUps(interviewId);
    expect(plan.filter((f) => f.kind === 'status_check' && f.status === 'pending')).toEqual([]);
  });

  it('a form with a mistake is shown again with the mistake at its field, and nothing is recorded', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    const res = await answer(token, { answer: 'decide_by', date: '', note: 'x' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="date-error"');
    expect(res.body).toContain('Give the date');
    expect(res.body).toContain('value="decide_by" checked');
    const past = await answer(token, { answer: 'decide_by', date: '2027-03-01' });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain('The date has passed');
    expect(await replies(story.application.id)).toHaveLength(0);
  });

  it('a post from another site is refused, and nothing is recorded', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    const res = await answer(token, { answer: 'offer' }, { headers: { origin: 'https://evil.example' } });
    expect(res.statusCode).toBe(403);
    const cross = await answer(token, { answer: 'offer' }, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(cross.statusCode).toBe(403);
    expect(await replies(story.application.id)).toHaveLength(0);
    const same = await answer(token, { answer: 'offer' }, { headers: { origin: 'https://afterview.example', 'sec-fetch-site': 'same-origin' } });
    expect(same.statusCode).toBe(200);
  });
});

describe('links that do not work', () => {
  it('a forged or altered link gets a plain page saying so', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const bad of [`${token.slice(0, -1)}${last}`, `rsp_${tenant.tenantId.replaceAll('-', '')}_${'x'.repeat(43)}`, 'rsp_nothing', 'inv_abc_def']) {
      const res = await open(bad);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('This link is not valid');
      expect(res.body).not.toContain('Jordan');
      const post = await answer(bad, { answer: 'offer' });
      expect(post.statusCode).toBe(404);
    }
    expect(await replies(story.application.id)).toHaveLength(0);
  });

  it('an expired link says so and records nothing', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    clock.set('2027-04-06T00:00:00Z');
    const res = await open(token);
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('This link has expired');
    expect((await answer(token, { answer: 'offer' })).statusCode).toBe(410);
    expect(await replies(story.application.id)).toHaveLength(0);
  });

  it('is revoked when the application closes', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    const logged = await t.app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/outcomes`, headers: bearer(tenant.token), payload: { kind: 'rejected' } });
    expect(logged.statusCode).toBe(201);
    const res = await open(token);
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('no longer active');
    expect((await answer(token, { answer: 'decide_by', date: '2027-03-20' })).statusCode).toBe(410);
    expect(await replies(story.application.id)).toHaveLength(0);
  });

  it('is revoked when the candidate is erased, and the page never names them', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    const erased = await t.app.inject({ method: 'POST', url: `/v1/candidates/${story.candidate.id}/erase`, headers: bearer(tenant.token), payload: {} });
    expect(erased.statusCode).toBeLessThan(300);
    const res = await open(token);
    expect(res.statusCode).toBe(410);
    expect(res.body).not.toContain('Jordan');
  });
});

describe('when Redis lost the re-plan job', () => {
  it('the follow-up sweep enqueues it again, and the worker re-plans from the reply once', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    // An API process whose queues no worker serves yet: its job waits in Redis until Redis loses it.
    const prefix = `afterview-test-lost-${process.pid}`;
    const api = await createTestApp({ clock, env: { ...env, QUEUE_PREFIX: prefix } });
    let lateWorker: RunningWorkers | undefined;
    let lateDeps: Deps | undefined;
    try {
      const res = await api.app.inject({
        method: 'POST',
        url: `/respond/${token}`,
        remoteAddress: from(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ answer: 'decide_by', date: '2027-03-12' }).toString(),
      });
      expect(res.statusCode).toBe(200);
      const [reply] = await replies(story.application.id);
      expect(reply).toMatchObject({ source: 'link', newDecisionExpectedBy: '2027-03-12' });
      const queue = api.deps.queues.get('followups');
      await vi.waitFor(async () => expect(await queue.getJob(replanJobId(reply!.id))).toBeDefined(), { timeout: 10_000, interval: 20 });
      // Redis loses it (flushed, or restarted without persistence).
      await removeQueueKeys(api.deps.redis, prefix);
      expect(await queue.getJob(replanJobId(reply!.id))).toBeUndefined();
      // Recorded, not re-planned: the window's status checks still stand.
      expect(await replannedAt(reply!.id)).toBeNull();
      expect((await followUps(interviewId)).some((f) => f.key === 'status_check:2027-03-12:1')).toBe(false);

      // A minute later the sweep (every minute on the worker) finds the reply and enqueues its job again.
      clock.set(new Date(clock.now().getTime() + 61_000));
      lateDeps = createDeps(testConfig({ ...env, QUEUE_PREFIX: prefix }), { clock });
      lateWorker = await startWorkers(lateDeps, { schedules: false, relay: false });
      // The sweep's Redis connection takes no commands before it is ready (no offline queue).
      if (lateDeps.redis.status !== 'ready') await once(lateDeps.redis, 'ready');
      expect(await reconcileFollowUps(lateDeps, { tenantId: tenant.tenantId })).toMatchObject({ replans: 1 });
      await plannedToward12March(interviewId);
      expect(await replannedAt(reply!.id)).not.toBeNull();
      // Once: the sweep finds nothing more, and the job run again changes nothing.
      expect(await reconcileFollowUps(lateDeps, { tenantId: tenant.tenantId })).toMatchObject({ replans: 0 });
      const before = await followUps(interviewId);
      expect(await replanAfterReply(lateDeps, { tenantId: tenant.tenantId, replyId: reply!.id })).toEqual({ outcome: 'noop' });
      expect(await followUps(interviewId)).toEqual(before);
    } finally {
      await lateWorker?.close();
      await lateDeps?.close();
      await api.close();
    }
  });
});

describe('rate limits', () => {
  it('per link: past the limit a plain 429 page, whatever the address', async () => {
    const { story, interviewId } = await completedStory();
    const token = linkIn((await send(story, interviewId, 'timeline_request')).text);
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await open(token)).statusCode);
    expect(codes.slice(0, 6).every((c) => c === 200)).toBe(true);
    const res = await open(token);
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toContain('Too many tries');
  });

  it('per address: one address trying many links is stopped', async () => {
    const address = from();
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await open(`rsp_${tenant.tenantId.replaceAll('-', '')}_guess${i}`, address)).statusCode);
    expect(codes.slice(0, 6).every((c) => c === 404)).toBe(true);
    expect(codes.at(-1)).toBe(429);
  });
});
