import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/define.js';

/** What one `webhooks.attempt` job carries at the most (webhooks.outbox.ts enqueueAttempts). */
export const TRIES_PER_JOB = 250;
/**
 * BullMQ neither retries a job of tries nor keeps it once done: the tries live in PostgreSQL, and
 * the sweep queues them again under the same job id, which BullMQ would ignore while a failed job
 * of that id is kept (a failed claim would have held its tries back for as long).
 */
export const ATTEMPT_JOB_OPTIONS = { attempts: 1, removeOnComplete: true, removeOnFail: true } as const;
/** A job of tries is named after its first one: `wh-<delivery>-<try>`. */
export const attemptJobId = (deliveryId: string, attempt: number) => `wh-${deliveryId}-${attempt}`;

export const attemptPayload = z.object({
  tenantId: z.uuid(),
  endpointId: z.uuid(),
  tries: z.array(z.object({ deliveryId: z.uuid(), attempt: z.number().int().min(1) })).min(1).max(TRIES_PER_JOB),
});

/**
 * Up to TRIES_PER_JOB tries of one endpoint's deliveries, named after the first (`wh-<delivery>-<try>`).
 * BullMQ does not retry it: the retry schedule lives in PostgreSQL (`next_attempt_at`) and the
 * relay's sweep queues the next try. It runs in its endpoint's lane (webhooks.lanes.ts): a job of
 * an endpoint that is slow right now goes back to Redis for a moment instead of taking a slot, and
 * one that turns slow leaves its slot and finishes on its own.
 */
export const webhookAttemptJob: JobDefinition<typeof attemptPayload> = defineJob({
  name: 'webhooks.attempt',
  queue: 'webhooks',
  payload: attemptPayload,
  options: ATTEMPT_JOB_OPTIONS,
  handler: () => import('./webhooks.attemptJob.js').then((m) => m.attemptHandler),
});
