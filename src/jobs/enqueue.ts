import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { fairPriorities } from './fairness.js';
import type { QueueName, Queues } from './queues.js';

/** What enqueueing needs of a job definition (src/jobs/define.ts JobDefinition): its name, queue, payload schema and options. */
export interface Enqueueable<P extends z.ZodType = z.ZodType> {
  name: string;
  queue: QueueName;
  payload: P;
  options?: JobsOptions;
}

/** One job to add: its payload and options (the id at least). */
export interface JobRequest<P extends z.ZodType = z.ZodType> {
  def: Enqueueable<P>;
  payload: z.input<P>;
  opts: JobsOptions & { jobId: string };
}

function checked<P extends z.ZodType>(def: Enqueueable<P>, payload: z.input<P>, opts: JobsOptions & { jobId: string }) {
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
  def: Enqueueable<P>,
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
  def: Enqueueable<P>,
  requests: readonly { payload: z.input<P>; opts: JobsOptions & { jobId: string } }[],
): Promise<void> {
  if (requests.length === 0) return;
  const jobs = requests.map((r) => checked(def, r.payload, r.opts));
  const queue = deps.queues.get(def.queue);
  const priorities = await fairPriorities(deps.redis, queue, jobs.map((j) => ({ tenantId: (j.data as { tenantId: string }).tenantId, jobId: j.opts.jobId })));
  await queue.addBulk(jobs.map((j, i) => ({ ...j, opts: { ...j.opts, priority: priorities[i]! } })));
}

/**
 * Enqueues what transactions asked for at their commit (src/db/client.ts `afterCommit`), grouped
 * by definition: fairly when the payload names an agency.
 */
export async function enqueueRequests(deps: { queues: Queues; redis: Redis }, requests: readonly JobRequest[]): Promise<void> {
  const byDef = new Map<Enqueueable, JobRequest[]>();
  for (const r of requests) byDef.set(r.def, [...(byDef.get(r.def) ?? []), r]);
  for (const [def, list] of byDef) {
    if (list.every((r) => typeof (r.payload as { tenantId?: unknown }).tenantId === 'string')) {
      await enqueueFair(deps, def as Enqueueable<z.ZodType<{ tenantId: string }>>, list as JobRequest<z.ZodType<{ tenantId: string }>>[]);
    } else {
      for (const r of list) await enqueue(deps, def, r.payload, r.opts);
    }
  }
}

/**
 * enqueueRequests for the jobs of many commits: those handed over in one turn of the event loop
 * (the answers of requests whose statements came back together) go out together at its end, in one
 * call (one round trip for the agencies' turns, one for the jobs) instead of one each. Each caller's
 * promise settles with its batch. For the unit of work's after-commit jobs (src/deps.ts).
 */
export function coalescingEnqueue(deps: { queues: Queues; redis: Redis }): (jobs: readonly JobRequest[]) => Promise<void> {
  let batch: { jobs: JobRequest[]; settle: ((err?: unknown) => void)[] } | null = null;
  const flush = () => {
    const { jobs, settle } = batch!;
    batch = null;
    enqueueRequests(deps, jobs).then(
      () => settle.forEach((s) => s()),
      (err: unknown) => settle.forEach((s) => s(err ?? new Error('enqueue failed'))),
    );
  };
  return (jobs) =>
    new Promise<void>((resolve, reject) => {
      // Checked here, so that one commit's bad job fails that commit's hand-over, not its batch's.
      for (const r of jobs) checked(r.def, r.payload, r.opts);
      if (!batch) {
        batch = { jobs: [], settle: [] };
        setImmediate(flush);
      }
      batch.jobs.push(...jobs);
      batch.settle.push((err) => (err ? reject(err) : resolve()));
    });
}
