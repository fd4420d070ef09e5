import { z } from 'zod';
import { followUpStatuses } from '../../db/schema/index.js';
import { instant, localDate } from '../../lib/schemas.js';
import { pageQuery, syncAlone, syncQuery } from '../../lib/pagination.js';
import { followUpChannels, followUpKinds, followUpVoices } from '../../core/followups/types.js';

export const followUpKind = z.enum(followUpKinds);
export const followUpStatus = z.enum(followUpStatuses);

const recipientSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('contact'), contactId: z.uuid(), name: z.string(), email: z.string().nullable() }),
    z.object({ type: z.literal('candidate'), name: z.string(), email: z.string().nullable() }),
    z.object({ type: z.literal('recruiter'), userId: z.uuid(), name: z.string(), email: z.string().nullable() }),
  ])
  .meta({ id: 'FollowUpRecipient', description: 'Who receives the message, or whose task it is' });

const varsSchema = z
  .object({
    candidate: z.string(),
    interviewer: z.string().nullable(),
    position: z.string(),
    employer: z.string(),
    highlight: z.string().nullable(),
    timeline: localDate.nullable(),
    recruiter: z.string(),
    outcome: z.string().nullable(),
  })
  .partial()
  .meta({ id: 'FollowUpVars', description: 'What the templates fill in (empty after an erasure)' });

export const followUpSchema = z
  .object({
    id: z.uuid(),
    interviewId: z.uuid(),
    applicationId: z.uuid(),
    candidateId: z.uuid(),
    key: z.string().describe('The planner’s step key: stable across re-plans, e.g. `thank_you:<contactId>`'),
    kind: followUpKind,
    channel: z.enum(followUpChannels).describe('email: sent by the worker; phone, linkedin, task: done by the recruiter'),
    voice: z.enum(followUpVoices).describe('on_behalf: sent for the candidate; draft_to_candidate: a draft for them to send; agency: from the agency'),
    recipient: recipientSchema,
    contactId: z.uuid().nullable().describe('The employer contact the step is about'),
    dueAt: instant,
    ruleDueAt: instant.describe(
      'The time the rule gave. When it had already passed at planning time, dueAt is the catch-up time (the next allowed moment) and ruleDueAt stays earlier; past the kind’s freshness limit, the step is `stale` instead',
    ),
    reason: z.string().describe('Why it is due when it is'),
    status: followUpStatus.describe(
      '`uncertain`: its worker stopped while sending it, so it may or may not have gone out: resend it or mark it sent. ' +
        '`stale`: planned after its kind’s freshness limit (a backfilled interview): not sent by itself; send it now, move, edit or skip it. ' +
        '`awaiting_approval`: the playbook wants a recruiter to approve it first (`POST …/approve`, `…/decline`)',
    ),
    holdReason: z.string().nullable().describe('Why it waits for a person rather than for its time (`stale`, `awaiting_approval`); null otherwise'),
    approvedAt: instant.nullable().describe('When a recruiter approved it, for one that waited for approval'),
    approvedBy: z.uuid().nullable().describe('Who approved it (a user or an API key)'),
    edited: z.boolean().describe('Its subject or body was written by hand: sent as written, not from the template'),
    sendsAt: instant.describe('When the email leaves: dueAt plus its undo window (the playbook’s undoSeconds when it was planned or made due by hand)'),
    undoSeconds: z.number().int().min(0).describe('Its undo window, in seconds'),
    inUndoWindow: z
      .boolean()
      .describe('Due and not gone yet (dueAt ≤ now < sendsAt, still pending): `POST …/undo` stops it'),
    overdue: z.boolean().describe('Still pending or queued after its due time'),
    subject: z.string().nullable(),
    body: z.string().nullable(),
    templateId: z
      .string()
      .describe('The template its text is written from (GET /v1/follow-up-templates/{templateId}); a subject or body of its own overrides it'),
    vars: varsSchema,
    ownerId: z.uuid().describe('The recruiter (the application’s owner when planned)'),
    notes: z.string().nullable().describe('The recruiter’s notes; delivery never writes here'),
    cancelReason: z.string().nullable().describe('Why it was cancelled or skipped'),
    sentAt: instant.nullable(),
    completedAt: instant.nullable(),
    attempts: z.number().int().min(0).describe('How many times the worker has tried to send it'),
    lastError: z
      .string()
      .nullable()
      .describe('The mail server’s answer to the last failed attempt, e.g. `550 mailbox unavailable`, or why an `uncertain` send may not have gone out; kept after a later success'),
    messageId: z.string().nullable().describe('The Message-ID of the sent email (`<fu-<id>@afterview>`), which replies quote'),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'FollowUp',
    example: {
      id: '01938a8e-7a6b-7c5d-8e4f-3a2b1c0d9e8f',
      interviewId: '01938a8e-4c5d-7e6f-8071-8293a4b5c6d7',
      applicationId: '01938a8e-3a4b-7c5d-8e6f-708192a3b4c5',
      candidateId: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
      key: 'thank_you:01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8',
      kind: 'thank_you',
      channel: 'email',
      voice: 'on_behalf',
      recipient: { type: 'contact', contactId: '01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8', name: 'Pat Principal', email: 'pat@lincoln.example.org' },
      contactId: '01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8',
      dueAt: '2026-12-03T18:00:00.000Z',
      ruleDueAt: '2026-12-03T18:00:00.000Z',
      reason: 'interview ended Thu 3 Dec 2026 11:00 America/New_York, before the 15:00 cut-off: same day, 2 h after the end, Thu 3 Dec 2026 13:00 America/New_York',
      status: 'sent',
      overdue: false,
      subject: null,
      body: null,
      templateId: 'thank_you.email.candidate',
      vars: { candidate: 'Jordan Lee', interviewer: 'Pat Principal', position: '5th grade teacher', employer: 'Lincoln Elementary', highlight: 'Shared vision for small-group reading', timeline: '2026-12-12', recruiter: 'Sam Rivera', outcome: null },
      ownerId: '01938a8e-0a1b-7c2d-8e3f-405162738495',
      notes: null,
      cancelReason: null,
      holdReason: null,
      approvedAt: null,
      approvedBy: null,
      edited: false,
      sendsAt: '2026-12-03T18:00:30.000Z',
      undoSeconds: 30,
      inUndoWindow: false,
      sentAt: '2026-12-03T18:00:31.000Z',
      completedAt: null,
      attempts: 2,
      lastError: '451 4.7.1 Try again later',
      messageId: '<fu-01938a8e-7a6b-7c5d-8e4f-3a2b1c0d9e8f@afterview>',
      version: 2,
      createdAt: '2026-12-03T16:05:00.000Z',
      updatedAt: '2026-12-03T18:00:31.000Z',
    },
  });

