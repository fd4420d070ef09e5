import type { Job, JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Deps } from '../deps.js';
import { fairPriorities } from './fairness.js';
import type { QueueName, Queues } from './queues.js';

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

export const defineJob = <P extends z.ZodType>(def: JobDefinition<P>): JobDefinition<P> => def;

/** One job to add: its payload and options (the id at least). */
export interface JobRequest<P extends z.ZodType = z.ZodType> {
  def: JobDefinition<P>;
  payload: z.input<P>;
  opts: JobsOptions & { jobId: string };
}

function checked<P extends z.ZodType>(def: JobDefinition<P>, payload: z.input<P>, opts: JobsOptions & { jobId: string }) {
  const data = def.payload.parse(payload) as z.output<P>;
  // BullMQ builds its Redis keys with ':', and a job id holding one would collide with them.
  if (opts.jobId.includes(':')) throw new Error('job ids may not contain ":"');
  return { name: def.name, data, opts: { ...def.options, ...opts } };
}

/**
 * Enqueues a job after checking its payload. Job ids are deterministic (payloads carry ids and
 * `tenantId`, never copies of data), so adding the same job twice is a no-op.
 */
export async function enqueue<P extends z.ZodType>(
  deps: { queues: Queues },
  def: JobDefinition<P>,
  payload: z.input<P>,
  opts: JobsOptions & { jobId: string },
): Promise<void> {
  const job = checked(def, payload, opts);
  await deps.queues.get(def.queue).add(job.name, job.data, job.opts);
}

/**
 * Enqueues jobs of one definition whose payloads carry a `tenantId`, each with its place among its
 * agency's waiting jobs as priority (src/jobs/fairness.ts): two Redis round trips for the lot.
 */
export async function enqueueFair<P extends z.ZodType<{ tenantId: string }>>(
  deps: { queues: Queues; redis: Redis },
  def: JobDefinition<P>,
  requests: readonly { payload: z.input<P>; opts: JobsOptions & { jobId: string } }[],
): Promise<void> {
  if (requests.length === 0) return;
  const jobs = requests.map((r) => checked(def, r.payload, r.opts));
  const queue = deps.queues.get(def.queue);
  const priorities = await fairPriorities(deps.redis, queue, jobs.map((j) => ({ tenantId: (j.data as { tenantId: string }).tenantId, jobId: j.opts.jobId })));
  await queue.addBulk(jobs.map((j, i) => ({ ...j, opts: { ...j.opts, priority: priorities[i]! } })));
}
