import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents, type Job } from 'bullmq';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { createDeps, type Deps } from '../src/deps.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { fixedClock } from '../src/lib/clock.js';
import { deliverJobId, enqueueDelivery } from '../src/modules/followups/followups.jobs.js';
import { bearer, createTestApp, expectProblem, json, newTenant, uniq, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { testConfig } from './helpers/env.js';
import { adminPool, timeline } from './helpers/db.js';
import { pastUndoWindow } from './helpers/undoWindow.js';

// The interviews run Wed 10 Jun 2026 10:00–11:00 New York (14:00–15:00Z) and are completed at
// 11:10: the thank-yous and the "notes sent" update are due at 13:00 New York (17:00Z). No other
// test file plans anything in June 2026, so the every-minute sweep of every tenant finds only ours.
const clock = fixedClock('2026-06-01T12:00:00Z');
const AFTER_DUE = '2026-06-10T17:05:00Z';

interface Received {
  to: string[];
  headers: Record<string, string>;
  body: string;
}

/** The SMTP sink: every accepted message, and per recipient the answers to give first (451, 550). */
function smtpSink() {
  const received: Received[] = [];
  const answers = new Map<string, number[]>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const code = answers.get(address.address.toLowerCase())?.shift();
      if (code) {
        const err = Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const message = { to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), ...parse(Buffer.concat(chunks).toString('utf8')) };
        // The calendar invites of the interviews scheduled here are test/interviews.invites.test.ts's.
        if (!message.headers['x-afterview-invite']) received.push(message);
        callback();
      });
    },
  });
  return {
    received,
    answer: (address: string, codes: number[]) => answers.set(address.toLowerCase(), codes),
    to: (address: string) => received.filter((m) => m.to.includes(address.toLowerCase())),
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.server.address() as AddressInfo).port;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parse(raw: string): Omit<Received, 'to'> {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head!.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = rest.join('\n\n');
  if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) {
    body = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

type FollowUp = Schemas['FollowUp'];
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;
const workerDeps: Deps[] = [];
const running: RunningWorkers[] = [];
let fuEvents: QueueEvents;
let maintenanceEvents: QueueEvents;

beforeAll(async () => {
  const port = await sink.listen();
  const env = { QUEUE_PREFIX: `afterview-fu-delivery-${process.pid}`, SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@agency.example' };
  t = await createTestApp({ clock, env });
  tenant = await newTenant(t.app);
  // Two workers, as two processes would be: each follow-up must still go out once.
  for (let i = 0; i < 2; i++) {
    const deps = createDeps(testConfig(env), { clock });
    workerDeps.push(deps);
    // The sweeps run here by hand, at the injected clock's time: none may start on its own mid-test.
    running.push(await startWorkers(deps, { concurrency: 5, schedules: false }));
  }
  const connection = { url: t.deps.config.REDIS_URL };
  fuEvents = new QueueEvents('followups', { connection, prefix: t.deps.config.QUEUE_PREFIX });
  maintenanceEvents = new QueueEvents('maintenance', { connection, prefix: t.deps.config.QUEUE_PREFIX });
  await Promise.all([fuEvents.waitUntilReady(), maintenanceEvents.waitUntilReady()]);
  fuEvents.on('completed', onCompleted);
});

afterAll(async () => {
  await Promise.all([fuEvents?.close(), maintenanceEvents?.close()]);
  await Promise.all(running.map((w) => w.close()));
  for (const name of ['followups', 'maintenance'] as const) await t.deps.queues.get(name).obliterate({ force: true });
  await Promise.all(workerDeps.map((d) => d.close()));
  await t.close();
  await sink.close();
});

const h = () => bearer(tenant.token);
const ofInterview = async (id: string) => {
  const res = await t.app.inject({ url: `/v1/follow-ups?interviewId=${id}&limit=100`, headers: h() });
  expect(res.statusCode, res.body).toBe(200);
  return json<{ data: FollowUp[] }>(res).data;
};
const getFollowUp = async (id: string) => json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${id}`, headers: h() }));

/** Deliver jobs seen completing, and who waits for which: a job may finish before anyone asks. */
const completedJobs = new Set<string>();
const completionWaiters = new Map<string, () => void>();
const onCompleted = ({ jobId }: { jobId: string }) => {
  completedJobs.add(jobId);
  completionWaiters.get(jobId)?.();
};
const completion = (jobId: string) =>
  new Promise<void>((resolve) => {
    if (completedJobs.has(jobId)) return resolve();
    completionWaiters.set(jobId, resolve);
  });

/**
 * A fresh story whose interview is completed at 11:10 New York; the clock then stands after the
 * notes are due. The update telling the candidate what comes next is due at once: it is enqueued
 * as the completion commits and sent before this returns (`early`, the follow-up sent).
 */
async function completedInterview(): Promise<{ story: Story; interviewId: string; due: FollowUp[]; early: FollowUp }> {
  clock.set('2026-06-01T12:00:00Z');
  const story = await recruitingStory(t.app, tenant);
  const interview = await scheduledInterview(t.app, tenant, story, '2026-06-10T10:00:00-04:00');
  clock.set('2026-06-10T15:10:00Z');
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/interviews/${interview.id}/complete`,
    headers: h(),
    payload: { highlights: 'The demo lesson landed well' },
  });
  expect(res.statusCode, res.body).toBe(200);
  const planned = await ofInterview(interview.id);
  const jobId = deliverJobId(planned.find((f) => f.key === 'candidate_update:completed')!.id, 1);
  const sent = completion(jobId);
  // It leaves when its undo window is over.
  await pastUndoWindow(clock, t.deps.queues.get('followups'), { jobIds: [jobId] });
  await sent;
  const rows = await ofInterview(interview.id);
  const early = rows.find((f) => f.key === 'candidate_update:completed')!;
  expect(early).toMatchObject({ status: 'sent', dueAt: '2026-06-10T15:10:00.000Z', sendsAt: '2026-06-10T15:10:30.000Z', sentAt: '2026-06-10T15:10:31.000Z' });
  clock.set(AFTER_DUE);
  const due = rows.filter((f) => f.channel === 'email' && f.status === 'pending' && f.dueAt <= AFTER_DUE);
  return { story, interviewId: interview.id, due, early };
}

