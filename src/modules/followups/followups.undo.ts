import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Deps } from '../../deps.js';
import { withTenant, type Tx } from '../../db/client.js';
import { apiKeys, users } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import type { Actor } from '../../lib/access.js';
import { presentFollowUp, sendsAtOf, type FollowUpRow } from './followups.repo.js';
import { deliveriesDueSoon, RECONCILE_LATE_LIMIT_MS } from './followups.jobs.js';
import { lockForAction, writeAction } from './followups.act.js';
import type { undoFollowUpBody } from './followups.schemas.js';

/** "Sam Rivera", or "API key ci-sync": who undid it, for its cancel reason. */
async function actorName(tx: Tx, actor: Actor): Promise<string> {
  if (actor.userId) {
    const [u] = await tx.select({ name: users.name }).from(users).where(eq(users.id, actor.userId));
    if (u) return u.name;
  }
  if (actor.apiKeyId) {
    const [k] = await tx.select({ name: apiKeys.name }).from(apiKeys).where(eq(apiKeys.id, actor.apiKeyId));
    if (k) return `API key ${k.name}`;
  }
  return 'a recruiter';
}

/**
 * Undoes an email inside its undo window (due, not gone: `dueAt <= now < sendsAt`): one a
 * recruiter released (send-now, resend, approve) goes back to where it was (pending at its planned
 * time, stale, paused, uncertain, awaiting approval), unless that would send it at once (its
 * planned time has come), and then, like one that fell due by itself, it is cancelled ("undone by
 * <name>"), so re-planning does not bring it back. The row is locked, as the worker's claim locks
 * it: an undo that gets it first means nothing is sent; one that comes after the claim is a 409
 * naming the status (`queued`, `sent`), as is one after the window or before the due time, and
 * nothing changes.
 */
export async function undoFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof undoFollowUpBody>, ifMatch?: number) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx, work) => {
    const current = await lockForAction(tx, id, ['pending'], 'undone: only an email waiting in its undo window can be', ifMatch);
    const sendsAt = sendsAtOf(current);
    if (current.channel !== 'email') {
      throw new AppError('conflict', `A ${current.channel} follow-up is a task, never sent: cancel it instead`, [], { followUpStatus: current.status, channel: current.channel });
    }
    if (now.getTime() < current.dueAt.getTime()) {
      throw new AppError('conflict', `The follow-up is not due yet (${current.dueAt.toISOString()}): its undo window opens then; cancel or move it instead`, [], {
        followUpStatus: current.status,
        sendsAt: sendsAt.toISOString(),
      });
    }
    if (now.getTime() >= sendsAt.getTime()) {
      throw new AppError('conflict', `The undo window closed at ${sendsAt.toISOString()}: the follow-up is on its way`, [], {
        followUpStatus: current.status,
        sendsAt: sendsAt.toISOString(),
      });
    }
    const back = current.undoTo;
    const backDue = back ? new Date(back.dueAt) : null;
    // Back to pending at a time already come would send it straight away: that is no undo.
    const restore =
      back && backDue && !(back.status === 'pending' && backDue.getTime() <= now.getTime() && backDue.getTime() > now.getTime() - RECONCILE_LATE_LIMIT_MS);
    const by = await actorName(tx, actor);
    const why = input.reason ? `: ${input.reason}` : '';
    const set: Partial<FollowUpRow> =
      restore && back
        ? {
            status: back.status,
            dueAt: backDue!,
            reason: back.reason,
            holdReason: back.holdReason,
            approvedAt: back.approvedAt ? new Date(back.approvedAt) : null,
            approvedBy: back.approvedBy,
            ...(back.basis !== undefined ? { basis: back.basis } : {}),
            undoTo: null,
          }
        : { status: 'cancelled', cancelReason: `undone by ${by}${why}`, cancelledBy: 'user', holdReason: null, undoTo: null };
    const updated = await writeAction(tx, actor, now, current, set, 'followup.undone', (u) => ({
      status: u.status,
      sendsAt: sendsAt.toISOString(),
      ...(restore && back ? { restored: back.by } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
    }));
    work.afterCommit(...deliveriesDueSoon([updated], now));
    return updated;
  });
  return presentFollowUp(row, now);
}
