import type { Job, JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import type { QueueName } from './queues.js';
import { purgeExpiredTokensJob } from '../modules/auth/auth.jobs.js';
import { purgeIdempotencyKeysJob } from '../modules/idempotency/idempotency.jobs.js';
import { deliverFollowUpJob, reconcileFollowUpsJob } from '../modules/followups/followups.jobs.js';
import { webhookAttemptJob } from '../modules/webhooks/webhooks.jobs.js';
import { digestTickJob, sendDigestJob } from '../modules/followups/followups.digest.js';

/** A job: a name, the queue it runs on, a zod payload (checked again in the worker) and a handler. */
export interface JobDefinition<P extends z.ZodType = z.ZodType> {
  name: string;
  queue: QueueName;
  payload: P;
  handler: (deps: Deps, payload: z.output<P>, job: Job) => Promise<unknown>;
  options?: JobsOptions;
  /** A repeating schedule the worker upserts at start (BullMQ job scheduler). */
  schedule?: { id: string; pattern?: string; every?: number; tz?: string; data: z.input<P> };
}

export const defineJob = <P extends z.ZodType>(def: JobDefinition<P>): JobDefinition<P> => def;

/** Every job the worker runs. Modules add theirs here. */
export const jobRegistry: JobDefinition[] = [
  purgeExpiredTokensJob,
  purgeIdempotencyKeysJob,
  deliverFollowUpJob,
  reconcileFollowUpsJob,
  webhookAttemptJob,
  digestTickJob,
  sendDigestJob,
] as unknown as JobDefinition[];

export function findJob(name: string): JobDefinition | undefined {
  return jobRegistry.find((j) => j.name === name);
}

/**
 * Enqueues a job after checking its payload. Job ids are deterministic (payloads carry ids and
 * `tenantId`, never copies of data), so adding the same job twice is a no-op.
 */
export async function enqueue<P extends z.ZodType>(
  deps: Pick<Deps, 'queues'>,
  def: JobDefinition<P>,
  payload: z.input<P>,
  opts: JobsOptions & { jobId: string },
): Promise<void> {
  const data = def.payload.parse(payload);
  if (opts.jobId.includes(':')) throw new Error('job ids may not contain ":"');
  await deps.queues.get(def.queue).add(def.name, data, { ...def.options, ...opts });
}
