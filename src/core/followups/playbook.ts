import { z } from 'zod';

/**
 * The agency's follow-up settings (DESIGN section 2). Every timing is a setting whose default is the
 * design table's; an empty object parses to the defaults. Times are recipient-local wall times.
 */

const wallTime = z
  .string()
  .max(5)
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Must be a 24-hour time HH:mm such as 09:30')
  .meta({ example: '09:30' });

const businessDayCount = (max: number) => z.number().int().min(1).max(max);

const approvalMode = z.enum(['auto', 'approval']);

/** A step sent on a later business day at a fixed local time. */
const dayStep = (afterBusinessDays: number, time: string) =>
  z
    .strictObject({
      afterBusinessDays: businessDayCount(30).default(afterBusinessDays),
      time: wallTime.default(time),
    })
    .prefault({});

export const playbookSchema = z
  .strictObject({
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    businessDays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'Must not repeat a weekday')
      .default([1, 2, 3, 4, 5]),
    businessHours: z
      .strictObject({ start: wallTime.default('08:00'), end: wallTime.default('18:00') })
      .prefault({}),
    thankYou: z
      .strictObject({
        /** Interview ended before this (recipient-local): same day; otherwise the next business day. */
        sameDayCutoff: wallTime.default('15:00'),
        sameDayDelayMinutes: z.number().int().min(0).max(480).default(120),
        sameDayLatest: wallTime.default('17:30'),
        nextDayTime: wallTime.default('09:30'),
      })
      .prefault({}),
    /** Only when completed without a timeline: the next business morning. */
    timelineRequest: dayStep(1, '09:30'),
    recruiterCheckIn: dayStep(2, '09:30'),
    statusCheck: z
      .strictObject({
        beforeDecisionBusinessDays: z.number().int().min(0).max(30).default(1),
        defaultWindowBusinessDays: businessDayCount(60).default(7),
        /** Each further check comes this many business days after the previous one's anchor, unanswered. */
        afterDateBusinessDays: businessDayCount(30).default(3),
        maxChecks: z.number().int().min(0).max(5).default(2),
        time: wallTime.default('09:30'),
      })
      .prefault({}),
    /** After rejected / filled_by_other; LinkedIn tasks after any final outcome use the same timing. */
    postDecisionThanks: dayStep(1, '09:30'),
    /**
     * How late a step may still go by itself. Its rule time already past this at planning time (a
     * backfilled interview), it is planned `stale`: not sent by itself, shown for review.
     */
    freshness: z
      .strictObject({
        /** Until the end of business hours this many business days after the interview's day. */
        thankYouBusinessDays: z.number().int().min(0).max(30).default(1),
        /** This many business days after its rule time. */
        timelineRequestBusinessDays: z.number().int().min(0).max(30).default(2),
        recruiterCheckInBusinessDays: z.number().int().min(0).max(30).default(2),
        /** Until the end of business hours this many business days after the decision date it works toward. */
        statusCheckBusinessDays: z.number().int().min(0).max(30).default(0),
      })
      .prefault({}),
    /**
     * Per kind and audience: `auto`, the email goes at its time by itself; `approval`, it waits
     * (`awaiting_approval`) until a recruiter approves it. Tasks (calls, LinkedIn) never wait.
     */
    approval: z
      .strictObject({
        employer: z
          .strictObject({
            thank_you: approvalMode.default('auto'),
            timeline_request: approvalMode.default('auto'),
            recruiter_check_in: approvalMode.default('auto'),
            status_check: approvalMode.default('auto'),
            post_decision_thanks: approvalMode.default('approval'),
          })
          .prefault({}),
        /** The updates to the candidate, by what they tell: anything about a decision waits by default. */
        candidate: z
          .strictObject({
            completed: approvalMode.default('auto'),
            notes_sent: approvalMode.default('auto'),
            reply: approvalMode.default('auto'),
            outcome: approvalMode.default('approval'),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Updates to candidates are not bound to office hours, only kept out of the night. */
    candidateQuietHours: z
      .strictObject({ start: wallTime.default('21:00'), end: wallTime.default('08:00') })
      .prefault({}),
    /** Days off (not in businessDays) are quiet for candidates too: an update waits for the next business day's quiet-hours end. */
    candidateQuietWeekends: z.boolean().default(true),
    /**
     * Every email waits this long after it falls due (or after Send now, a resend, an approval)
     * before it leaves, and may be undone meanwhile (`POST /v1/follow-ups/{id}/undo`). 0: no window.
     */
    undoSeconds: z.number().int().min(0).max(600).default(30),
    /**
     * Timeline requests, recruiter check-ins and status checks to one contact, from one recruiter,
     * due the same day (recipient-local) go as one email listing each candidate (template
     * `combined.email.agency`); false: one email each.
     */
    combinePerContact: z.boolean().default(true),
  })
  .superRefine((p, ctx) => {
    const { start, end } = p.businessHours;
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (end <= start) issue(['businessHours', 'end'], 'Must be after businessHours.start');
    const insideHours = (path: (string | number)[], t: string) => {
      if (t < start || t >= end) issue(path, `Must be within business hours ${start}–${end}`);
    };
    insideHours(['thankYou', 'nextDayTime'], p.thankYou.nextDayTime);
    insideHours(['timelineRequest', 'time'], p.timelineRequest.time);
    insideHours(['recruiterCheckIn', 'time'], p.recruiterCheckIn.time);
    insideHours(['statusCheck', 'time'], p.statusCheck.time);
    insideHours(['postDecisionThanks', 'time'], p.postDecisionThanks.time);
    insideHours(['thankYou', 'sameDayLatest'], p.thankYou.sameDayLatest);
    if (p.thankYou.sameDayLatest < p.thankYou.sameDayCutoff) {
      issue(['thankYou', 'sameDayLatest'], 'Must not be before thankYou.sameDayCutoff');
    }
    if (p.candidateQuietHours.start === p.candidateQuietHours.end) {
      issue(['candidateQuietHours', 'end'], 'Must differ from candidateQuietHours.start');
    }
  })
  .meta({
    id: 'Playbook',
    description: 'Follow-up timings of an agency; every field has a default',
    example: {
      businessDays: [1, 2, 3, 4, 5],
      businessHours: { start: '08:00', end: '18:00' },
      thankYou: { sameDayCutoff: '15:00', sameDayDelayMinutes: 120, sameDayLatest: '17:30', nextDayTime: '09:30' },
      timelineRequest: { afterBusinessDays: 1, time: '09:30' },
      recruiterCheckIn: { afterBusinessDays: 2, time: '09:30' },
      statusCheck: { beforeDecisionBusinessDays: 1, defaultWindowBusinessDays: 7, afterDateBusinessDays: 3, maxChecks: 2, time: '09:30' },
      postDecisionThanks: { afterBusinessDays: 1, time: '09:30' },
      approval: {
        employer: { thank_you: 'auto', timeline_request: 'auto', recruiter_check_in: 'auto', status_check: 'auto', post_decision_thanks: 'approval' },
        candidate: { completed: 'auto', notes_sent: 'auto', reply: 'auto', outcome: 'approval' },
      },
      freshness: { thankYouBusinessDays: 1, timelineRequestBusinessDays: 2, recruiterCheckInBusinessDays: 2, statusCheckBusinessDays: 0 },
      candidateQuietHours: { start: '21:00', end: '08:00' },
      candidateQuietWeekends: true,
      undoSeconds: 30,
      combinePerContact: true,
    },
  });

export type Playbook = z.output<typeof playbookSchema>;
export type PlaybookInput = z.input<typeof playbookSchema>;

export const defaultPlaybook: Playbook = Object.freeze(playbookSchema.parse({}));

/** Parses a stored or submitted playbook; throws a ZodError listing every offending field. */
export function parsePlaybook(input: unknown): Playbook {
  return playbookSchema.parse(input ?? {});
}
