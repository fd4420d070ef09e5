import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../src/lib/clock.js';
import { deliverJobId, reconcileFollowUps } from '../src/modules/followups/followups.jobs.js';
import { sendDigest } from '../src/modules/followups/followups.digest.js';
import { deliverFollowUp } from '../src/modules/followups/followups.delivery.js';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, timeline } from './helpers/db.js';
import { smtpSink } from './helpers/smtpSink.js';
import { recruitingStory, scheduledInterview } from './helpers/story.js';

/**
 * Issue 15, finding 5: a send whose worker died between the claim and the result. The crash itself
 * is test/followups.crash.test.ts; here the claim is left as a dead worker leaves it, and the
 * lease runs out on the injected clock. The interviews run Tue 11 Apr 2028 (no other test file
 * plans in April 2028), New York.
 */
const clock = fixedClock('2028-04-11T12:00:00Z');
const LEASE_MS = 300_000;
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  const port = await sink.listen();
  t = await createTestApp({ clock, env: { QUEUE_PREFIX: `afterview-uncertain-${process.pid}`, SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@agency.example' } });
  tenant = await newTenant(t.app);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

type FollowUp = Schemas['FollowUp'];
const h = (version?: number) => ({ ...bearer(tenant.token), ...(version === undefined ? {} : { 'if-match': `"${version}"` }) });
const get = async (id: string) => json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${id}`, headers: h() }));
const post = (id: string, action: string, payload: object, version?: number) =>
  t.app.inject({ method: 'POST', url: `/v1/follow-ups/${id}/${action}`, headers: h(version), payload });

/** An email thank-you claimed by a worker that then died: queued, its claim running out 5 minutes on. */
async function interruptedSend(): Promise<FollowUp> {
  clock.set('2028-04-04T12:00:00Z');
  const story = await recruitingStory(t.app, tenant);
  const interview = await scheduledInterview(t.app, tenant, story, '2028-04-11T10:00:00-04:00');
  clock.set('2028-04-11T15:10:00Z');
  expect((await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: h(), payload: {} })).statusCode).toBe(200);
  const list = json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&kind=thank_you`, headers: h() })).data;
  const f = list[0]!;
  clock.set(f.dueAt);
  // The claim, as followups.delivery.ts makes it.
  await adminPool().query("UPDATE follow_ups SET status = 'queued', attempts = attempts + 1, claimed_until = $2 WHERE id = $1", [
    f.id,
    new Date(clock.now().getTime() + LEASE_MS),
  ]);
  return get(f.id);
}

