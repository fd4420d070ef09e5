import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { coalescingEnqueue } from '../src/jobs/enqueue.js';
import { createQueues, removeQueueKeys, type Queues } from '../src/jobs/queues.js';
import { createRedis } from '../src/lib/redis.js';
import { newId } from '../src/lib/ids.js';
import { replanJobId, replanRequest } from '../src/modules/followups/followups.jobs.js';
import { testConfig } from './helpers/env.js';

// The after-commit jobs of many commits handed over in one event-loop turn (src/deps.ts): they go
// out together, each still with its agency's turn, and each commit learns whether its jobs went.
const config = testConfig({ QUEUE_PREFIX: `afterview-test-enqueue-${process.pid}` });
let queues: Queues;
let redis: Redis;

beforeAll(async () => {
  queues = createQueues(config);
  redis = createRedis(config.REDIS_URL, 'fast');
  if (redis.status !== 'ready') await once(redis, 'ready');
});
afterAll(async () => {
  await removeQueueKeys(redis, config.QUEUE_PREFIX);
  await queues.close();
  redis.disconnect();
});

describe('the commits of one turn, enqueued together', () => {
  it('every commit’s job reaches the queue with its place among its agency’s waiting jobs; a bad one fails only its own commit', async () => {
    const enqueue = coalescingEnqueue({ queues, redis });
    const [a, b] = [newId(), newId()];
    const replies = Array.from({ length: 12 }, (_, i) => ({ tenantId: i < 10 ? a : b, replyId: newId() }));
    const handed = replies.map((r) => enqueue([replanRequest(r.tenantId, r.replyId)]));
    const bad = enqueue([{ ...replanRequest(a, newId()), payload: { tenantId: a, replyId: 'not-a-uuid' } }]);
    await expect(bad).rejects.toThrow();
    await expect(Promise.all(handed)).resolves.toHaveLength(12);
    const queue = queues.get('followups');
    const jobs = await Promise.all(replies.map((r) => queue.getJob(replanJobId(r.replyId))));
    expect(jobs.map((j) => j?.data)).toEqual(replies);
    // Agency a's ten take places 1..10, agency b's two 1..2: b's first waits behind no one of a's.
    expect(jobs.map((j) => j?.opts.priority)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2]);
  });

  it('with Redis unreachable, each commit of the turn is told, and the process goes on', async () => {
    const down = createRedis('redis://127.0.0.1:1', 'fast');
    const downQueues = createQueues(testConfig({ REDIS_URL: 'redis://127.0.0.1:1', QUEUE_PREFIX: config.QUEUE_PREFIX }));
    try {
      const enqueue = coalescingEnqueue({ queues: downQueues, redis: down });
      const handed = [enqueue([replanRequest(newId(), newId())]), enqueue([replanRequest(newId(), newId())])];
      for (const h of handed) await expect(h).rejects.toThrow();
    } finally {
      await downQueues.close();
      down.disconnect();
    }
  });
});
