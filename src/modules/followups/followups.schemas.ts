import { z } from 'zod';
import { followUpStatuses } from '../../db/schema/index.js';
import { instant, localDate } from '../../lib/schemas.js';
import { pageQuery, syncAlone, syncQuery } from '../../lib/pagination.js';
import { followUpChannels, followUpKinds, followUpVoices } from '../../core/followups/types.js';
import { LIMITS } from '../../lib/limits.js';

export const followUpKind = z.enum(followUpKinds);
export const followUpStatus = z.enum(followUpStatuses);

const recipientSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('contact'), contactId: z.uuid(), name: z.string().max(LIMITS.name), email: z.string().max(LIMITS.email).nullable() }),
    z.object({ type: z.literal('candidate'), name: z.string().max(LIMITS.name), email: z.string().max(LIMITS.email).nullable() }),
    z.object({ type: z.literal('recruiter'), userId: z.uuid(), name: z.string().max(LIMITS.name), email: z.string().max(LIMITS.email).nullable() }),
  ])
  .meta({ id: 'FollowUpRecipient', description: 'Who receives the message, or whose task it is' });

const varsSchema = z
  .object({
    candidate: z.string().max(LIMITS.name),
    interviewer: z.string().max(LIMITS.name).nullable(),
    position: z.string().max(LIMITS.name),
    employer: z.string().max(LIMITS.name),
    highlight: z.string().max(LIMITS.text).nullable(),
    timeline: localDate.nullable(),
    recruiter: z.string().max(LIMITS.name),
    outcome: z.string().max(LIMITS.name).nullable(),
  })
  .partial()
  .meta({ id: 'FollowUpVars', description: 'What the templates fill in (empty after an erasure)' });

const basisValue = z.union([z.string().max(LIMITS.name), z.number(), z.boolean()]);

/** The planner's why of a step's time (src/core/followups/types.ts PlanBasis; docs/followups.md#basis). */
export const planBasisSchema = z
  .object({
    rule: z.string().max(LIMITS.name).describe('`thank_you.same_day`, `thank_you.same_day_latest`, `thank_you.next_business_day`, `timeline_request`, `recruiter_check_in`, `status_check.before_decision`, `status_check.default_window`, `status_check.repeat`, `post_decision_thanks`, `linkedin_connect`, `candidate_update.completed|notes_sent|reply|outcome`'),
    from: z
      .object({
        fact: z.string().max(LIMITS.name).describe('`interview_ended`, `interview_completed`, `decision_date`, `window_end`, `outcome`, `reply`, `thank_you_notes_sent`'),
        at: z.string().max(LIMITS.instant).describe('An instant, or a date (YYYY-MM-DD) for a decision date'),
      })
      .describe('The fact the rule counts from'),
    inputs: z.record(z.string().max(LIMITS.name), basisValue).describe('The rule’s settings and facts: `businessDays`, `time` (wall clock in `zone`), `delayMinutes`, `check`, `outcome`, `notBefore`…'),
    zone: z.string().max(LIMITS.timeZone).describe('The zone the time was worked out in (the recipient’s)'),
    caughtUp: z.boolean().describe('Its rule time had passed when planned: dueAt is the next allowed moment'),
    byHand: z
      .object({ action: z.enum(['moved', 'sent_now', 'resent', 'approved']), at: z.string().max(LIMITS.instant).describe('When (an instant)') })
      .optional()
      .describe(
        'A person took over the time (moved it, sent it now, resent it, or approved it after its time: it goes at the next allowed moment); the rule’s why stays beside it',
      ),
  })
  .meta({
    id: 'PlanBasis',
    example: {
      rule: 'thank_you.same_day',
      from: { fact: 'interview_ended', at: '2026-12-03T16:00:00.000Z' },
      inputs: { cutoff: '15:00', delayMinutes: 120 },
      zone: 'America/New_York',
      caughtUp: false,
    },
  });

