import { DelayedError } from 'bullmq';
import { z } from 'zod';
// Types only: the registry imports this module, so a value import would be circular.
import type { JobDefinition } from '../../jobs/registry.js';
import { jobStarted } from '../../jobs/fairness.js';
import { attemptDeliveries } from './webhooks.delivery.js';
import { DETACHED, lanesOf } from './webhooks.lanes.js';
import { ATTEMPT_JOB_OPTIONS, TRIES_PER_JOB } from './webhooks.outbox.js';

const attemptPayload = z.object({
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
export const webhookAttemptJob: JobDefinition<typeof attemptPayload> = {
  name: 'webhooks.attempt',
  queue: 'webhooks',
  payload: attemptPayload,
  options: ATTEMPT_JOB_OPTIONS,
  handler: async (deps, payload, job) => {
    jobStarted(deps.redis, deps.queues.get('webhooks'), payload.tenantId, job.id!);
    const lanes = lanesOf(deps);
    const deferMs = await lanes.enter(payload.endpointId);
    if (deferMs > 0) {
      await job.moveToDelayed(Date.now() + deferMs, job.token);
      throw new DelayedError();
    }
    const result = await lanes.run(payload.endpointId, () => attemptDeliveries(deps, payload));
    return result === DETACHED ? { detached: true } : result;
  },
};
