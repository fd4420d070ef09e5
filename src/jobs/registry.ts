import type { JobDefinition, JobHandler } from './define.js';
import { purgeExpiredTokensJob } from '../modules/auth/auth.jobs.js';
import { purgeIdempotencyKeysJob } from '../modules/idempotency/idempotency.jobs.js';
import { deliverFollowUpJob, reconcileFollowUpsJob, replanAfterReplyJob } from '../modules/followups/followups.jobs.js';
import { webhookAttemptJob } from '../modules/webhooks/webhooks.jobs.js';
import { purgeOldEventsJob } from '../modules/events/events.jobs.js';
import { digestTickJob, sendDigestJob } from '../modules/followups/followups.digest.js';
import { reconcileInvitesJob, sendInviteJob } from '../modules/interviews/interviews.jobs.js';
import { runImportJob } from '../modules/imports/imports.jobs.js';

/**
 * Every job the worker runs. Modules add theirs here. Only the jobs layer reads this list (the
 * worker, its schedules): producers import the one definition they enqueue (src/jobs/define.ts).
 */
export const jobRegistry: JobDefinition[] = [
  purgeExpiredTokensJob,
  purgeIdempotencyKeysJob,
  deliverFollowUpJob,
  reconcileFollowUpsJob,
  replanAfterReplyJob,
  webhookAttemptJob,
  digestTickJob,
  sendDigestJob,
  purgeOldEventsJob,
  sendInviteJob,
  reconcileInvitesJob,
  runImportJob,
] as unknown as JobDefinition[];

export function findJob(name: string): JobDefinition | undefined {
  return jobRegistry.find((j) => j.name === name);
}

const loaded = new Map<string, Promise<JobHandler<JobDefinition['payload']>>>();

/** A job's handler, loaded the first time one of its jobs runs. */
export function handlerOf(def: JobDefinition): Promise<JobHandler<JobDefinition['payload']>> {
  let handler = loaded.get(def.name);
  if (!handler) {
    handler = def.handler();
    handler.catch(() => loaded.delete(def.name));
    loaded.set(def.name, handler);
  }
  return handler;
}
