import { and, asc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Deps } from '../../deps.js';
import { afterCommit, withTenant, type Tx } from '../../db/client.js';
import { followUps } from '../../db/schema/index.js';
import { notFound } from '../../lib/errors.js';
import type { Actor } from '../../lib/access.js';
import { loadFacts, loadPlaybook, lockInterviewContext, presentFollowUp, type FollowUpRow } from './followups.repo.js';
import { nextAllowedMoment } from '../../core/followups/moments.js';
import { deliveriesDueSoon } from './followups.jobs.js';
import { act, byHand, lockForAction, undoStateOf, writeAction } from './followups.act.js';
import type { approveAllBody, approveFollowUpBody, declineFollowUpBody } from './followups.schemas.js';

/**
 * Approves steps waiting for approval, in the caller's transaction: each becomes `pending` at its
 * planned time, or, when that has passed, at the next moment it may go to its recipient (business
 * hours, quiet hours). The interview is locked first, as re-planning does, then the rows.
 */
async function approveRows(
  tx: Tx,
  actor: Actor,
  now: Date,
  interviewId: string,
  rows: FollowUpRow[],
  edit: { subject?: string | null | undefined; body?: string | null | undefined; reason?: string | undefined },
) {
  const late = rows.filter((r) => r.dueAt.getTime() < now.getTime());
  let moment: ((r: FollowUpRow) => { at: Date; note: string | null }) | null = null;
  const pb = await loadPlaybook(tx, actor.tenantId);
  if (late.length > 0) {
    const ctx = await lockInterviewContext(tx, interviewId);
    if (ctx) {
      const facts = await loadFacts(tx, actor.tenantId, ctx);
      moment = (r) => nextAllowedMoment(facts, pb, now, r);
    }
  }
  const out: FollowUpRow[] = [];
  for (const r of rows) {
    const m = r.dueAt.getTime() < now.getTime() ? (moment?.(r) ?? { at: now, note: null }) : null;
    const why = edit.reason ? `: ${edit.reason}` : '';
    const set: Partial<FollowUpRow> = {
      status: 'pending',
      holdReason: null,
      approvedAt: now,
      approvedBy: actor.userId ?? actor.apiKeyId ?? null,
      // Its undo window is the agency's as it is now; an undo puts it back to awaiting approval.
      undoSeconds: pb.undoSeconds,
      undoTo: undoStateOf(r, 'approve', now),
      ...(edit.subject !== undefined ? { subject: edit.subject } : {}),
      ...(edit.body !== undefined ? { body: edit.body } : {}),
      ...(m
        ? {
            dueAt: m.at,
            reason: `approved by hand after its time${why}: at the next allowed moment${m.note ? ` (${m.note})` : ''} (planned: ${r.reason})`,
            // The basis says so too, or a client's sentence would give the new time the rule's why.
            basis: byHand(r, 'approved', now),
          }
        : {}),
    };
    const edited = edit.subject !== undefined || edit.body !== undefined;
    const updated = await writeAction(tx, actor, now, r, set, 'followup.approved', (u) => ({
      dueAt: u.dueAt.toISOString(),
      edited,
      ...(edit.reason ? { reason: edit.reason } : {}),
    }));
    out.push(updated);
  }
  afterCommit(...deliveriesDueSoon(out, now));
  return out;
}

/** Approves one step waiting for approval, optionally with a new subject or body (If-Match); another status is 409. */
export async function approveFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof approveFollowUpBody>, ifMatch?: number) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const [peek] = await tx.select({ interviewId: followUps.interviewId }).from(followUps).where(eq(followUps.id, id));
    if (!peek) throw notFound('Follow-up');
    // The interview before the row, in the order re-planning takes them.
    await lockInterviewContext(tx, peek.interviewId);
    const current = await lockForAction(tx, id, ['awaiting_approval'], 'approved: it is not waiting for approval', ifMatch);
    const [updated] = await approveRows(tx, actor, now, current.interviewId, [current], input);
    return updated!;
  });
  return presentFollowUp(row, now);
}

/** Every step of an interview waiting for approval, approved at once; none waiting answers an empty list. */
export async function approveAllFollowUps(deps: Deps, actor: Actor, interviewId: string, input: z.output<typeof approveAllBody>) {
  const now = deps.clock.now();
  const rows = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const ctx = await lockInterviewContext(tx, interviewId);
    if (!ctx) throw notFound('Interview');
    const waiting = await tx
      .select()
      .from(followUps)
      .where(and(eq(followUps.interviewId, interviewId), eq(followUps.status, 'awaiting_approval')))
      .orderBy(asc(followUps.dueAt), asc(followUps.id))
      .for('update');
    return approveRows(tx, actor, now, interviewId, waiting, { reason: input.reason });
  });
  return { data: rows.map((r) => presentFollowUp(r, now)) };
}

/** Declines a step waiting for approval: cancelled by hand, so re-planning does not bring it back. */
export function declineFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof declineFollowUpBody>, ifMatch?: number) {
  const reason = `declined: ${input.reason ?? 'not approved'}`;
  return act(deps, actor, id, { allowed: ['awaiting_approval'], verb: 'declined: it is not waiting for approval', action: 'followup.declined', ifMatch }, () => ({
    set: { status: 'cancelled', cancelReason: reason, cancelledBy: 'user', holdReason: null },
    data: { reason: input.reason ?? null, by: 'user' },
  }));
}
