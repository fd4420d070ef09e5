import { DateTime } from 'luxon';
import {
  addBusinessDays,
  atLocal,
  clampToBusinessHours,
  describeDate,
  describeInstant,
  join,
  localDateOf,
  localTimeOf,
  nonBusinessReason,
  type BusinessCalendar,
} from '../businessTime.js';
import {
  contactCalendar,
  endOfBusinessDay,
  finalOutcomes,
  fresh,
  followUp,
  inBusinessHours,
  onDay,
  recruiterCalendar,
  recruiterRecipient,
  routeToContact,
  settle,
  settlingOutcomes,
  skip,
  thankYouCancellingOutcomes,
  type Due,
  type Limit,
  type PlanContext,
  type RuleBasis,
} from './context.js';
import type { ParticipantFacts, PlannedFollowUp } from './types.js';

/** The employer-facing steps of DESIGN section 2, one function per kind. */

function outcomeNote(ctx: PlanContext): string {
  const o = ctx.outcome;
  return o ? `outcome ${o.kind} ${o.verb} ${describeInstant(o.at, ctx.facts.agency.timeZone)}` : '';
}

/** A rule's time with its machine-readable why. */
const based = (due: Due, basis: RuleBasis): Due => ({ ...due, basis });

const businessDays = (n: number) => `${n} business day${n === 1 ? '' : 's'}`;

const duration = (minutes: number) =>
  minutes % 60 === 0 ? `${minutes / 60} h` : minutes > 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;

/** Same day 2 h after the end (at the latest 17:30) when it ended before the cut-off on a business day; else the next business day 09:30. */
export function thankYouDue(ctx: PlanContext, cal: BusinessCalendar): Due {
  const t = ctx.pb.thankYou;
  const end = ctx.facts.interview.endsAt;
  const endDate = localDateOf(end, cal.zone);
  const ended = `interview ended ${describeInstant(end, cal.zone)}`;
  const from = { fact: 'interview_ended', at: end.toISOString() };
  const offDay = nonBusinessReason(endDate, cal);
  if (!offDay && localTimeOf(end, cal.zone) < t.sameDayCutoff) {
    const delayed = DateTime.fromJSDate(end).plus({ minutes: t.sameDayDelayMinutes }).toJSDate();
    const latest = atLocal(endDate, t.sameDayLatest, cal.zone);
    const lead = `${ended}, before the ${t.sameDayCutoff} cut-off: same day`;
    if (delayed > latest.at) {
      return {
        at: latest.at,
        reason: join(`${lead} at the latest ${t.sameDayLatest}, ${describeInstant(latest.at, cal.zone)}`, latest.note),
        basis: { rule: 'thank_you.same_day_latest', from, inputs: { cutoff: t.sameDayCutoff, delayMinutes: t.sameDayDelayMinutes, latest: t.sameDayLatest } },
      };
    }
    const inHours = clampToBusinessHours(delayed, cal);
    return {
      at: inHours.at,
      reason: join(`${lead}, ${duration(t.sameDayDelayMinutes)} after the end, ${describeInstant(delayed, cal.zone)}`, inHours.note),
      basis: { rule: 'thank_you.same_day', from, inputs: { cutoff: t.sameDayCutoff, delayMinutes: t.sameDayDelayMinutes } },
    };
  }
  const why = offDay ? `${describeDate(endDate)} is not a business day (${offDay})` : `after the ${t.sameDayCutoff} cut-off`;
  return based(onDay(addBusinessDays(endDate, 1, cal), t.nextDayTime, cal, `${ended}, ${why}: next business day`), {
    rule: 'thank_you.next_business_day',
    from,
    inputs: { because: offDay ? 'day_off' : 'after_cutoff', cutoff: t.sameDayCutoff, businessDays: 1, time: t.nextDayTime },
  });
}

/** A thank-you is fresh until the end of the next business day after the interview (playbook `freshness`). */
export function thankYouLimit(ctx: PlanContext, cal: BusinessCalendar): Limit {
  const n = ctx.pb.freshness.thankYouBusinessDays;
  return { at: endOfBusinessDay(ctx.facts.interview.endsAt, n, cal), label: `the end of ${businessDays(n)} after the interview` };
}

/** A step fresh for `n` business days after its rule time. */
function afterRule(time: { ruleDueAt: Date }, n: number, cal: BusinessCalendar): Limit {
  const r = time.ruleDueAt;
  return { at: atLocal(addBusinessDays(r, n, cal).date, localTimeOf(r, cal.zone), cal.zone).at, label: `${businessDays(n)} after its time` };
}

