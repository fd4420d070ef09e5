import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeps, type Deps } from '../src/deps.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { reconcileFollowUps } from '../src/modules/followups/followups.jobs.js';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { adminPool } from './helpers/db.js';
import { testConfig } from './helpers/env.js';
import { readMail, smtpSink } from './helpers/smtpSink.js';
import { fixedClock } from '../src/lib/clock.js';
import { UNDO_WINDOW_MS } from './helpers/undoWindow.js';

// Issue 16, through the API with the injected clock, a worker and the SMTP sink: when a follow-up
// may go, and who decides. The interviews run Thu 3 Dec 2026 10:00–11:00 New York (15:00–16:00Z)
// unless a test says otherwise.
const clock = fixedClock('2026-11-26T12:00:00Z');
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;
let workerDeps: Deps;
let worker: RunningWorkers;

beforeAll(async () => {
  const port = await sink.listen();
  const env = { QUEUE_PREFIX: `afterview-fu-moments-${process.pid}`, SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@agency.example' };
  t = await createTestApp({ clock, env });
  tenant = await newTenant(t.app);
  workerDeps = createDeps(testConfig(env), { clock });
  // The sweep runs here by hand (`deliverDue`), at the injected clock's time.
  worker = await startWorkers(workerDeps, { concurrency: 5, schedules: false });
});
afterAll(async () => {
  await worker?.close();
  await workerDeps?.close();
  await t.close();
  await sink.close();
});

/**
 * Moves the clock past the undo window of what is due now (every email waits it before it leaves),
 * runs the sweep for our tenant at that time and waits until the worker has done every job due by
 * then. Jobs left delayed by earlier tests (the clock moves back and forth) are dropped first: the
 * sweep adds again whatever is still due.
 */
async function deliverDue() {
  const q = t.deps.queues.get('followups');
  clock.advance(UNDO_WINDOW_MS + 1_000);
  await q.drain(true);
  await reconcileFollowUps(workerDeps, { tenantId: tenant.tenantId });
  // A job a change handed to BullMQ as it committed (after the drain) waits in real time: run it now.
  await q.promoteJobs();
  await vi.waitFor(
    async () => {
      const c = await q.getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(c).some((n) => n > 0)) throw new Error(`jobs left: ${JSON.stringify(c)}`);
    },
    { timeout: 15_000, interval: 50 },
  );
}

/** What reached the sink for an address. */
const mailTo = (address: string) => sink.received.filter((m) => m.to.includes(address.toLowerCase())).map(readMail);

type FollowUp = Schemas['FollowUp'];
const h = () => bearer(tenant.token);
const post = (url: string, payload: object, headers: Record<string, string> = h()) => t.app.inject({ method: 'POST', url, headers, payload });
const ofInterview = async (id: string) => {
  const res = await t.app.inject({ url: `/v1/follow-ups?interviewId=${id}&limit=100`, headers: h() });
  expect(res.statusCode, res.body).toBe(200);
  return json<{ data: FollowUp[] }>(res).data;
};

/** A fresh story with an interview completed at `completedAt`, without a timeline unless given. */
async function completed(opts: { extra?: object; startsAt?: string; completedAt?: string } = {}): Promise<{ story: Story; id: string }> {
  clock.set('2026-01-05T12:00:00Z');
  const story = await recruitingStory(t.app, tenant);
  const interview = await scheduledInterview(t.app, tenant, story, opts.startsAt);
  clock.set(opts.completedAt ?? '2026-12-03T16:10:00Z');
  const res = await post(`/v1/interviews/${interview.id}/complete`, opts.extra ?? {});
  expect(res.statusCode, res.body).toBe(200);
  return { story, id: interview.id };
}

