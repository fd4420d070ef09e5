import {
  addBusinessDays,
  atLocal,
  businessCalendar,
  clampToBusinessHours,
  describeInstant,
  describeSkips,
  join,
  sourcedHolidays,
  type BusinessCalendar,
  type DayMove,
  type Resolved,
  type WallTime,
} from '../businessTime.js';
import type { Playbook } from './playbook.js';
import type {
  FollowUpChannel,
  FollowUpFacts,
  FollowUpKind,
  FollowUpVoice,
  OutcomeKind,
  ParticipantFacts,
  PlanBasis,
  PlannedFollowUp,
  Recipient,
  ReplyFacts,
  TemplateVars,
} from './types.js';

/** The facts read once for a plan: effective replies, outcome and timeline, calendars, routing. */
export interface PlanContext {
  facts: FollowUpFacts;
  pb: Playbook;
  now: Date;
  /** Real replies (no auto-replies) received since the interview started, oldest first. */
  replies: ReplyFacts[];
  /** `at`: when the employer decided (else when it was logged): what post-decision timing counts from. */
  outcome: { kind: OutcomeKind; at: Date; verb: 'logged' | 'decided' } | null;
  /** The decision date the plan works with and where it came from. */
  timeline: { date: string; source: string; knownAt: Date | null } | null;
  hiringManager: ParticipantFacts | null;
  /**
   * Why steps are not planned, by key prefix; re-planning quotes these when it cancels. `pause`: the
   * steps wait for a new fact (paused, not cancelled); `soft`: a step a recruiter moved by hand stands.
   */
  skips: { prefix: string; reason: string; effect?: 'pause' | 'soft' }[];
}

/** What a rule counts from and with (PlanBasis without the zone and the catch-up). */
export type RuleBasis = Omit<PlanBasis, 'zone' | 'caughtUp'>;

/** A time the rule gave, with why: as text, and machine-readable. */
export interface Due {
  at: Date;
  reason: string;
  basis?: RuleBasis;
}

export const finalOutcomes: readonly OutcomeKind[] = ['offer', 'hired', 'rejected', 'filled_by_other', 'withdrawn'];
/** Outcomes after which asking about the timeline or the status is pointless. */
export const settlingOutcomes: readonly OutcomeKind[] = [...finalOutcomes, 'on_hold'];
/** Outcomes after which an unsent thank-you would be out of place (the post-decision note thanks them). */
export const thankYouCancellingOutcomes: readonly OutcomeKind[] = ['rejected', 'filled_by_other', 'withdrawn'];

export function buildContext(facts: FollowUpFacts, pb: Playbook, now: Date): PlanContext {
  const since = facts.interview.startsAt.getTime();
  const replies = facts.replies
    .filter((r) => !r.isOutOfOffice && r.receivedAt.getTime() >= since)
    .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  const o = facts.outcome;
  // Dated by hand when the decision came before it was typed in: the reasons then say "decided".
  const backdated = o?.decidedAt !== undefined && o.decidedAt.getTime() !== o.loggedAt.getTime();
  const decided = o ? { kind: o.kind, at: backdated ? o.decidedAt! : o.loggedAt, verb: backdated ? ('decided' as const) : ('logged' as const) } : null;
  const outcome = decided && decided.at.getTime() >= since ? decided : null;
  const dated = replies.filter((r) => r.newDecisionExpectedBy).at(-1);
  const hmZone = contactZone(facts, hiringManagerOf(facts.participants));
  const timeline = dated?.newDecisionExpectedBy
    ? {
        date: dated.newDecisionExpectedBy,
        source: `employer reply of ${describeInstant(dated.receivedAt, hmZone)}`,
        knownAt: dated.receivedAt,
      }
    : facts.interview.decisionExpectedBy
      ? { date: facts.interview.decisionExpectedBy, source: 'given at the interview', knownAt: null }
      : null;
  return { facts, pb, now, replies, outcome, timeline, hiringManager: hiringManagerOf(facts.participants), skips: [] };
}

/** The hiring manager, else the first interviewer, else the first participant. */
function hiringManagerOf(participants: readonly ParticipantFacts[]): ParticipantFacts | null {
  return (
    participants.find((p) => p.role === 'hiring_manager') ??
    participants.find((p) => p.role === 'interviewer') ??
    participants[0] ??
    null
  );
}

