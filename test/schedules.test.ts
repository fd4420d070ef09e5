import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { createDeps, type Deps } from '../src/deps.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { ensureSchedules, missingSchedules } from '../src/jobs/schedules.js';
import { jobRegistry } from '../src/jobs/registry.js';
import type { Clock } from '../src/lib/clock.js';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { testConfig } from './helpers/env.js';
import { recruitingStory, scheduledInterview } from './helpers/story.js';
import { smtpSink } from './helpers/smtpSink.js';
import { freePort, killRedis, startRedis } from './helpers/redisServer.js';

/**
 * PostgreSQL is the truth; Redis only carries jobs and schedules. Losing Redis (FLUSHALL, a restart
 * without persistence, an outage) must not stop a follow-up email, and must not need a worker
 * restart. The Redis here is a private redis-server of this file's own; the worker runs with its
 * production settings (SCHEDULE_CHECK_MS at its default). Redis's timers are real, so the clock
 * is too, shifted to March 2031 where no other test file plans anything (every worker's sweep
 * reads every agency of the test database).
 */
const SHIFT = Date.parse('2031-03-04T15:30:00Z') - Date.now();
const clock: Clock = { now: () => new Date(Date.now() + SHIFT) };
/** How late "on time" may be: well inside the minute of the sweep a lost job would wait for. */
const ON_TIME_MS = 10_000;

type FollowUp = Schemas['FollowUp'];
const sink = smtpSink();
let port: number;
let redis: ChildProcess;
let t: TestApp;
let tenant: TestTenant;
let workerDeps: Deps;
let worker: RunningWorkers;
let env: Record<string, string>;

beforeAll(async () => {
  port = await freePort();
  redis = await startRedis(port);
  env = {
    REDIS_URL: `redis://127.0.0.1:${port}`,
    QUEUE_PREFIX: `afterview-schedules-${process.pid}`,
    SMTP_URL: `smtp://127.0.0.1:${await sink.listen()}`,
    // A worker whose Redis restarted can wait forever to close (taskforcesh/bullmq#4656): not the whole default grace.
    SHUTDOWN_GRACE_MS: '1000',
  };
  t = await createTestApp({ clock, env });
  tenant = await newTenant(t.app);
  // The clock here is real time: a 1 s undo window rather than 30 s of waiting in every test (the
  // window itself is tested in test/followups.undo.test.ts). "On time" counts from the moment an
  // email leaves, its due time plus the window.
  const pb = await t.app.inject({ method: 'PUT', url: '/v1/playbook', headers: h(), payload: { undoSeconds: 1 } });
  expect(pb.statusCode, pb.body).toBe(200);
  workerDeps = createDeps(testConfig(env), { clock });
  worker = await startWorkers(workerDeps, { concurrency: 5 });
}, 60_000);

afterAll(async () => {
  // Redis back first: a worker closes cleanly only with it.
  if (redis.exitCode !== null || redis.signalCode !== null) redis = await startRedis(port);
  await worker?.close();
  await workerDeps?.close();
  await t?.close();
  await killRedis(redis);
  await sink.close();
});

const h = () => bearer(tenant.token);
const getFollowUp = async (id: string) => json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${id}`, headers: h() }));
const flushAll = async () => {
  const client = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  try {
    await client.flushall();
  } finally {
    client.disconnect();
  }
};

/** An interview that ended ten minutes ago; its two thank-yous (to Pat and Terry) are still pending, due at noon New York. */
async function thankYous() {
  const story = await recruitingStory(t.app, tenant);
  const end = clock.now().getTime() - 10 * 60_000;
  const interview = await scheduledInterview(t.app, tenant, story, new Date(end - 3600_000).toISOString());
  const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: h(), payload: {} });
  expect(done.statusCode, done.body).toBe(200);
  const list = json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&limit=100`, headers: h() })).data;
  const to = (email: unknown) => list.find((f) => f.kind === 'thank_you' && f.recipient.email === email)!;
  const pending = [to(story.principal.email), to(story.teacher.email)];
  for (const f of pending) expect(f).toMatchObject({ status: 'pending', channel: 'email' });
  return pending;
}

/** Moves a follow-up to `inMs` from now; the API hands its job to Redis as the change commits (when it can). */
async function dueIn(f: FollowUp, inMs: number) {
  const dueAt = new Date(clock.now().getTime() + inMs).toISOString();
  const res = await t.app.inject({ method: 'POST', url: `/v1/follow-ups/${f.id}/reschedule`, headers: h(), payload: { dueAt, reason: 'Redis loss test' } });
  expect(res.statusCode, res.body).toBe(200);
  return json<FollowUp>(res);
}