describe('dated outcomes (decidedAt)', () => {
  it('when a rejection decided Monday afternoon is logged Tuesday morning, then the thanks-anyway counts from Monday', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-08T13:00:00Z'); // Tue 08:00 New York
    const res = await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'rejected', decidedAt: '2026-12-07T21:00:00Z' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json<Schemas['LoggedOutcome']>(res)).toMatchObject({ decidedAt: '2026-12-07T21:00:00.000Z', createdAt: '2026-12-08T13:00:00.000Z' });
    const thanks = (await ofInterview(id)).filter((f) => f.kind === 'post_decision_thanks' && f.status !== 'cancelled');
    // Decided Mon 7 Dec 16:00 New York: the next business day, Tue 8 Dec 09:30 (not Wed 9 Dec, counted from the logging).
    expect(thanks.map((f) => [f.contactId, f.dueAt])).toEqual([
      [story.principal.id, '2026-12-08T14:30:00.000Z'],
      [story.teacher.id, '2026-12-08T14:30:00.000Z'],
    ]);
    expect(thanks[0]!.reason).toMatch(/^outcome rejected decided Mon 2026-12-07 16:00 America\/New_York/);
    const listed = json<{ data: Schemas['Outcome'][] }>(await t.app.inject({ url: `/v1/applications/${story.application.id}/outcomes`, headers: h() }));
    expect(listed.data.map((o) => o.decidedAt)).toEqual(['2026-12-07T21:00:00.000Z']);
    const ev = await adminPool().query("SELECT payload FROM events WHERE tenant_id = $1 AND type = 'outcome.logged' AND payload->'data'->>'applicationId' = $2", [
      tenant.tenantId,
      story.application.id,
    ]);
    expect(ev.rows.map((r) => r.payload.data.decidedAt)).toEqual(['2026-12-07T21:00:00.000Z']);
  });

  it('without decidedAt, the decision is dated when it is logged', async () => {
    const { story } = await completed();
    clock.set('2026-12-08T15:00:00Z');
    const res = await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'offer' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json<Schemas['LoggedOutcome']>(res).decidedAt).toBe('2026-12-08T15:00:00.000Z');
  });

  it('a decidedAt in the future or before the interview is 400 naming body.decidedAt, and nothing is logged', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-08T15:00:00Z');
    // The employer-facing steps (the candidate's first update may go out meanwhile, by the worker).
    const employerFacing = async () => (await ofInterview(id)).filter((f) => f.kind !== 'candidate_update');
    const before = await employerFacing();
    for (const decidedAt of ['2026-12-08T15:00:01Z', '2026-12-03T14:59:00Z', 'yesterday']) {
      const bad = expectProblem(await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'rejected', decidedAt }), 400, 'validation_failed');
      expect(bad.errors?.map((e) => e.field)).toEqual(['body.decidedAt']);
    }
    const listed = json<{ data: unknown[] }>(await t.app.inject({ url: `/v1/applications/${story.application.id}/outcomes`, headers: h() }));
    expect(listed.data).toEqual([]);
    const app = json<Schemas['ApplicationDetail']>(await t.app.inject({ url: `/v1/applications/${story.application.id}`, headers: h() }));
    expect(app.stage).not.toBe('rejected');
    expect((await employerFacing()).map((f) => [f.id, f.status, f.version])).toEqual(before.map((f) => [f.id, f.status, f.version]));
    const logged = await adminPool().query("SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'outcome.logged' AND payload->'data'->>'applicationId' = $2", [
      tenant.tenantId,
      story.application.id,
    ]);
    expect(logged.rows[0].n).toBe(0);
  });
});

