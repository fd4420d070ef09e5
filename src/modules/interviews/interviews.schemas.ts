import { z } from 'zod';
import { instant, localDate, notes, timeZoneSchema, webUrl } from '../../lib/schemas.js';
import { pageQuery, syncAlone, syncQuery } from '../../lib/pagination.js';
import { LIMITS } from '../../lib/limits.js';

export const interviewFormat = z.enum(['phone', 'video', 'onsite']);
export const interviewStatus = z.enum(['scheduled', 'completed', 'cancelled', 'no_show']);
export const participantRole = z.enum(['interviewer', 'hiring_manager', 'coordinator']);
const highlight = z.string().trim().min(1).max(1000);
const meetingUrl = webUrl.describe('The video call’s link (http or https), sent in the calendar invites');

export const participantSchema = z
  .object({
    contactId: z.uuid(),
    name: z.string().max(LIMITS.name),
    email: z.string().max(LIMITS.email).nullable(),
    role: participantRole,
    highlight: z.string().max(LIMITS.text).nullable().describe('What went well with this person, quoted in their thank-you'),
    notes: z.string().max(LIMITS.text).nullable(),
    response: z.enum(['needs_action', 'accepted', 'declined', 'tentative']).describe('Their answer to the calendar invite'),
    respondedAt: instant.nullable(),
  })
  .meta({ id: 'InterviewParticipant' });

export const interviewSchema = z
  .object({
    id: z.uuid(),
    applicationId: z.uuid(),
    candidateId: z.uuid(),
    positionId: z.uuid(),
    employerId: z.uuid(),
    candidateName: z.string().max(LIMITS.name).describe('The candidate’s name, for lists'),
    positionTitle: z.string().max(LIMITS.name).describe('The position’s title, for lists'),
    employerName: z.string().max(LIMITS.name).describe('The employer’s name, for lists'),
    round: z.number().int(),
    format: interviewFormat,
    startsAt: instant,
    endsAt: instant,
    timeZone: z.string().max(LIMITS.timeZone).describe('The IANA zone the time was agreed in'),
    arrangedVia: z.enum(['email', 'phone']).describe('Follow-ups to the employer use the same channel'),
    status: interviewStatus,
    decisionExpectedBy: z.string().max(LIMITS.date).nullable().describe('The employer’s projected decision date (YYYY-MM-DD)'),
    highlights: z.string().max(LIMITS.text).nullable(),
    location: z.string().max(LIMITS.text).nullable(),
    meetingUrl: z.string().max(LIMITS.url).nullable().describe('The video call’s link, in the calendar invites'),
    notes: z.string().max(LIMITS.text).nullable(),
    completedAt: instant.nullable(),
    cancelReason: z.string().max(LIMITS.text).nullable(),
    participants: z.array(participantSchema).max(LIMITS.list),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'Interview',
    example: {
      id: '01938a8e-4c5d-7e6f-8071-8293a4b5c6d7',
      applicationId: '01938a8e-3a4b-7c5d-8e6f-708192a3b4c5',
      candidateId: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
      positionId: '01938a8e-1a2b-7c3d-8e4f-5061728394a5',
      employerId: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f',
      candidateName: 'Jordan Lee',
      positionTitle: '5th grade teacher',
      employerName: 'Lincoln Elementary',
      round: 1,
      format: 'onsite',
      startsAt: '2026-12-03T15:00:00.000Z',
      endsAt: '2026-12-03T16:00:00.000Z',
      timeZone: 'America/New_York',
      arrangedVia: 'email',
      status: 'completed',
      decisionExpectedBy: '2026-12-12',
      highlights: 'The demo lesson on fractions landed well',
      location: 'Lincoln Elementary, room 12',
      meetingUrl: null,
      notes: null,
      completedAt: '2026-12-03T16:05:00.000Z',
      cancelReason: null,
      participants: [
        { contactId: '01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8', name: 'Pat Principal', email: 'pat@lincoln.example.org', role: 'hiring_manager', highlight: 'Shared vision for small-group reading', notes: null, response: 'accepted', respondedAt: '2026-11-26T15:02:00.000Z' },
      ],
      version: 3,
      createdAt: '2026-11-26T14:30:00.000Z',
      updatedAt: '2026-12-03T16:05:00.000Z',
    },
  });

const participantInput = z.strictObject({
  contactId: z.uuid(),
  role: participantRole.default('interviewer'),
  highlight: highlight.optional(),
});

const times = {
  startsAt: instant,
  endsAt: instant,
  timeZone: timeZoneSchema,
};
const endsAfterStarts = <T extends { startsAt: Date; endsAt: Date }>(b: T) => b.endsAt > b.startsAt;
const endsAfter = { message: 'endsAt must be after startsAt', path: ['endsAt'], when: (c: { issues: unknown[] }) => c.issues.length === 0 };

const scheduleExample = {
  applicationId: '01938a8e-3a4b-7c5d-8e6f-708192a3b4c5',
  format: 'onsite',
  startsAt: '2026-12-03T10:00:00-05:00',
  endsAt: '2026-12-03T11:00:00-05:00',
  timeZone: 'America/New_York',
  arrangedVia: 'email',
  participants: [{ contactId: '01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8', role: 'hiring_manager' }],
};
const { participants: _participants, ...scheduleWhen } = scheduleExample;

