import { setTimeout as delay } from 'node:timers/promises';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Deps } from '../deps.js';
import { createRedis } from '../lib/redis.js';
import { queueNames, type QueueName } from './queues.js';
import { findJob, handlerOf, jobRegistry } from './registry.js';
import { inJobSpan } from '../lib/tracing.js';
import { startScheduleKeeper, type ScheduleKeeper } from './keeper.js';
import { startWebhookRelay, type WebhookRelay } from '../modules/webhooks/webhooks.relay.js';
import { WEBHOOK_JOBS_AT_ONCE } from '../modules/webhooks/webhooks.outbox.js';
import { lanesOf } from '../modules/webhooks/webhooks.lanes.js';

/** Jobs a worker process runs at once, per queue (a webhook job carries many tries). */
const CONCURRENCY: Record<QueueName, number> = { maintenance: 10, followups: 10, webhooks: WEBHOOK_JOBS_AT_ONCE };

export interface RunningWorkers {
  /** The outbox relay of this process, when WEBHOOK_RELAY is on. */
  relay: WebhookRelay | null;
  /** What keeps the schedules alive through a Redis loss (null with `schedules: false`). */
  keeper: ScheduleKeeper | null;
  close(): Promise<void>;
}

/**
 * Starts one BullMQ worker per queue, upserts the registry's schedules and keeps them (keeper.ts),
 * and starts the outbox relay. `concurrency` replaces every queue's own; `schedules: false` runs
 * no schedule and no keeper (tests that run the sweeps by hand, at their own clock).
 */
export async function startWorkers(deps: Deps, opts: { concurrency?: number; relay?: boolean; schedules?: boolean } = {}): Promise<RunningWorkers> {
  const connection = createRedis(deps.config.REDIS_URL, 'worker');
  const workers = queueNames.map((queue) => {
    const worker = new Worker(
      queue,
      async (job) => {
        const def = findJob(job.name);
        if (!def || def.queue !== queue) throw new UnrecoverableError(`unknown job ${job.name}`);
        const parsed = def.payload.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${job.name}: ${parsed.error.message}`);
        const handler = await handlerOf(def);
        return inJobSpan(queue, job.name, job.id, () => handler(deps, parsed.data, job));
      },
      { connection, prefix: deps.config.QUEUE_PREFIX, concurrency: opts.concurrency ?? CONCURRENCY[queue], autorun: true },
    );
    worker.on('failed', (job, err) =>
      deps.log.warn({ queue, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    worker.on('error', (err) => deps.log.error({ queue, err: err.message }, 'worker error'));
    return worker;
  });
  const keeper = (opts.schedules ?? true) ? startScheduleKeeper(deps, connection) : null;
  // Its first check puts the schedules in Redis (or, Redis down, sends what is due without it).
  await keeper?.check();
  const relay = (opts.relay ?? deps.config.WEBHOOK_RELAY) ? startWebhookRelay(deps) : null;
  deps.log.info({ queues: queueNames, jobs: jobRegistry.map((j) => j.name), relay: relay !== null, schedules: keeper !== null }, 'worker started');
  return {
    relay,
    keeper,
    async close() {
      await keeper?.close();
      await relay?.close();
      // BullMQ's close can wait forever for a blocking connection left reconnecting by a Redis
      // restart (taskforcesh/bullmq#4656): give running jobs the grace period, then force it.
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timer = new AbortController();
      const inTime = await Promise.race([
        graceful.then(() => true),
        delay(deps.config.SHUTDOWN_GRACE_MS, false, { signal: timer.signal, ref: false }).catch(() => false),
      ]);
      timer.abort();
      if (!inTime) {
        deps.log.warn({ graceMs: deps.config.SHUTDOWN_GRACE_MS }, 'workers did not close in time; forcing');
        await Promise.race([Promise.all(workers.map((w) => w.close(true))), delay(1_000, undefined, { ref: false })]);
        for (const w of workers) void w.disconnect().catch(() => undefined);
      }
      // Webhook jobs that left their slots (a slow receiver) finish or are cut off: their claims
      // lapse and the sweep sends those tries again.
      await lanesOf(deps).drain(deps.config.SHUTDOWN_GRACE_MS);
      connection.disconnect();
    },
  };
}
