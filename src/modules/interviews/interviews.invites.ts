import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { afterCommit, type Tx } from '../../db/client.js';
import { calendarInvites } from '../../db/schema/index.js';
import { newId } from '../../lib/ids.js';
import { interviewAbout } from './interviews.calendar.js';
import { loadInterview } from './interviews.repo.js';
import { sendInviteJob } from './interviews.jobs.js';

/** A contact, or the candidate: who an invite goes to. */
const contactKey = (contactId: string) => `contact:${contactId}`;

/**
 * The calendar invites (iMIP) a change of an interview sends, written in the change's transaction
 * and handed to the worker as it commits (docs/email.md): a REQUEST to each participant with an
 * address and to the candidate (unless they opted out), at the interview's new version as SEQUENCE,
 * while the interview is scheduled and not over; a CANCEL to everyone invited before when it is
 * cancelled, and to a participant taken off. A newer invite to the same person replaces one not
 * sent yet. An interview entered after the fact (already over) sends nothing.
 */
export async function planInvites(tx: Tx, tenantId: string, now: Date, interviewId: string, opts: { removed?: string } = {}) {
  const interview = await loadInterview(tx, interviewId);
  if (!interview) return;
  const about = await interviewAbout(tx, interview.applicationId);
  if (!about) return;
  const invited = new Set(
    (
      await tx
        .selectDistinct({ attendee: calendarInvites.attendee })
        .from(calendarInvites)
        .where(and(eq(calendarInvites.interviewId, interviewId), ne(calendarInvites.status, 'superseded')))
    ).map((r) => r.attendee),
  );
  const current = [
    ...interview.participants.filter((p) => p.email).map((p) => ({ attendee: contactKey(p.contactId), contactId: p.contactId as string | null })),
    ...(about.candidate.email && about.candidate.statusUpdatesOptIn ? [{ attendee: 'candidate', contactId: null }] : []),
  ];
  const rows: { attendee: string; contactId: string | null; method: 'REQUEST' | 'CANCEL' }[] = [];
  if (interview.status === 'cancelled') {
    for (const a of current) if (invited.has(a.attendee)) rows.push({ ...a, method: 'CANCEL' });
  } else if (interview.status === 'scheduled' && interview.endsAt > now) {
    for (const a of current) rows.push({ ...a, method: 'REQUEST' });
    if (opts.removed && invited.has(contactKey(opts.removed))) rows.push({ attendee: contactKey(opts.removed), contactId: opts.removed, method: 'CANCEL' });
  }
  if (rows.length === 0) return;
  await tx
    .update(calendarInvites)
    .set({ status: 'superseded', updatedAt: now })
    .where(and(eq(calendarInvites.interviewId, interviewId), eq(calendarInvites.status, 'pending'), inArray(calendarInvites.attendee, rows.map((r) => r.attendee))));
  const inserted = await tx
    .insert(calendarInvites)
    .values(rows.map((r) => ({ tenantId, id: newId(), interviewId, ...r, sequence: interview.version, createdAt: now, updatedAt: now })))
    .returning({ id: calendarInvites.id });
  afterCommit(...inserted.map((r) => ({ def: sendInviteJob, payload: { tenantId, inviteId: r.id }, opts: { jobId: `inv-${r.id}` } })));
}

/** The invites of an interview, newest first, for the API. */
export async function invitesOf(tx: Tx, interviewId: string) {
  return tx
    .select()
    .from(calendarInvites)
    .where(eq(calendarInvites.interviewId, interviewId))
    .orderBy(sql`${calendarInvites.createdAt} DESC`, sql`${calendarInvites.id} DESC`);
}
