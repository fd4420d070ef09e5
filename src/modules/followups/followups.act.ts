import { eq } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { withTenant, type Tx } from '../../db/client.js';
import { followUps, type UndoState } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { assertVersion } from '../../lib/versioning.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange, type ChangeRecord } from '../activity/activity.service.js';
import { inUndoWindow, loadPlaybook, presentFollowUp, type FollowUpRow } from './followups.repo.js';
import type { PlanBasis } from '../../core/followups/types.js';
import { deliveriesDueSoon } from './followups.jobs.js';

/* A recruiter's actions on one follow-up (followups.service.ts, .review.ts, .undo.ts) share these. */

export type Status = FollowUpRow['status'];
export const OPEN: Status[] = ['pending', 'queued'];
/**
 * Waiting for a recruiter's review (stale: past its freshness limit when planned) or for a new date
 * (paused): edited, sent now, moved or closed by hand.
 */
export const HELD: Status[] = ['stale', 'paused'];
/** Skip and cancel also close one whose send is uncertain, or one waiting for approval: the recruiter decides it is not needed. */
export const CLOSABLE: Status[] = [...OPEN, ...HELD, 'awaiting_approval', 'uncertain', 'failed'];
/** Channels that are a recruiter's task rather than a message the worker sends. */
export const TASK_CHANNELS: FollowUpRow['channel'][] = ['task', 'phone', 'linkedin'];
export const FIELDS = ['status', 'dueAt', 'reason', 'subject', 'body', 'notes', 'cancelReason', 'holdReason', 'completedAt', 'sentAt'] as const;

/** Locks the follow-up, checks If-Match and that its status allows the action (else 409). */
export async function lockForAction(tx: Tx, id: string, allowed: Status[], action: string, ifMatch?: number) {
  const [row] = await tx.select().from(followUps).where(eq(followUps.id, id)).for('update');
  if (!row) throw notFound('Follow-up');
  assertVersion(row.version, ifMatch);
  if (!allowed.includes(row.status)) {
    throw new AppError('conflict', `A ${row.status} follow-up cannot be ${action}`, [], { followUpStatus: row.status });
  }
  return row;
}

/**
 * Writes an action's change to a locked follow-up, as its next version, with the activity and the
 * event (its key and kind, then `data` of the row as written).
 */
export async function writeAction(
  tx: Tx,
  actor: Actor,
  now: Date,
  current: FollowUpRow,
  set: Partial<FollowUpRow>,
  action: ChangeRecord['action'],
  data: (updated: FollowUpRow) => Record<string, unknown> | undefined = () => undefined,
) {
  const [updated] = await tx
    .update(followUps)
    .set({ ...set, version: current.version + 1, updatedAt: now })
    .where(eq(followUps.id, current.id))
    .returning();
  await recordChange(actor, now, {
    action,
    subject: { type: 'followUp', id: current.id },
    refs: { candidateId: current.candidateId, applicationId: current.applicationId, interviewId: current.interviewId },
    changes: diff(current, updated!, FIELDS),
    data: { key: current.key, kind: current.kind, ...data(updated!) },
  });
  return updated!;
}

/** Runs one action on a follow-up: lock, check, update, activity and event, in one transaction. */
export async function act(
  deps: Deps,
  actor: Actor,
  id: string,
  opts: { allowed: Status[]; verb: string; action: ChangeRecord['action']; ifMatch?: number | undefined },
  change: (row: FollowUpRow, now: Date) => { set: Partial<FollowUpRow>; data?: Record<string, unknown> },
) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx, work) => {
    const current = await lockForAction(tx, id, opts.allowed, opts.verb, opts.ifMatch);
    const { set, data } = change(current, now);
    // A new due time takes the agency's undo window as it is now.
    if (set.dueAt) set.undoSeconds = (await loadPlaybook(tx, actor.tenantId)).undoSeconds;
    const updated = await writeAction(tx, actor, now, current, set, opts.action, () => data);
    // A new version (edited, moved, sent now) due soon goes to the queue at commit, not at the next sweep.
    work.afterCommit(...deliveriesDueSoon([updated], now));
    return updated;
  });
  return presentFollowUp(row, now);
}

/** The planner's why, marked as overridden by a person (the time is theirs now, the rule's kept beside it). */
export const byHand = (row: { basis: PlanBasis | null }, action: NonNullable<PlanBasis['byHand']>['action'], now: Date): PlanBasis | null =>
  row.basis ? { ...row.basis, byHand: { action, at: now.toISOString() } } : null;

/** What `undo` restores: the follow-up as it was before a recruiter released it. */
export function undoStateOf(row: FollowUpRow, by: UndoState['by'], now: Date): UndoState {
  // Released again inside the window of an earlier release (Send now twice): an undo still goes back
  // to before the first one, not to the first release itself.
  if (row.undoTo && inUndoWindow(row, now)) return row.undoTo;
  return {
    status: row.status as UndoState['status'],
    dueAt: row.dueAt.toISOString(),
    reason: row.reason,
    holdReason: row.holdReason,
    approvedAt: row.approvedAt?.toISOString() ?? null,
    approvedBy: row.approvedBy,
    basis: row.basis,
    by,
  };
}
