import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { afterCommit, readTenant, withTenant, type Tx } from '../../db/client.js';
import { listChanged } from '../../db/sync.js';
import { apiKeys, followUps, tenants, users, type UndoState } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { decodeCursor, encodeCursor } from '../../lib/pagination.js';
import { assertVersion } from '../../lib/versioning.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange, type ChangeRecord } from '../activity/activity.service.js';
import { findFollowUps, inUndoWindow, loadFacts, loadPlaybook, lockInterviewContext, presentFollowUp, sendsAtOf, type FollowUpRow } from './followups.repo.js';
import { nextAllowedMoment } from '../../core/followups/moments.js';
import { and, asc } from 'drizzle-orm';
import { describeInstant } from '../../core/businessTime.js';
import type { PlanBasis } from '../../core/followups/types.js';
import type { Playbook } from '../../core/followups/playbook.js';
import { deliveriesDueSoon, RECONCILE_LATE_LIMIT_MS } from './followups.jobs.js';
import { followUpMessageId } from './followups.delivery.js';
import type {
  approveAllBody,
  approveFollowUpBody,
  declineFollowUpBody,
  cancelFollowUpBody,
  completeFollowUpBody,
  editFollowUpBody,
  listFollowUpsQuery,
  markSentFollowUpBody,
  rescheduleFollowUpBody,
  resendFollowUpBody,
  sendNowFollowUpBody,
  skipFollowUpBody,
  undoFollowUpBody,
} from './followups.schemas.js';

type Status = FollowUpRow['status'];
const OPEN: Status[] = ['pending', 'queued'];
/**
 * Waiting for a recruiter's review (stale: past its freshness limit when planned) or for a new date
 * (paused): edited, sent now, moved or closed by hand.
 */
const HELD: Status[] = ['stale', 'paused'];
/** Skip and cancel also close one whose send is uncertain, or one waiting for approval: the recruiter decides it is not needed. */
const CLOSABLE: Status[] = [...OPEN, ...HELD, 'awaiting_approval', 'uncertain'];
/** Channels that are a recruiter's task rather than a message the worker sends. */
const TASK_CHANNELS: FollowUpRow['channel'][] = ['task', 'phone', 'linkedin'];
const FIELDS = ['status', 'dueAt', 'reason', 'subject', 'body', 'notes', 'cancelReason', 'holdReason', 'completedAt', 'sentAt'] as const;

export async function listFollowUps(deps: Deps, actor: Actor, q: z.output<typeof listFollowUpsQuery>) {
  const now = deps.clock.now();
  if (q.updatedSince) {
    const page = await listChanged(deps.db, actor.tenantId, followUps, { ...q, updatedSince: q.updatedSince });
    return { data: page.data.map((r) => presentFollowUp(r, now)), nextCursor: page.nextCursor };
  }
  const after = decodeCursor(q.cursor, z.object({ dueAt: z.iso.datetime(), id: z.uuid() }));
  const rows = await readTenant(deps.db, actor.tenantId, (tx) => findFollowUps(tx, { ...q, now, after }));
  const data = rows.slice(0, q.limit);
  const last = data[data.length - 1];
  return {
    data: data.map((r) => presentFollowUp(r, now)),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ dueAt: last.dueAt.toISOString(), id: last.id }) : null,
  };
}

export async function getFollowUp(deps: Deps, actor: Actor, id: string) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(followUps).where(eq(followUps.id, id)));
  if (!row) throw notFound('Follow-up');
  return presentFollowUp(row, deps.clock.now());
}

/** Locks the follow-up, checks If-Match and that its status allows the action (else 409). */
async function lockForAction(tx: Tx, id: string, allowed: Status[], action: string, ifMatch?: number) {
  const [row] = await tx.select().from(followUps).where(eq(followUps.id, id)).for('update');
  if (!row) throw notFound('Follow-up');
  assertVersion(row.version, ifMatch);
  if (!allowed.includes(row.status)) {
    throw new AppError('conflict', `A ${row.status} follow-up cannot be ${action}`, [], { followUpStatus: row.status });
  }
  return row;
}

/** Runs one action on a follow-up: lock, check, update, activity and event, in one transaction. */
async function act(
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
    const [updated] = await tx
      .update(followUps)
      .set({ ...set, version: current.version + 1, updatedAt: now })
      .where(eq(followUps.id, id))
      .returning();
    await recordChange(actor, now, {
      action: opts.action,
      subject: { type: 'followUp', id },
      refs: { candidateId: current.candidateId, applicationId: current.applicationId, interviewId: current.interviewId },
      changes: diff(current, updated!, FIELDS),
      data: { key: current.key, kind: current.kind, ...data },
    });
    // A new version (edited, moved, sent now) due soon goes to the queue at commit, not at the next sweep.
    work.afterCommit(...deliveriesDueSoon([updated!], now));
    return updated!;
  });
  return presentFollowUp(row, now);
}