export const scheduleInterviewBody = z
  .strictObject({
    applicationId: z.uuid(),
    round: z.number().int().min(1).max(20).optional().describe('Defaults to the next round of the application'),
    format: interviewFormat,
    ...times,
    arrangedVia: z.enum(['email', 'phone']),
    location: z.string().trim().max(500).optional(),
    meetingUrl: meetingUrl.optional(),
    notes: notes.optional(),
    participants: z.array(participantInput).min(1).max(20),
  })
  .refine(endsAfterStarts, endsAfter)
  .meta({ id: 'ScheduleInterviewRequest', example: scheduleExample });

export const updateInterviewBody = z
  .strictObject({
    round: z.number().int().min(1).max(20).optional(),
    format: interviewFormat.optional(),
    arrangedVia: z.enum(['email', 'phone']).optional(),
    location: z.string().trim().max(500).nullable().optional(),
    meetingUrl: meetingUrl.nullable().optional(),
    notes: notes.nullable().optional(),
    highlights: z.string().trim().max(5000).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .meta({ id: 'UpdateInterviewRequest', example: { location: 'Lincoln Elementary, room 12', format: 'onsite' } });

/**
 * `PUT /v1/interviews/by-external-id/…` (docs/api.md#sync): the schedule's fields and the PATCH's,
 * each optional. An unknown id schedules with the schedule's rules; a known one is changed by the
 * routes by id: PATCH, reschedule (other times), participants (added and removed).
 */
export const upsertInterviewBody = z
  .strictObject({
    applicationId: z.uuid().optional().describe('Required to create; an interview stays with its application (409)'),
    round: z.number().int().min(1).max(20).optional().describe('Defaults to the next round of the application'),
    format: interviewFormat.optional(),
    startsAt: instant.optional().describe('Required to create; another time later reschedules a scheduled interview'),
    endsAt: instant.optional().describe('Required to create; after startsAt'),
    timeZone: timeZoneSchema.optional().describe('Required to create: the IANA zone the time was agreed in'),
    arrangedVia: z.enum(['email', 'phone']).optional().describe('Required to create'),
    location: z.string().trim().max(500).nullable().optional(),
    meetingUrl: meetingUrl.nullable().optional(),
    notes: notes.nullable().optional(),
    highlights: z.string().trim().max(5000).nullable().optional().describe('Not taken by the create: send it once the interview exists'),
    participants: z
      .array(participantInput)
      .min(1)
      .max(20)
      .optional()
      .describe('Required to create. Later: contacts not yet taking part are added, those left out removed; one already there keeps their role and highlight'),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .refine((b) => !b.startsAt || !b.endsAt || b.endsAt > b.startsAt, endsAfter)
  .meta({
    id: 'UpsertInterviewRequest',
    // The schedule's example by video: the same keys in the same order, the link before the participants.
    example: { ...scheduleWhen, format: 'video', meetingUrl: 'https://meet.example.org/lincoln-5th', participants: scheduleExample.participants },
  });

export const rescheduleBody = z
  .strictObject({ ...times, reason: z.string().trim().max(1000).optional() })
  .refine(endsAfterStarts, endsAfter)
  .meta({
    id: 'RescheduleInterviewRequest',
    example: { startsAt: '2026-12-04T10:00:00-05:00', endsAt: '2026-12-04T11:00:00-05:00', timeZone: 'America/New_York', reason: 'The principal is away on the 3rd' },
  });

export const cancelBody = z.strictObject({ reason: z.string().trim().min(1).max(1000) }).meta({ id: 'CancelInterviewRequest', example: { reason: 'The position was put on hold' } });
export const noShowBody = z.strictObject({ notes: z.string().trim().max(2000).optional() }).meta({ id: 'NoShowRequest', example: { notes: 'Called twice, no answer' } });

export const completeBody = z
  .strictObject({
    highlights: z.string().trim().max(5000).optional().describe('What went well, quoted in thank-you notes'),
    decisionExpectedBy: localDate.optional().describe('The employer’s projected timeline, when they gave one'),
    participants: z
      .array(z.strictObject({ contactId: z.uuid(), highlight: highlight.optional(), notes: z.string().trim().max(2000).optional() }))
      .max(20)
      .default([])
      .describe('Per-participant highlight and notes'),
  })
  .meta({
    id: 'CompleteInterviewRequest',
    example: {
      highlights: 'The demo lesson on fractions landed well',
      decisionExpectedBy: '2026-12-12',
      participants: [{ contactId: '01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8', highlight: 'Shared vision for small-group reading' }],
    },
  });

export const timelineBody = z
  .strictObject({ decisionExpectedBy: localDate.nullable() })
  .meta({ id: 'SetTimelineRequest', example: { decisionExpectedBy: '2026-12-12' } });

export const addParticipantBody = participantInput.meta({
  id: 'AddParticipantRequest',
  example: { contactId: '01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8', role: 'interviewer', highlight: 'Asked about reading intervention' },
});
export const participantParams = z.strictObject({ id: z.uuid('Must be a UUID'), contactId: z.uuid('Must be a UUID') });

export const listInterviewsQuery = z
  .strictObject({
    ...pageQuery,
  ...syncQuery,
    from: instant.optional().describe('Starting at or after'),
    to: instant.optional().describe('Starting before'),
    status: interviewStatus.optional(),
    employerId: z.uuid().optional(),
    recruiterId: z.uuid().optional().describe('The owner of the application'),
    candidateId: z.uuid().optional(),
    applicationId: z.uuid().optional(),
  })
  .refine((q) => !q.from || !q.to || q.to > q.from, { message: 'to must be after from', path: ['to'], when: (c) => c.issues.length === 0 })
  .superRefine(syncAlone);
