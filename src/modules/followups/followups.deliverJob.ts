import { DelayedError, UnrecoverableError } from 'bullmq';
import { jobStarted } from '../../jobs/fairness.js';
import type { JobHandler } from '../../jobs/define.js';
import { MailError } from '../../lib/mailer.js';
import { deliverFollowUp } from './followups.delivery.js';
import type { deliverPayload } from './followups.jobs.js';

/** The handler of `followups.deliver` (followups.jobs.ts), loaded by the worker when it first runs one. */
export const deliverHandler: JobHandler<typeof deliverPayload> = async (deps, payload, job) => {
  jobStarted(deps.redis, deps.queues.get('followups'), payload.tenantId, job.id!);
  try {
    const result = await deliverFollowUp(deps, payload, { number: job.attemptsMade + 1, of: job.opts.attempts ?? 1 });
    if (result.outcome === 'early') {
      // The same job waits until the due time by our clock; BullMQ's timers run on the machine's.
      await job.moveToDelayed(Date.now() + (result.dueAt.getTime() - deps.clock.now().getTime()), job.token);
      throw new DelayedError();
    }
    return result;
  } catch (err) {
    if (err instanceof MailError && err.permanent) throw new UnrecoverableError(err.message);
    throw err;
  }
};
