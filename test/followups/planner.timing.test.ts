import { describe, expect, it } from 'vitest';
import { plan } from '../../src/core/followups/planner.js';
import { defaultPlaybook, playbookSchema, type Playbook } from '../../src/core/followups/playbook.js';
import type { FollowUpFacts } from '../../src/core/followups/types.js';
import { ana, byKey, dana, dues, facts, lee } from './fixtures.js';

const allWeek = playbookSchema.parse({ businessDays: [1, 2, 3, 4, 5, 6, 7], businessHours: { start: '00:00', end: '23:59' } });

interface Case {
  name: string;
  facts: FollowUpFacts;
  playbook?: Playbook;
  /** Defaults to the interview's end: planned the moment it is completed. */
  now?: string;
  /** Exact due instants of the keys named (others may exist). */
  due: Record<string, string>;
  /** Substrings each named key's reason must contain. */
  reason?: Record<string, string[]>;
  /** Keys that must not be planned. */
  absent?: string[];
}

const cases: Case[] = [
  {
    name: 'ended 11:00 New York on a Monday: same day, 2 h later',
    facts: facts('2026-03-09T15:00:00Z'),
    due: { 'thank_you:c-dana': '2026-03-09T17:00:00.000Z' },
    reason: {
      'thank_you:c-dana': [
        'interview ended Mon 2026-03-09 11:00 America/New_York, before the 15:00 cut-off: same day, 2 h after the end, Mon 2026-03-09 13:00 America/New_York',
      ],
    },
  },
  {
    name: 'ended 16:40 New York: next business day 09:30',
    facts: facts('2026-03-09T20:40:00Z'),
    due: { 'thank_you:c-dana': '2026-03-10T13:30:00.000Z' },
    reason: {
      'thank_you:c-dana': [
        'interview ended Mon 2026-03-09 16:40 America/New_York, after the 15:00 cut-off: next business day Tue 2026-03-10 09:30 America/New_York',
      ],
    },
  },
  {
    name: 'ended 14:59 New York: still the same day',
    facts: facts('2026-03-09T18:59:00Z'),
    due: { 'thank_you:c-dana': '2026-03-09T20:59:00.000Z' },
  },
  {
    name: 'ended 15:00 New York exactly: the cut-off is exclusive',
    facts: facts('2026-03-09T19:00:00Z'),
    due: { 'thank_you:c-dana': '2026-03-10T13:30:00.000Z' },
  },
  {
    name: 'Friday 16:40 before the March change: Monday 09:30 EDT, an hour earlier in UTC',
    facts: facts('2026-03-06T21:40:00Z'),
    due: { 'thank_you:c-dana': '2026-03-09T13:30:00.000Z', timeline_request: '2026-03-09T13:30:00.000Z' },
    reason: { 'thank_you:c-dana': ['Fri 2026-03-06 16:40 America/New_York', 'next business day Mon 2026-03-09 09:30'] },
  },
  {
    name: 'Friday 11:00: same day 13:00',
    facts: facts('2026-03-06T16:00:00Z'),
    due: { 'thank_you:c-dana': '2026-03-06T18:00:00.000Z', recruiter_check_in: '2026-03-10T13:30:00.000Z' },
  },
  {
    name: 'Friday 16:40 before the November change: Monday 09:30 EST',
    facts: facts('2026-10-30T20:40:00Z'),
    due: { 'thank_you:c-dana': '2026-11-02T14:30:00.000Z', timeline_request: '2026-11-02T14:30:00.000Z' },
  },
  {
    name: 'Phoenix (no DST) across the March change: 09:30 MST both sides',
    facts: facts('2026-03-06T23:40:00Z', { employer: { timeZone: 'America/Phoenix' } }),
    due: { 'thank_you:c-dana': '2026-03-09T16:30:00.000Z', recruiter_check_in: '2026-03-10T16:30:00.000Z' },
    reason: { 'thank_you:c-dana': ['Fri 2026-03-06 16:40 America/Phoenix', 'Mon 2026-03-09 09:30 America/Phoenix'] },
  },
  {
    name: 'Phoenix across the November change',
    facts: facts('2026-10-30T23:40:00Z', { employer: { timeZone: 'America/Phoenix' } }),
    due: { 'thank_you:c-dana': '2026-11-02T16:30:00.000Z' },
  },
  {
    name: 'Kolkata, 11:00 IST on the Friday of the November change: same day 13:00 IST',
    facts: facts('2026-10-30T05:30:00Z', { employer: { timeZone: 'Asia/Kolkata' } }),
    due: { 'thank_you:c-dana': '2026-10-30T07:30:00.000Z', timeline_request: '2026-11-02T04:00:00.000Z' },
    reason: { 'thank_you:c-dana': ['11:00 Asia/Kolkata', '13:00 Asia/Kolkata'] },
  },
  {
    name: "before the employer's school break: after it",
    facts: facts('2026-12-18T21:40:00Z'),
    due: { 'thank_you:c-dana': '2027-01-04T14:30:00.000Z', recruiter_check_in: '2027-01-05T14:30:00.000Z' },
    reason: { 'thank_you:c-dana': ['Mon 2027-01-04 09:30', 'skipping Winter recess (employer holiday, 2026-12-21 to 2027-01-01)'] },
  },
  {
    name: "before the agency's holiday: after it",
    facts: facts('2026-11-25T21:40:00Z'),
    due: { 'thank_you:c-dana': '2026-11-30T14:30:00.000Z' },
    reason: { 'thank_you:c-dana': ['skipping Thanksgiving (agency holiday, 2026-11-26 to 2026-11-27)'] },
  },
  {
    name: 'on a Saturday: not a business day, Monday 09:30',
    facts: facts('2026-03-07T16:00:00Z'),
    due: { 'thank_you:c-dana': '2026-03-09T13:30:00.000Z' },
    reason: { 'thank_you:c-dana': ['Sat 2026-03-07 is not a business day (Saturday)'] },
  },
  {
    name: 'on a school-break day at 10:00: the day after the break',
    facts: facts('2026-12-22T15:00:00Z'),
    due: { 'thank_you:c-dana': '2027-01-04T14:30:00.000Z' },
    reason: { 'thank_you:c-dana': ['is not a business day (Winter recess (employer holiday'] },
  },
  {
    name: 'interviewers in other zones than the agency: each note in its reader’s local time',
    facts: facts('2026-03-09T20:40:00Z', {
      participants: [dana, { ...lee, timeZone: 'America/Los_Angeles' }, { ...ana, timeZone: 'Europe/London' }],
    }),
    due: {
      'thank_you:c-dana': '2026-03-10T13:30:00.000Z',
      'thank_you:c-lee': '2026-03-09T22:40:00.000Z',
      'thank_you:c-ana': '2026-03-10T09:30:00.000Z',
    },
    reason: {
      'thank_you:c-lee': ['interview ended Mon 2026-03-09 13:40 America/Los_Angeles, before the 15:00 cut-off', '15:40 America/Los_Angeles'],
      'thank_you:c-ana': ['20:40 Europe/London, after the 15:00 cut-off', 'Tue 2026-03-10 09:30 Europe/London'],
    },
  },
  {
    name: 'the agreed zone does not decide: a contact without zone uses the employer’s',
    facts: facts('2026-03-09T15:00:00Z', { interview: { timeZone: 'America/Chicago' }, employer: { timeZone: 'America/Denver' } }),
    due: { 'thank_you:c-dana': '2026-03-09T17:00:00.000Z' },
    reason: { 'thank_you:c-dana': ['09:00 America/Denver', '11:00 America/Denver'] },
  },
  {
    name: 'a 3 h delay is capped at the 17:30 latest',
    facts: facts('2026-03-09T18:45:00Z'),
    playbook: playbookSchema.parse({ thankYou: { sameDayDelayMinutes: 180 } }),
    due: { 'thank_you:c-dana': '2026-03-09T21:30:00.000Z' },
    reason: { 'thank_you:c-dana': ['at the latest 17:30'] },
  },
  {
    name: 'an early interview is not thanked before business hours',
    facts: facts('2026-03-09T09:30:00Z'),
    due: { 'thank_you:c-dana': '2026-03-09T12:00:00.000Z' },
    reason: { 'thank_you:c-dana': ['07:30 is before business hours (08:00–18:00)'] },
  },
  {
    name: 'a next-day time in the spring-forward gap moves to 03:00 EDT',
    facts: facts('2026-03-07T21:40:00Z'),
    playbook: playbookSchema.parse({ ...allWeek, thankYou: { nextDayTime: '02:30' } }),
    due: { 'thank_you:c-dana': '2026-03-08T07:00:00.000Z' },
    reason: { 'thank_you:c-dana': ['02:30 does not exist on 2026-03-08 in America/New_York (clocks spring forward): 03:00'] },
  },
  {
    name: 'a next-day time in the fall-back repeat takes the earlier 01:30 (EDT)',
    facts: facts('2026-10-31T20:40:00Z'),
    playbook: playbookSchema.parse({ ...allWeek, thankYou: { nextDayTime: '01:30' } }),
    due: { 'thank_you:c-dana': '2026-11-01T05:30:00.000Z' },
    reason: { 'thank_you:c-dana': ['01:30 occurs twice on 2026-11-01 in America/New_York (clocks fall back): the earlier, UTC-04:00'] },
  },
  {
    name: '2 h after an end at 01:30 EST on the March change night is 04:30 EDT (elapsed time, not wall time)',
    facts: facts('2026-03-08T06:30:00Z'),
    playbook: allWeek,
    due: { 'thank_you:c-dana': '2026-03-08T08:30:00.000Z' },
    reason: { 'thank_you:c-dana': ['Sun 2026-03-08 04:30 America/New_York'] },
  },
  {
    name: 'no timeline: ask for it the next business morning, status checks on the 7-business-day window',
    facts: facts('2026-03-09T15:00:00Z'),
    due: {
      timeline_request: '2026-03-10T13:30:00.000Z',
      recruiter_check_in: '2026-03-11T13:30:00.000Z',
      'status_check:window:1': '2026-03-18T13:30:00.000Z',
      'status_check:window:2': '2026-03-23T13:30:00.000Z',
    },
    reason: {
      timeline_request: ['without a decision date: ask for the timeline', 'Tue 2026-03-10 09:30 America/New_York'],
      'status_check:window:1': ['no timeline given: 7 business days after the interview of Mon 2026-03-09'],
      'status_check:window:2': ['3 business days after the end of the default window Wed 2026-03-18'],
    },
  },
  {
    name: 'a timeline: a check 1 business day before it and one 3 business days after it, no timeline request',
    facts: facts('2026-03-09T15:00:00Z', { interview: { decisionExpectedBy: '2026-03-20' } }),
    due: { 'status_check:2026-03-20:1': '2026-03-19T13:30:00.000Z', 'status_check:2026-03-20:2': '2026-03-25T13:30:00.000Z' },
    absent: ['timeline_request', 'status_check:window:1', 'status_check:2026-03-20:3'],
    reason: { 'status_check:2026-03-20:1': ['decision expected by Fri 2026-03-20 (given at the interview): 1 business day before, Thu 2026-03-19 09:30'] },
  },
  {
    name: 'a timeline on a Monday after a holiday weekend: the check goes on the business day before',
    facts: facts('2026-11-16T15:00:00Z', { interview: { decisionExpectedBy: '2026-11-30' } }),
    due: { 'status_check:2026-11-30:1': '2026-11-25T14:30:00.000Z', 'status_check:2026-11-30:2': '2026-12-03T14:30:00.000Z' },
    reason: { 'status_check:2026-11-30:1': ['skipping Thanksgiving (agency holiday'] },
  },
  {
    name: 'a timeline so close the check would precede the thank-yous: the business day after them',
    facts: facts('2026-03-09T20:40:00Z', { interview: { decisionExpectedBy: '2026-03-10' } }),
    due: {
      'thank_you:c-dana': '2026-03-10T13:30:00.000Z',
      'status_check:2026-03-10:1': '2026-03-11T13:30:00.000Z',
      'status_check:2026-03-10:2': '2026-03-13T13:30:00.000Z',
    },
    reason: { 'status_check:2026-03-10:1': ['not before the thank-you notes, the last due (Tue 2026-03-10 09:30 America/New_York)'] },
  },
  {
    name: 'phone-arranged: the hiring-manager steps keep the phone, the timeline check across the March change',
    facts: facts('2026-03-04T15:00:00Z', { interview: { arrangedVia: 'phone', decisionExpectedBy: '2026-03-09' } }),
    due: { 'status_check:2026-03-09:1': '2026-03-06T14:30:00.000Z', 'status_check:2026-03-09:2': '2026-03-12T13:30:00.000Z' },
  },
  {
    name: 'the candidate is told right away, outside their quiet hours',
    facts: facts('2026-03-10T05:15:00Z', { candidate: { timeZone: 'America/Los_Angeles' } }),
    due: { 'candidate_update:completed': '2026-03-10T15:00:00.000Z' },
    reason: { 'candidate_update:completed': ['22:15 is in the quiet hours (21:00–08:00 America/Los_Angeles)'] },
  },
  {
    name: 'planned late (completed two days after): not in the past, as soon as possible in business hours',
    facts: facts('2026-03-09T15:00:00Z', { interview: { completedAt: new Date('2026-03-11T23:00:00Z') } }),
    now: '2026-03-11T23:00:00Z',
    due: { 'thank_you:c-dana': '2026-03-12T12:00:00.000Z', timeline_request: '2026-03-12T12:00:00.000Z' },
    reason: { 'thank_you:c-dana': ['that time had passed when planned (Wed 2026-03-11 19:00 America/New_York)', 'Thu 2026-03-12 08:00'] },
  },
];

