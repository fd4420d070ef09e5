import { z } from 'zod';
import { applicationStages, channels, outcomeKinds } from '../../db/schema/index.js';
import { instant, localDate, notes } from '../../lib/schemas.js';
import { pageQuery, syncAlone, syncQuery } from '../../lib/pagination.js';
import { LIMITS } from '../../lib/limits.js';

export const applicationStage = z.enum(applicationStages);
export const outcomeKind = z.enum(outcomeKinds);
export const replyChannel = z.enum(channels);

const actorSchema = z
  .object({ type: z.enum(['user', 'api_key', 'system']), id: z.uuid().nullable() })
  .describe('Who did it: a user, an API key or the system');
const reason = z.string().trim().min(1).max(1000);

const EXAMPLE_IDS = {
  application: '01938a91-4f5e-7a61-9c73-8d9e0f1a2b3c',
  candidate: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
  position: '01938a90-3e4d-7f50-8b62-7c8d9e0f1a2b',
  user: '01938a8e-0000-7000-8000-000000000001',
  outcome: '01938a95-6b7c-7d8e-8fa0-b1c2d3e4f5a6',
  reply: '01938a96-7c8d-7e9f-80b1-c2d3e4f5a6b7',
  interview: '01938a92-5a6b-7c7d-8e9f-a0b1c2d3e4f5',
};

const applicationShape = {
  id: z.uuid(),
  candidateId: z.uuid(),
  positionId: z.uuid(),
  ownerId: z.uuid().describe('The recruiter who owns the application'),
  stage: applicationStage,
  stageChangedAt: instant,
  version: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
};

const applicationExample = {
  id: EXAMPLE_IDS.application,
  candidateId: EXAMPLE_IDS.candidate,
  positionId: EXAMPLE_IDS.position,
  ownerId: EXAMPLE_IDS.user,
  stage: 'interviewing',
  stageChangedAt: '2026-11-27T10:00:00.000Z',
  version: 2,
  createdAt: '2026-11-26T14:30:00.000Z',
  updatedAt: '2026-11-27T10:00:00.000Z',
};

export const applicationSchema = z.object(applicationShape).meta({ id: 'Application', example: applicationExample });

/** A row of `GET /v1/applications`: the application with the names a list shows. */
export const applicationListItemSchema = z
  .object({
    ...applicationShape,
    candidateName: z.string().max(LIMITS.name).describe('The candidate’s name, for lists'),
    positionTitle: z.string().max(LIMITS.name),
    employerId: z.uuid(),
    employerName: z.string().max(LIMITS.name),
  })
  .meta({
    id: 'ApplicationListItem',
    example: { ...applicationExample, candidateName: 'Jordan Lee', positionTitle: 'Grade 5 teacher', employerId: '01938a90-3f4a-7b5c-8d6e-7f8091a2b3c4', employerName: 'Lincoln Elementary' },
  });

export const stageChangeSchema = z
  .object({
    from: applicationStage.nullable().describe('null for the first entry, when the application was made'),
    to: applicationStage,
    reason: z.string().max(LIMITS.text).nullable(),
    actor: actorSchema,
    at: instant,
  })
  .meta({
    id: 'StageChange',
    example: { from: 'submitted', to: 'interviewing', reason: 'Invited to a first round', actor: { type: 'user', id: EXAMPLE_IDS.user }, at: '2026-11-27T10:00:00.000Z' },
  });

const outcomeShape = {
  id: z.uuid(),
  applicationId: z.uuid(),
  kind: outcomeKind,
  reason: z.string().max(LIMITS.text).nullable(),
  notes: z.string().max(LIMITS.text).nullable(),
  decidedAt: instant.describe('When the employer decided (given when logged, else the time it was logged); post-decision timing counts from it'),
  actor: actorSchema,
  createdAt: instant,
};
const outcomeExample = {
  id: EXAMPLE_IDS.outcome,
  applicationId: EXAMPLE_IDS.application,
  kind: 'offer',
  reason: 'Strong demo lesson',
  notes: null,
  decidedAt: '2026-12-04T15:00:00.000Z',
  actor: { type: 'user', id: EXAMPLE_IDS.user },
  createdAt: '2026-12-04T16:20:00.000Z',
};

export const outcomeSchema = z.object(outcomeShape).meta({ id: 'Outcome', example: outcomeExample });

export const applicationDetailSchema = z
  .object({
    ...applicationShape,
    stageHistory: z.array(stageChangeSchema).max(LIMITS.records).describe('Every stage the application went through, oldest first'),
    latestOutcome: outcomeSchema.nullable().describe('The last decision logged, if any'),
  })
  .meta({
    id: 'ApplicationDetail',
    example: {
      ...applicationExample,
      stageHistory: [
        { from: null, to: 'submitted', reason: null, actor: { type: 'user', id: EXAMPLE_IDS.user }, at: '2026-11-26T14:30:00.000Z' },
        { from: 'submitted', to: 'interviewing', reason: 'Invited to a first round', actor: { type: 'user', id: EXAMPLE_IDS.user }, at: '2026-11-27T10:00:00.000Z' },
      ],
      latestOutcome: null,
    },
  });

export const loggedOutcomeSchema = z
  .object({
    ...outcomeShape,
    application: z
      .object({ id: z.uuid(), stage: applicationStage, version: z.number().int() })
      .describe('The application after the outcome: its stage follows the decision'),
  })
  .meta({
    id: 'LoggedOutcome',
    example: { ...outcomeExample, application: { id: EXAMPLE_IDS.application, stage: 'offer', version: 3 } },
  });

