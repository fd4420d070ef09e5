import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeps, type Deps } from '../src/deps.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { reconcileFollowUps } from '../src/modules/followups/followups.jobs.js';
import { deliverFollowUp } from '../src/modules/followups/followups.delivery.js';
import { bearer, createTestApp, expectProblem, json, newTenant, uniq, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { adminPool } from './helpers/db.js';
import { testConfig } from './helpers/env.js';
import { readMail, smtpSink } from './helpers/smtpSink.js';
import { dueEmails } from './helpers/dueEmails.js';
import { fixedClock } from '../src/lib/clock.js';

// Issue 16, items 2 and 6, through the API with the injected clock, a worker and the SMTP sink:
// every email waits its undo window (30 s by default) before it leaves, and may be undone in it;
// a contact's timeline requests, check-ins and status checks due the same day go as one email.
// The interviews run Thu 3 Dec 2026 10:00–11:00 New York (15:00–16:00Z); the thank-yous are due
// 13:00 (18:00Z), so they leave at 18:00:30Z.
const clock = fixedClock('2026-11-26T12:00:00Z');
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;
let workerDeps: Deps;
let worker: RunningWorkers;

beforeAll(async () => {
  const port = await sink.listen();
  const env = { QUEUE_PREFIX: `afterview-fu-undo-${process.pid}`, SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@agency.example' };
  t = await createTestApp({ clock, env });
  tenant = await newTenant(t.app);
  workerDeps = createDeps(testConfig(env), { clock });
  worker = await startWorkers(workerDeps, { concurrency: 5, schedules: false });
});
afterAll(async () => {
  await worker?.close();
  await workerDeps?.close();
  await t.close();
  await sink.close();
});

/**
 * Sends what leaves by the clock's time, and nothing else: delayed jobs are dropped, the sweep
 * adds the due ones again (a job still inside its window waits again by itself), and those BullMQ
 * holds as delayed run now. Waits until the worker has done them all.
 */
async function sweep(tenantId = tenant.tenantId) {
  const q = t.deps.queues.get('followups');
  await q.drain(true);
  await reconcileFollowUps(workerDeps, { tenantId });
  await q.promoteJobs();
  await vi.waitFor(
    async () => {
      const c = await q.getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(c).some((n) => n > 0)) throw new Error(`jobs left: ${JSON.stringify(c)}`);
    },
    { timeout: 15_000, interval: 50 },
  );
}

const mailTo = (address: unknown) => sink.received.filter((m) => m.to.includes(String(address).toLowerCase()));

type FollowUp = Schemas['FollowUp'];
const h = (token?: string) => bearer(token ?? tenant.token);
const post = (url: string, payload: object, headers: Record<string, string> = h()) => t.app.inject({ method: 'POST', url, headers, payload });
const get = async (id: string) => json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${id}`, headers: h() }));
const ofInterview = async (id: string, token?: string) => {
  const res = await t.app.inject({ url: `/v1/follow-ups?interviewId=${id}&limit=100`, headers: h(token) });
  expect(res.statusCode, res.body).toBe(200);
  return json<{ data: FollowUp[] }>(res).data;
};
const events = async (type: string, followUpId: string) =>
  (
    await adminPool().query("SELECT payload->'data' AS data FROM events WHERE type = $1 AND payload->'data'->>'followUpId' = $2 ORDER BY id", [type, followUpId])
  ).rows.map((r) => r.data);

/** A fresh story with its interview completed at 11:10 New York. */
async function completed(extra: object = {}): Promise<{ story: Story; id: string }> {
  clock.set('2026-01-05T12:00:00Z');
  const story = await recruitingStory(t.app, tenant);
  const interview = await scheduledInterview(t.app, tenant, story);
  clock.set('2026-12-03T16:10:00Z');
  const res = await post(`/v1/interviews/${interview.id}/complete`, extra);
  expect(res.statusCode, res.body).toBe(200);
  return { story, id: interview.id };
}

describe('the undo window', () => {
  it('an email that fell due waits its window: undone inside it, nothing arrives; the other goes once', async () => {
    const { story, id } = await completed();
    const rows = await ofInterview(id);
    const pat = rows.find((f) => f.key === `thank_you:${story.principal.id}`)!;
    const terry = rows.find((f) => f.key === `thank_you:${story.teacher.id}`)!;
    expect(pat).toMatchObject({ dueAt: '2026-12-03T18:00:00.000Z', sendsAt: '2026-12-03T18:00:30.000Z', undoSeconds: 30, inUndoWindow: false });

    // Before its due time there is nothing to undo yet (cancel is for that): 409, nothing changed.
    const early = expectProblem(await post(`/v1/follow-ups/${pat.id}/undo`, {}), 409, 'conflict');
    expect(early.detail).toMatch(/not due yet/);

    clock.set('2026-12-03T18:00:10Z');
    // Due: the sweep hands both to the worker, which does not send inside the window.
    await sweep();
    expect(mailTo(story.principal.email)).toEqual([]);
    const due = await get(pat.id);
    expect(due).toMatchObject({ status: 'pending', inUndoWindow: true, overdue: true });

    expectProblem(await post(`/v1/follow-ups/${pat.id}/undo`, {}, { ...h(), 'if-match': `"${due.version + 5}"` }), 412);
    const res = await post(`/v1/follow-ups/${pat.id}/undo`, { reason: 'Pat left the school' }, { ...h(), 'if-match': `"${due.version}"` });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<FollowUp>(res)).toMatchObject({ status: 'cancelled', inUndoWindow: false, cancelReason: 'undone by Olive Owner: Pat left the school' });
    expect(await events('followup.undone', pat.id)).toEqual([
      expect.objectContaining({ key: pat.key, kind: 'thank_you', status: 'cancelled', sendsAt: '2026-12-03T18:00:30.000Z', reason: 'Pat left the school' }),
    ]);

    clock.set('2026-12-03T18:00:31Z');
    await sweep();
    expect(mailTo(story.principal.email)).toEqual([]);
    expect(mailTo(story.teacher.email).length).toBe(1);
    expect(await get(terry.id)).toMatchObject({ status: 'sent', sentAt: '2026-12-03T18:00:31.000Z' });

    // Re-planning (a reply) does not bring the undone one back; undoing it again is a 409.
    await post(`/v1/applications/${story.application.id}/replies`, { channel: 'email', summary: 'Thanks' });
    expect((await ofInterview(id)).filter((f) => f.key === pat.key).map((f) => f.status)).toEqual(['cancelled']);
    expectProblem(await post(`/v1/follow-ups/${pat.id}/undo`, {}), 409, 'conflict');
    await sweep();
    expect(mailTo(story.principal.email)).toEqual([]);
  });

  it('after the window an undo is a 409 naming the state, nothing changes, and the message arrives once', async () => {
    const { story, id } = await completed();
    const pat = (await ofInterview(id)).find((f) => f.key === `thank_you:${story.principal.id}`)!;
    clock.set('2026-12-03T18:00:30Z');
    const late = expectProblem(await post(`/v1/follow-ups/${pat.id}/undo`, {}), 409, 'conflict');
    expect(late).toMatchObject({ followUpStatus: 'pending', sendsAt: '2026-12-03T18:00:30.000Z' });
    expect(late.detail).toMatch(/undo window closed at 2026-12-03T18:00:30.000Z/);
    expect((await get(pat.id)).version).toBe(pat.version);
    await sweep();
    expect(mailTo(story.principal.email).length).toBe(1);
    const sent = expectProblem(await post(`/v1/follow-ups/${pat.id}/undo`, {}), 409, 'conflict');
    expect(sent).toMatchObject({ followUpStatus: 'sent', detail: expect.stringMatching(/^A sent follow-up cannot be undone/) });
    await sweep();
    expect(mailTo(story.principal.email).length).toBe(1);
    expect(await events('followup.undone', pat.id)).toEqual([]);
  });

  it('Send now waits the window too; undone, it is back at its planned time, and goes then, once', async () => {
    const { story, id } = await completed();
    const pat = (await ofInterview(id)).find((f) => f.key === `thank_you:${story.principal.id}`)!;
    clock.set('2026-12-03T16:30:00Z');
    const now = json<FollowUp>(await post(`/v1/follow-ups/${pat.id}/send-now`, {}, { ...h(), 'if-match': `"${pat.version}"` }));
    expect(now).toMatchObject({ status: 'pending', dueAt: '2026-12-03T16:30:00.000Z', sendsAt: '2026-12-03T16:30:30.000Z', inUndoWindow: true });
    clock.set('2026-12-03T16:30:20Z');
    await sweep();
    expect(mailTo(story.principal.email)).toEqual([]);

    const undone = await post(`/v1/follow-ups/${pat.id}/undo`, {}, { ...h(), 'if-match': `"${now.version}"` });
    expect(undone.statusCode, undone.body).toBe(200);
    expect(json<FollowUp>(undone)).toMatchObject({ status: 'pending', dueAt: pat.dueAt, reason: pat.reason, sendsAt: '2026-12-03T18:00:30.000Z', cancelReason: null });
    expect(await events('followup.undone', pat.id)).toEqual([expect.objectContaining({ status: 'pending', restored: 'send_now' })]);
    clock.set('2026-12-03T16:31:00Z');
    await sweep();
    expect(mailTo(story.principal.email)).toEqual([]);

    clock.set('2026-12-03T18:00:31Z');
    await sweep();
    expect(mailTo(story.principal.email).length).toBe(1);
    expect(await get(pat.id)).toMatchObject({ status: 'sent', sentAt: '2026-12-03T18:00:31.000Z' });

    // Sent now and left alone, it goes once the window is over.
    const terry = (await ofInterview(id)).find((f) => f.key === `thank_you:${story.teacher.id}`)!;
    expect(terry.status).toBe('sent');
  });

  it('Send now twice inside the window, then undo: back to the planned time and why, not to the first Send now', async () => {
    const { story, id } = await completed();
    const pat = (await ofInterview(id)).find((f) => f.key === `thank_you:${story.principal.id}`)!;
    clock.set('2026-12-03T16:30:00Z');
    const first = json<FollowUp>(await post(`/v1/follow-ups/${pat.id}/send-now`, {}, { ...h(), 'if-match': `"${pat.version}"` }));
    clock.set('2026-12-03T16:30:10Z');
    const second = json<FollowUp>(await post(`/v1/follow-ups/${pat.id}/send-now`, {}, { ...h(), 'if-match': `"${first.version}"` }));
    expect(second).toMatchObject({ status: 'pending', inUndoWindow: true });
    const undone = await post(`/v1/follow-ups/${pat.id}/undo`, {}, { ...h(), 'if-match': `"${second.version}"` });
    expect(undone.statusCode, undone.body).toBe(200);
    expect(json<FollowUp>(undone)).toMatchObject({ status: 'pending', dueAt: pat.dueAt, reason: pat.reason, basis: pat.basis, cancelReason: null });
    clock.set('2026-12-03T16:31:00Z');
    await sweep();
    expect(mailTo(story.principal.email)).toEqual([]);
  });

  it('erasing the candidate also forgets what an undo would have put back', async () => {
    const { story, id } = await completed();
    const pat = (await ofInterview(id)).find((f) => f.key === `thank_you:${story.principal.id}`)!;
    clock.set('2026-12-03T16:30:00Z');
    await post(`/v1/follow-ups/${pat.id}/send-now`, { reason: 'Jordan asked for it today' }, { ...h(), 'if-match': `"${pat.version}"` });
    expect((await adminPool().query('SELECT undo_to FROM follow_ups WHERE id = $1', [pat.id])).rows[0].undo_to).not.toBeNull();
    const erased = await post(`/v1/candidates/${story.candidate.id}/erase`, {});
    expect(erased.statusCode, erased.body).toBeLessThan(300);
    expect((await adminPool().query('SELECT undo_to FROM follow_ups WHERE id = $1', [pat.id])).rows[0].undo_to).toBeNull();
  });

  it('a stale note sent now and undone is stale again; an approval undone waits for approval again', async () => {
    clock.set('2026-01-05T12:00:00Z');
    const story = await recruitingStory(t.app, tenant);
    const interview = await scheduledInterview(t.app, tenant, story, '2026-03-05T10:00:00-05:00');
    clock.set('2026-12-03T16:10:00Z');
    expect((await post(`/v1/interviews/${interview.id}/complete`, {})).statusCode).toBe(200);
    const note = (await ofInterview(interview.id)).find((f) => f.key === `thank_you:${story.principal.id}`)!;
    expect(note.status).toBe('stale');
    clock.set('2026-12-03T16:20:00Z');
    const now = json<FollowUp>(await post(`/v1/follow-ups/${note.id}/send-now`, {}));
    expect(now).toMatchObject({ status: 'pending', holdReason: null, inUndoWindow: true });
    const back = json<FollowUp>(await post(`/v1/follow-ups/${note.id}/undo`, {}));
    expect(back).toMatchObject({ status: 'stale', holdReason: note.holdReason, dueAt: note.dueAt });
    clock.set('2026-12-03T16:21:00Z');
    await sweep();
    expect(mailTo(story.principal.email)).toEqual([]);

    // Rejected: the candidate's news waits for approval; approved after its time, it is due now.
    const { story: s2, id } = await completed();
    clock.set('2026-12-07T15:00:00Z');
    expect((await post(`/v1/applications/${s2.application.id}/outcomes`, { kind: 'rejected' })).statusCode).toBe(201);
    const news = (await ofInterview(id)).find((f) => f.key === 'candidate_update:outcome:rejected')!;
    expect(news.status).toBe('awaiting_approval');
    clock.set('2026-12-07T15:05:00Z');
    const approved = json<FollowUp>(await post(`/v1/follow-ups/${news.id}/approve`, {}));
    expect(approved).toMatchObject({ status: 'pending', dueAt: '2026-12-07T15:05:00.000Z', sendsAt: '2026-12-07T15:05:30.000Z', inUndoWindow: true });
    const before = mailTo(s2.candidate.email).length;
    clock.set('2026-12-07T15:05:29Z');
    const again = json<FollowUp>(await post(`/v1/follow-ups/${news.id}/undo`, {}));
    expect(again).toMatchObject({ status: 'awaiting_approval', approvedAt: null, approvedBy: null, holdReason: news.holdReason });
    clock.set('2026-12-07T15:06:00Z');
    await sweep();
    expect(mailTo(s2.candidate.email).length).toBe(before);
  });

  it('undo and the worker’s claim race for the row: one wins, never both', async () => {
    clock.set('2026-12-03T16:00:00Z');
    const ids = await dueEmails(t, tenant, 8, { dueAt: new Date('2026-12-03T16:00:00Z') });
    // Half a second before they leave: inside the window for the undo, inside the claim's 1 s slack for the worker.
    clock.set('2026-12-03T16:00:29.500Z');
    const before = sink.received.length;
    const outcomes = await Promise.all(
      ids.map(async (id) => {
        const f = await get(id);
        const [undo, delivery] = await Promise.all([
          post(`/v1/follow-ups/${id}/undo`, {}),
          deliverFollowUp(workerDeps, { tenantId: tenant.tenantId, followUpId: id, version: f.version, kind: f.kind }, { number: 1, of: 7 }),
        ]);
        const after = await get(id);
        const sent = sink.received.filter((m) => m.messageId === `<fu-${id}@afterview>`).length;
        if (undo.statusCode === 200) {
          expect(delivery.outcome, id).toBe('noop');
          expect([after.status, sent]).toEqual(['cancelled', 0]);
          return 'undo';
        }
        expect(expectProblem(undo, 409, 'conflict')).toMatchObject({ followUpStatus: expect.stringMatching(/^(queued|sent)$/) });
        expect(delivery.outcome, id).toBe('sent');
        expect([after.status, sent]).toEqual(['sent', 1]);
        expect(await events('followup.undone', id)).toEqual([]);
        return 'claim';
      }),
    );
    expect(outcomes.length).toBe(8);
    expect(sink.received.length - before).toBe(outcomes.filter((o) => o === 'claim').length);
  });

  it('the window is a playbook setting, 0 to 600 seconds', async () => {
    const own = await newTenant(t.app);
    const bad = await t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: h(own.token), payload: { undoSeconds: 601 } });
    expect(expectProblem(bad, 400, 'validation_failed').errors?.map((e) => e.field)).toEqual(['body.undoSeconds']);
    const ok = await t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: h(own.token), payload: { undoSeconds: 120 } });
    expect(json<Schemas['Playbook']>(ok)).toMatchObject({ undoSeconds: 120, combinePerContact: true });
    clock.set('2026-01-05T12:00:00Z');
    const story = await recruitingStory(t.app, own);
    const interview = await scheduledInterview(t.app, own, story);
    clock.set('2026-12-03T16:10:00Z');
    await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: h(own.token), payload: {} });
    const note = (await ofInterview(interview.id, own.token)).find((f) => f.key === `thank_you:${story.principal.id}`)!;
    expect(note).toMatchObject({ undoSeconds: 120, sendsAt: '2026-12-03T18:02:00.000Z' });
    clock.set('2026-12-03T18:01:50Z');
    await sweep(own.tenantId);
    expect(mailTo(story.principal.email)).toEqual([]);
    clock.set('2026-12-03T18:02:00Z');
    await sweep(own.tenantId);
    expect(mailTo(story.principal.email).length).toBe(1);
  });
});

describe('one email per contact per day', () => {
  const NAMES = ['Jordan Lee', 'Sam Park', 'Alex Kim'];

  /**
   * Three candidates interviewed by Pat (hiring manager) for one school, each interview completed
   * with its decision date: the status checks go to Pat 1 business day before (09:30 New York).
   */
  async function threeWithPat(decisions: string[]) {
    clock.set('2026-01-05T12:00:00Z');
    const story = await recruitingStory(t.app, tenant);
    const stories: Story[] = [story];
    for (const name of NAMES.slice(1)) {
      const candidate = json<Story['candidate']>(
        await post('/v1/candidates', { name, email: `${name.split(' ')[0]!.toLowerCase()}-${uniq()}@example.org`, relayConsent: true }),
      );
      const application = json<Story['application']>(await post('/v1/applications', { candidateId: candidate.id, positionId: story.position.id }));
      stories.push({ ...story, candidate, application });
    }
    const interviews = [];
    for (const s of stories) interviews.push(await scheduledInterview(t.app, tenant, s));
    clock.set('2026-12-03T16:10:00Z');
    for (const [i, interview] of interviews.entries()) {
      const res = await post(`/v1/interviews/${interview.id}/complete`, { decisionExpectedBy: decisions[i] });
      expect(res.statusCode, res.body).toBe(200);
    }
    const checks: FollowUp[] = [];
    for (const interview of interviews) {
      checks.push((await ofInterview(interview.id, tenant.token)).find((f) => f.kind === 'status_check' && f.key.endsWith(':1'))!);
    }
    return { story, stories, checks };
  }

  it('three status checks to one principal on one day go as one email naming each candidate, each with its answer link; each follow-up records it', async () => {
    const { story, stories, checks } = await threeWithPat(['2026-12-18', '2026-12-18', '2026-12-18']);
    expect(checks.map((c) => c.dueAt)).toEqual(Array(3).fill('2026-12-17T14:30:00.000Z'));
    clock.set('2026-12-17T14:31:00Z');
    await sweep();
    const got = mailTo(story.principal.email);
    expect(got.length).toBe(1);
    const mail = readMail(got[0]!);
    expect(mail.subject).toBe('Following up on Jordan Lee, Sam Park and Alex Kim');
    expect(mail.from).toMatch(/^"?Agency /);
    for (const name of NAMES) expect(mail.text).toContain(`- ${name}, 5th grade teacher: you hoped to decide around Friday, December 18`);
    const links = [...mail.text.matchAll(/To answer in one click: (\S+)/g)].map((m) => m[1]);
    expect(new Set(links).size).toBe(3);

    const after = await Promise.all(checks.map((c) => get(c.id)));
    expect(after.map((f) => f.status)).toEqual(['sent', 'sent', 'sent']);
    expect(new Set(after.map((f) => f.messageId))).toEqual(new Set([got[0]!.messageId]));
    const sentEvents = await Promise.all(checks.map((c) => events('followup.sent', c.id)));
    expect(sentEvents.map((e) => e.length)).toEqual([1, 1, 1]);
    expect(sentEvents[0]![0]).toMatchObject({ messageId: got[0]!.messageId, combined: expect.arrayContaining(checks.map((c) => c.id)) });

    // Each application's thread with Pat lists it; it continues none of them.
    for (const s of stories) {
      const threads = json<{ data: Schemas['EmailThread'][] }>(await t.app.inject({ url: `/v1/applications/${s.application.id}/messages`, headers: h() })).data;
      const withPat = threads.find((x) => x.with.contactId === story.principal.id)!;
      const combined = withPat.messages.filter((m) => m.combined);
      expect(combined.map((m) => [m.messageId, m.inReplyTo, m.subject, m.status])).toEqual([[got[0]!.messageId, null, mail.subject, 'sent']]);
    }

    // Pat answers it: the reply is recorded on each of the three applications.
    const secret = json<{ secret: string }>(await post('/v1/inbound/secret', {})).secret;
    const inbound = await post(
      '/v1/inbound/email',
      { from: `Pat Principal <${story.principal.email}>`, subject: `Re: ${mail.subject}`, text: 'We will decide all three by Monday.', inReplyTo: got[0]!.messageId },
      { authorization: `Bearer ${secret}` },
    );
    expect(inbound.statusCode, inbound.body).toBe(202);
    expect(json<Schemas['InboundReply']>(inbound).status).toBe('matched');
    for (const s of stories) {
      const replies = json<{ data: { summary: string }[] }>(await t.app.inject({ url: `/v1/applications/${s.application.id}/replies`, headers: h() })).data;
      expect(replies.map((r) => r.summary), s.candidate.name as string).toEqual(['We will decide all three by Monday.']);
    }
  });

  it('an undo of one of them inside the window takes it out of the combined email', async () => {
    const { story, checks } = await threeWithPat(['2026-12-18', '2026-12-18', '2026-12-18']);
    clock.set('2026-12-17T14:30:10Z');
    expect((await post(`/v1/follow-ups/${checks[1]!.id}/undo`, {})).statusCode).toBe(200);
    clock.set('2026-12-17T14:30:31Z');
    await sweep();
    const got = mailTo(story.principal.email);
    expect(got.length).toBe(1);
    const mail = readMail(got[0]!);
    expect(mail.subject).toBe('Following up on Jordan Lee and Alex Kim');
    expect(mail.text).not.toContain('Sam Park');
    expect((await Promise.all(checks.map((c) => get(c.id)))).map((f) => f.status)).toEqual(['sent', 'cancelled', 'sent']);
  });

  it('on different days they go separately: one email per day', async () => {
    const { story, checks } = await threeWithPat(['2026-12-18', '2026-12-18', '2026-12-21']);
    // Thu 17 Dec for the first two, Fri 18 Dec for the third.
    expect(checks.map((c) => c.dueAt)).toEqual(['2026-12-17T14:30:00.000Z', '2026-12-17T14:30:00.000Z', '2026-12-18T14:30:00.000Z']);
    clock.set('2026-12-17T14:31:00Z');
    await sweep();
    expect(mailTo(story.principal.email).map((m) => readMail(m).subject)).toEqual(['Following up on Jordan Lee and Sam Park']);
    clock.set('2026-12-18T14:31:00Z');
    await sweep();
    const got = mailTo(story.principal.email);
    expect(got.length).toBe(2);
    // The third alone: the status check's own template, in its own thread.
    expect(readMail(got[1]!).subject).toBe('Following up on the 5th grade teacher position');
    expect((await get(checks[2]!.id)).messageId).toBe(`<fu-${checks[2]!.id}@afterview>`);
  });

  it('with combinePerContact off, each goes as its own email', async () => {
    const own = await newTenant(t.app);
    const put = await t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: h(own.token), payload: { combinePerContact: false } });
    expect(put.statusCode, put.body).toBe(200);
    const saved = tenant;
    tenant = own;
    try {
      const { story, checks } = await threeWithPat(['2026-12-18', '2026-12-18', '2026-12-18']);
      clock.set('2026-12-17T14:31:00Z');
      await sweep(own.tenantId);
      const got = mailTo(story.principal.email);
      expect(got.length).toBe(3);
      expect(new Set(got.map((m) => m.messageId))).toEqual(new Set(checks.map((c) => `<fu-${c.id}@afterview>`)));
    } finally {
      tenant = saved;
    }
  });
});
