import { and, eq, inArray } from 'drizzle-orm';
import { afterCommit, type Tx } from '../../db/client.js';
import { followUps, heldStatuses, interviews } from '../../db/schema/index.js';
import { newId } from '../../lib/ids.js';
import type { Actor } from '../../lib/access.js';
import { recordChange } from '../activity/activity.service.js';
import type { Playbook } from '../../core/followups/playbook.js';
import { replan } from '../../core/followups/planner.js';
import { deliveriesDueSoon } from './followups.jobs.js';
import { loadFacts, loadPlaybook, lockInterviewContext, type FollowUpRow } from './followups.repo.js';
import type { ExistingFollowUp, FollowUpStatus, TemplateVars } from '../../core/followups/types.js';

/** Rows re-planning may still change: waiting for their time, for the worker, for a person (review, approval) or a new date (paused). */
const LIVE = ['pending', 'queued', ...heldStatuses] as const;
const isHeld = (s: FollowUpRow['status']) => (heldStatuses as readonly string[]).includes(s);

/**
 * How re-planning sees a stored row. Queued (and a step held for a person: stale) counts as pending (the worker checks the status before
 * it sends, so a cancelled one is not sent); skipped, failed and cancelled-by-hand count as done, so
 * a recruiter's decision is not undone by the next re-plan. The planner's own time is compared, not
 * one a recruiter moved.
 */
function asExisting(r: FollowUpRow): ExistingFollowUp {
  const status: FollowUpStatus =
    r.status === 'paused'
      ? 'paused'
      : r.status === 'pending' || r.status === 'queued' || isHeld(r.status)
        ? 'pending'
        : r.status === 'cancelled'
          ? r.cancelledBy === 'user'
            ? 'done'
            : 'cancelled'
          : r.status === 'sent'
            ? 'sent'
            : 'done';
  return {
    id: r.id,
    key: r.key,
    status,
    dueAt: r.plannedDueAt,
    channel: r.channel,
    voice: r.voice,
    recipient: r.recipient,
    vars: r.vars as unknown as TemplateVars,
    movedByHand: r.status === 'pending' && r.dueAt.getTime() !== r.plannedDueAt.getTime(),
  };
}

export interface SyncResult {
  added: number;
  cancelled: number;
}

/**
 * Re-plans an interview's follow-ups against what is stored and applies the difference in the
 * caller's transaction: cancelled rows get their reason, new steps are inserted, and each change
 * writes its activity and `followup.cancelled` / `followup.planned` event. The interview row is
 * locked, so two syncs of one interview do not interleave. Without a playbook, the agency's is read.
 */