describe('a send whose worker died mid-flight', () => {
  it('stays queued while its claim lasts, then is uncertain with its reason, on the timeline and as an event', async () => {
    const f = await interruptedSend();
    clock.advance(LEASE_MS);
    expect(await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId })).toMatchObject({ uncertain: 0 });
    expect((await get(f.id)).status).toBe('queued');

    clock.advance(1_000);
    expect(await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId })).toMatchObject({ uncertain: 1 });
    const u = await get(f.id);
    expect(u).toMatchObject({ status: 'uncertain', attempts: 1, sentAt: null, overdue: false, version: f.version + 1 });
    expect(u.lastError).toMatch(/^The worker stopped while sending it \(attempt 1; its claim ran out at .+\): it may or may not have gone out\./);
    const listed = json<{ data: FollowUp[] }>(await t.app.inject({ url: '/v1/follow-ups?status=uncertain&limit=100', headers: h() })).data;
    expect(listed.map((x) => x.id)).toContain(f.id);
    expect((await timeline(tenant.tenantId, f.id)).at(-1)).toMatchObject({
      action: 'followup.delivery_uncertain',
      event_type: 'followup.delivery_uncertain',
      changes: { status: { before: 'queued', after: 'uncertain' } },
    });
    // Nothing sends it again by itself: the next sweep neither re-queues nor touches it.
    await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId });
    expect((await get(f.id)).version).toBe(u.version);
    expect(await t.deps.queues.get('followups').getJob(deliverJobId(f.id, u.version))).toBeUndefined();
  });

  it('a send slower than its lease: uncertain meanwhile, then sent when the server answers, its version moving on; one email', async () => {
    clock.set('2028-04-04T12:00:00Z');
    const story = await recruitingStory(t.app, tenant);
    const interview = await scheduledInterview(t.app, tenant, story, '2028-04-11T11:00:00-04:00');
    clock.set('2028-04-11T16:10:00Z');
    expect((await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: h(), payload: {} })).statusCode).toBe(200);
    const f = json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&kind=thank_you`, headers: h() })).data[0]!;
    clock.set(f.sendsAt); // it leaves when its undo window is over
    const before = sink.received.length;
    sink.hold(true);
    try {
      const sending = deliverFollowUp(t.deps, { tenantId: tenant.tenantId, followUpId: f.id, version: f.version }, { number: 1, of: 3 });
      await vi.waitFor(() => expect(sink.held).toBe(1), { timeout: 10_000 });
      clock.advance(LEASE_MS + 1_000);
      await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId });
      const u = await get(f.id);
      expect(u).toMatchObject({ status: 'uncertain', version: f.version + 1 });
      sink.release();
      expect(await sending).toMatchObject({ outcome: 'sent' });
      const sent = await get(f.id);
      // An ETag never comes back: what a recruiter saw as uncertain is stale now.
      expect(sent).toMatchObject({ status: 'sent', version: u.version + 1, messageId: `<fu-${f.id}@afterview>` });
      expectProblem(await post(f.id, 'resend', {}, u.version), 412);
    } finally {
      sink.hold(false);
      sink.release();
    }
    expect(sink.received.length - before).toBe(1);
  });

  it('a send that finishes after a recruiter confirmed it by hand records one followup.sent, not two', async () => {
    clock.set('2028-04-04T12:00:00Z');
    const story = await recruitingStory(t.app, tenant);
    const interview = await scheduledInterview(t.app, tenant, story, '2028-04-11T13:00:00-04:00');
    clock.set('2028-04-11T18:10:00Z');
    expect((await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: h(), payload: {} })).statusCode).toBe(200);
    const f = json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&kind=thank_you`, headers: h() })).data[0]!;
    clock.set(f.sendsAt); // it leaves when its undo window is over
    sink.hold(true);
    try {
      const sending = deliverFollowUp(t.deps, { tenantId: tenant.tenantId, followUpId: f.id, version: f.version }, { number: 1, of: 3 });
      await vi.waitFor(() => expect(sink.held).toBe(1), { timeout: 10_000 });
      clock.advance(LEASE_MS + 1_000);
      await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId });
      const u = await get(f.id);
      expect((await post(f.id, 'mark-sent', { reason: 'Seen in the sent folder' }, u.version)).statusCode).toBe(200);
      sink.release();
      expect(await sending).toMatchObject({ outcome: 'sent' });
    } finally {
      sink.hold(false);
      sink.release();
    }
    const sent = await adminPool().query("SELECT count(*)::int AS n FROM events WHERE type = 'followup.sent' AND payload->'data'->>'followUpId' = $1", [f.id]);
    expect(sent.rows[0].n).toBe(1);
    expect((await timeline(tenant.tenantId, f.id)).filter((r) => r.action === 'followup.sent')).toHaveLength(1);
  });

  it('resend makes it pending and due now, queued for the worker as it commits; If-Match guards it; another status answers 409', async () => {
    const f = await interruptedSend();
    clock.advance(LEASE_MS + 1_000);
    await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId });
    const u = await get(f.id);
    expectProblem(await post(u.id, 'resend', {}, u.version - 1), 412);
    const res = await post(u.id, 'resend', { reason: 'Pat did not get it' }, u.version);
    expect(res.statusCode, res.body).toBe(200);
    const again = json<FollowUp>(res);
    expect(again).toMatchObject({ status: 'pending', dueAt: clock.now().toISOString(), version: u.version + 1 });
    expect(again.reason).toMatch(/^resent by hand after an uncertain send: Pat did not get it \(planned: /);
    // Queued as the change commits, which the answer does not wait for.
    await vi.waitFor(async () => expect(await t.deps.queues.get('followups').getJob(deliverJobId(f.id, again.version))).toBeDefined());
    const [event] = (
      await adminPool().query("SELECT payload->'data' AS data FROM events WHERE type = 'followup.rescheduled' AND payload->'data'->>'followUpId' = $1", [f.id])
    ).rows;
    expect(event.data).toMatchObject({ resend: true, reason: 'Pat did not get it' });
    expectProblem(await post(u.id, 'resend', {}), 409, 'conflict');
    expectProblem(await post(u.id, 'mark-sent', {}), 409, 'conflict');
  });

  it('mark-sent closes it as sent with the Message-ID it went out with; the event says a recruiter confirmed it', async () => {
    const f = await interruptedSend();
    clock.advance(LEASE_MS + 1_000);
    await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId });
    const u = await get(f.id);
    const res = await post(u.id, 'mark-sent', { reason: 'In the candidate’s sent folder' }, u.version);
    expect(res.statusCode, res.body).toBe(200);
    expect(json<FollowUp>(res)).toMatchObject({ status: 'sent', sentAt: clock.now().toISOString(), messageId: `<fu-${f.id}@afterview>` });
    const [event] = (await adminPool().query("SELECT payload->'data' AS data FROM events WHERE type = 'followup.sent' AND payload->'data'->>'followUpId' = $1", [f.id])).rows;
    expect(event.data).toMatchObject({ by: 'user', messageId: `<fu-${f.id}@afterview>`, reason: 'In the candidate’s sent folder', actor: { type: 'user' } });
    expectProblem(await post(u.id, 'mark-sent', {}), 409, 'conflict');
  });

  it('skip closes one the recruiter decides is not needed', async () => {
    const f = await interruptedSend();
    clock.advance(LEASE_MS + 1_000);
    await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId });
    const res = await post(f.id, 'skip', { reason: 'Thanked them by phone instead' });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<FollowUp>(res)).toMatchObject({ status: 'skipped', cancelReason: 'Thanked them by phone instead' });
  });

  it('the daily digest lists it first, as one that may not have been sent', async () => {
    const f = await interruptedSend();
    clock.advance(LEASE_MS + 1_000);
    await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId });
    clock.set('2028-04-12T11:30:00Z');
    expect(await sendDigest(t.deps, { tenantId: tenant.tenantId, userId: tenant.ownerId, date: '2028-04-12' })).toMatchObject({ outcome: 'sent' });
    const mail = await sink.for(tenant.ownerEmail);
    // Headers unfolded, the quoted-printable body decoded.
    const text = Buffer.from(
      mail.raw.replace(/\r?\n[ \t]+/g, ' ').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, x: string) => String.fromCharCode(parseInt(x, 16))),
      'latin1',
    ).toString('utf8');
    expect(text).toMatch(/^Subject: Your follow-ups for Wednesday, April 12: .*\d+ may not have been sent/m);
    const section = text.slice(text.indexOf('May not have been sent: check and resend ('));
    expect(section.split(/\r?\n/)[0]).toMatch(/^May not have been sent: check and resend \(\d+\)$/);
    expect(section.slice(0, section.search(/\r?\n\r?\n/))).toContain(f.id);
    expect(text).toContain('again with …/resend, or confirm it went with …/mark-sent');
  });
});