describe('plan: when each follow-up is due', () => {
  it.each(cases)('$name', (c) => {
    const items = plan(c.facts, c.playbook ?? defaultPlaybook, new Date(c.now ?? c.facts.interview.endsAt));
    const got = dues(items);
    for (const [key, iso] of Object.entries(c.due)) expect(got[key], key).toBe(iso);
    for (const key of c.absent ?? []) expect(got[key], key).toBeUndefined();
    for (const [key, parts] of Object.entries(c.reason ?? {})) {
      for (const part of parts) expect(byKey(items, key).reason).toContain(part);
    }
  });

  it('is deterministic and sorted by due time', () => {
    const f = facts('2026-03-06T21:40:00Z', { participants: [dana, lee, ana] });
    const a = plan(f, defaultPlaybook, f.interview.endsAt);
    expect(plan(f, defaultPlaybook, f.interview.endsAt)).toEqual(a);
    const times = a.map((i) => i.dueAt.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('plans nothing for an interview that is not completed', () => {
    for (const status of ['scheduled', 'cancelled', 'no_show'] as const) {
      expect(plan(facts('2026-03-09T15:00:00Z', { interview: { status } }), defaultPlaybook, new Date('2026-03-09T15:00:00Z'))).toEqual([]);
    }
  });
});
