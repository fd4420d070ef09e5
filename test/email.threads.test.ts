import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from 'bullmq';
import { createDeps, type Deps } from '../src/deps.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { fixedClock } from '../src/lib/clock.js';
import { deliverJobId } from '../src/modules/followups/followups.jobs.js';
import { bearer, createTestApp, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { readMail, smtpSink, type SunkMessage } from './helpers/smtpSink.js';
import { testConfig } from './helpers/env.js';
import { pastUndoWindow } from './helpers/undoWindow.js';

// One conversation per contact and application (docs/email.md). The interview runs Wed 13 Oct 2027
// 10:00–11:00 New York; no other test file plans anything then, so no other sweep sends ours.
const clock = fixedClock('2027-10-06T12:00:00Z');
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;
let workerDeps: Deps;
let running: RunningWorkers;
let events: QueueEvents;

beforeAll(async () => {
  const port = await sink.listen();
  const env = { QUEUE_PREFIX: `afterview-threads-${process.pid}`, SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@agency.example' };
  t = await createTestApp({ clock, env });
  tenant = await newTenant(t.app);
  workerDeps = createDeps(testConfig(env), { clock });
  running = await startWorkers(workerDeps, { concurrency: 2, schedules: false, relay: false });
  events = new QueueEvents('followups', { connection: { url: t.deps.config.REDIS_URL }, prefix: t.deps.config.QUEUE_PREFIX });
  await events.waitUntilReady();
  events.on('completed', ({ jobId, returnvalue }) => onFinished(jobId, (returnvalue as unknown as { outcome: string }).outcome));
  events.on('failed', ({ jobId, failedReason }) => onFinished(jobId, `failed: ${failedReason}`));
});

afterAll(async () => {
  await events?.close();
  await running?.close();
  await t.deps.queues.get('followups').obliterate({ force: true });
  await workerDeps?.close();
  await t.close();
  await sink.close();
});

type FollowUp = Schemas['FollowUp'];
type Thread = Schemas['EmailThread'];
const h = () => bearer(tenant.token);
const ofInterview = async (id: string) =>
  json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${id}&limit=100`, headers: h() })).data;

/** Deliver jobs seen finishing, and who waits for which: a job may finish before anyone asks. */
const finished = new Map<string, string>();
const waiters = new Map<string, (outcome: string) => void>();
const onFinished = (jobId: string, outcome: string) => {
  finished.set(jobId, outcome);
  waiters.get(jobId)?.(outcome);
};
const outcomeOf = (jobId: string) =>
  new Promise<string>((resolve) => {
    const had = finished.get(jobId);
    if (had) return resolve(had);
    waiters.set(jobId, resolve);
  });

/** Sends a follow-up now and waits until the worker has recorded it sent. */
async function sendNow(f: FollowUp) {
  const res = await t.app.inject({ method: 'POST', url: `/v1/follow-ups/${f.id}/send-now`, headers: { ...h(), 'if-match': `"${f.version}"` }, payload: {} });
  expect(res.statusCode, res.body).toBe(200);
  const moved = json<FollowUp>(res);
  const jobId = deliverJobId(f.id, moved.version);
  await pastUndoWindow(clock, t.deps.queues.get('followups'), { jobIds: [jobId] });
  expect(await outcomeOf(jobId)).toBe('sent');
}

const header = (m: SunkMessage, name: string) =>
  new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(m.raw.split(/\r?\n\r?\n/)[0]!)?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim() ?? null;

let story: Story;
let interviewId: string;

describe('one thread per contact and application', () => {
  it('a status check carries In-Reply-To the earlier timeline request to the same contact, References the chain, and Re: the thread’s subject', async () => {
    story = await recruitingStory(t.app, tenant);
    // Entered after it took place: no calendar invites, only the follow-ups at this sink.
    clock.set('2027-10-13T15:10:00Z');
    const interview = await scheduledInterview(t.app, tenant, story, '2027-10-13T10:00:00-04:00');
    interviewId = interview.id;
    const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${interviewId}/complete`, headers: h(), payload: {} });
    expect(done.statusCode, done.body).toBe(200);
    const update = (await ofInterview(interviewId)).find((f) => f.key === 'candidate_update:completed')!;
    await pastUndoWindow(clock, t.deps.queues.get('followups'), { jobIds: [deliverJobId(update.id, update.version)] });
    const candidateUpdate = await sink.for(story.candidate.email as string);

    const rows = await ofInterview(interviewId);
    const principal = story.principal.email as string;
    const byKey = (k: string) => rows.find((f) => f.key === k)!;
    await sendNow(byKey(`thank_you:${story.principal.id}`));
    await sendNow(byKey('timeline_request'));
    await sendNow(byKey('status_check:window:1'));

    const [thanks, timeline, check] = await Promise.all([1, 2, 3].map((n) => sink.nth(principal, n)));
    const subject = readMail(thanks!).subject;
    expect(subject).toBe('Thank you for the interview for the 5th grade teacher position');
    expect(header(thanks!, 'In-Reply-To')).toBeNull();
    expect(header(thanks!, 'References')).toBeNull();

    expect(header(timeline!, 'In-Reply-To')).toBe(thanks!.messageId);
    expect(header(timeline!, 'References')).toBe(thanks!.messageId);
    expect(readMail(timeline!).subject).toBe(`Re: ${subject}`);

    expect(header(check!, 'In-Reply-To')).toBe(timeline!.messageId);
    expect(header(check!, 'References')).toBe(`${thanks!.messageId} ${timeline!.messageId}`);
    expect(readMail(check!).subject).toBe(`Re: ${subject}`);

    // The candidate's conversation is their own: nothing to the principal is quoted in it.
    expect(header(candidateUpdate, 'In-Reply-To')).toBeNull();
    const teacherThanks = byKey(`thank_you:${story.teacher.id}`);
    await sendNow(teacherThanks);
    const toTeacher = await sink.for(story.teacher.email as string);
    expect(header(toTeacher, 'In-Reply-To')).toBeNull();
    expect(readMail(toTeacher).subject).toBe(subject);
  });

  it('GET /v1/applications/{id}/messages shows each thread with its messages in order; each follow-up shows its thread', async () => {
    const res = await t.app.inject({ url: `/v1/applications/${story.application.id}/messages`, headers: h() });
    expect(res.statusCode, res.body).toBe(200);
    const threads = json<{ data: Thread[] }>(res).data;
    expect(threads.map((x) => x.with.type)).toEqual(['candidate', 'contact', 'contact']);
    const withPrincipal = threads.find((x) => x.with.contactId === story.principal.id)!;
    expect(withPrincipal.with).toMatchObject({ name: 'Pat Principal', email: story.principal.email });
    expect(withPrincipal.messages.map((m) => m.kind)).toEqual(['thank_you', 'timeline_request', 'status_check']);
    expect(withPrincipal.messages.map((m) => m.status)).toEqual(['sent', 'sent', 'sent']);
    const [first, second, third] = withPrincipal.messages;
    expect(second!.inReplyTo).toBe(first!.messageId);
    expect(third!.references).toBe(`${first!.messageId} ${second!.messageId}`);
    expect(threads[0]!.messages.map((m) => m.kind)).toEqual(['candidate_update']);

    const thread = await t.app.inject({ url: `/v1/follow-ups/${third!.followUpId}/thread`, headers: h() });
    expect(thread.statusCode, thread.body).toBe(200);
    expect(json<{ thread: Thread }>(thread).thread.id).toBe(withPrincipal.id);
    const planned = (await ofInterview(interviewId)).find((f) => f.status === 'pending' && f.channel === 'email')!;
    expect(json<{ thread: Thread | null }>(await t.app.inject({ url: `/v1/follow-ups/${planned.id}/thread`, headers: h() })).thread).toBeNull();
  });

  it('an answer that quotes the thread only in References (no In-Reply-To) is matched to the latest message it names', async () => {
    const secret = json<{ secret: string }>(await t.app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: h() })).secret;
    const threads = json<{ data: Thread[] }>(await t.app.inject({ url: `/v1/applications/${story.application.id}/messages`, headers: h() })).data;
    const msgs = threads.find((x) => x.with.contactId === story.principal.id)!.messages;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/inbound/email',
      headers: { authorization: `Bearer ${secret}` },
      payload: {
        from: `Pat Principal <${story.principal.email}>`,
        subject: `Re: ${msgs[0]!.subject}`,
        text: 'We will decide by the end of the month.',
        references: msgs.map((m) => m.messageId).join(' '),
      },
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(json<Schemas['InboundReply']>(res)).toMatchObject({ status: 'matched', followUpId: msgs[2]!.followUpId, applicationId: story.application.id });
  });
});
