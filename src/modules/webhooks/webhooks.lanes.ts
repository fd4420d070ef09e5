import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';

/**
 * A worker process's lanes, one per webhook endpoint (docs/webhooks.md#fairness-and-the-circuit-breaker).
 * Jobs of tries are per endpoint (webhooks.outbox.ts), so that a slow endpoint takes only its own
 * share of the process:
 *
 * - at most ENDPOINT_JOBS of an endpoint's jobs send at once (each up to TRIES_PER_JOB requests
 *   over the endpoint's own 50 connections, webhooks.send.ts); a third waits up to WAIT_MS for one
 *   of them to finish, as a healthy receiver's do, and otherwise goes back to Redis for BUSY_DEFER_MS
 *   (so a waiting job holds a BullMQ slot a quarter of a second at the most);
 * - a job still waiting for answers SLOW_AFTER_MS after it started leaves its BullMQ slot and
 *   finishes on its own, so a slow or hanging receiver holds none of the few slots every agency's
 *   jobs share (its tries keep their claims in PostgreSQL, as if the slot were still held);
 * - while an endpoint has such a job, its next jobs do not wait in a slot either: they go back to
 *   Redis for SLOW_DEFER_MS (the handler moves them to delayed).
 *
 * At most MAX_DETACHED jobs are off their slots at a time; past that a slow job keeps its slot, so
 * what is in flight stays bounded.
 */
export const ENDPOINT_JOBS = 2;
export const SLOW_AFTER_MS = 1_000;
const WAIT_MS = 250;
const BUSY_DEFER_MS = 500;
const SLOW_DEFER_MS = 2_000;
const MAX_DETACHED = 64;

/** What `run` answers for a job that left its slot. */
export const DETACHED = Symbol('detached');

interface Lane {
  running: number;
  slow: number;
  waiters: (() => void)[];
}

export class EndpointLanes {
  private readonly lanes = new Map<string, Lane>();
  private readonly detached = new Set<Promise<unknown>>();
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  private laneOf(endpointId: string): Lane {
    let lane = this.lanes.get(endpointId);
    if (!lane) this.lanes.set(endpointId, (lane = { running: 0, slow: 0, waiters: [] }));
    return lane;
  }

  /** The endpoint's turn: 0 to go (then `run`), or how long the job should wait in Redis. */
  async enter(endpointId: string): Promise<number> {
    const lane = this.laneOf(endpointId);
    const until = performance.now() + WAIT_MS;
    for (;;) {
      if (lane.slow > 0) return SLOW_DEFER_MS;
      if (lane.running < ENDPOINT_JOBS) {
        lane.running++;
        return 0;
      }
      const left = until - performance.now();
      if (left <= 0) return BUSY_DEFER_MS;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          const i = lane.waiters.indexOf(wake);
          if (i >= 0) lane.waiters.splice(i, 1);
          resolve();
        }, left);
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        lane.waiters.push(wake);
      });
    }
  }

  /** Runs an entered job: its result, or DETACHED once it is slow (it then finishes on its own). */
  async run<R>(endpointId: string, work: () => Promise<R>): Promise<R | typeof DETACHED> {
    const lane = this.laneOf(endpointId);
    const job = work().finally(() => this.leave(endpointId, lane));
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<typeof DETACHED>((resolve) => {
      timer = setTimeout(resolve, SLOW_AFTER_MS, DETACHED);
    });
    const first = await Promise.race([job, slow]).finally(() => clearTimeout(timer));
    if (first !== DETACHED) return first;
    if (this.detached.size >= MAX_DETACHED) return job;
    lane.slow++;
    // Its waiting jobs find the endpoint slow and go back to Redis.
    for (const wake of lane.waiters.splice(0)) wake();
    const tracked: Promise<unknown> = job
      .catch((err: Error) => this.log.warn({ endpointId, err: err.message }, 'a slow webhook job failed after leaving its slot; the sweep retries its tries'))
      .finally(() => {
        lane.slow--;
        this.detached.delete(tracked);
        this.forget(endpointId, lane);
      });
    this.detached.add(tracked);
    return DETACHED;
  }

  private leave(endpointId: string, lane: Lane) {
    lane.running--;
    lane.waiters.shift()?.();
    this.forget(endpointId, lane);
  }

  /** An idle lane is dropped: a process sees many endpoints over a day. */
  private forget(endpointId: string, lane: Lane) {
    if (lane.running === 0 && lane.slow === 0 && lane.waiters.length === 0) this.lanes.delete(endpointId);
  }

  /** Waits, up to `ms`, for the jobs that left their slots (shutdown). */
  async drain(ms: number): Promise<void> {
    if (this.detached.size === 0) return;
    const timer = new AbortController();
    await Promise.race([Promise.all(this.detached), delay(ms, undefined, { signal: timer.signal }).catch(() => undefined)]);
    timer.abort();
  }
}

const byProcess = new WeakMap<object, EndpointLanes>();

/** The lanes of the worker whose dependencies are `deps` (one per process, as deps are). */
export function lanesOf(deps: { log: Logger }): EndpointLanes {
  let lanes = byProcess.get(deps);
  if (!lanes) byProcess.set(deps, (lanes = new EndpointLanes(deps.log)));
  return lanes;
}
