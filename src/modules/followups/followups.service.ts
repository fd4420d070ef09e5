import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import { listChanged } from '../../db/sync.js';
import { followUps, tenants } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { decodeCursor, encodeCursor } from '../../lib/pagination.js';
import type { Actor } from '../../lib/access.js';
import { recordChange } from '../activity/activity.service.js';
import { findFollowUps, loadPlaybook, presentFollowUp } from './followups.repo.js';
import { describeInstant } from '../../core/businessTime.js';
import type { Playbook } from '../../core/followups/playbook.js';
import { followUpMessageId } from './followups.delivery.js';
import type {
  cancelFollowUpBody,
  completeFollowUpBody,
  editFollowUpBody,
  listFollowUpsQuery,
  markSentFollowUpBody,
  rescheduleFollowUpBody,
  resendFollowUpBody,
  sendNowFollowUpBody,
  skipFollowUpBody,
} from './followups.schemas.js';
import { act, byHand, CLOSABLE, HELD, OPEN, TASK_CHANNELS, undoStateOf } from './followups.act.js';

export { approveAllFollowUps, approveFollowUp, declineFollowUp } from './followups.review.js';
export { undoFollowUp } from './followups.undo.js';

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

export function editFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof editFollowUpBody>, ifMatch?: number) {
  return act(deps, actor, id, { allowed: [...OPEN, ...HELD, 'awaiting_approval'], verb: 'edited', action: 'followup.edited', ifMatch }, () => ({
    set: {
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      ...(input.body !== undefined ? { body: input.body } : {}),
    },
  }));
}

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
 * Sends an uncertain or failed follow-up again (docs/followups.md#delivery): pending and due at
 * once, handed to the worker as the change commits (a failed one once the cause is mended: the
 * agency's mail server settings, the address). If an uncertain one did go out, the recipient gets
 * it twice, under the same Message-ID (mail clients that thread or deduplicate by it show one).
 */
export function resendFollowUp(deps: Deps, actor: Actor, id: string, input: z.output<typeof resendFollowUpBody>, ifMatch?: number) {
  return act(deps, actor, id, { allowed: ['uncertain', 'failed'], verb: 'resent', action: 'followup.rescheduled', ifMatch }, (row, now) => {
    const why = input.reason ? `: ${input.reason}` : '';
    const after = row.status === 'failed' ? 'a failed send' : 'an uncertain send';
    return {
      set: { status: 'pending', dueAt: now, undoTo: undoStateOf(row, 'resend', now), reason: `resent by hand after ${after}${why} (planned: ${row.reason})`, basis: byHand(row, 'resent', now) },
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

