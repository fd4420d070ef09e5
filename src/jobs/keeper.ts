import type { Redis } from 'ioredis';
import type { Deps } from '../deps.js';
import { reconcileFollowUps, sendDueWithoutQueue } from '../modules/followups/followups.jobs.js';
import { ensureSchedules, missingSchedules } from './schedules.js';

/** A Redis call of the keeper that takes longer counts as Redis down (BullMQ waits forever for a connection never made). */
const REDIS_CALL_TIMEOUT_MS = 2_000;

function bounded<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${REDIS_CALL_TIMEOUT_MS} ms`)), REDIS_CALL_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface ScheduleKeeper {
  /** Runs a check now (or right after the one running) and resolves when it is done. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Keeps a worker's schedules alive through anything that happens to Redis, from inside the worker
 * process (the schedules themselves live in Redis, so nothing in Redis can watch for their loss).
 * The first check puts every schedule in Redis (a deploy may have changed one); then every
 * SCHEDULE_CHECK_MS, and each time the worker's connection is ready again:
 *
 * - Redis answers and holds every schedule: nothing to do (a few round trips).
 * - A schedule is missing (FLUSHALL, a restart without persistence, an eviction): it is put back,
 *   and the follow-up sweep runs at once, since the delayed deliver jobs went with it.
 * - Redis does not answer: no job can run, so due follow-ups are sent straight from PostgreSQL
 *   (sendDueWithoutQueue); when it answers again, the sweep runs once for what commits could not
 *   enqueue meanwhile.
 *
 * Every worker runs one; they may all restore and sweep at once: both are idempotent.
 */
export function startScheduleKeeper(deps: Deps, connection: Redis): ScheduleKeeper {
  const { log } = deps;
  let closed = false;
  let started = false;
  let redisDown = false;
  let current: Promise<void> | null = null;
  let again = false;

  const pass = async () => {
    let lost: string[] = [];
    try {
      if (!started) {
        await bounded(ensureSchedules(deps.queues));
        started = true;
      } else {
        lost = await bounded(missingSchedules(deps.queues));
        if (lost.length > 0) {
          log.warn({ missing: lost }, 'schedules missing from Redis (flushed, restarted empty or evicted): restoring them and sweeping now');
          await bounded(ensureSchedules(deps.queues, lost));
        }
      }
    } catch (err) {
      if (!redisDown) log.warn({ err: (err as Error).message }, 'Redis does not answer: due follow-ups are sent from PostgreSQL until it does');
      redisDown = true;
      await sendDueWithoutQueue(deps, { stop: () => closed });
      return;
    }
    const back = redisDown;
    redisDown = false;
    if (back && lost.length === 0) log.info('Redis answers again: sweeping for what could not be queued meanwhile');
    if (lost.length > 0 || back) await reconcileFollowUps(deps);
  };
  const run = async () => {
    do {
      again = false;
      try {
        await pass();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'schedule check failed; the next one retries');
      }
    } while (again && !closed);
  };
  const check = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (current) {
      again = true;
      return current;
    }
    current = run().finally(() => {
      current = null;
    });
    return current;
  };

  const timer = setInterval(() => void check(), deps.config.SCHEDULE_CHECK_MS);
  timer.unref();
  const onReady = () => void check();
  connection.on('ready', onReady);

  return {
    check,
    async close() {
      closed = true;
      clearInterval(timer);
      connection.off('ready', onReady);
      await current;
    },
  };
}
