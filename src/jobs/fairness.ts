import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Agencies served in turn on a shared queue (docs/jobs.md#fairness). BullMQ runs a lower priority
 * first (its groups, which would do this, are a Pro feature), so a job's priority is its place
 * among its agency's jobs waiting on that queue: every agency's first waiting job runs before any
 * agency's second, however many one agency has queued. An agency's waiting jobs are a Redis set of
 * job ids beside the queue's keys (`<prefix>:<queue>:fair:<tenantId>`), added to as jobs are
 * enqueued and taken from as each starts. It expires an hour after its last add, so ids a lost job
 * leaves behind (a job removed by hand) do not count for long.
 */

/** BullMQ's largest priority. */
const MAX_PRIORITY = 2 ** 21;
const TTL_MS = 3_600_000;
/** Started jobs are taken from the sets in one round trip per this long, not one per job. */
const FLUSH_MS = 20;

const keyOf = (queue: Queue, tenantId: string) => queue.toKey(`fair:${tenantId}`);

/** Each job's priority, in order: the place it takes among its agency's waiting jobs. */
export async function fairPriorities(redis: Redis, queue: Queue, jobs: readonly { tenantId: string; jobId: string }[]): Promise<number[]> {
  if (jobs.length === 0) return [];
  const pipeline = redis.pipeline();
  const keys = new Set<string>();
  for (const job of jobs) {
    const key = keyOf(queue, job.tenantId);
    keys.add(key);
    pipeline.sadd(key, job.jobId).scard(key);
  }
  for (const key of keys) pipeline.pexpire(key, TTL_MS);
  const replies = (await pipeline.exec()) ?? [];
  return jobs.map((_, i) => {
    const [err, count] = replies[2 * i + 1] ?? [new Error('no reply')];
    if (err) throw err;
    return Math.min(MAX_PRIORITY, Math.max(1, Number(count)));
  });
}

const started = new Map<Redis, Map<string, string[]>>();
let flushing: NodeJS.Timeout | null = null;

/** The job no longer waits: it leaves its agency's set (batched; a lost removal only expires). */
export function jobStarted(redis: Redis, queue: Queue, tenantId: string, jobId: string): void {
  let byKey = started.get(redis);
  if (!byKey) started.set(redis, (byKey = new Map()));
  const key = keyOf(queue, tenantId);
  const ids = byKey.get(key);
  if (ids) ids.push(jobId);
  else byKey.set(key, [jobId]);
  flushing ??= setTimeout(flush, FLUSH_MS).unref();
}

function flush() {
  flushing = null;
  const batches = [...started];
  started.clear();
  for (const [redis, byKey] of batches) {
    const pipeline = redis.pipeline();
    for (const [key, ids] of byKey) pipeline.srem(key, ...ids);
    pipeline.exec().catch(() => undefined);
  }
}