const trueFalse = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true');

export const listFollowUpsQuery = z.strictObject({
  ...pageQuery,
  ...syncQuery,
  dueBefore: instant.optional().describe('Due strictly before this instant'),
  overdue: trueFalse.optional().describe('true: only pending or queued ones past their due time; false: none of those'),
  status: followUpStatus.optional(),
  kind: followUpKind.optional(),
  recruiterId: z.uuid().optional().describe('The recruiter who owns them'),
  candidateId: z.uuid().optional(),
  interviewId: z.uuid().optional(),
})
  .superRefine(syncAlone);

const text = (max: number) => z.string().trim().min(1).max(max);
const reason = text(1000);

export const editFollowUpBody = z
  .strictObject({ subject: text(300).nullable().optional(), body: text(20_000).nullable().optional() })
  .refine((b) => b.subject !== undefined || b.body !== undefined, 'Send subject or body')
  .meta({ id: 'EditFollowUpRequest', example: { subject: 'Thank you for today', body: 'Dear Ms Principal, thank you for …' } });

export const rescheduleFollowUpBody = z
  .strictObject({ dueAt: instant, reason: reason.describe('Why it moves; kept in the follow-up’s reason') })
  .meta({ id: 'RescheduleFollowUpRequest', example: { dueAt: '2026-12-07T14:30:00Z', reason: 'Principal at a conference until Monday' } });

export const sendNowFollowUpBody = z
  .strictObject({ reason: reason.optional().describe('Why now; kept in the follow-up’s reason') })
  .meta({ id: 'SendFollowUpNowRequest', example: { reason: 'The principal asked for it today' } });

export const resendFollowUpBody = z
  .strictObject({ reason: reason.optional().describe('Why it goes again; kept in the follow-up’s reason') })
  .meta({ id: 'ResendFollowUpRequest', example: { reason: 'Pat has not received it' } });

export const markSentFollowUpBody = z
  .strictObject({ reason: reason.optional().describe('How you know it went out; kept in the event') })
  .meta({ id: 'MarkFollowUpSentRequest', example: { reason: 'It is in the recruiter’s sent folder' } });

export const completeFollowUpBody = z
  .strictObject({ notes: text(5000).optional().describe('What was said or done') })
  .meta({ id: 'CompleteFollowUpRequest', example: { notes: 'Called Sam; he expects a decision next Friday' } });

export const skipFollowUpBody = z.strictObject({ reason }).meta({ id: 'SkipFollowUpRequest', example: { reason: 'Thanked them in person at the school' } });
export const approveFollowUpBody = z
  .strictObject({
    subject: text(300).nullable().optional().describe('A subject of your own, sent as written (null: back to the template)'),
    body: text(20_000).nullable().optional().describe('A body of your own, sent as written (null: back to the template)'),
    reason: reason.optional().describe('Why; kept in the event'),
  })
  .meta({ id: 'ApproveFollowUpRequest', example: { body: 'Hi Jordan, they decided not to go ahead. I will call you at 10 to talk it through.' } });

export const declineFollowUpBody = z
  .strictObject({ reason: reason.optional().describe('Why it is not sent; kept in its cancelReason') })
  .meta({ id: 'DeclineFollowUpRequest', example: { reason: 'I will tell Jordan by phone' } });

export const approveAllBody = z
  .strictObject({ reason: reason.optional().describe('Why; kept in each event') })
  .meta({ id: 'ApproveAllFollowUpsRequest', example: { reason: 'Checked the wording of all of them' } });

export const cancelFollowUpBody = z
  .strictObject({ reason: reason.optional() })
  .meta({ id: 'CancelFollowUpRequest', example: { reason: 'The candidate withdrew by phone' } });

export const undoFollowUpBody = z
  .strictObject({ reason: reason.optional().describe('Why; kept in the event (and the cancel reason)') })
  .meta({ id: 'UndoFollowUpRequest', example: { reason: 'Wrong candidate' } });