export function skip(ctx: PlanContext, prefix: string, reason: string, effect?: 'pause' | 'soft'): void {
  ctx.skips.push(effect ? { prefix, reason, effect } : { prefix, reason });
}

// ---- calendars ------------------------------------------------------------------------------

function contactZone(facts: FollowUpFacts, p: ParticipantFacts | null): string {
  return p?.timeZone ?? facts.employer.timeZone;
}

function calendar(ctx: PlanContext, zone: string, employerHolidays: boolean): BusinessCalendar {
  const { facts, pb } = ctx;
  return businessCalendar({
    zone,
    businessDays: pb.businessDays,
    dayStart: pb.businessHours.start,
    dayEnd: pb.businessHours.end,
    holidays: [
      ...(employerHolidays ? sourcedHolidays('employer', facts.employer.holidays) : []),
      ...sourcedHolidays('agency', facts.agency.holidays),
    ],
  });
}

/** Recipient-local: the contact's zone, else the employer's; the employer's and the agency's holidays. */
export function contactCalendar(ctx: PlanContext, p: ParticipantFacts | null): BusinessCalendar {
  return calendar(ctx, contactZone(ctx.facts, p), true);
}

/** The recruiter's own working days: their zone, else the agency's; the agency's holidays. */
export function recruiterCalendar(ctx: PlanContext): BusinessCalendar {
  return calendar(ctx, ctx.facts.recruiter.timeZone ?? ctx.facts.agency.timeZone, false);
}

export function candidateZone(ctx: PlanContext): string {
  return ctx.facts.candidate.timeZone ?? ctx.facts.agency.timeZone;
}

// ---- times ----------------------------------------------------------------------------------

/** A wall time on a day reached by a business-day move, with the skipped holidays and DST said. */
export function onDay(move: DayMove, time: WallTime, cal: BusinessCalendar, lead: string): Due {
  const r = atLocal(move.date, time, cal.zone);
  return { at: r.at, reason: join(`${lead} ${describeInstant(r.at, cal.zone)}`, describeSkips(move.skipped), r.note) };
}

export interface Settled {
  dueAt: Date;
  ruleDueAt: Date;
  reason: string;
  basis: PlanBasis | null;
  /** Why it is not sent by itself (see `fresh`), else absent. */
  stale?: string;
}

/** Planning never schedules into the past: a rule time already gone becomes "as soon as possible". */
export function settle(
  ctx: PlanContext,
  due: Due,
  shift: (at: Date) => Resolved,
  zone: string,
): Settled {
  const basis = (caughtUp: boolean) => (due.basis ? { ...due.basis, zone, caughtUp } : null);
  if (due.at.getTime() >= ctx.now.getTime()) return { dueAt: due.at, ruleDueAt: due.at, reason: due.reason, basis: basis(false) };
  const moved = shift(ctx.now);
  const late = `that time had passed when planned (${describeInstant(ctx.now, zone)}): as soon as possible, ${describeInstant(moved.at, zone)}`;
  return { dueAt: moved.at, ruleDueAt: due.at, reason: join(due.reason, late, moved.note), basis: basis(true) };
}

export const inBusinessHours = (cal: BusinessCalendar) => (at: Date) => clampToBusinessHours(at, cal);

/** A freshness limit: the instant after which a step planned late is stale, and what it is. */
export interface Limit {
  at: Date;
  label: string;
}

/** The end of business hours `n` business days after `from` (n = 0: that day, or the next business day). */
export function endOfBusinessDay(from: Date | string, n: number, cal: BusinessCalendar): Date {
  return atLocal(addBusinessDays(from, n, cal).date, cal.dayEnd, cal.zone).at;
}

/**
 * A step whose rule time had passed when planned, and whose freshness limit too (a backfilled
 * interview), is stale: not sent by itself, kept for a recruiter to review (send, move or skip).
 */
export function fresh(ctx: PlanContext, time: Settled, limit: Limit, zone: string): Settled {
  if (time.ruleDueAt.getTime() >= ctx.now.getTime() || ctx.now.getTime() <= limit.at.getTime()) return time;
  return {
    ...time,
    stale: `stale: past ${limit.label} (${describeInstant(limit.at, zone)}) when planned (${describeInstant(ctx.now, zone)}): not sent by itself, waiting for review`,
  };
}

// ---- routing --------------------------------------------------------------------------------

export interface Route {
  channel: FollowUpChannel;
  voice: FollowUpVoice;
  recipient: Recipient;
  note: string | null;
}

