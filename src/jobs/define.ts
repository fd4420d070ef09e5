import type { Job, JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { Deps } from '../deps.js';
import type { QueueName } from './queues.js';

/** What a job's handler is given; it returns what BullMQ keeps as the job's result. */
export type JobHandler<P extends z.ZodType> = (deps: Deps, payload: z.output<P>, job: Job) => Promise<unknown>;

/**
 * A job (docs/jobs.md): an id (`name`), the queue it runs on, a zod payload (checked when it is
 * enqueued and again in the worker) and its handler, loaded only when the worker first runs one.
 * Producers import the definition and call `enqueue`/`enqueueFair`; the list of every definition
 * (src/jobs/registry.ts) is the worker's alone, so a definition never pulls its handler's imports
 * into the file that enqueues it.
 */
export interface JobDefinition<P extends z.ZodType = z.ZodType> {
  name: string;
  queue: QueueName;
  payload: P;
  handler: () => Promise<JobHandler<P>>;
  options?: JobsOptions;
  /** A repeating schedule the worker upserts at start (BullMQ job scheduler). */
  schedule?: { id: string; pattern?: string; every?: number; tz?: string; data: z.input<P> };
}

/** An email's sending job: SMTP 4xx answers are retried over about an hour (1, 2, 4, 8, 16, 32 minutes); a 5xx fails at once. */
export const smtpRetries: JobsOptions = { attempts: 7, backoff: { type: 'exponential', delay: 60_000, jitter: 0.2 } };

export const defineJob = <P extends z.ZodType>(def: JobDefinition<P>): JobDefinition<P> => def;

export { enqueue, enqueueFair, enqueueRequests, type JobRequest } from './enqueue.js';
