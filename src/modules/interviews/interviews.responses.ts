import { and, eq, sql } from 'drizzle-orm';
import ICAL from 'ical.js';
import type { Deps } from '../../deps.js';
import { readTenant, type Tx } from '../../db/client.js';
import { applications, contacts, interviewParticipants, interviews } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { AppError } from '../../lib/errors.js';
import { recordChange } from '../activity/activity.service.js';

export type ParticipantResponse = 'accepted' | 'declined' | 'tentative';

/** An invite's answer (iTIP METHOD:REPLY, RFC 5546 §3.2.3), as read from the email's text/calendar part. */
export interface CalendarReply {
  interviewId: string | null;
  sequence: number;
  attendees: { email: string; response: ParticipantResponse | null }[];
}

const PARTSTAT: Record<string, ParticipantResponse> = { ACCEPTED: 'accepted', DECLINED: 'declined', TENTATIVE: 'tentative' };
const UID = /^interview-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@afterview$/i;

const malformed = (message: string) =>
  new AppError('unprocessable', `The calendar part is not an invite reply we can read: ${message}`, [{ field: 'body.calendar', message }]);

/**
 * Reads a calendar reply with ical.js (a parser independent of the generator that wrote the
 * invite): METHOD:REPLY, one VEVENT with a UID and at least one ATTENDEE with PARTSTAT. Anything
 * else is 422 naming `body.calendar`. `interviewId` is null for a UID that is not one of ours.
 */
export function parseCalendarReply(text: string): CalendarReply {
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (err) {
    throw malformed(err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : 'unreadable');
  }
  if (calendar.name !== 'vcalendar') throw malformed('not a VCALENDAR');
  const method = String(calendar.getFirstPropertyValue('method') ?? '').toUpperCase();
  if (method !== 'REPLY') throw malformed(method ? `METHOD:${method}, not REPLY` : 'no METHOD');
  const event = calendar.getFirstSubcomponent('vevent');
  if (!event) throw malformed('no VEVENT');
  const uid = String(event.getFirstPropertyValue('uid') ?? '');
  if (!uid) throw malformed('no UID');
  const attendees = event.getAllProperties('attendee').map((p) => ({
    email: String(p.getFirstValue() ?? '').replace(/^mailto:/i, '').trim().toLowerCase(),
    response: PARTSTAT[String(p.getParameter('partstat') ?? '').toUpperCase()] ?? null,
  }));
  if (attendees.length === 0 || attendees.every((a) => !a.email)) throw malformed('no ATTENDEE');
  if (attendees.every((a) => a.response === null)) throw malformed('no PARTSTAT of ACCEPTED, DECLINED or TENTATIVE');
  const sequence = Number(event.getFirstPropertyValue('sequence') ?? 0);
  return { interviewId: UID.exec(uid)?.[1]?.toLowerCase() ?? null, sequence: Number.isFinite(sequence) ? sequence : 0, attendees };
}

/**
 * Sets the answering participants' responses (a participant is found by their contact's address),
 * each change with its activity and `interview.participant_responded`. Returns the interview's
 * refs when the reply was one of its participants', else null (the email then waits unmatched).
 */
export async function applyCalendarReply(tx: Tx, actor: Actor, now: Date, reply: CalendarReply) {
  if (!reply.interviewId) return null;
  const [interview] = await tx
    .select({ id: interviews.id, applicationId: interviews.applicationId, candidateId: applications.candidateId })
    .from(interviews)
    .innerJoin(applications, eq(applications.id, interviews.applicationId))
    .where(eq(interviews.id, reply.interviewId));
  if (!interview) return null;
  const people = await tx
    .select({ id: interviewParticipants.id, contactId: interviewParticipants.contactId, email: contacts.email, response: interviewParticipants.response })
    .from(interviewParticipants)
    .innerJoin(contacts, eq(contacts.id, interviewParticipants.contactId))
    .where(eq(interviewParticipants.interviewId, interview.id))
    .for('update', { of: interviewParticipants });
  let matched = false;
  for (const a of reply.attendees) {
    const p = people.find((x) => x.email && x.email.toLowerCase() === a.email);
    if (!p || !a.response) continue;
    matched = true;
    if (p.response === a.response) continue;
    await tx.update(interviewParticipants).set({ response: a.response, respondedAt: now }).where(eq(interviewParticipants.id, p.id));
    await recordChange(actor, now, {
      action: 'interview.participant_responded',
      subject: { type: 'interview', id: interview.id },
      refs: { candidateId: interview.candidateId, applicationId: interview.applicationId, interviewId: interview.id },
      changes: { response: { before: p.response, after: a.response } },
      data: { contactId: p.contactId, response: a.response, previous: p.response },
    });
  }
  return matched ? interview : null;
}

/**
 * What Today warns about: scheduled interviews not over yet with a participant who declined,
 * soonest first (a recruiter's own with `recruiterId`).
 */
export async function listDeclines(deps: Deps, actor: Actor, q: { recruiterId?: string | undefined }) {
  const now = deps.clock.now();
  const rows = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select({
        interviewId: interviews.id,
        applicationId: interviews.applicationId,
        candidateId: applications.candidateId,
        ownerId: applications.ownerId,
        startsAt: interviews.startsAt,
        timeZone: interviews.timeZone,
        contactId: interviewParticipants.contactId,
        name: contacts.name,
        role: interviewParticipants.role,
        respondedAt: interviewParticipants.respondedAt,
      })
      .from(interviewParticipants)
      .innerJoin(interviews, eq(interviews.id, interviewParticipants.interviewId))
      .innerJoin(applications, eq(applications.id, interviews.applicationId))
      .innerJoin(contacts, eq(contacts.id, interviewParticipants.contactId))
      .where(
        and(
          eq(interviewParticipants.response, 'declined'),
          eq(interviews.status, 'scheduled'),
          sql`${interviews.endsAt} > ${now}`,
          q.recruiterId ? eq(applications.ownerId, q.recruiterId) : undefined,
        ),
      )
      .orderBy(interviews.startsAt, interviews.id)
      .limit(200),
  );
  return { data: rows };
}
