import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from 'bullmq';
import pg from 'pg';
import { createDeps, type Deps } from '../src/deps.js';
import { removeQueueKeys } from '../src/jobs/queues.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { enqueue } from '../src/jobs/define.js';
import { jobRegistry } from '../src/jobs/registry.js';
import { purgeExpiredTokensJob } from '../src/modules/auth/auth.jobs.js';
import { fixedClock } from '../src/lib/clock.js';
import { createTestApp, newTenant, type TestApp } from './helpers/app.js';
import { testAdminUrl, testConfig } from './helpers/env.js';

let t: TestApp;
let deps: Deps;
let workers: RunningWorkers;
let events: QueueEvents;
const clock = fixedClock(new Date(Date.now() + 60 * 86_400_000));

beforeAll(async () => {
  t = await createTestApp();
  const config = testConfig({ QUEUE_PREFIX: `afterview-worker-test-${process.pid}` });
  deps = createDeps(config, { clock });
  workers = await startWorkers(deps, { concurrency: 2 });
  events = new QueueEvents('maintenance', { connection: { url: config.REDIS_URL }, prefix: config.QUEUE_PREFIX });
  await events.waitUntilReady();
});
afterAll(async () => {
  await events.close();
  await workers.close();
  await removeQueueKeys(deps.redis, deps.config.QUEUE_PREFIX);
  await deps.close();
  await t.close();
});

describe('the worker', () => {
  it('registers every scheduled job with BullMQ at start', async () => {
    const schedulers = await deps.queues.get('maintenance').getJobSchedulers();
    const expected = jobRegistry.filter((j) => j.schedule).map((j) => j.schedule!.id);
    expect(schedulers.map((s) => s.key).sort()).toEqual(expected.sort());
    expect(schedulers.find((s) => s.key === 'auth-purge-refresh-tokens')?.pattern).toBe('17 3 * * *');
  });

  it('when the purge job runs, then long-expired sessions and their refresh tokens are gone, in every tenant', async () => {
    const tenant = await newTenant(t.app);
    const admin = new pg.Pool({ connectionString: testAdminUrl, max: 1 });
    try {
      const count = async () =>
        (await admin.query('SELECT (SELECT count(*) FROM refresh_tokens WHERE tenant_id = $1) + (SELECT count(*) FROM sessions WHERE tenant_id = $1) AS n', [tenant.tenantId])).rows[0].n;
      expect(await count()).toBe('2');
      const jobId = `purge-test-${Date.now()}`;
      await enqueue(deps, purgeExpiredTokensJob, {}, { jobId });
      const job = await deps.queues.get('maintenance').getJob(jobId);
      const result = await job!.waitUntilFinished(events, 15_000);
      expect(result.purged).toBeGreaterThanOrEqual(1);
      expect(result.sessions).toBeGreaterThanOrEqual(1);
      expect(await count()).toBe('0');
    } finally {
      await admin.end();
    }
  });

  it('when the idempotency purge runs, then keys past 24 hours are gone and the same key runs anew', async () => {
    const { purgeIdempotencyKeysJob } = await import('../src/modules/idempotency/idempotency.jobs.js');
    const { bearer } = await import('./helpers/app.js');
    const tenant = await newTenant(t.app);
    const post = () =>
      t.app.inject({ method: 'POST', url: '/v1/employers', headers: { ...bearer(tenant.token), 'idempotency-key': 'purge-me' }, payload: { name: 'Purged Key Co' } });
    const first = await post();
    expect((await post()).headers['idempotent-replayed']).toBe('true');
    const jobId = `idem-purge-${Date.now()}`;
    await enqueue(deps, purgeIdempotencyKeysJob, {}, { jobId });
    const result = await (await deps.queues.get('maintenance').getJob(jobId))!.waitUntilFinished(events, 15_000);
    expect(result.purged).toBeGreaterThanOrEqual(1);
    const again = await post();
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.json().id).not.toBe(first.json().id);
  });

  it('when a job has an unknown name or a bad payload, then it fails at once, without retries', async () => {
    const q = deps.queues.get('maintenance');
    const job = await q.add('no.such.job', {}, { jobId: `bad-${Date.now()}`, attempts: 5 });
    await expect(job.waitUntilFinished(events, 15_000)).rejects.toThrow(/unknown job/);
    const failed = await q.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
  });

  it('refuses job ids with a colon (BullMQ reserves it)', async () => {
    await expect(enqueue(deps, purgeExpiredTokensJob, {}, { jobId: 'a:b' })).rejects.toThrow(/may not contain/);
  });
});