export function editFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof editFollowUpBody>, ifMatch?: number) {
  return act(deps, actor, id, { allowed: [...OPEN, ...HELD, 'awaiting_approval'], verb: 'edited', action: 'followup.edited', ifMatch }, () => ({
    set: {
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      ...(input.body !== undefined ? { body: input.body } : {}),
    },
  }));
}

/** The planner's why, marked as overridden by a person (the time is theirs now, the rule's kept beside it). */
const byHand = (row: { basis: PlanBasis | null }, action: NonNullable<PlanBasis['byHand']>['action'], now: Date): PlanBasis | null =>
  row.basis ? { ...row.basis, byHand: { action, at: now.toISOString() } } : null;

export function rescheduleFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof rescheduleFollowUpBody>, ifMatch?: number) {
  if (input.dueAt.getTime() <= deps.clock.now().getTime()) {
    throw new AppError('validation_failed', 'A follow-up cannot be moved into the past', [{ field: 'body.dueAt', message: 'Must be in the future' }]);
  }
  return act(deps, actor, id, { allowed: ['pending', ...HELD], verb: 'rescheduled', action: 'followup.rescheduled', ifMatch }, (row, now) => ({
    // The planner's time stays in planned_due_at, so re-planning keeps this move unless the facts change.
    // A stale one moved by hand is reviewed: it goes at the new time.
    set: {
      status: 'pending',
      holdReason: null,
      dueAt: input.dueAt,
      undoTo: null,
      reason: `moved by hand to ${describeInstant(input.dueAt, row.basis?.zone ?? 'UTC')}: ${input.reason} (planned: ${row.reason})`,
      basis: byHand(row, 'moved', now),
    },
    data: { dueAt: input.dueAt.toISOString(), previousDueAt: row.dueAt.toISOString(), reason: input.reason },
  }));
}

/**
 * Sends a pending email follow-up now: due at once (the planned time kept in the reason), its
 * deliver job enqueued as the change commits. Also for one too overdue for the worker to send alone.
 */
export function sendFollowUpNow(deps: Deps, actor: Actor, id: string, input: z.output<typeof sendNowFollowUpBody>, ifMatch?: number) {
  return act(deps, actor, id, { allowed: ['pending', ...HELD], verb: 'sent now', action: 'followup.rescheduled', ifMatch }, (row, now) => {
    if (row.channel !== 'email') {
      throw new AppError('conflict', `A ${row.channel} follow-up is a task for the recruiter: complete it instead`, [], { channel: row.channel });
    }
    const why = input.reason ? `: ${input.reason}` : '';
    return {
      set: { status: 'pending', holdReason: null, dueAt: now, undoTo: undoStateOf(row, 'send_now', now), reason: `sent now by hand${why} (planned: ${row.reason})`, basis: byHand(row, 'sent_now', now) },
      data: { dueAt: now.toISOString(), previousDueAt: row.dueAt.toISOString(), reason: input.reason ?? 'sent now by hand', sendNow: true },
    };
  });
}

export function completeFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof completeFollowUpBody>, ifMatch?: number) {
  return act(deps, actor, id, { allowed: [...OPEN, ...HELD], verb: 'completed', action: 'followup.completed', ifMatch }, (row, now) => {
    if (!TASK_CHANNELS.includes(row.channel)) {
      throw new AppError('conflict', 'An email follow-up is sent by the worker, not completed by hand; skip or cancel it instead', [], {
        channel: row.channel,
      });
    }
    return { set: { status: 'done', completedAt: now, notes: input.notes ?? row.notes } };
  });
}

export function skipFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof skipFollowUpBody>, ifMatch?: number) {
  return act(deps, actor, id, { allowed: CLOSABLE, verb: 'skipped', action: 'followup.skipped', ifMatch }, (_row, now) => ({
    set: { status: 'skipped', cancelReason: input.reason, completedAt: now },
    data: { reason: input.reason },
  }));
}

export function cancelFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof cancelFollowUpBody>, ifMatch?: number) {
  const reason = input.reason ?? 'cancelled by hand';
  return act(deps, actor, id, { allowed: CLOSABLE, verb: 'cancelled', action: 'followup.cancelled', ifMatch }, () => ({
    set: { status: 'cancelled', cancelReason: reason, cancelledBy: 'user' },
    data: { reason, by: 'user' },
  }));
}