export function thankYous(ctx: PlanContext): PlannedFollowUp[] {
  const out: PlannedFollowUp[] = [];
  for (const p of ctx.facts.participants) {
    const key = `thank_you:${p.contactId}`;
    if (ctx.outcome && thankYouCancellingOutcomes.includes(ctx.outcome.kind)) {
      skip(ctx, key, `${outcomeNote(ctx)}: an unsent thank-you gives way to the post-decision note`);
      continue;
    }
    const cal = contactCalendar(ctx, p);
    const time = fresh(ctx, settle(ctx, thankYouDue(ctx, cal), inBusinessHours(cal), cal.zone), thankYouLimit(ctx, cal), cal.zone);
    out.push(followUp(ctx, key, 'thank_you', p, routeToContact(ctx, p, 'email', 'candidate'), time));
  }
  return out;
}

/** Steps toward the hiring manager stop once the outcome settles the process. */
function hiringManagerFor(ctx: PlanContext, prefix: string, what: string): ParticipantFacts | null {
  if (ctx.outcome && settlingOutcomes.includes(ctx.outcome.kind)) {
    skip(ctx, prefix, `${outcomeNote(ctx)}: no ${what} needed any more`);
    return null;
  }
  if (!ctx.hiringManager) skip(ctx, prefix, `no participant to address the ${what} to`);
  return ctx.hiringManager;
}

export function timelineRequest(ctx: PlanContext): PlannedFollowUp[] {
  const key = 'timeline_request';
  if (ctx.timeline) {
    skip(ctx, key, `timeline known: decision expected by ${ctx.timeline.date} (${ctx.timeline.source})`);
    return [];
  }
  const hm = hiringManagerFor(ctx, key, 'timeline request');
  if (!hm) return [];
  const cal = contactCalendar(ctx, hm);
  const { afterBusinessDays, time } = ctx.pb.timelineRequest;
  const endDate = localDateOf(ctx.facts.interview.endsAt, cal.zone);
  const lead = `interview ended ${describeInstant(ctx.facts.interview.endsAt, cal.zone)} without a decision date: ask for the timeline`;
  const due = based(onDay(addBusinessDays(endDate, afterBusinessDays, cal), time, cal, `${lead}, ${businessDays(afterBusinessDays)} later,`), {
    rule: 'timeline_request',
    from: { fact: 'interview_ended', at: ctx.facts.interview.endsAt.toISOString() },
    inputs: { businessDays: afterBusinessDays, time },
  });
  const planned = settle(ctx, due, inBusinessHours(cal), cal.zone);
  const settled = fresh(ctx, planned, afterRule(planned, ctx.pb.freshness.timelineRequestBusinessDays, cal), cal.zone);
  return [followUp(ctx, key, 'timeline_request', hm, routeToContact(ctx, hm, ctx.facts.interview.arrangedVia, 'candidate'), settled)];
}

export function recruiterCheckIn(ctx: PlanContext): PlannedFollowUp[] {
  const key = 'recruiter_check_in';
  const hm = hiringManagerFor(ctx, key, 'recruiter check-in');
  if (!hm) return [];
  const cal = contactCalendar(ctx, hm);
  const first = ctx.replies[0];
  if (first) {
    // A check-in the recruiter moved by hand stands: they meant to call anyway.
    skip(ctx, key, `the employer replied first (${describeInstant(first.receivedAt, cal.zone)}): no check-in needed`, 'soft');
    return [];
  }
  const { afterBusinessDays, time } = ctx.pb.recruiterCheckIn;
  const endDate = localDateOf(ctx.facts.interview.endsAt, cal.zone);
  const due = based(
    onDay(addBusinessDays(endDate, afterBusinessDays, cal), time, cal, `recruiter checks in ${businessDays(afterBusinessDays)} after the interview of ${describeDate(endDate)}:`),
    { rule: 'recruiter_check_in', from: { fact: 'interview_ended', at: ctx.facts.interview.endsAt.toISOString() }, inputs: { businessDays: afterBusinessDays, time } },
  );
  const planned = settle(ctx, due, inBusinessHours(cal), cal.zone);
  const settled = fresh(ctx, planned, afterRule(planned, ctx.pb.freshness.recruiterCheckInBusinessDays, cal), cal.zone);
  return [followUp(ctx, key, 'recruiter_check_in', hm, routeToContact(ctx, hm, ctx.facts.interview.arrangedVia, 'agency'), settled)];
}

/** A time a status check must come after; `code` names it in the basis (`notBefore`). */
type Floor = { at: Date; label: string; code: string };