const replyShape = {
  id: z.uuid(),
  applicationId: z.uuid(),
  interviewId: z.uuid().nullable().describe('The interview the reply is about, when given'),
  channel: replyChannel,
  summary: z.string().max(LIMITS.text),
  receivedAt: instant,
  newDecisionExpectedBy: z.string().max(LIMITS.date).nullable().describe('A new projected decision date the employer gave, YYYY-MM-DD'),
  suggestedOutcome: outcomeKind.nullable().describe('An outcome the reply suggests, to be confirmed by logging it'),
  source: z.enum(['manual', 'inbound_email', 'link']).describe('Typed by a recruiter, an inbound email, or the contact through a response link'),
  contactId: z.uuid().nullable().describe('The employer contact who answered, when known (a response link)'),
  actor: actorSchema,
  createdAt: instant,
};
const replyExample = {
  id: EXAMPLE_IDS.reply,
  applicationId: EXAMPLE_IDS.application,
  interviewId: null,
  channel: 'email',
  summary: 'Still interviewing; they expect to decide by Friday the 11th.',
  receivedAt: '2026-12-02T13:05:00.000Z',
  newDecisionExpectedBy: '2026-12-11',
  suggestedOutcome: null,
  source: 'manual',
  contactId: null,
  actor: { type: 'user', id: EXAMPLE_IDS.user },
  createdAt: '2026-12-02T13:10:00.000Z',
};

export const replySchema = z.object(replyShape).meta({ id: 'EmployerReply', example: replyExample });

export const recordedReplySchema = z
  .object({
    ...replyShape,
    updatedInterview: z
      .object({ id: z.uuid(), decisionExpectedBy: z.string().max(LIMITS.date).nullable(), version: z.number().int() })
      .nullable()
      .describe('The interview that took the new timeline (the one named, else the latest not cancelled); null when none did'),
  })
  .meta({
    id: 'RecordedEmployerReply',
    example: { ...replyExample, updatedInterview: { id: EXAMPLE_IDS.interview, decisionExpectedBy: '2026-12-11', version: 4 } },
  });

export const createApplicationBody = z
  .strictObject({
    candidateId: z.uuid().describe('A candidate of the agency, not erased'),
    positionId: z.uuid().describe('An open position of the agency'),
    ownerId: z.uuid().optional().describe('The owning recruiter (an active recruiter, admin or owner); defaults to you. API keys must send it'),
  })
  .meta({ id: 'CreateApplicationRequest', example: { candidateId: EXAMPLE_IDS.candidate, positionId: EXAMPLE_IDS.position } });

export const updateApplicationBody = z
  .strictObject({ ownerId: z.uuid().describe('The new owning recruiter') })
  .meta({ id: 'UpdateApplicationRequest', example: { ownerId: EXAMPLE_IDS.user } });

/**
 * `PUT /v1/applications/by-external-id/…` (docs/api.md#sync): the create's fields, each optional.
 * An unknown id creates with the create's rules; a known one keeps its candidate and position.
 */
export const upsertApplicationBody = z
  .strictObject({
    candidateId: z.uuid().optional().describe('Required to create; an application’s candidate does not change (409)'),
    positionId: z.uuid().optional().describe('Required to create; an application’s position does not change (409)'),
    ownerId: z
      .uuid()
      .optional()
      .describe('The owning recruiter: on create it defaults to you (API keys must send it); later a new one hands the application over, as PATCH does'),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .meta({ id: 'UpsertApplicationRequest', example: { candidateId: EXAMPLE_IDS.candidate, positionId: EXAMPLE_IDS.position, ownerId: EXAMPLE_IDS.user } });

export const moveStageBody = z
  .strictObject({ stage: applicationStage, reason: reason.optional() })
  .meta({ id: 'MoveStageRequest', example: { stage: 'interviewing', reason: 'Invited to a first round' } });

export const logOutcomeBody = z
  .strictObject({
    kind: outcomeKind,
    reason: reason.optional(),
    notes: notes.optional(),
    decidedAt: instant
      .optional()
      .describe('When the employer decided; defaults to now. Not in the future, not before the start of the application’s latest completed interview'),
  })
  .meta({ id: 'LogOutcomeRequest', example: { kind: 'offer', reason: 'Strong demo lesson', decidedAt: '2026-12-04T15:00:00.000Z' } });

export const recordReplyBody = z
  .strictObject({
    channel: replyChannel,
    summary: z.string().trim().min(1).max(10_000),
    receivedAt: instant.optional().describe('When the answer came; defaults to now'),
    interviewId: z.uuid().optional().describe('An interview of this application the reply is about'),
    newDecisionExpectedBy: localDate.optional().describe('A new projected decision date; it is set on the interview'),
    suggestedOutcome: outcomeKind.optional(),
  })
  .meta({
    id: 'RecordReplyRequest',
    example: { channel: 'email', summary: 'Still interviewing; they expect to decide by Friday the 11th.', newDecisionExpectedBy: '2026-12-11' },
  });

export const listApplicationsQuery = z.strictObject({
  ...pageQuery,
  ...syncQuery,
  stage: applicationStage.optional(),
  positionId: z.uuid().optional(),
  candidateId: z.uuid().optional(),
  ownerId: z.uuid().optional().describe('Only the applications this recruiter owns'),
})
  .superRefine(syncAlone);

export const listSubresourceQuery = z.strictObject(pageQuery);
