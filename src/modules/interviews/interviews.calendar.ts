import { eq } from 'drizzle-orm';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { Deps } from '../../deps.js';
import { readTenant } from '../../db/client.js';
import { applications, candidates, employers, positions, tenants, users } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { notFound } from '../../lib/errors.js';
import { getInterview } from './interviews.service.js';

/** The one UID of an interview's calendar event, whatever becomes of it (RFC 5545 §3.8.4.7). */
export const interviewUid = (id: string) => `interview-${id}@afterview`;

/**
 * GET /v1/interviews/{id}/calendar.ics: the interview as an iCalendar event (RFC 5545) a recruiter
 * or a calendar app imports. One UID per interview; SEQUENCE is its version, so each change
 * (reschedule, cancel, a new participant) supersedes the last copy; times in UTC; the recruiter
 * who owns the application is the organizer, the participants and the candidate the attendees;
 * a cancelled interview is `STATUS:CANCELLED`.
 */
export async function interviewCalendar(deps: Deps, actor: Actor, id: string): Promise<string> {
  const interview = await getInterview(deps, actor, id);
  const [about] = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select({
        candidate: { name: candidates.name, email: candidates.email },
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
      .where(eq(applications.id, interview.applicationId)),
  );
  if (!about) throw notFound('Interview');
  const calendar = ical({ prodId: { company: 'Afterview', product: 'interviews', language: 'EN' }, method: ICalCalendarMethod.PUBLISH, name: about.agency });
  const round = interview.round > 1 ? ` (round ${interview.round})` : '';
  calendar.createEvent({
    id: interviewUid(interview.id),
    sequence: interview.version,
    stamp: interview.updatedAt,
    start: interview.startsAt,
    end: interview.endsAt,
    summary: `Interview: ${about.candidate.name} for ${about.position}, ${about.employer}${round}`,
    description: `${interview.format} interview, arranged by ${interview.arrangedVia}. Agreed in ${interview.timeZone}.`,
    location: interview.location ?? null,
    status: interview.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: about.recruiter.name, email: about.recruiter.email },
    attendees: [
      ...interview.participants.filter((p) => p.email).map((p) => ({ name: p.name, email: p.email!, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION })),
      ...(about.candidate.email ? [{ name: about.candidate.name, email: about.candidate.email, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION }] : []),
    ],
  });
  return calendar.toString();
}
