import { and, eq, lt } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import { followUps } from '../../db/schema/index.js';
import { record } from './followups.delivery.js';

/**
 * Sends whose worker died between the claim and the result (docs/followups.md#delivery). The email
 * may have gone out or not; sending it again by itself could send it twice, so it is never resent
 * automatically (at most once): the follow-up becomes `uncertain`, with the reason in `lastError`
 * and the event `followup.delivery_uncertain`, and shows in Today and in the daily digest until a
 * recruiter resends it or marks it sent.
 */
export async function markUncertainSends(deps: Deps, tenantId: string): Promise<number> {
  const now = deps.clock.now();
  const lapsedNow = and(eq(followUps.status, 'queued'), lt(followUps.claimedUntil, now));
  // Nearly always none: one pipelined read, and a transaction only when there is something to mark.
  const any = await readTenant(deps.db, tenantId, (tx) => tx.select({ id: followUps.id }).from(followUps).where(lapsedNow).limit(1));
  if (any.length === 0) return 0;
  return withTenant(deps.db, tenantId, async (tx) => {
    const lapsed = await tx.select().from(followUps).where(lapsedNow).for('update', { skipLocked: true });
    for (const f of lapsed) {
      const reason =
        `The worker stopped while sending it (attempt ${f.attempts}; its claim ran out at ${f.claimedUntil!.toISOString()}): ` +
        'it may or may not have gone out. Check with the recipient, then resend it or mark it sent.';
      await tx
        .update(followUps)
        .set({ status: 'uncertain', lastError: reason, claimedUntil: null, version: f.version + 1, updatedAt: now })
        .where(eq(followUps.id, f.id));
      await record(tx, f, now, 'followup.delivery_uncertain', { status: { before: 'queued', after: 'uncertain' } }, {
        reason,
        attempts: f.attempts,
        claimedUntil: f.claimedUntil!.toISOString(),
      });
    }
    if (lapsed.length > 0) deps.log.warn({ tenantId, followUps: lapsed.length }, 'follow-up sends interrupted: marked uncertain for the recruiter');
    return lapsed.length;
  });
}
