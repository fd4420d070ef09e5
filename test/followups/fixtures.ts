import type { FollowUpFacts, ParticipantFacts, PlannedFollowUp } from '../../src/core/followups/types.js';

/** A school-district interview: the agency and the district in New York, fixed instants only. */

export const dana: ParticipantFacts = {
  contactId: 'c-dana',
  name: 'Dana Park',
  email: 'dana.park@hvsd.example.org',
  phone: '+15555550101',
  linkedinUrl: 'https://www.linkedin.com/in/dana-park',
  timeZone: null,
  role: 'hiring_manager',
  highlight: 'the literacy block you observed',
};

export const lee: ParticipantFacts = {
  contactId: 'c-lee',
  name: 'Lee Chen',
  email: 'lee.chen@hvsd.example.org',
  phone: null,
  linkedinUrl: null,
  timeZone: null,
  role: 'interviewer',
  highlight: null,
};

export const ana: ParticipantFacts = {
  contactId: 'c-ana',
  name: 'Ana Ruiz',
  email: 'ana.ruiz@hvsd.example.org',
  phone: null,
  linkedinUrl: 'https://www.linkedin.com/in/ana-ruiz',
  timeZone: null,
  role: 'coordinator',
  highlight: 'the parent-conference role play',
};

export const winterRecess = { start: '2026-12-21', end: '2027-01-01', name: 'Winter recess' };
export const thanksgiving = { start: '2026-11-26', end: '2026-11-27', name: 'Thanksgiving' };

type Overrides = {
  [K in 'interview' | 'employer' | 'agency' | 'candidate' | 'position' | 'recruiter']?: Partial<FollowUpFacts[K]>;
} & Partial<Pick<FollowUpFacts, 'participants' | 'replies' | 'outcome'>>;

/** An interview that ended `endsAt` (an ISO instant) after an hour, completed at its end. */
export function facts(endsAt: string, o: Overrides = {}): FollowUpFacts {
  const end = new Date(endsAt);
  return {
    interview: {
      id: 'i-1',
      startsAt: new Date(end.getTime() - 60 * 60 * 1000),
      endsAt: end,
      timeZone: 'America/New_York',
      arrangedVia: 'email',
      status: 'completed',
      completedAt: end,
      decisionExpectedBy: null,
      highlights: 'the co-teaching discussion',
      ...o.interview,
    },
    participants: o.participants ?? [dana],
    employer: { name: 'Hudson Valley School District', timeZone: 'America/New_York', holidays: [winterRecess], ...o.employer },
    agency: { timeZone: 'America/New_York', holidays: [thanksgiving], ...o.agency },
    candidate: {
      name: 'Jordan Lee',
      email: 'jordan@example.org',
      relayConsent: true,
      statusUpdatesOptIn: true,
      timeZone: null,
      ...o.candidate,
    },
    position: { title: 'Grade 4 Teacher', ...o.position },
    recruiter: { userId: 'u-sam', name: 'Sam Rivera', email: 'sam@agency.example', timeZone: null, ...o.recruiter },
    replies: o.replies ?? [],
    outcome: o.outcome ?? null,
  };
}

/** key -> ISO due instant, for exact assertions. */
export function dues(items: readonly PlannedFollowUp[], kindPrefix = ''): Record<string, string> {
  return Object.fromEntries(items.filter((i) => i.key.startsWith(kindPrefix)).map((i) => [i.key, i.dueAt.toISOString()]));
}

export function byKey(items: readonly PlannedFollowUp[], key: string): PlannedFollowUp {
  const found = items.find((i) => i.key === key);
  if (!found) throw new Error(`no ${key} in ${items.map((i) => i.key).join(', ')}`);
  return found;
}