describe('staleness: a backfilled interview sends nothing by itself', () => {
  it('when a March interview is completed in December, then every step is stale with the reason and nothing reaches the sink', async () => {
    // Thu 5 Mar 2026 10:00 New York, completed Thu 3 Dec 2026.
    const { story, id } = await completed({ startsAt: '2026-03-05T10:00:00-05:00', extra: { highlights: 'The demo lesson' } });
    const rows = await ofInterview(id);
    const emails = rows.filter((f) => f.channel === 'email');
    expect(emails.length).toBeGreaterThanOrEqual(5);
    expect(rows.filter((f) => f.status !== 'stale')).toEqual([]);
    const note = rows.find((f) => f.key === `thank_you:${story.principal.id}`)!;
    expect(note.holdReason).toMatch(/^stale: past the end of 1 business day after the interview \(Fri 2026-03-06 18:00 America\/New_York\) when planned/);
    // ruleDueAt keeps the rule's time; dueAt is the catch-up time it would have had.
    expect(note).toMatchObject({ ruleDueAt: '2026-03-05T18:00:00.000Z', dueAt: '2026-12-03T16:10:00.000Z' });
    expect(rows.find((f) => f.key === 'candidate_update:completed')!.holdReason).toMatch(/^stale: the interview was completed after/);
    const ev = await adminPool().query(
      "SELECT payload->'data'->>'status' AS status FROM events WHERE tenant_id = $1 AND type = 'followup.planned' AND payload->'data'->>'interviewId' = $2",
      [tenant.tenantId, id],
    );
    expect(new Set(ev.rows.map((r) => r.status))).toEqual(new Set(['stale']));
    expect(json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?status=stale&interviewId=${id}&limit=100`, headers: h() })).data.length).toBe(rows.length);

    clock.set('2026-12-03T16:20:00Z');
    await deliverDue();
    expect(mailTo(String(story.principal.email))).toEqual([]);
    expect(mailTo(String(story.candidate.email))).toEqual([]);

    // Reviewed: sent now by hand, it goes, once.
    const res = await post(`/v1/follow-ups/${note.id}/send-now`, {}, { ...h(), 'if-match': `"${note.version}"` });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<FollowUp>(res)).toMatchObject({ status: 'pending', holdReason: null });
    await deliverDue();
    const got = mailTo(String(story.principal.email));
    expect(got.length).toBe(1);
    expect(got[0]!.text).toContain('the demo lesson');
    expect(mailTo(String(story.teacher.email))).toEqual([]);
  });

  it('a status check toward a decision date still ahead stays planned; the notes past their limit are stale', async () => {
    // Mon 30 Nov 2026 10:00 New York, completed Thu 3 Dec with a decision due Fri 4 Dec.
    const { id } = await completed({ startsAt: '2026-11-30T10:00:00-05:00', extra: { decisionExpectedBy: '2026-12-04' } });
    const rows = await ofInterview(id);
    const byKey = Object.fromEntries(rows.map((f) => [f.key, f]));
    // Its rule time (Thu 3 Dec 09:30) passed, the decision date has not: as soon as possible.
    expect(byKey['status_check:2026-12-04:1']).toMatchObject({ status: 'pending', ruleDueAt: '2026-12-03T14:30:00.000Z', dueAt: '2026-12-03T16:10:00.000Z', holdReason: null });
    expect(rows.filter((f) => f.kind === 'thank_you').map((f) => f.status)).toEqual(['stale', 'stale']);
    expect(byKey.recruiter_check_in!.status).toBe('pending');
  });

  it('the limits are playbook settings', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: h(), payload: { freshness: { thankYouBusinessDays: 200 } } });
    expect(expectProblem(put, 400, 'validation_failed').errors?.map((e) => e.field)).toEqual(['body.freshness.thankYouBusinessDays']);
    const ok = await t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: h(), payload: { freshness: { thankYouBusinessDays: 5 } } });
    expect(ok.statusCode, ok.body).toBe(200);
    try {
      const { id } = await completed({ startsAt: '2026-11-30T10:00:00-05:00', extra: { decisionExpectedBy: '2026-12-04' } });
      expect((await ofInterview(id)).filter((f) => f.kind === 'thank_you').map((f) => f.status)).toEqual(['pending', 'pending']);
    } finally {
      await t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: h(), payload: {} });
    }
  });
});

describe('approval where it matters', () => {
  const byKey = (rows: FollowUp[], key: string) => rows.find((f) => f.key === key && f.status !== 'cancelled')!;

  it('when a rejection is logged, then the candidate’s news waits for approval; approved with an edit, it goes once, as written', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-03T18:05:00Z'); // the thank-yous go
    await deliverDue();
    clock.set('2026-12-07T15:00:00Z'); // Mon 10:00 New York
    const candidate = String(story.candidate.email);
    await deliverDue();
    clock.set('2026-12-07T15:00:00Z'); // (deliverDue moved it past the undo window)
    const before = mailTo(candidate).length;
    const res = await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'rejected', reason: 'Another candidate' });
    expect(res.statusCode, res.body).toBe(201);
    let update = byKey(await ofInterview(id), 'candidate_update:outcome:rejected');
    expect(update).toMatchObject({ status: 'awaiting_approval', dueAt: '2026-12-07T15:00:00.000Z', approvedAt: null, edited: false });
    expect(update.holdReason).toBe("waits for a recruiter's approval (playbook approval.candidate.outcome)");
    await deliverDue();
    expect(mailTo(candidate).length).toBe(before);

    // Bad input changes nothing: a stale If-Match is 412, approving one not waiting is 409.
    expectProblem(await post(`/v1/follow-ups/${update.id}/approve`, {}, { ...h(), 'if-match': '"99"' }), 412);
    const sentOne = (await ofInterview(id)).find((f) => f.kind === 'thank_you' && f.status === 'sent')!;
    const notWaiting = expectProblem(await post(`/v1/follow-ups/${sentOne.id}/approve`, {}), 409, 'conflict');
    expect(notWaiting.detail).toMatch(/not waiting for approval/);
    expect(json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${sentOne.id}`, headers: h() })).version).toBe(sentOne.version);
    expectProblem(await post(`/v1/follow-ups/${update.id}/approve`, { body: '' }), 400);
    expect(json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${update.id}`, headers: h() })).version).toBe(update.version);

    clock.set('2026-12-07T15:05:00Z');
    const text = 'Hi Jordan, they decided not to go ahead. I will call you at 11 to talk it through.';
    const approved = await post(`/v1/follow-ups/${update.id}/approve`, { body: text }, { ...h(), 'if-match': `"${update.version}"` });
    expect(approved.statusCode, approved.body).toBe(200);
    update = json<FollowUp>(approved);
    // Its planned time had passed: the next allowed moment, now.
    expect(update).toMatchObject({ status: 'pending', holdReason: null, dueAt: '2026-12-07T15:05:00.000Z', approvedAt: '2026-12-07T15:05:00.000Z', approvedBy: tenant.ownerId, edited: true, body: text });
    // The machine-readable why says the time is the approval's, not the rule's (clients' sentences read it).
    expect(update.basis).toMatchObject({ rule: 'candidate_update.outcome', byHand: { action: 'approved', at: '2026-12-07T15:05:00.000Z' } });
    await deliverDue();
    const got = mailTo(candidate).slice(before);
    expect(got.map((m) => m.text.trim())).toEqual([text]);
    expect(json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${update.id}`, headers: h() })).status).toBe('sent');
    expectProblem(await post(`/v1/follow-ups/${update.id}/approve`, {}), 409, 'conflict');
    const ev = await adminPool().query("SELECT payload->'data' AS data FROM events WHERE tenant_id = $1 AND type = 'followup.approved' AND payload->'data'->>'followUpId' = $2", [
      tenant.tenantId,
      update.id,
    ]);
    expect(ev.rows.map((r) => r.data)).toEqual([expect.objectContaining({ edited: true, dueAt: '2026-12-07T15:05:00.000Z', kind: 'candidate_update' })]);
  });

  it('the post-decision thanks wait; approve-all keeps the planned time, a declined one never goes, and the digest lists what waits', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-06T23:00:00Z'); // Sun 18:00 New York
    const res = await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'rejected' });
    expect(res.statusCode, res.body).toBe(201);
    const rows = await ofInterview(id);
    const pat = byKey(rows, `post_decision_thanks:${story.principal.id}`);
    const terry = byKey(rows, `post_decision_thanks:${story.teacher.id}`);
    expect([pat.status, terry.status, pat.dueAt]).toEqual(['awaiting_approval', 'awaiting_approval', '2026-12-07T14:30:00.000Z']);

    // The owner's digest on Monday lists them under "Waiting for your approval".
    clock.set('2026-12-07T12:30:00Z');
    const { sendDigest } = await import('../src/modules/followups/followups.digest.js');
    const digest = await sendDigest(t.deps, { tenantId: tenant.tenantId, userId: tenant.ownerId, date: '2026-12-07' });
    expect(digest.outcome).toBe('sent');
    const mail = await sink.for(tenant.ownerEmail).then(readMail);
    const section = mail.text.split('Waiting for your approval')[1]!.split('\n\n')[0]!;
    expect(section).toContain(pat.id);
    expect(section).toContain(terry.id);
    expect(mail.subject).toMatch(/waiting for your approval/);

    clock.set('2026-12-06T23:05:00Z');
    const declined = await post(`/v1/follow-ups/${terry.id}/decline`, { reason: 'Terry left the school' }, { ...h(), 'if-match': `"${terry.version}"` });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(json<FollowUp>(declined)).toMatchObject({ status: 'cancelled', cancelReason: 'declined: Terry left the school' });
    expectProblem(await post(`/v1/follow-ups/${terry.id}/decline`, {}), 409, 'conflict');
    const all = await post(`/v1/interviews/${id}/follow-ups/approve`, {});
    expect(all.statusCode, all.body).toBe(200);
    const approved = json<{ data: FollowUp[] }>(all).data;
    expect(approved.map((f) => f.key).sort()).toEqual(['candidate_update:outcome:rejected', `post_decision_thanks:${story.principal.id}`]);
    // Its planned time is still ahead: it stays.
    expect(approved.find((f) => f.id === pat.id)).toMatchObject({ status: 'pending', dueAt: '2026-12-07T14:30:00.000Z' });
    expect(json<{ data: FollowUp[] }>(await post(`/v1/interviews/${id}/follow-ups/approve`, {})).data).toEqual([]);

    await deliverDue();
    expect(mailTo(String(story.principal.email))).toEqual([]);
    clock.set('2026-12-07T14:31:00Z');
    await deliverDue();
    const toPat = mailTo(String(story.principal.email));
    expect(toPat.length).toBe(1);
    expect(toPat[0]!.subject).toBe('Thank you for considering me for the 5th grade teacher position');
    expect(mailTo(String(story.teacher.email))).toEqual([]);
    // A re-plan (a reply) does not bring the declined one back.
    await post(`/v1/applications/${story.application.id}/replies`, { channel: 'email', summary: 'Thanks' });
    expect((await ofInterview(id)).filter((f) => f.key === terry.key).map((f) => f.status)).toEqual(['cancelled']);
    const types = await adminPool().query("SELECT type FROM events WHERE tenant_id = $1 AND payload->'data'->>'interviewId' = $2 AND type IN ('followup.approved', 'followup.declined') ORDER BY id", [
      tenant.tenantId,
      id,
    ]);
    expect(types.rows.map((r) => r.type).sort()).toEqual(['followup.approved', 'followup.approved', 'followup.declined']);
  });
});

