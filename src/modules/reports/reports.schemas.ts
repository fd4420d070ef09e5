import { z } from 'zod';
import { applicationStages } from '../../db/schema/index.js';
import { localDate } from '../../lib/schemas.js';
import { LIMITS } from '../../lib/limits.js';

export const reportQuery = z.strictObject({
  from: localDate.optional().describe('First day, in the agency’s time zone (default: 89 days before `to`)'),
  to: localDate.optional().describe('Last day, inclusive, in the agency’s time zone (default: today)'),
  employerId: z.uuid().optional().describe('Only this employer, or this district and its schools'),
  recruiterId: z.uuid().optional().describe('Only the applications (and follow-ups) this recruiter owns'),
});

/** The pipeline report's pages (docs/reports.md#pages). */
export const PIPELINE_PAGE = { default: 100, max: 1000 } as const;
export const pipelineQuery = reportQuery.extend({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PIPELINE_PAGE.max)
    .default(PIPELINE_PAGE.default)
    .describe(`Rows per page, 1 to ${PIPELINE_PAGE.max} (default ${PIPELINE_PAGE.default}); the CSV is not paged`),
  cursor: z.string().max(LIMITS.cursor).optional().describe('The nextCursor of the previous page'),
});
/** What a pipeline cursor holds: the last position of the page. */
export const pipelineCursor = z.strictObject({ id: z.guid() });

const share = z.number().min(0).max(1).nullable().describe('0 to 1; null when there is nothing to divide by');
const median = z.number().nullable().describe('null when there is nothing to take the median of');

const envelope = <T extends z.ZodType>(row: T) =>
  z.object({ from: z.string().max(LIMITS.date).describe('YYYY-MM-DD'), to: z.string().max(LIMITS.date).describe('YYYY-MM-DD, inclusive'), timeZone: z.string().max(LIMITS.timeZone), data: z.array(row).max(LIMITS.records) });

const EX = { from: '2027-01-01', to: '2027-03-31', timeZone: 'America/New_York' };

export const employerReportRow = z.object({
  level: z.enum(['family', 'contact']).describe('family: the district (or stand-alone employer) with its schools; contact: one person in it'),
  familyId: z.uuid(),
  familyName: z.string().max(LIMITS.name),
  contactId: z.uuid().nullable().describe('null on a family row, or for dates whose giver is not known'),
  contactName: z.string().max(LIMITS.name).nullable(),
  promised: z.number().int().describe('Decision dates given in the period'),
  decided: z.number().int().describe('Of those, how many have seen the decision'),
  kept: z.number().int().describe('Decided on or before the date given'),
  keptShare: share,
  medianLateBusinessDays: median.describe('Over the decided ones, a kept one counting 0'),
  open: z.number().int().describe('Still waiting for the decision'),
  emailsAnswered: z.number().int().describe('Our emails sent in the period that got an answer'),
  medianAnswerDays: median.describe('Days from our email to their answer, over the answered ones'),
});
export const employersReport = envelope(employerReportRow).meta({
  id: 'EmployersReport',
  example: {
    ...EX,
    data: [
      { level: 'family', familyId: '01938a8f-0000-7000-8000-00000000000a', familyName: 'Springfield District', contactId: null, contactName: null, promised: 4, decided: 3, kept: 2, keptShare: 0.6667, medianLateBusinessDays: 0, open: 1, emailsAnswered: 5, medianAnswerDays: 1.5 },
      { level: 'contact', familyId: '01938a8f-0000-7000-8000-00000000000a', familyName: 'Springfield District', contactId: '01938a8f-1111-7000-8000-000000000002', contactName: 'Pat Principal', promised: 2, decided: 2, kept: 1, keptShare: 0.5, medianLateBusinessDays: 1, open: 0, emailsAnswered: 3, medianAnswerDays: 2 },
    ],
  },
});

export const followUpReportRow = z.object({
  recruiterId: z.uuid(),
  recruiterName: z.string().max(LIMITS.name),
  kind: z.string().max(LIMITS.name),
  due: z.number().int().describe('Follow-ups due in the period, cancelled ones aside'),
  sent: z.number().int(),
  sentOnTime: z.number().int().describe('Sent within 5 minutes of the time they were due'),
  onTimeShare: share,
  overdue: z.number().int().describe('Still open and past due now'),
  waitingForApproval: z.number().int(),
  answered: z.number().int().describe('Sent ones the employer answered'),
  answeredShare: share,
});
export const followUpsReport = envelope(followUpReportRow).meta({
  id: 'FollowUpsReport',
  example: {
    ...EX,
    data: [
      { recruiterId: '01938a8e-0000-7000-8000-000000000001', recruiterName: 'Sam Rivera', kind: 'status_check', due: 10, sent: 8, sentOnTime: 8, onTimeShare: 1, overdue: 1, waitingForApproval: 0, answered: 5, answeredShare: 0.625 },
    ],
  },
});

export const pipelineReportRow = z.object({
  positionId: z.uuid(),
  positionTitle: z.string().max(LIMITS.name),
  employerId: z.uuid(),
  employerName: z.string().max(LIMITS.name),
  candidates: z.number().int(),
  stages: z.object(Object.fromEntries(applicationStages.map((s) => [s, z.number().int()])) as Record<(typeof applicationStages)[number], z.ZodNumber>),
  decided: z.number().int().describe('Applications with an employer decision (offer, hired, rejected, filled by another)'),
  medianDaysToDecision: median.describe('Days from the end of the last interview before the decision to the decision'),
});
export const pipelineReport = envelope(pipelineReportRow)
  .extend({
    data: z.array(pipelineReportRow).max(PIPELINE_PAGE.max),
    nextCursor: z.string().max(LIMITS.cursor).nullable().describe('Pass as `cursor` for the next page; null on the last'),
  })
  .meta({
  id: 'PipelineReport',
  example: {
    ...EX,
    nextCursor: 'eyJpZCI6IjAxOTM4YTkwLTNlNGQtN2Y1MC04YjYyLTdjOGQ5ZTBmMWEyYiJ9',
    data: [
      {
        positionId: '01938a90-3e4d-7f50-8b62-7c8d9e0f1a2b', positionTitle: '5th grade teacher', employerId: '01938a8f-0000-7000-8000-00000000000b', employerName: 'Lincoln Elementary',
        candidates: 6, stages: { submitted: 1, interviewing: 2, offer: 1, hired: 0, rejected: 2, withdrawn: 0, on_hold: 0 }, decided: 3, medianDaysToDecision: 6.5,
      },
    ],
  },
});