/** Moves a due time to the business day after `floor` when it is not later than it. */
function afterFloor(due: Due, floor: Floor | null, time: string, cal: BusinessCalendar): Due {
  if (!floor || due.at > floor.at) return due;
  const moved = onDay(addBusinessDays(localDateOf(floor.at, cal.zone), 1, cal), time, cal, 'next business day');
  const reason = `${due.reason}; not before ${floor.label} (${describeInstant(floor.at, cal.zone)}): ${moved.reason}`;
  return due.basis
    ? { at: moved.at, reason, basis: { ...due.basis, inputs: { ...due.basis.inputs, notBefore: floor.code, notBeforeAt: floor.at.toISOString() } } }
    : { at: moved.at, reason };
}

const latestOf = (...floors: (Floor | null)[]) => floors.reduce<Floor | null>((a, b) => (!b ? a : !a || b.at > a.at ? b : a), null);

/**
 * Toward the end of the timeline: 1 business day before the decision date, never before the
 * thank-yous; without a timeline at the end of the default window; then every 3 business days after
 * that date while unanswered, at most 2 in all. A reply pauses them; a reply with a new date re-plans them.
 */
export function statusChecks(ctx: PlanContext, thankYouItems: readonly PlannedFollowUp[]): PlannedFollowUp[] {
  const prefix = 'status_check:';
  const hm = hiringManagerFor(ctx, prefix, 'status check');
  if (!hm) return [];
  const s = ctx.pb.statusCheck;
  const cal = contactCalendar(ctx, hm);
  const last = ctx.replies.at(-1);
  if (last && !last.newDecisionExpectedBy) {
    skip(ctx, prefix, `the employer replied ${describeInstant(last.receivedAt, cal.zone)}: status checks paused until a new timeline`, 'pause');
    return [];
  }
  if (s.maxChecks === 0) {
    skip(ctx, prefix, 'status checks are turned off in the playbook');
    return [];
  }
  const endDate = localDateOf(ctx.facts.interview.endsAt, cal.zone);
  const tl = ctx.timeline;
  const anchor = tl ? tl.date : 'window';
  skip(ctx, prefix, tl ? `status checks now follow the decision date ${tl.date} (${tl.source})` : 'status checks now follow the default window');
  // The thank-yous' rule times, not their due times: a late-added note moved to "now" says nothing about when the others went.
  const lastThankYou = thankYouItems.reduce<Date | null>((a, t) => (!a || t.ruleDueAt > a ? t.ruleDueAt : a), null);
  const thankYouFloor = lastThankYou ? { at: lastThankYou, label: 'the thank-you notes, the last due', code: 'thank_you_notes' } : null;
  const knownFloor = tl?.knownAt ? { at: tl.knownAt, label: 'the reply that gave the date', code: 'reply_with_date' } : null;
  const windowEnd = addBusinessDays(endDate, s.defaultWindowBusinessDays, cal);
  let due: Due = tl
    ? based(
        onDay(
          addBusinessDays(tl.date, -s.beforeDecisionBusinessDays, cal),
          s.time,
          cal,
          `decision expected by ${describeDate(tl.date)} (${tl.source}): ${businessDays(s.beforeDecisionBusinessDays)} before,`,
        ),
        {
          rule: 'status_check.before_decision',
          from: { fact: 'decision_date', at: tl.date },
          inputs: { check: 1, businessDaysBefore: s.beforeDecisionBusinessDays, time: s.time, dateGiven: tl.knownAt ? 'in_reply' : 'at_interview' },
        },
      )
    : based(
        onDay(windowEnd, s.time, cal, `no timeline given: ${businessDays(s.defaultWindowBusinessDays)} after the interview of ${describeDate(endDate)},`),
        { rule: 'status_check.default_window', from: { fact: 'interview_ended', at: ctx.facts.interview.endsAt.toISOString() }, inputs: { check: 1, businessDays: s.defaultWindowBusinessDays, time: s.time } },
      );
  const base = tl ? tl.date : windowEnd.date;
  const out: PlannedFollowUp[] = [];
  for (let n = 1; n <= s.maxChecks; n++) {
    if (n > 1) {
      const previous = due.at;
      const after = s.afterDateBusinessDays * (n - 1);
      due = afterFloor(
        based(
          onDay(
            addBusinessDays(base, after, cal),
            s.time,
            cal,
            `check ${n}, if still unanswered: ${businessDays(after)} after ${tl ? 'the decision date' : 'the end of the default window'} ${describeDate(base)},`,
          ),
          { rule: 'status_check.repeat', from: { fact: tl ? 'decision_date' : 'window_end', at: base }, inputs: { check: n, businessDaysAfter: after, time: s.time } },
        ),
        { at: previous, label: `check ${n - 1}`, code: 'previous_check' },
        s.time,
        cal,
      );
    }
    due = afterFloor(due, latestOf(thankYouFloor, knownFloor), s.time, cal);
    const planned = settle(ctx, due, inBusinessHours(cal), cal.zone);
    // Fresh until the decision date it works toward has passed (without one, the day of its own time).
    const toward = tl ? tl.date : localDateOf(planned.ruleDueAt, cal.zone);
    const grace = ctx.pb.freshness.statusCheckBusinessDays;
    const limit = {
      at: endOfBusinessDay(toward, grace, cal),
      label: `${tl ? 'the decision date' : 'the day it was due'} ${describeDate(toward)}${grace ? ` and ${businessDays(grace)}` : ''}`,
    };
    const settled = fresh(ctx, planned, limit, cal.zone);
    out.push(
      followUp(ctx, `${prefix}${anchor}:${n}`, 'status_check', hm, routeToContact(ctx, hm, ctx.facts.interview.arrangedVia, 'candidate'), settled),
    );
  }
  for (let n = s.maxChecks + 1; n <= 5; n++) skip(ctx, `${prefix}${anchor}:${n}`, `at most ${s.maxChecks} status checks`);
  return out;
}

