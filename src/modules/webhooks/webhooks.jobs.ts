import { z } from 'zod';
// Types only: the registry imports this module, so a value import would be circular.
import type { JobDefinition } from '../../jobs/registry.js';
import { attemptDeliveries } from './webhooks.delivery.js';
import { ATTEMPT_JOB_OPTIONS, TRIES_PER_JOB } from './webhooks.outbox.js';

const attemptPayload = z.object({
  tenantId: z.uuid(),
  tries: z.array(z.object({ deliveryId: z.uuid(), attempt: z.number().int().min(1) })).min(1).max(TRIES_PER_JOB),
});

/**
 * Up to TRIES_PER_JOB tries of one tenant's deliveries, named after the first (`wh-<delivery>-<try>`). BullMQ does not retry it: the retry
 * schedule lives in PostgreSQL (`next_attempt_at`) and the relay's sweep queues the next try.
 */
export const webhookAttemptJob: JobDefinition<typeof attemptPayload> = {
  name: 'webhooks.attempt',
  queue: 'webhooks',
  payload: attemptPayload,
  options: ATTEMPT_JOB_OPTIONS,
  handler: async (deps, payload) => attemptDeliveries(deps, payload.tenantId, payload.tries),
};