/**
 * Sends an uncertain follow-up again (docs/followups.md#delivery): pending and due at once, handed
 * to the worker as the change commits. If the first one did go out, the recipient gets it twice,
 * under the same Message-ID (mail clients that thread or deduplicate by it show one).
 */
export function resendFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof resendFollowUpBody>, ifMatch?: number) {
  return act(deps, actor, id, { allowed: ['uncertain'], verb: 'resent', action: 'followup.rescheduled', ifMatch }, (row, now) => {
    const why = input.reason ? `: ${input.reason}` : '';
    return {
      set: { status: 'pending', dueAt: now, undoTo: undoStateOf(row, 'resend', now), reason: `resent by hand after an uncertain send${why} (planned: ${row.reason})`, basis: byHand(row, 'resent', now) },
      data: { dueAt: now.toISOString(), previousDueAt: row.dueAt.toISOString(), reason: input.reason ?? 'resent by hand', resend: true },
    };
  });
}

/** Closes an uncertain follow-up as sent: the recruiter checked that it went out. */
export function markFollowUpSent(deps: Deps, actor: Actor, id: string, input: z.output<typeof markSentFollowUpBody>, ifMatch?: number) {
  return act(deps, actor, id, { allowed: ['uncertain'], verb: 'marked sent', action: 'followup.sent', ifMatch }, (_row, now) => ({
    set: { status: 'sent', sentAt: now, messageId: followUpMessageId(id) },
    data: { by: 'user', messageId: followUpMessageId(id), ...(input.reason ? { reason: input.reason } : {}) },
  }));
}

export async function getPlaybook(deps: Deps, actor: Actor): Promise<Playbook> {
  return readTenant(deps.db, actor.tenantId, (tx) => loadPlaybook(tx, actor.tenantId));
}

/**
 * Replaces the agency's playbook (validated by the route with playbookSchema: omitted settings take
 * their defaults). Existing follow-ups keep their times; the next re-plan of an interview uses it.
 */
export async function putPlaybook(deps: Deps, actor: Actor, input: Playbook): Promise<Playbook> {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const before = await loadPlaybook(tx, actor.tenantId);
    await tx.update(tenants).set({ playbook: input as unknown as Record<string, unknown>, updatedAt: now }).where(eq(tenants.id, actor.tenantId));
    const changed = Object.keys(input).filter((k) => JSON.stringify(before[k as keyof Playbook]) !== JSON.stringify(input[k as keyof Playbook]));
    await recordChange(actor, now, {
      action: 'playbook.updated',
      subject: { type: 'playbook', id: actor.tenantId },
      changes: Object.fromEntries(changed.map((k) => [k, { before: before[k as keyof Playbook], after: input[k as keyof Playbook] }])),
    });
    return input;
  });
}

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
    const [updated] = await tx
      .update(followUps)
      .set({ ...set, version: r.version + 1, updatedAt: now })
      .where(eq(followUps.id, r.id))
      .returning();
    const edited = edit.subject !== undefined || edit.body !== undefined;
    await recordChange(actor, now, {
      action: 'followup.approved',
      subject: { type: 'followUp', id: r.id },
      refs: { candidateId: r.candidateId, applicationId: r.applicationId, interviewId: r.interviewId },
      changes: diff(r, updated!, FIELDS),
      data: { key: r.key, kind: r.kind, dueAt: updated!.dueAt.toISOString(), edited, ...(edit.reason ? { reason: edit.reason } : {}) },
    });
    out.push(updated!);
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

/** What `undo` restores: the follow-up as it was before a recruiter released it. */
function undoStateOf(row: FollowUpRow, by: UndoState['by'], now: Date): UndoState {
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
    const [updated] = await tx
      .update(followUps)
      .set({ ...set, version: current.version + 1, updatedAt: now })
      .where(eq(followUps.id, id))
      .returning();
    await recordChange(actor, now, {
      action: 'followup.undone',
      subject: { type: 'followUp', id },
      refs: { candidateId: current.candidateId, applicationId: current.applicationId, interviewId: current.interviewId },
      changes: diff(current, updated!, FIELDS),
      data: {
        key: current.key,
        kind: current.kind,
        status: updated!.status,
        sendsAt: sendsAt.toISOString(),
        ...(restore && back ? { restored: back.by } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
      },
    });
    work.afterCommit(...deliveriesDueSoon([updated!], now));
    return updated!;
  });
  return presentFollowUp(row, now);
}