/** After rejected / filled_by_other: thank each participant anyway, the next business day. */
export function postDecisionThanks(ctx: PlanContext): PlannedFollowUp[] {
  const o = ctx.outcome;
  if (!o || (o.kind !== 'rejected' && o.kind !== 'filled_by_other')) {
    skip(ctx, 'post_decision_thanks:', o ? `latest outcome is ${o.kind}: no post-decision note` : 'no outcome logged');
    return [];
  }
  const { afterBusinessDays, time } = ctx.pb.postDecisionThanks;
  return ctx.facts.participants.map((p) => {
    const cal = contactCalendar(ctx, p);
    const lead = `outcome ${o.kind} ${o.verb} ${describeInstant(o.at, cal.zone)}: thank them anyway and ask to keep in touch,`;
    const due = based(onDay(addBusinessDays(o.at, afterBusinessDays, cal), time, cal, `${lead} ${businessDays(afterBusinessDays)} later,`), {
      rule: 'post_decision_thanks',
      from: { fact: 'outcome', at: o.at.toISOString() },
      inputs: { outcome: o.kind, businessDays: afterBusinessDays, time },
    });
    const settled = settle(ctx, due, inBusinessHours(cal), cal.zone);
    return followUp(ctx, `post_decision_thanks:${p.contactId}`, 'post_decision_thanks', p, routeToContact(ctx, p, 'email', 'candidate'), settled);
  });
}

/** After any final outcome: a recruiter task per participant with a LinkedIn URL, on the recruiter's calendar. */
export function linkedinConnects(ctx: PlanContext): PlannedFollowUp[] {
  const o = ctx.outcome;
  if (!o || !finalOutcomes.includes(o.kind)) {
    skip(ctx, 'linkedin_connect:', o ? `latest outcome ${o.kind} is not final` : 'no outcome logged');
    return [];
  }
  const cal = recruiterCalendar(ctx);
  const { afterBusinessDays, time } = ctx.pb.postDecisionThanks;
  const lead = `final outcome ${o.kind} ${o.verb} ${describeInstant(o.at, cal.zone)}: connect on LinkedIn,`;
  const due = based(onDay(addBusinessDays(o.at, afterBusinessDays, cal), time, cal, `${lead} ${businessDays(afterBusinessDays)} later,`), {
    rule: 'linkedin_connect',
    from: { fact: 'outcome', at: o.at.toISOString() },
    inputs: { outcome: o.kind, businessDays: afterBusinessDays, time },
  });
  const settled = settle(ctx, due, inBusinessHours(cal), cal.zone);
  const out: PlannedFollowUp[] = [];
  for (const p of ctx.facts.participants) {
    const key = `linkedin_connect:${p.contactId}`;
    if (!p.linkedinUrl) {
      skip(ctx, key, `no LinkedIn URL for ${p.name}`);
      continue;
    }
    const route = { channel: 'linkedin' as const, voice: 'agency' as const, recipient: recruiterRecipient(ctx), note: `a task for the recruiter: ${p.linkedinUrl}` };
    out.push(followUp(ctx, key, 'linkedin_connect', p, route, settled));
  }
  return out;
}
