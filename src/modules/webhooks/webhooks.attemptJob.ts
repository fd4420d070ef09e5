import { DelayedError } from 'bullmq';
import type { JobHandler } from '../../jobs/define.js';
import { jobStarted } from '../../jobs/fairness.js';
import { attemptDeliveries } from './webhooks.delivery.js';
import type { attemptPayload } from './webhooks.jobs.js';
import { DETACHED, lanesOf } from './webhooks.lanes.js';

/** The handler of `webhooks.attempt` (webhooks.jobs.ts), loaded by the worker when it first runs one. */
export const attemptHandler: JobHandler<typeof attemptPayload> = async (deps, payload, job) => {
  jobStarted(deps.redis, deps.queues.get('webhooks'), payload.tenantId, job.id!);
  const lanes = lanesOf(deps);
  const deferMs = await lanes.enter(payload.endpointId);
  if (deferMs > 0) {
    await job.moveToDelayed(Date.now() + deferMs, job.token);
    throw new DelayedError();
  }
  const result = await lanes.run(payload.endpointId, () => attemptDeliveries(deps, payload));
  return result === DETACHED ? { detached: true } : result;
};
