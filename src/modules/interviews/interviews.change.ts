import { eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { applications, contacts, interviews } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { assertVersion } from '../../lib/versioning.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange, type ChangeRecord } from '../activity/activity.service.js';
import { syncFollowUps } from '../followups/followups.sync.js';
import { planInvites } from './interviews.invites.js';
import { employerChain, loadInterview, type InterviewRow } from './interviews.repo.js';

/* The steps every change to an interview shares (interviews.service.ts, interviews.participants.ts). */

export const FIELDS = ['round', 'format', 'startsAt', 'endsAt', 'timeZone', 'arrangedVia', 'status', 'decisionExpectedBy', 'highlights', 'location', 'meetingUrl', 'notes', 'cancelReason'] as const;

export async function loadOrThrow(tx: Tx, id: string) {
  const found = await loadInterview(tx, id);
  if (!found) throw notFound('Interview');
  return found;
}

/**
 * After a change to when it is or who takes part: the follow-up plan and the calendar invites
 * follow (`removed`: the contact whose invite is withdrawn); the interview as it is now.
 */
export async function replanAndLoad(tx: Tx, actor: Actor, now: Date, id: string, invites: { removed?: string } = {}) {
  await syncFollowUps(tx, actor, now, id);
  await planInvites(tx, actor.tenantId, now, id, invites);
  return loadOrThrow(tx, id);
}

/** Contacts must exist and work at the position's employer or a district above it. */
export async function checkContacts(tx: Tx, employerId: string, contactIds: string[], field: (i: number) => string) {
  const dupe = contactIds.findIndex((id, i) => contactIds.indexOf(id) !== i);
  if (dupe >= 0) throw new AppError('validation_failed', 'A contact is listed twice', [{ field: field(dupe), message: 'Listed twice' }]);
  const chain = await employerChain(tx, employerId);
  const rows = contactIds.length
    ? await tx.select({ id: contacts.id, employerId: contacts.employerId }).from(contacts).where(inArray(contacts.id, contactIds))
    : [];
  contactIds.forEach((id, i) => {
    const row = rows.find((r) => r.id === id);
    if (!row) throw new AppError('validation_failed', 'Unknown contact', [{ field: field(i), message: 'No such contact' }]);
    if (!chain.includes(row.employerId)) {
      throw new AppError('validation_failed', 'The contact works at another employer', [
        { field: field(i), message: 'Not at the position’s employer or its district' },
      ]);
    }
  });
}

/** Locks the interview row, checks If-Match and that its status allows the action. */
export async function lockForAction(tx: Tx, id: string, allowed: InterviewRow['status'][], action: string, ifMatch?: number) {
  const [row] = await tx.select().from(interviews).where(eq(interviews.id, id)).for('update');
  if (!row) throw notFound('Interview');
  assertVersion(row.version, ifMatch);
  if (!allowed.includes(row.status)) {
    throw new AppError('conflict', `A ${row.status.replace('_', '-')} interview cannot be ${action}`, [], { status: row.status });
  }
  return row;
}

export async function refsOf(tx: Tx, row: InterviewRow) {
  const [app] = await tx.select({ candidateId: applications.candidateId }).from(applications).where(eq(applications.id, row.applicationId));
  return { candidateId: app!.candidateId, applicationId: row.applicationId, interviewId: row.id };
}

/** Applies a change to an interview row and writes its activity and event. */
export async function applyChange(
  tx: Tx,
  actor: Actor,
  now: Date,
  row: InterviewRow,
  set: Partial<InterviewRow>,
  action: ChangeRecord['action'],
  data?: Record<string, unknown>,
) {
  await tx
    .update(interviews)
    .set({ ...set, version: row.version + 1, updatedAt: now })
    .where(eq(interviews.id, row.id));
  await recordChange(actor, now, {
    action,
    subject: { type: 'interview', id: row.id },
    refs: await refsOf(tx, row),
    changes: diff(row, { ...row, ...set }, FIELDS),
    ...(data ? { data } : {}),
  });
}