const contactRecipient = (p: ParticipantFacts): Recipient => ({
  type: 'contact',
  contactId: p.contactId,
  name: p.name,
  email: p.email,
});

export const candidateRecipient = (ctx: PlanContext): Recipient => ({
  type: 'candidate',
  name: ctx.facts.candidate.name,
  email: ctx.facts.candidate.email,
});

export const recruiterRecipient = (ctx: PlanContext): Recipient => ({
  type: 'recruiter',
  userId: ctx.facts.recruiter.userId,
  name: ctx.facts.recruiter.name,
  email: ctx.facts.recruiter.email,
});

/**
 * Who does an employer-facing step, and how. The candidate speaks through us only with relay consent,
 * otherwise they get a ready-to-send draft; phone steps and contacts without email become recruiter tasks.
 */
export function routeToContact(
  ctx: PlanContext,
  p: ParticipantFacts,
  mode: 'email' | 'phone',
  speaker: 'candidate' | 'agency',
): Route {
  const { candidate } = ctx.facts;
  const voice: FollowUpVoice = speaker === 'agency' ? 'agency' : candidate.relayConsent ? 'on_behalf' : 'draft_to_candidate';
  const draftNote = voice === 'draft_to_candidate' ? 'no relay consent: a draft for the candidate to send' : null;
  const toCandidate = voice === 'draft_to_candidate' && candidate.email !== null;
  const noCandidateEmail =
    voice === 'draft_to_candidate' && !toCandidate ? 'the candidate has no email address: the recruiter passes the draft on' : null;
  if (mode === 'phone') {
    return toCandidate
      ? {
          channel: 'phone',
          voice,
          recipient: candidateRecipient(ctx),
          note: 'interview arranged by phone; no relay consent: talking points for the candidate to call',
        }
      : {
          channel: 'phone',
          voice,
          recipient: recruiterRecipient(ctx),
          note: join('interview arranged by phone: a call task for the recruiter', noCandidateEmail),
        };
  }
  if (!p.email) {
    return {
      channel: 'task',
      voice,
      recipient: recruiterRecipient(ctx),
      note: `no email address for ${p.name}: a task for the recruiter instead of an email`,
    };
  }
  if (voice === 'draft_to_candidate') {
    return toCandidate
      ? { channel: 'email', voice, recipient: candidateRecipient(ctx), note: draftNote }
      : { channel: 'task', voice, recipient: recruiterRecipient(ctx), note: join(draftNote, noCandidateEmail) };
  }
  return { channel: 'email', voice, recipient: contactRecipient(p), note: null };
}

export function varsFor(ctx: PlanContext, p: ParticipantFacts | null): TemplateVars {
  const { facts } = ctx;
  return {
    candidate: facts.candidate.name,
    interviewer: p?.name ?? null,
    position: facts.position.title,
    employer: facts.employer.name,
    highlight: p?.highlight ?? facts.interview.highlights ?? null,
    timeline: ctx.timeline?.date ?? null,
    recruiter: facts.recruiter.name,
    outcome: ctx.outcome?.kind ?? null,
  };
}

/** Whether the playbook wants a recruiter's approval before this email goes, and why. */
export function approvalOf(ctx: PlanContext, kind: FollowUpKind, key: string): string | null {
  const a = ctx.pb.approval;
  if (kind === 'candidate_update') {
    const event = key.split(':')[1] as keyof typeof a.candidate;
    return a.candidate[event] === 'approval' ? `waits for a recruiter's approval (playbook approval.candidate.${event})` : null;
  }
  if (kind === 'linkedin_connect') return null;
  return a.employer[kind] === 'approval' ? `waits for a recruiter's approval (playbook approval.employer.${kind})` : null;
}

export function followUp(
  ctx: PlanContext,
  key: string,
  kind: FollowUpKind,
  p: ParticipantFacts | null,
  route: Route,
  time: Settled,
): PlannedFollowUp {
  return {
    key,
    kind,
    channel: route.channel,
    voice: route.voice,
    recipient: route.recipient,
    contactId: p?.contactId ?? null,
    dueAt: time.dueAt,
    ruleDueAt: time.ruleDueAt,
    reason: join(time.reason, route.note),
    basis: time.basis,
    vars: varsFor(ctx, p),
    stale: time.stale ?? null,
    approval: route.channel === 'email' ? approvalOf(ctx, kind, key) : null,
  };
}
