import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { followUps, heldStatuses } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { recordChange } from '../activity/activity.service.js';
import { presentFollowUp } from './followups.repo.js';

/** The follow-ups sent or planned on the candidate's behalf or to them, for their data export. */
export async function exportFor(tx: Tx, candidateId: string, now: Date) {
  const rows = await tx.select().from(followUps).where(eq(followUps.candidateId, candidateId)).orderBy(asc(followUps.id));
  return { ids: rows.map((f) => f.id), followUps: rows.map((f) => presentFollowUp(f, now)) };
}

/**
 * Follow-ups still open or uncertain are called off, each on the timeline and as an event like any
 * other cancellation; the texts, variables, reasons and mail errors of all of them quote the person.
 */
export async function eraseFor(tx: Tx, actor: Actor, now: Date, candidateId: string) {
  const id = candidateId;
  const open = await tx
    .select({ id: followUps.id, key: followUps.key, kind: followUps.kind, status: followUps.status, applicationId: followUps.applicationId, interviewId: followUps.interviewId })
    .from(followUps)
    .where(and(eq(followUps.candidateId, id), inArray(followUps.status, ['pending', 'queued', 'uncertain', ...heldStatuses])))
    .for('update');
  await tx.execute(sql`
    UPDATE follow_ups SET
      subject = NULL, body = NULL, notes = NULL, vars = '{}'::jsonb, reason = '[erased]', last_error = NULL, hold_reason = NULL, undo_to = NULL,
      recipient = CASE WHEN recipient->>'type' = 'candidate'
                  THEN jsonb_build_object('type', 'candidate', 'name', 'Erased candidate', 'email', NULL)
                  ELSE recipient END,
      cancel_reason = CASE WHEN status IN ('pending', 'queued', 'uncertain', 'stale', 'awaiting_approval', 'paused') THEN 'the candidate was erased' ELSE cancel_reason END,
      cancelled_by = CASE WHEN status IN ('pending', 'queued', 'uncertain', 'stale', 'awaiting_approval', 'paused') THEN 'user' ELSE cancelled_by END,
      status = CASE WHEN status IN ('pending', 'queued', 'uncertain', 'stale', 'awaiting_approval', 'paused') THEN 'cancelled' ELSE status END,
      version = version + 1, updated_at = ${now}
    WHERE candidate_id = ${id}`);
  for (const f of open) {
    await recordChange(actor, now, {
      action: 'followup.cancelled',
      subject: { type: 'followUp', id: f.id },
      refs: { candidateId: id, applicationId: f.applicationId, interviewId: f.interviewId },
      changes: { status: { before: f.status, after: 'cancelled' } },
      data: { key: f.key, kind: f.kind, reason: 'the candidate was erased', by: 'user' },
    });
  }
}
