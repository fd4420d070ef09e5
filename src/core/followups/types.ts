import type { Holiday } from '../businessTime.js';

/** Everything the planner reads about one interview; loaded by the service, never by the planner. */

export const followUpKinds = [
  'timeline_request',
  'thank_you',
  'recruiter_check_in',
  'status_check',
  'post_decision_thanks',
  'linkedin_connect',
  'candidate_update',
] as const;
export type FollowUpKind = (typeof followUpKinds)[number];

/** email: we send it. phone / linkedin: a recruiter task in that medium. task: reach them another way. */
export const followUpChannels = ['email', 'phone', 'linkedin', 'task'] as const;
export type FollowUpChannel = (typeof followUpChannels)[number];

export const followUpVoices = ['on_behalf', 'draft_to_candidate', 'agency'] as const;
export type FollowUpVoice = (typeof followUpVoices)[number];

/** What came of an application (the `outcomes` table's kinds). */
export const outcomeKinds = ['offer', 'hired', 'rejected', 'filled_by_other', 'on_hold', 'withdrawn', 'no_decision'] as const;
export type OutcomeKind = (typeof outcomeKinds)[number];
export type ParticipantRole = 'interviewer' | 'hiring_manager' | 'coordinator';

export interface InterviewFacts {
  id: string;
  startsAt: Date;
  endsAt: Date;
  /** The zone the interview was agreed in. */
  timeZone: string;
  arrangedVia: 'email' | 'phone';
  status: 'scheduled' | 'completed' | 'cancelled' | 'no_show';
  completedAt: Date | null;
  decisionExpectedBy: string | null;
  highlights: string | null;
}

export interface ParticipantFacts {
  contactId: string;
  name: string;
  email: string | null;
  phone: string | null;
  linkedinUrl: string | null;
  timeZone: string | null;
  role: ParticipantRole;
  highlight: string | null;
}

export interface ReplyFacts {
  receivedAt: Date;
  newDecisionExpectedBy: string | null;
  /** An auto-reply is no answer: it neither pauses status checks nor skips the check-in. */
  isOutOfOffice?: boolean;
}

export interface FollowUpFacts {
  interview: InterviewFacts;
  /** In a stable order (the first interviewer stands in for a missing hiring manager). */
  participants: readonly ParticipantFacts[];
  employer: { name: string; timeZone: string; holidays: readonly Holiday[] };
  agency: { timeZone: string; holidays: readonly Holiday[] };
  candidate: {
    name: string;
    email: string | null;
    relayConsent: boolean;
    statusUpdatesOptIn: boolean;
    timeZone: string | null;
  };
  position: { title: string };
  recruiter: { userId: string; name: string; email: string | null; timeZone: string | null };
  replies: readonly ReplyFacts[];
  /**
   * The latest outcome of the application, if any: when it was logged, and when the employer decided
   * (post-decision timing counts from it; without it, from when it was logged).
   */
  outcome: { kind: OutcomeKind; loggedAt: Date; decidedAt?: Date } | null;
}

export type Recipient =
  | { type: 'contact'; contactId: string; name: string; email: string | null }
  | { type: 'candidate'; name: string; email: string | null }
  | { type: 'recruiter'; userId: string; name: string; email: string | null };

/** The variables the template step fills in. */
export interface TemplateVars {
  candidate: string;
  /** The employer contact the note is for (its reader, or the one to call). */
  interviewer: string | null;
  position: string;
  employer: string;
  highlight: string | null;
  /** The decision date the plan works with, YYYY-MM-DD. */
  timeline: string | null;
  recruiter: string;
  outcome: OutcomeKind | null;
}

/**
 * The machine-readable why of a step's time, beside its text: the rule, the fact it counts from and
 * the rule's inputs, the zone it was worked out in, and whether it is a catch-up (its rule time had
 * passed when planned). Clients render their own sentence from it (docs/followups.md#basis).
 */
export interface PlanBasis {
  /** `thank_you.same_day`, `status_check.before_decision`, `candidate_update.outcome`… */
  rule: string;
  /** `interview_ended`, `interview_completed`, `decision_date`, `window_end`, `outcome`, `reply`, `thank_you_notes_sent`; `at` an instant or a date. */
  from: { fact: string; at: string };
  /** The rule's settings and facts: `businessDays`, `time` (wall clock), `delayMinutes`, `check`, `outcome`, `notBefore`… */
  inputs: Record<string, string | number | boolean>;
  zone: string;
  caughtUp: boolean;
  /**
   * A person took over the time: moved it, sent it now, resent it, or approved it after its time
   * (it then goes at the next allowed moment). The rule's why stays.
   */
  byHand?: { action: 'moved' | 'sent_now' | 'resent' | 'approved'; at: string };
}

export interface PlannedFollowUp {
  /** Deterministic, matches the same step across re-plans: `thank_you:<contactId>`, `status_check:2026-03-20:1`. */
  key: string;
  kind: FollowUpKind;
  channel: FollowUpChannel;
  voice: FollowUpVoice;
  /** Who receives our message or task. */
  recipient: Recipient;
  /** The employer contact the step is about, when there is one. */
  contactId: string | null;
  dueAt: Date;
  /** The time the rule gave; later than dueAt never, earlier when it had passed at planning time. */
  ruleDueAt: Date;
  reason: string;
  /** The same why, machine-readable. */
  basis: PlanBasis | null;
  vars: TemplateVars;
  /**
   * Why it is not sent by itself, when its rule time was already past its kind's freshness limit at
   * planning time (a backfilled interview): it is stored `stale`, for a recruiter to review.
   */
  stale: string | null;
  /** Why it waits for a recruiter's approval (playbook `approval`), else null. */
  approval: string | null;
}

/** `paused`: a status check waiting for a new decision date (a reply without one); a new date re-plans it. */
export const followUpStatuses = ['pending', 'sent', 'done', 'cancelled', 'paused'] as const;
export type FollowUpStatus = (typeof followUpStatuses)[number];

/** A stored follow-up as re-planning sees it; the optional fields are compared when given. */
export interface ExistingFollowUp {
  id: string;
  key: string;
  status: FollowUpStatus;
  dueAt: Date;
  channel?: FollowUpChannel;
  voice?: FollowUpVoice;
  recipient?: Recipient;
  /** The wording inputs it was planned with (a highlight, the position), when known. */
  vars?: TemplateVars;
  /** A recruiter moved it by hand: it stands unless a new fact makes it pointless. */
  movedByHand?: boolean;
}

export interface Replan {
  /** Stored follow-ups that stand: everything sent or done, and pending ones the new plan confirms. */
  keep: ExistingFollowUp[];
  /** `pause`: not cancelled but paused (a status check waiting for a new date), with the reason. */
  cancel: { id: string; key: string; reason: string; pause?: true }[];
  /** New steps, and steps re-planned with a new time or route (their old row is in `cancel`). */
  add: PlannedFollowUp[];
  /** Pending steps that stand but whose wording inputs changed (a highlight corrected): new vars. */
  refresh: { id: string; vars: TemplateVars }[];
}
