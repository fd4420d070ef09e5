import { and, eq, isNull } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { withTenant } from '../../db/client.js';
import { employerReplies } from '../../db/schema/index.js';
import { jobStarted } from '../../jobs/fairness.js';
import type { JobHandler } from '../../jobs/define.js';
import type { Actor } from '../../lib/access.js';
import { settlePromises } from '../responses/responses.ledger.js';
import { syncApplicationFollowUps } from './followups.sync.js';
import type { replanPayload } from './followups.jobs.js';

const systemActor = (tenantId: string): Actor => ({ tenantId, kind: 'system', userId: null, apiKeyId: null, role: null, scopes: [] });

/**
 * What follows a reply that was recorded on its own (a response link's answer, in one statement):
 * a decision it suggests settles the promises given before it, and the application's follow-ups are
 * re-planned from it (status checks paused, moved to its new date), as `insertReply` does in the
 * reply's own transaction for a recruiter's reply. One transaction, which marks the reply
 * `replanned_at` first: a second run, or a run after the sweep re-added the job, finds nothing to do.
 */
export async function replanAfterReply(deps: Deps, p: { tenantId: string; replyId: string }) {
  const now = deps.clock.now();
  return withTenant(deps.db, p.tenantId, async (tx) => {
    const [reply] = await tx
      .update(employerReplies)
      .set({ replannedAt: now })
      .where(and(eq(employerReplies.id, p.replyId), isNull(employerReplies.replannedAt)))
      .returning({
        applicationId: employerReplies.applicationId,
        suggestedOutcome: employerReplies.suggestedOutcome,
        receivedAt: employerReplies.receivedAt,
        createdAt: employerReplies.createdAt,
      });
    if (!reply) return { outcome: 'noop' as const };
    if (reply.suggestedOutcome) {
      await settlePromises(tx, reply.applicationId, reply.suggestedOutcome, reply.receivedAt, { madeBy: reply.createdAt });
    }
    const planned = await syncApplicationFollowUps(tx, systemActor(p.tenantId), now, reply.applicationId);
    return { outcome: 'replanned' as const, ...planned };
  });
}

/** The handler of `followups.replan` (followups.jobs.ts), loaded by the worker when it first runs one. */
export const replanHandler: JobHandler<typeof replanPayload> = async (deps, payload, job) => {
  jobStarted(deps.redis, deps.queues.get('followups'), payload.tenantId, job.id!);
  return replanAfterReply(deps, payload);
};