describe('paused status checks, and steps moved by hand', () => {
  const live = (rows: FollowUp[], key: string) => rows.find((f) => f.key === key && f.status !== 'cancelled')!;

  it('a reply without a date pauses the status checks (nothing goes); a new date re-plans them and they go', async () => {
    const { story, id } = await completed();
    const pat = String(story.principal.email);
    clock.set('2026-12-04T20:00:00Z');
    expect((await post(`/v1/applications/${story.application.id}/replies`, { channel: 'email', summary: 'Thanks, we will be in touch' })).statusCode).toBe(201);
    let rows = await ofInterview(id);
    const paused = rows.filter((f) => f.kind === 'status_check');
    expect(paused.map((f) => [f.key, f.status, f.cancelReason])).toEqual([
      ['status_check:window:1', 'paused', null],
      ['status_check:window:2', 'paused', null],
    ]);
    expect(paused[0]!.holdReason).toBe('the employer replied Fri 2026-12-04 15:00 America/New_York: status checks paused until a new timeline');
    const ev = await adminPool().query("SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'followup.paused' AND payload->'data'->>'interviewId' = $2", [tenant.tenantId, id]);
    expect(ev.rows[0].n).toBe(2);
    // Another reply without a date changes nothing.
    clock.set('2026-12-07T15:00:00Z');
    await post(`/v1/applications/${story.application.id}/replies`, { channel: 'phone', summary: 'Still thinking' });
    expect((await ofInterview(id)).filter((f) => f.kind === 'status_check').map((f) => [f.id, f.status, f.version])).toEqual(paused.map((f) => [f.id, 'paused', f.version]));

    clock.set('2026-12-14T14:31:00Z'); // the first window check's time
    await deliverDue();
    expect(mailTo(pat)).toEqual([]);

    clock.set('2026-12-14T15:00:00Z');
    await post(`/v1/applications/${story.application.id}/replies`, { channel: 'email', summary: 'We decide by the 18th', newDecisionExpectedBy: '2026-12-18' });
    rows = await ofInterview(id);
    expect(rows.filter((f) => f.key.startsWith('status_check:window:')).map((f) => [f.status, f.cancelReason])).toEqual([
      ['cancelled', 'status checks now follow the decision date 2026-12-18 (employer reply of Mon 2026-12-14 10:00 America/New_York)'],
      ['cancelled', 'status checks now follow the decision date 2026-12-18 (employer reply of Mon 2026-12-14 10:00 America/New_York)'],
    ]);
    const check = live(rows, 'status_check:2026-12-18:1');
    expect(check).toMatchObject({ status: 'pending', dueAt: '2026-12-17T14:30:00.000Z', holdReason: null });
    clock.set('2026-12-17T14:31:00Z');
    await deliverDue();
    expect(mailTo(pat).length).toBe(1);
    expect(json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${check.id}`, headers: h() })).status).toBe('sent');
  });

  it('a check-in moved by hand stands when the employer replies, and goes at its time once', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-04T15:00:00Z');
    const checkIn = live(await ofInterview(id), 'recruiter_check_in');
    const moved = await post(`/v1/follow-ups/${checkIn.id}/reschedule`, { dueAt: '2026-12-08T15:00:00Z', reason: 'Pat is away until Tuesday' });
    expect(moved.statusCode, moved.body).toBe(200);
    clock.set('2026-12-04T20:00:00Z');
    await post(`/v1/applications/${story.application.id}/replies`, { channel: 'email', summary: 'Thanks, we will be in touch' });
    expect(json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${checkIn.id}`, headers: h() }))).toMatchObject({ status: 'pending', dueAt: '2026-12-08T15:00:00.000Z' });
    clock.set('2026-12-08T15:01:00Z');
    await deliverDue();
    const got = mailTo(String(story.principal.email));
    expect(got.length).toBe(1);
    expect(got[0]!.from).toMatch(/^"?Agency /);
  });

  it('a check-in moved by hand is cancelled when an outcome makes it pointless, and the timeline says which fact did', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-04T15:00:00Z');
    const checkIn = live(await ofInterview(id), 'recruiter_check_in');
    await post(`/v1/follow-ups/${checkIn.id}/reschedule`, { dueAt: '2026-12-08T15:00:00Z', reason: 'Pat is away until Tuesday' });
    clock.set('2026-12-07T15:00:00Z');
    await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'rejected' });
    const after = json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${checkIn.id}`, headers: h() }));
    expect(after.status).toBe('cancelled');
    expect(after.cancelReason).toBe('outcome rejected logged Mon 2026-12-07 10:00 America/New_York: no recruiter check-in needed any more (it had been moved by hand)');
    const ev = await adminPool().query("SELECT payload->'data'->>'reason' AS reason FROM events WHERE tenant_id = $1 AND type = 'followup.cancelled' AND payload->'data'->>'followUpId' = $2", [
      tenant.tenantId,
      checkIn.id,
    ]);
    expect(ev.rows.map((r) => r.reason)).toEqual([after.cancelReason]);
  });
});

describe('candidate updates wait for a decent hour', () => {
  it('news on a Sunday evening reaches the candidate on Monday at 08:00, once; approved on Sunday, still Monday', async () => {
    const { story, id } = await completed();
    const candidate = String(story.candidate.email);
    clock.set('2026-12-03T18:05:00Z');
    await deliverDue();
    const before = mailTo(candidate).length;
    clock.set('2026-12-06T23:00:00Z'); // Sun 18:00 New York
    await post(`/v1/applications/${story.application.id}/replies`, { channel: 'email', summary: 'Still deciding' });
    await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'rejected' });
    let rows = await ofInterview(id);
    const reply = rows.find((f) => f.key.startsWith('candidate_update:reply:'))!;
    expect(reply).toMatchObject({ status: 'pending', dueAt: '2026-12-07T13:00:00.000Z' });
    expect(reply.reason).toContain('Sun 2026-12-06 is a day off, quiet for candidates: Mon 2026-12-07 08:00 America/New_York');
    const news = rows.find((f) => f.key === 'candidate_update:outcome:rejected')!;
    clock.set('2026-12-06T23:05:00Z');
    const approved = json<FollowUp>(await post(`/v1/follow-ups/${news.id}/approve`, {}));
    expect(approved).toMatchObject({ status: 'pending', dueAt: '2026-12-07T13:00:00.000Z' });
    // Approved before its time: it keeps the rule's time and the rule's why.
    expect(approved.basis?.byHand).toBeUndefined();
    await deliverDue();
    expect(mailTo(candidate).length).toBe(before);
    clock.set('2026-12-07T13:01:00Z');
    await deliverDue();
    expect(mailTo(candidate).length).toBe(before + 2);
    rows = await ofInterview(id);
    expect([reply.id, news.id].map((fid) => rows.find((f) => f.id === fid)!.status)).toEqual(['sent', 'sent']);
  });

  it('with candidateQuietWeekends off, a Sunday afternoon update goes at once; the quiet hours still hold', async () => {
    const own = await newTenant(t.app);
    const put = await t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: bearer(own.token), payload: { candidateQuietWeekends: false } });
    expect(put.statusCode, put.body).toBe(200);
    expectProblem(await t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: bearer(own.token), payload: { candidateQuietWeekends: 'no' } }), 400);
    clock.set('2026-01-05T12:00:00Z');
    const story = await recruitingStory(t.app, own);
    const interview = await scheduledInterview(t.app, own, story);
    clock.set('2026-12-03T16:10:00Z');
    await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: bearer(own.token), payload: {} });
    clock.set('2026-12-06T19:00:00Z'); // Sun 14:00 New York
    await t.app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/replies`, headers: bearer(own.token), payload: { channel: 'email', summary: 'x' } });
    clock.set('2026-12-07T02:30:00Z'); // Sun 21:30 New York: quiet
    await t.app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/replies`, headers: bearer(own.token), payload: { channel: 'phone', summary: 'y' } });
    const rows = json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&kind=candidate_update&limit=100`, headers: bearer(own.token) })).data;
    expect(rows.filter((f) => f.key.startsWith('candidate_update:reply:')).map((f) => f.dueAt)).toEqual(['2026-12-06T19:00:00.000Z', '2026-12-07T13:00:00.000Z']);
  });
});
