import { eq } from 'drizzle-orm';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { Deps } from '../../deps.js';
import { readTenant, type Tx } from '../../db/client.js';
import { applications, candidates, employers, positions, tenants, users } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { notFound } from '../../lib/errors.js';
import { loadInterview } from './interviews.repo.js';

/** The one UID of an interview's calendar event, whatever becomes of it (RFC 5545 §3.8.4.7). */
export const interviewUid = (id: string) => `interview-${id}@afterview`;

export type LoadedInterview = NonNullable<Awaited<ReturnType<typeof loadInterview>>>;

/** What an interview's event says beyond the interview row: who, for what, organized by whom. */
export interface InterviewAbout {
  candidate: { name: string; email: string | null; statusUpdatesOptIn: boolean };
  position: string;
  employer: string;
  recruiter: { name: string; email: string };
  agency: string;
}

export async function interviewAbout(tx: Tx, applicationId: string): Promise<InterviewAbout | undefined> {
  const [about] = await tx
    .select({
      candidate: { name: candidates.name, email: candidates.email, statusUpdatesOptIn: candidates.statusUpdatesOptIn },
      position: positions.title,
      employer: employers.name,
      recruiter: { name: users.name, email: users.email },
      agency: tenants.name,
    })
    .from(applications)
    .innerJoin(candidates, eq(candidates.id, applications.candidateId))
    .innerJoin(positions, eq(positions.id, applications.positionId))
    .innerJoin(employers, eq(employers.id, positions.employerId))
    .innerJoin(users, eq(users.id, applications.ownerId))
    .innerJoin(tenants, eq(tenants.id, applications.tenantId))
    .where(eq(applications.id, applicationId));
  return about;
}

const PARTSTAT = {
  needs_action: ICalAttendeeStatus.NEEDSACTION,
  accepted: ICalAttendeeStatus.ACCEPTED,
  declined: ICalAttendeeStatus.DECLINED,
  tentative: ICalAttendeeStatus.TENTATIVE,
} as const;

export const interviewSummary = (interview: Pick<LoadedInterview, 'round'>, about: InterviewAbout) =>
  `Interview: ${about.candidate.name} for ${about.position}, ${about.employer}${interview.round > 1 ? ` (round ${interview.round})` : ''}`;

/**
 * The interview as one VEVENT: one UID per interview, the given SEQUENCE, times in UTC, the
 * recruiter who owns the application as organizer, the participants (with their answers) and the
 * candidate (unless they opted out of emails) as attendees; `only` names one attendee instead (a
 * CANCEL to a participant who was taken off). `method` is iTIP's (RFC 5546): PUBLISH for a download or a
 * feed, REQUEST or CANCEL in an invite email.
 */
export function addInterviewEvent(
  calendar: ReturnType<typeof ical>,
  interview: LoadedInterview,
  about: InterviewAbout,
  opts: { sequence: number; cancelled?: boolean; only?: { name: string; address: string } | undefined; rsvp?: boolean },
) {
  const people = [
    ...interview.participants.filter((p) => p.email).map((p) => ({ name: p.name, email: p.email!, status: PARTSTAT[p.response] })),
    ...(about.candidate.email && about.candidate.statusUpdatesOptIn
      ? [{ name: about.candidate.name, email: about.candidate.email, status: ICalAttendeeStatus.NEEDSACTION }]
      : []),
  ];
  // A participant taken off is no longer among them: their CANCEL names them alone.
  const attendees = opts.only ? [{ name: opts.only.name, email: opts.only.address, status: ICalAttendeeStatus.NEEDSACTION }] : people;
  const where = [interview.location, interview.meetingUrl].filter(Boolean).join(' · ');
  calendar.createEvent({
    id: interviewUid(interview.id),
    sequence: opts.sequence,
    stamp: interview.updatedAt,
    start: interview.startsAt,
    end: interview.endsAt,
    summary: interviewSummary(interview, about),
    description:
      `${interview.format} interview, arranged by ${interview.arrangedVia}. Agreed in ${interview.timeZone}.` +
      (interview.meetingUrl ? `\nJoin: ${interview.meetingUrl}` : ''),
    location: where || null,
    ...(interview.meetingUrl ? { url: interview.meetingUrl } : {}),
    status: opts.cancelled || interview.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: about.recruiter.name, email: about.recruiter.email },
    attendees: attendees.map((p) => ({ name: p.name, email: p.email, role: ICalAttendeeRole.REQ, status: p.status, rsvp: opts.rsvp ?? false })),
  });
}

export function interviewIcs(interview: LoadedInterview, about: InterviewAbout, method: 'PUBLISH' | 'REQUEST' | 'CANCEL', sequence: number, only?: { name: string; address: string }) {
  const calendar = ical({ prodId: { company: 'Afterview', product: 'interviews', language: 'EN' }, method: ICalCalendarMethod[method], name: about.agency });
  addInterviewEvent(calendar, interview, about, { sequence, cancelled: method === 'CANCEL', only, rsvp: method === 'REQUEST' });
  return calendar.toString();
}

/**
 * GET /v1/interviews/{id}/calendar.ics: the interview as an iCalendar event (RFC 5545) a recruiter
 * or a calendar app imports. SEQUENCE is its version, so each change (reschedule, cancel, a new
 * participant) supersedes the last copy; a cancelled interview is `STATUS:CANCELLED`.
 */
export async function interviewCalendar(deps: Deps, actor: Actor, id: string): Promise<string> {
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    const interview = await loadInterview(tx, id);
    const about = interview ? await interviewAbout(tx, interview.applicationId) : undefined;
    if (!interview || !about) throw notFound('Interview');
    return interviewIcs(interview, about, 'PUBLISH', interview.version);
  });
}