/** Waits for the email to `address`, then checks it went once, on time, and the follow-up says so. */
async function sentOnTime(f: FollowUp, address: string) {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no email to ${address} within ${ON_TIME_MS} ms of its sending time`)), new Date(f.sendsAt).getTime() - clock.now().getTime() + ON_TIME_MS).unref());
  await Promise.race([sink.for(address), timeout]);
  // The worker records the send once the SMTP server has accepted it.
  const after = await vi.waitFor(async () => {
    const now = await getFollowUp(f.id);
    expect(now.status).toBe('sent');
    return now;
  }, 5_000);
  expect(f.undoSeconds).toBe(1);
  const late = new Date(after.sentAt!).getTime() - new Date(f.sendsAt).getTime();
  expect(late).toBeGreaterThanOrEqual(-1_000);
  expect(late).toBeLessThan(ON_TIME_MS);
  expect(sink.received.filter((m) => m.to.includes(address.toLowerCase()))).toHaveLength(1);
}

describe('when Redis loses everything', () => {
  it('after FLUSHALL, a follow-up due 20 s later is sent on time, with no restart', async () => {
    const [pat] = await thankYous();
    const moved = await dueIn(pat!, 20_000);
    await flushAll();
    await sentOnTime(moved, pat!.recipient.email!);
  }, 60_000);

  it('after Redis is stopped and started empty, a follow-up due 20 s later is sent on time, with no restart', async () => {
    const [, terry] = await thankYous();
    const moved = await dueIn(terry!, 20_000);
    await killRedis(redis);
    redis = await startRedis(port);
    await sentOnTime(moved, terry!.recipient.email!);
  }, 60_000);

  it('while Redis is down, the due follow-ups are still sent, each once, also after it comes back empty', async () => {
    const steps: string[] = [];
    onTestFailed(() => console.error(`Redis down test:\n${steps.join('\n')}`));
    const rows = [...(await thankYous()), ...(await thankYous())];
    await killRedis(redis);
    steps.push(`${clock.now().toISOString()} Redis stopped`);
    // Written while Redis is down: the API commits, its enqueue fails; only PostgreSQL knows.
    const moved = [];
    for (const f of rows) moved.push(await dueIn(f, 2_000));
    for (const [i, f] of moved.entries()) {
      await sentOnTime(f, rows[i]!.recipient.email!);
      steps.push(`${clock.now().toISOString()} sent ${f.id}`);
    }
    redis = await startRedis(port);
    steps.push(`${clock.now().toISOString()} Redis started empty`);
    // Back, empty: once its connection is back, the worker restores its schedules and sweeps;
    // nothing goes twice.
    const ids = jobRegistry.flatMap((j) => (j.schedule ? [j.schedule.id] : [])).sort();
    await vi.waitFor(async () => expect((await workerDeps.queues.get('maintenance').getJobSchedulers()).map((s) => s.key).sort()).toEqual(ids), {
      timeout: 3 * workerDeps.config.SCHEDULE_CHECK_MS,
      interval: 200,
    });
    await worker.keeper!.check();
    for (const f of rows) expect(sink.received.filter((m) => m.to.includes(f.recipient.email!.toLowerCase()))).toHaveLength(1);
  }, 60_000);

  it('when a worker starts while Redis is down, then it starts, sends what falls due, and puts its schedules in Redis once it answers', async () => {
    const [pat] = await thankYous();
    await killRedis(redis);
    const late = createDeps(testConfig(env), { clock });
    const started = await startWorkers(late, { concurrency: 2 });
    try {
      const moved = await dueIn(pat!, 2_000);
      await sentOnTime(moved, pat!.recipient.email!);
      redis = await startRedis(port);
      await vi.waitFor(async () => expect(await missingSchedules(late.queues)).toEqual([]), { timeout: 3 * late.config.SCHEDULE_CHECK_MS, interval: 200 });
    } finally {
      await started.close();
      await late.close();
    }
  }, 60_000);
});

describe('/readyz', () => {
  it('reports a schedule missing from Redis, by name, until one is there again', async () => {
    // An API with queues of its own and no worker: nobody puts the schedules back.
    const api = await createTestApp({ env: { QUEUE_PREFIX: `afterview-readyz-${process.pid}` } });
    try {
      const ids = jobRegistry.flatMap((j) => (j.schedule ? [j.schedule.id] : [])).sort();
      // Reported, not failed: no worker is running, which taking the API out of rotation would not mend.
      const ready = async () => {
        const res = await api.app.inject({ url: '/readyz' });
        expect(res.statusCode).toBe(200);
        return res.json() as { status: string; schedules: string };
      };
      expect(await ready()).toMatchObject({ status: 'degraded', schedules: `missing ${ids.join(', ')}` });
      await ensureSchedules(api.deps.queues);
      expect(await ready()).toMatchObject({ status: 'ready', schedules: 'ok' });
      await api.deps.queues.get('maintenance').removeJobScheduler('followups-reconcile');
      expect(await ready()).toMatchObject({ status: 'degraded', schedules: 'missing followups-reconcile' });
    } finally {
      await api.close();
    }
  });
});
