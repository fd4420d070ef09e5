import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createRedis } from '../lib/redis.js';

/** Queue names; each job definition names the queue it runs on. */
export const queueNames = ['maintenance', 'followups', 'webhooks'] as const;
export type QueueName = (typeof queueNames)[number];

export const defaultJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  // Kept long enough that a re-added job id is still recognised as a duplicate (docs/jobs.md).
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/**
 * Deletes every key of our queues under a prefix: jobs, schedulers, bookkeeping (not the rate
 * limiter's). For throwaway prefixes (tests, benches): BullMQ's obliterate leaves a queue's
 * scheduler and meta keys behind.
 */
export async function removeQueueKeys(redis: Redis, prefix: string): Promise<number> {
  if (!/^[\w.-]+$/.test(prefix)) throw new Error(`refusing to remove keys of prefix "${prefix}"`);
  let removed = 0;
  for (const queue of queueNames) {
    for await (const keys of redis.scanStream({ match: `${prefix}:${queue}:*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) removed += await redis.unlink(...keys);
    }
  }
  return removed;
}

export interface Queues {
  get(name: QueueName): Queue;
  close(): Promise<void>;
}

/** Producers: usable from the API and the worker; they fail fast when Redis is down. */
export function createQueues(config: Config): Queues {
  const connection = createRedis(config.REDIS_URL, 'fast');
  const queues = new Map<QueueName, Queue>();
  return {
    get(name) {
      let q = queues.get(name);
      if (!q) {
        q = new Queue(name, { connection, prefix: config.QUEUE_PREFIX, defaultJobOptions });
        q.on('error', () => undefined);
        queues.set(name, q);
      }
      return q;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}