export const followUpSchema = z
  .object({
    id: z.uuid(),
    interviewId: z.uuid(),
    applicationId: z.uuid(),
    candidateId: z.uuid(),
    key: z.string().max(LIMITS.name).describe('The planner’s step key: stable across re-plans, e.g. `thank_you:<contactId>`'),
    kind: followUpKind,
    channel: z.enum(followUpChannels).describe('email: sent by the worker; phone, linkedin, task: done by the recruiter'),
    voice: z.enum(followUpVoices).describe('on_behalf: sent for the candidate; draft_to_candidate: a draft for them to send; agency: from the agency'),
    recipient: recipientSchema,
    contactId: z.uuid().nullable().describe('The employer contact the step is about'),
    dueAt: instant,
    ruleDueAt: instant.describe(
      'The time the rule gave. When it had already passed at planning time, dueAt is the catch-up time (the next allowed moment) and ruleDueAt stays earlier; past the kind’s freshness limit, the step is `stale` instead',
    ),
    reason: z.string().max(LIMITS.text).describe('Why it is due when it is, as the planner worked it out (the rule’s details)'),
    basis: planBasisSchema.nullable().describe('The same why, machine-readable, for clients that render their own sentence; null on steps added by hand and on steps planned before it existed'),
    status: followUpStatus.describe(
      '`uncertain`: its worker stopped while sending it, so it may or may not have gone out: resend it or mark it sent. ' +
        '`stale`: planned after its kind’s freshness limit (a backfilled interview): not sent by itself; send it now, move, edit or skip it. ' +
        '`awaiting_approval`: the playbook wants a recruiter to approve it first (`POST …/approve`, `…/decline`)',
    ),
    holdReason: z.string().max(LIMITS.text).nullable().describe('Why it waits for a person rather than for its time (`stale`, `awaiting_approval`); null otherwise'),
    approvedAt: instant.nullable().describe('When a recruiter approved it, for one that waited for approval'),
    approvedBy: z.uuid().nullable().describe('Who approved it (a user or an API key)'),
    edited: z.boolean().describe('Its subject or body was written by hand: sent as written, not from the template'),
    sendsAt: instant.describe('When the email leaves: dueAt plus its undo window (the playbook’s undoSeconds when it was planned or made due by hand)'),
    undoSeconds: z.number().int().min(0).describe('Its undo window, in seconds'),
    inUndoWindow: z
      .boolean()
      .describe('Due and not gone yet (dueAt ≤ now < sendsAt, still pending): `POST …/undo` stops it'),
    overdue: z.boolean().describe('Still pending or queued after its due time'),
    subject: z.string().max(LIMITS.subject).nullable(),
    body: z.string().max(LIMITS.rendered).nullable(),
    templateId: z
      .string().max(LIMITS.name)
      .describe('The template its text is written from (GET /v1/follow-up-templates/{templateId}); a subject or body of its own overrides it'),
    vars: varsSchema,
    ownerId: z.uuid().describe('The recruiter (the application’s owner when planned)'),
    notes: z.string().max(LIMITS.text).nullable().describe('The recruiter’s notes; delivery never writes here'),
    cancelReason: z.string().max(LIMITS.text).nullable().describe('Why it was cancelled or skipped'),
    sentAt: instant.nullable(),
    completedAt: instant.nullable(),
    attempts: z.number().int().min(0).describe('How many times the worker has tried to send it'),
    lastError: z
      .string().max(LIMITS.text)
      .nullable()
      .describe('The mail server’s answer to the last failed attempt, e.g. `550 mailbox unavailable`, or why an `uncertain` send may not have gone out; kept after a later success'),
    messageId: z.string().max(LIMITS.messageId).nullable().describe('The Message-ID of the sent email (`<fu-<id>@afterview>`), which replies quote'),
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
      basis: { rule: 'thank_you.same_day', from: { fact: 'interview_ended', at: '2026-12-03T16:00:00.000Z' }, inputs: { cutoff: '15:00', delayMinutes: 120 }, zone: 'America/New_York', caughtUp: false },
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