export async function syncFollowUps(tx: Tx, actor: Actor, now: Date, interviewId: string, playbook?: Playbook): Promise<SyncResult> {
  const ctx = await lockInterviewContext(tx, interviewId);
  if (!ctx) return { added: 0, cancelled: 0 };
  // Read together (one round trip on the pipelined connection); the facts are wasted only when nothing is to be done.
  const [stored, facts, pb] = await Promise.all([
    tx.select().from(followUps).where(eq(followUps.interviewId, interviewId)),
    loadFacts(tx, actor.tenantId, ctx),
    playbook ?? loadPlaybook(tx, actor.tenantId),
  ]);
  const hasOpen = stored.some((r) => (LIVE as readonly string[]).includes(r.status));
  // Only completed interviews are planned; otherwise there is work only if something is still open.
  if (ctx.interview.status !== 'completed' && !hasOpen) return { added: 0, cancelled: 0 };
  const plan = replan(stored.map(asExisting), facts, pb, now);
  const refs = { candidateId: ctx.candidateId, applicationId: ctx.interview.applicationId, interviewId };
  const byId = new Map(stored.map((r) => [r.id, r]));

  // Cancel before inserting: a re-planned step reuses its key, which only one live row may hold.
  // A paused step keeps its key (it stays live): a new date cancels it as resumed, then re-adds it.
  for (const c of plan.cancel) {
    const row = byId.get(c.id)!;
    await tx
      .update(followUps)
      .set(
        c.pause
          ? { status: 'paused', holdReason: c.reason, version: row.version + 1, updatedAt: now }
          : { status: 'cancelled', cancelReason: c.reason, cancelledBy: 'plan', holdReason: null, version: row.version + 1, updatedAt: now },
      )
      .where(and(eq(followUps.id, c.id), inArray(followUps.status, [...LIVE])));
  }
  // A step that stands takes the corrected wording inputs; the text is rendered from them when it
  // is sent, and a text edited by hand stays as it is.
  for (const r of plan.refresh) {
    await tx
      .update(followUps)
      .set({ vars: { ...r.vars }, version: byId.get(r.id)!.version + 1, updatedAt: now })
      .where(and(eq(followUps.id, r.id), inArray(followUps.status, [...LIVE])));
  }
  const rows = plan.add.map((p) => ({
    tenantId: actor.tenantId,
    id: newId(),
    interviewId,
    applicationId: ctx.interview.applicationId,
    candidateId: ctx.candidateId,
    key: p.key,
    kind: p.kind,
    channel: p.channel,
    voice: p.voice,
    recipient: p.recipient,
    contactId: p.contactId,
    dueAt: p.dueAt,
    ruleDueAt: p.ruleDueAt,
    plannedDueAt: p.dueAt,
    reason: p.reason,
    basis: p.basis,
    // Past its freshness limit already (a backfilled interview): it waits for a recruiter's review.
    // The playbook wants a recruiter's approval first (news of a decision, by default).
    status: p.stale ? ('stale' as const) : p.approval ? ('awaiting_approval' as const) : ('pending' as const),
    holdReason: p.stale ?? p.approval,
    vars: { ...p.vars },
    undoSeconds: pb.undoSeconds,
    ownerId: ctx.ownerId,
    createdAt: now,
    updatedAt: now,
  }));
  afterCommit(...deliveriesDueSoon(rows.map((r) => ({ ...r, version: 1 })), now));

  // The insert and the history go out together: one round trip on the pipelined connection.
  await Promise.all([
    rows.length > 0 ? tx.insert(followUps).values(rows) : undefined,
    ...plan.cancel.map((c) => {
      const row = byId.get(c.id)!;
      if (c.pause) {
        return recordChange(actor, now, {
          action: 'followup.paused',
          subject: { type: 'followUp', id: c.id },
          refs,
          changes: { status: { before: row.status, after: 'paused' }, holdReason: { before: row.holdReason, after: c.reason } },
          data: { key: c.key, kind: row.kind, reason: c.reason },
        });
      }
      return recordChange(actor, now, {
        action: 'followup.cancelled',
        subject: { type: 'followUp', id: c.id },
        refs,
        changes: { status: { before: row.status, after: 'cancelled' }, cancelReason: { before: row.cancelReason, after: c.reason } },
        data: { key: c.key, kind: row.kind, reason: c.reason, by: 'plan' },
      });
    }),
    ...rows.map((r) =>
      recordChange(actor, now, {
        action: 'followup.planned',
        subject: { type: 'followUp', id: r.id },
        refs,
        data: {
          key: r.key,
          kind: r.kind,
          channel: r.channel,
          voice: r.voice,
          dueAt: r.dueAt.toISOString(),
          contactId: r.contactId,
          ...(r.status !== 'pending' ? { status: r.status, holdReason: r.holdReason } : {}),
        },
      }),
    ),
  ]);
  return { added: rows.length, cancelled: plan.cancel.length };
}

/** Re-plans every completed interview of an application (after a reply or an outcome). */
export async function syncApplicationFollowUps(tx: Tx, actor: Actor, now: Date, applicationId: string): Promise<SyncResult> {
  const ids = await tx
    .select({ id: interviews.id })
    .from(interviews)
    .where(and(eq(interviews.applicationId, applicationId), eq(interviews.status, 'completed')))
    .orderBy(interviews.id);
  const total: SyncResult = { added: 0, cancelled: 0 };
  if (ids.length === 0) return total;
  const pb = await loadPlaybook(tx, actor.tenantId);
  for (const { id } of ids) {
    const r = await syncFollowUps(tx, actor, now, id, pb);
    total.added += r.added;
    total.cancelled += r.cancelled;
  }
  return total;
}