/** Runs the sweep for our tenant `times` times at once and waits for each run. */
async function reconcile(times = 1) {
  const q = t.deps.queues.get('maintenance');
  const jobs = await Promise.all(
    Array.from({ length: times }, () => q.add('followups.reconcile', { tenantId: tenant.tenantId }, { jobId: `reconcile-${uniq()}`, attempts: 1 })),
  );
  return Promise.all(jobs.map((j) => j.waitUntilFinished(maintenanceEvents, 15_000) as Promise<{ enqueued: number }>));
}

async function deliverJob(f: Pick<FollowUp, 'id' | 'version'>): Promise<Job> {
  const job = await t.deps.queues.get('followups').getJob(deliverJobId(f.id, f.version));
  expect(job, `deliver job of ${f.id}`).toBeDefined();
  return job!;
}

/** Resolves when BullMQ moves the job to delayed (a retry waiting for its backoff). */
const nextDelay = (jobId: string) =>
  new Promise<void>((resolve) => {
    const on = ({ jobId: id }: { jobId: string }) => {
      if (id !== jobId) return;
      fuEvents.off('delayed', on);
      resolve();
    };
    fuEvents.on('delayed', on);
  });

const addr = (s: Record<string, unknown>) => String(s.email);

describe('delivering follow-ups', () => {
  it('when the sweep runs after the due time, then each interviewer gets one personal thank-you and the candidate their updates', async () => {
    const { story, due } = await completedInterview();
    expect(due.map((f) => f.key.split(':')[0]).sort()).toEqual(['candidate_update', 'thank_you', 'thank_you']);

    // Twice at once, with two workers: still one job per follow-up version, one message each.
    await reconcile(2);
    const results = await Promise.all(due.map(async (f) => (await deliverJob(f)).waitUntilFinished(fuEvents, 15_000)));
    expect(results.map((r: { outcome: string }) => r.outcome)).toEqual(due.map(() => 'sent'));

    const pat = sink.to(addr(story.principal));
    const terry = sink.to(addr(story.teacher));
    const jordan = sink.to(addr(story.candidate));
    expect([pat.length, terry.length, jordan.length]).toEqual([1, 1, 2]);

    const thanks = due.find((f) => f.recipient.type === 'contact' && f.contactId === story.teacher.id)!;
    expect(terry[0]!.headers).toMatchObject({
      'message-id': `<fu-${thanks.id}@afterview>`,
      'reply-to': expect.stringContaining(tenant.ownerEmail),
      from: expect.stringMatching(/^"?Jordan Lee via Agency .*<followups@agency\.example>$/),
      subject: 'Thank you for the interview for the 5th grade teacher position',
    });
    expect(terry[0]!.body).toMatch(/^Dear Terry Teacher,/);
    expect(terry[0]!.body).toContain('this part of our conversation: loved the reading-corner idea.');
    expect(pat[0]!.body).toMatch(/^Dear Pat Principal,/);
    expect(pat[0]!.body).toContain('this part of our conversation: the demo lesson landed well.');
    for (const m of jordan) {
      expect(m.headers.subject).not.toMatch(/^Draft/);
      expect(m.body).toMatch(/^Hi Jordan,/);
    }

    const sent = await getFollowUp(thanks.id);
    expect(sent).toMatchObject({
      status: 'sent',
      sentAt: AFTER_DUE.replace('Z', '.000Z'),
      version: thanks.version + 1,
      attempts: 1,
      lastError: null,
      messageId: `<fu-${thanks.id}@afterview>`,
      notes: null,
    });
    expect(terry[0]!.headers.date).toBe('Wed, 10 Jun 2026 17:05:00 +0000');
    expect((await timeline(tenant.tenantId, thanks.id)).map((a) => a.event_type)).toEqual(['followup.planned', 'followup.sent']);

    // Again: nothing pending is due, and a replayed job of an old version does nothing.
    expect((await reconcile())[0]!.enqueued).toBe(0);
    await enqueueDelivery(t.deps, { tenantId: tenant.tenantId, id: thanks.id, version: sent.version, dueAt: new Date(AFTER_DUE), undoSeconds: 0, kind: 'thank_you' });
    expect(await (await deliverJob(sent)).waitUntilFinished(fuEvents, 15_000)).toMatchObject({ outcome: 'noop' });
    expect(sink.to(addr(story.teacher))).toHaveLength(1);
  });

  it('when a contact’s email is corrected after planning, then their thank-you goes to the new address', async () => {
    const { story, due } = await completedInterview();
    const thanks = due.find((f) => f.contactId === story.teacher.id && f.kind === 'thank_you')!;
    const corrected = `terry.corrected-${uniq()}@school.example.org`;
    const res = await t.app.inject({ method: 'PATCH', url: `/v1/contacts/${story.teacher.id}`, headers: h(), payload: { email: corrected } });
    expect(res.statusCode, res.body).toBe(200);
    expect((await getFollowUp(thanks.id)).recipient).toMatchObject({ type: 'contact', email: corrected });
    await reconcile();
    expect(await (await deliverJob(thanks)).waitUntilFinished(fuEvents, 15_000)).toMatchObject({ outcome: 'sent' });
    expect(sink.to(corrected)).toHaveLength(1);
    expect(sink.to(addr(story.teacher))).toHaveLength(0);
  });

  it('when a deliver job fires before the due time (clocks disagree), then nothing is sent and the job waits again', async () => {
    const { story, due } = await completedInterview();
    const thanks = due.find((f) => f.kind === 'thank_you' && f.recipient.type === 'contact')!;
    // The clock stands an hour before the note is due, and a job for it fires now.
    clock.set(new Date(Date.parse(thanks.dueAt) - 3_600_000));
    const delayed = nextDelay(deliverJobId(thanks.id, thanks.version));
    // A job that fires now (no delay at all): the one a fast machine clock would run.
    await enqueueDelivery(t.deps, { tenantId: tenant.tenantId, id: thanks.id, version: thanks.version, dueAt: clock.now(), undoSeconds: 0, kind: 'thank_you' });
    await delayed;
    const job = await deliverJob(thanks);
    expect(await job.isDelayed()).toBe(true);
    expect(await getFollowUp(thanks.id)).toMatchObject({ status: 'pending', attempts: 0, sentAt: null });
    expect(sink.to(addr(story.teacher)).length + sink.to(addr(story.principal)).length).toBe(0);
    await job.remove();
    clock.set(AFTER_DUE);
  });

  it('when the candidate gave no relay consent, then the note goes to them as a draft to send', async () => {
    const { story, due } = await completedInterview();
    // Consent withdrawn after planning: the worker checks it again before sending.
    const res = await t.app.inject({ method: 'PATCH', url: `/v1/candidates/${story.candidate.id}`, headers: h(), payload: { relayConsent: false } });
    expect(res.statusCode, res.body).toBe(200);
    await reconcile();
    const thanks = due.filter((f) => f.kind === 'thank_you');
    await Promise.all(thanks.map(async (f) => (await deliverJob(f)).waitUntilFinished(fuEvents, 15_000)));
    expect(sink.to(addr(story.teacher))).toHaveLength(0);
    const drafts = sink.to(addr(story.candidate)).filter((m) => m.headers.subject?.startsWith('Draft to send: '));
    expect(drafts).toHaveLength(2);
    expect(drafts.map((m) => m.body).join('\n')).toContain(`Terry Teacher <${addr(story.teacher)}>`);
  });

  it('when the server answers 451 once, then the note is sent once, on the retry', async () => {
    const { story, due } = await completedInterview();
    sink.answer(addr(story.teacher), [451]);
    const thanks = due.find((f) => f.contactId === story.teacher.id && f.kind === 'thank_you')!;
    const delayed = nextDelay(deliverJobId(thanks.id, thanks.version));
    await reconcile();
    await delayed;
    const between = await getFollowUp(thanks.id);
    expect(between).toMatchObject({ status: 'pending', attempts: 1, messageId: null, notes: null });
    expect(between.lastError).toMatch(/451/);
    const job = await deliverJob(thanks);
    await job.promote();
    expect(await job.waitUntilFinished(fuEvents, 15_000)).toMatchObject({ outcome: 'sent' });
    expect(sink.to(addr(story.teacher))).toHaveLength(1);
    const sent = await getFollowUp(thanks.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, messageId: `<fu-${thanks.id}@afterview>`, notes: null });
    expect(sent.lastError, 'the answer to the failed attempt stays').toMatch(/451/);
  });

  it('when the server answers 550, then the follow-up fails at once with the error visible', async () => {
    const { story, due } = await completedInterview();
    sink.answer(addr(story.principal), [550]);
    const thanks = due.find((f) => f.contactId === story.principal.id && f.kind === 'thank_you')!;
    await reconcile();
    const job = await deliverJob(thanks);
    await expect(job.waitUntilFinished(fuEvents, 15_000)).rejects.toThrow(/550/);
    expect((await t.deps.queues.get('followups').getJob(job.id!))?.attemptsMade).toBe(1);
    const failed = await getFollowUp(thanks.id);
    expect(failed).toMatchObject({ status: 'failed', sentAt: null, attempts: 1, messageId: null, notes: null });
    expect(failed.lastError).toMatch(/550/);
    expect(sink.to(addr(story.principal))).toHaveLength(0);
    expect((await timeline(tenant.tenantId, thanks.id)).map((a) => a.event_type)).toEqual(['followup.planned', 'followup.failed']);
    // Not worth sending again (the address is wrong for good): the recruiter closes it.
    const skipped = await t.app.inject({ method: 'POST', url: `/v1/follow-ups/${thanks.id}/skip`, headers: { ...h(), 'if-match': `"${failed.version}"` }, payload: { reason: 'thanked in person' } });
    expect(skipped.statusCode, skipped.body).toBe(200);
    expect(json<FollowUp>(skipped)).toMatchObject({ status: 'skipped', cancelReason: 'thanked in person' });
  });

  it('when the candidate is erased, then their address, edited texts and mail errors leave events, timeline and follow-ups, and open ones are called off on the timeline', async () => {
    const { story, interviewId, due, early } = await completedInterview();
    const jordan = addr(story.candidate);
    // Sent to them: the event names their address. One to them fails. A later note edited by hand.
    expect(sink.to(jordan).length).toBeGreaterThan(0);
    const update = due.find((f) => f.kind === 'candidate_update')!;
    sink.answer(jordan, [550]);
    await reconcile();
    await expect((await deliverJob(update)).waitUntilFinished(fuEvents, 15_000)).rejects.toThrow(/550/);
    // The thank-yous due now go out first; what stays open is what is not due yet.
    await Promise.all(due.filter((f) => f.id !== update.id).map(async (f) => (await deliverJob(f)).waitUntilFinished(fuEvents, 15_000)));
    const open = (await ofInterview(interviewId)).filter((f) => f.status === 'pending' || f.status === 'queued');
    expect(open.every((f) => f.status === 'pending' && f.dueAt > AFTER_DUE), JSON.stringify(open)).toBe(true);
    const later = open.find((f) => f.channel === 'email')!;
    expect(later, JSON.stringify(open.map((f) => [f.key, f.channel]))).toBeDefined();
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/v1/follow-ups/${later.id}`,
      headers: { ...h(), 'if-match': String(later.version) },
      payload: { subject: 'Jordan Lee is waiting', body: 'Jordan Lee, who lives on Elm Street, would love to hear from you.' },
    });
    expect(edited.statusCode, edited.body).toBe(200);

    const erase = await t.app.inject({ method: 'POST', url: `/v1/candidates/${story.candidate.id}/erase`, headers: h() });
    expect(erase.statusCode, erase.body).toBe(200);

    const personal = [jordan, 'Jordan Lee', 'Elm Street', 'mailbox unavailable'];
    const dump = await adminPool().query(
      `SELECT (SELECT coalesce(json_agg(a)::text, '') FROM activities a WHERE a.candidate_id = $1) AS activity,
              (SELECT coalesce(json_agg(ev.payload)::text, '') FROM events ev WHERE ev.payload->'data'->>'candidateId' = $1::text) AS events,
              (SELECT coalesce(json_agg(f)::text, '') FROM follow_ups f WHERE f.candidate_id = $1) AS follow_ups`,
      [story.candidate.id],
    );
    for (const [where, text] of Object.entries(dump.rows[0] as Record<string, string>)) {
      for (const value of personal) expect(text, `${value} in ${where}`).not.toContain(value);
    }
    // The sent and failed ones keep what happened; each open one is cancelled, on the timeline.
    expect((await getFollowUp(early.id)).status).toBe('sent');
    expect((await getFollowUp(update.id)).status).toBe('failed');
    expect(open.length).toBeGreaterThan(0);
    for (const { id } of open) {
      expect((await getFollowUp(id)).status).toBe('cancelled');
      expect((await timeline(tenant.tenantId, id)).map((a) => a.event_type).at(-1)).toBe('followup.cancelled');
    }
  });

  it('when Redis loses the queued deliver jobs, then the next sweep enqueues them again and each message goes out once', async () => {
    const { story, due, early } = await completedInterview();
    // A minute before the notes are due: the sweep's lookahead enqueues them as delayed jobs.
    const beforeDue = '2026-06-10T16:59:00Z';
    clock.set(beforeDue);
    await reconcile();
    const already = due.filter((f) => f.dueAt <= beforeDue.replace('Z', '.000Z'));
    const waiting = due.filter((f) => !already.includes(f));
    expect(waiting.length).toBeGreaterThan(0);
    // What was already due goes out now; let it finish before Redis loses the rest.
    await Promise.all(already.map(async (f) => (await deliverJob(f)).waitUntilFinished(fuEvents, 15_000)));
    for (const f of waiting) expect(await (await deliverJob(f)).getState()).toBe('delayed');

    // Only this file's queue (its own prefix): other test files share the Redis server.
    const queue = t.deps.queues.get('followups');
    await queue.obliterate({ force: true });
    // Past the due times at once, so that an every-minute sweep now cannot re-add them as delayed jobs.
    clock.set(AFTER_DUE);
    for (const f of waiting) expect(await queue.getJob(deliverJobId(f.id, f.version))).toBeUndefined();
    for (const f of waiting) expect(await getFollowUp(f.id)).toMatchObject({ status: 'pending', attempts: 0 });

    expect((await reconcile())[0]!.enqueued).toBeGreaterThanOrEqual(waiting.length);
    const results = await Promise.all(waiting.map(async (f) => (await deliverJob(f)).waitUntilFinished(fuEvents, 15_000)));
    expect(results.map((r: { outcome: string }) => r.outcome)).toEqual(waiting.map(() => 'sent'));

    // Nothing is left to send, and a sweep after that sends nothing again.
    await reconcile();
    for (const f of due) expect(await getFollowUp(f.id)).toMatchObject({ status: 'sent', attempts: 1, messageId: `<fu-${f.id}@afterview>` });
    expect([sink.to(addr(story.principal)).length, sink.to(addr(story.teacher)).length, sink.to(addr(story.candidate)).length]).toEqual([1, 1, 2]);
    const ids = [story.principal, story.teacher, story.candidate].flatMap((p) => sink.to(addr(p)).map((m) => m.headers['message-id']));
    expect(ids.sort()).toEqual([...due, early].map((f) => `<fu-${f.id}@afterview>`).sort());
  });
});

describe('more delivery paths', () => {
  it('when every job runs twice on two workers (a retry after a timeout, a re-run stalled job), then each message still goes out once', async () => {
    const { story, due } = await completedInterview();
    const queue = t.deps.queues.get('followups');
    // Two jobs per follow-up version under different ids: only the claim in PostgreSQL stands between them.
    const jobs = await Promise.all(
      due.flatMap((f) =>
        ['a', 'b'].map((copy) =>
          queue.add('followups.deliver', { tenantId: tenant.tenantId, followUpId: f.id, version: f.version }, { jobId: `${deliverJobId(f.id, f.version)}-${copy}`, attempts: 1 }),
        ),
      ),
    );
    const outcomes = await Promise.all(jobs.map((j) => j.waitUntilFinished(fuEvents, 15_000) as Promise<{ outcome: string }>));
    expect(outcomes.filter((o) => o.outcome === 'sent')).toHaveLength(due.length);
    expect(outcomes.filter((o) => o.outcome === 'noop')).toHaveLength(due.length);
    expect([sink.to(addr(story.principal)).length, sink.to(addr(story.teacher)).length, sink.to(addr(story.candidate)).length]).toEqual([1, 1, 2]);
    for (const f of due) expect(await getFollowUp(f.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('send-now sends a note before its time, once, from the agency’s own template', async () => {
    // The agency's own wording, saved by the owner before the interview is completed.
    const body = 'Dear {{interviewer}},\n\nThank you for today. {{#highlight}}I keep thinking about {{highlight}}.{{/highlight}}\n\n{{candidate}}';
    const put = await t.app.inject({ method: 'PUT', url: '/v1/follow-up-templates/thank_you.email.candidate', headers: h(), payload: { subject: 'Thank you, {{interviewer}}', body } });
    expect(put.statusCode, put.body).toBe(200);
    try {
      const { story, due } = await completedInterview();
      // Back to an hour and a half before the notes are due.
      clock.set('2026-06-10T15:30:00Z');
      const thanks = due.find((f) => f.kind === 'thank_you' && f.contactId === story.teacher.id)!;
      const done = completion(deliverJobId(thanks.id, thanks.version + 1));
      const res = await t.app.inject({ method: 'POST', url: `/v1/follow-ups/${thanks.id}/send-now`, headers: h(), payload: { reason: 'The principal asked for it' } });
      expect(res.statusCode, res.body).toBe(200);
      const moved = json<FollowUp>(res);
      expect(moved).toMatchObject({ status: 'pending', dueAt: '2026-06-10T15:30:00.000Z', version: thanks.version + 1 });
      expect(moved.reason).toMatch(/^sent now by hand: The principal asked for it \(planned: /);
      // It waits its undo window, then goes.
      expect(moved).toMatchObject({ sendsAt: '2026-06-10T15:30:30.000Z', inUndoWindow: true });
      await pastUndoWindow(clock, t.deps.queues.get('followups'), { jobIds: [deliverJobId(thanks.id, thanks.version + 1)] });
      await done;

      const [mail, ...more] = sink.to(addr(story.teacher));
      expect(more).toHaveLength(0);
      expect(mail!.headers).toMatchObject({ subject: 'Thank you, Terry Teacher', 'message-id': `<fu-${thanks.id}@afterview>` });
      expect(mail!.body.trimEnd()).toBe('Dear Terry Teacher,\n\nThank you for today. I keep thinking about loved the reading-corner idea.\n\nJordan Lee');
      expect(await getFollowUp(thanks.id)).toMatchObject({ status: 'sent', sentAt: '2026-06-10T15:30:31.000Z', attempts: 1 });

      // At the planned time the sweep finds nothing left to send for it; the other note goes out as planned.
      clock.set(AFTER_DUE);
      await reconcile();
      const others = due.filter((f) => f.id !== thanks.id);
      await Promise.all(others.map(async (f) => (await deliverJob(f)).waitUntilFinished(fuEvents, 15_000)));
      expect(sink.to(addr(story.teacher))).toHaveLength(1);
      expect(sink.to(addr(story.principal))[0]!.headers.subject).toBe('Thank you, Pat Principal');

      // Send-now is for a pending email only.
      expectProblem(await t.app.inject({ method: 'POST', url: `/v1/follow-ups/${thanks.id}/send-now`, headers: h(), payload: {} }), 409, 'conflict');
    } finally {
      await t.app.inject({ method: 'DELETE', url: '/v1/follow-up-templates/thank_you.email.candidate', headers: h() });
    }
  });

  it('when the candidate opts out of status updates after planning, then the worker skips their updates and still sends the notes', async () => {
    const { story, due } = await completedInterview();
    const res = await t.app.inject({ method: 'PATCH', url: `/v1/candidates/${story.candidate.id}`, headers: h(), payload: { statusUpdatesOptIn: false } });
    expect(res.statusCode, res.body).toBe(200);
    const before = sink.to(addr(story.candidate)).length;
    // Opting out re-plans nothing by itself: the update is still pending when the worker gets to it.
    const update = due.find((f) => f.kind === 'candidate_update')!;
    await reconcile();
    const results = await Promise.all(due.map(async (f) => (await deliverJob(f)).waitUntilFinished(fuEvents, 15_000) as Promise<{ outcome: string }>));
    expect(results[due.indexOf(update)]).toMatchObject({ outcome: 'skipped', reason: 'the candidate opted out of status updates' });
    expect(sink.to(addr(story.candidate))).toHaveLength(before);
    expect(await getFollowUp(update.id)).toMatchObject({ status: 'skipped', cancelReason: 'the candidate opted out of status updates', sentAt: null, attempts: 0 });
    expect([sink.to(addr(story.principal)).length, sink.to(addr(story.teacher)).length]).toEqual([1, 1]);
  });

  it('a phone step is a task in the recruiter’s due list, never sent; the daily digest at 07:30 their time lists it with what is overdue', async () => {
    const other = await newTenant(t.app);
    const oh = bearer(other.token);
    clock.set('2026-06-01T12:00:00Z');
    const story = await recruitingStory(t.app, other);
    // The recruiter works from Los Angeles; the agency is in New York. No status updates for this candidate.
    const me = await t.app.inject({ method: 'PATCH', url: `/v1/users/${other.ownerId}`, headers: { ...oh, 'if-match': '1' }, payload: { timeZone: 'America/Los_Angeles' } });
    expect(me.statusCode, me.body).toBe(200);
    const optOut = await t.app.inject({ method: 'PATCH', url: `/v1/candidates/${story.candidate.id}`, headers: oh, payload: { statusUpdatesOptIn: false } });
    expect(optOut.statusCode, optOut.body).toBe(200);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/interviews',
      headers: oh,
      payload: {
        applicationId: story.application.id,
        format: 'phone',
        startsAt: '2026-06-10T14:00:00Z',
        endsAt: '2026-06-10T15:00:00Z',
        timeZone: 'America/New_York',
        arrangedVia: 'phone',
        participants: [
          { contactId: story.principal.id, role: 'hiring_manager' },
          { contactId: story.teacher.id, role: 'interviewer' },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const interviewId = json<{ id: string }>(created).id;
    clock.set('2026-06-10T15:10:00Z');
    expect((await t.app.inject({ method: 'POST', url: `/v1/interviews/${interviewId}/complete`, headers: oh, payload: {} })).statusCode).toBe(200);

    // Thu 11 Jun: the timeline request is a call for the recruiter, due 09:30 New York.
    const list = await t.app.inject({ url: `/v1/follow-ups?recruiterId=${other.ownerId}&dueBefore=2026-06-12T00:00:00Z&status=pending`, headers: oh });
    expect(list.statusCode, list.body).toBe(200);
    const rows = json<{ data: FollowUp[] }>(list).data;
    const call = rows.find((f) => f.kind === 'timeline_request')!;
    expect(call).toMatchObject({ channel: 'phone', recipient: { type: 'recruiter', userId: other.ownerId }, dueAt: '2026-06-11T13:30:00.000Z', ownerId: other.ownerId });
    expect(rows.filter((f) => f.kind === 'thank_you').map((f) => f.channel)).toEqual(['email', 'email']);

    const q = t.deps.queues.get('maintenance');
    const tick = async (at: string) => {
      clock.set(at);
      const job = await q.add('followups.digest-tick', { tenantId: other.tenantId }, { jobId: `digest-tick-${uniq()}`, attempts: 1 });
      return (await job.waitUntilFinished(maintenanceEvents, 15_000)) as { enqueued: number };
    };
    // 07:30 in New York is 04:30 in Los Angeles: nothing yet.
    expect(await tick('2026-06-11T11:30:00Z')).toEqual({ enqueued: 0 });
    // 07:30 in Los Angeles; and a quarter of an hour later the same digest is not sent again.
    expect(await tick('2026-06-11T14:30:00Z')).toEqual({ enqueued: 1 });
    const digestJob = await q.getJob(`digest-${other.ownerId}-2026-06-11`);
    expect(await digestJob!.waitUntilFinished(maintenanceEvents, 15_000)).toMatchObject({ outcome: 'sent' });
    expect(await tick('2026-06-11T14:45:00Z')).toEqual({ enqueued: 1 });
    expect(await (await q.getJob(`digest-${other.ownerId}-2026-06-11`))!.getState()).toBe('completed');

    // The sweep past its time does not send it: it stays with the recruiter, overdue.
    clock.set('2026-06-11T14:50:00Z');
    const sweep = await q.add('followups.reconcile', { tenantId: other.tenantId }, { jobId: `reconcile-${uniq()}`, attempts: 1 });
    await sweep.waitUntilFinished(maintenanceEvents, 15_000);
    expect(await t.deps.queues.get('followups').getJob(deliverJobId(call.id, call.version))).toBeUndefined();
    expect(json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${call.id}`, headers: oh }))).toMatchObject({ status: 'pending', overdue: true, attempts: 0 });
    // The thank-yous were due yesterday 17:00Z and this sweep sent them: let them finish.
    const thanks = rows.filter((f) => f.kind === 'thank_you');
    await Promise.all(thanks.map(async (f) => (await deliverJob(f)).waitUntilFinished(fuEvents, 15_000)));

    const digests = sink.to(other.ownerEmail);
    expect(digests).toHaveLength(1);
    const d = digests[0]!;
    expect(d.headers).toMatchObject({ 'message-id': `<digest-${other.ownerId}-2026-06-11@afterview>`, from: expect.stringContaining('followups@agency.example') });
    expect(d.headers.subject).toBe('Your follow-ups for Thursday, June 11: 1 task, 2 overdue');
    expect(d.body).toMatch(/^Good morning Olive,/);
    expect(d.body).toContain('times in America/Los_Angeles');
    // The notes were due yesterday 17:00Z (10:00 in Los Angeles) and no sweep had sent them yet.
    for (const f of thanks) {
      expect(d.body).toContain(`- Wed 10 Jun 10:00  “Thank you for the interview for the 5th grade teacher position” to ${f.recipient.name} (Jordan Lee) [email, ${f.id}]`);
    }
    expect(d.body).toContain('Overdue (2)');
    // The call is due 06:30 Los Angeles today.
    expect(d.body).toContain(`Your tasks today (1)\n- 06:30  Call Pat Principal about the timeline for the 5th grade teacher position (Jordan Lee) [phone, ${call.id}]`);
    const all = json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${interviewId}&limit=100`, headers: oh })).data;
    const checkIn = all.find((f) => f.kind === 'recruiter_check_in')!;
    expect(checkIn).toMatchObject({ channel: 'phone', dueAt: '2026-06-12T13:30:00.000Z' });
    expect(d.body, 'tomorrow’s call is not in today’s digest').not.toContain(checkIn.id);

    // The recruiter turns the digest off for themselves: the next morning brings none.
    const off = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: oh, payload: { dailyDigest: false } });
    expect(off.statusCode, off.body).toBe(200);
    expect(json<{ dailyDigest: boolean }>(off).dailyDigest).toBe(false);
    expect(await tick('2026-06-12T14:30:00Z')).toEqual({ enqueued: 0 });
    expect(await q.getJob(`digest-${other.ownerId}-2026-06-12`)).toBeUndefined();
  });
});
