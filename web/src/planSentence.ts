import type { S } from './api';
import { fmt, zoneName } from './time';

type Basis = NonNullable<S['FollowUp']['basis']>;

const when = (iso: string, zone: string) => fmt(zone, { weekday: 'long', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

const days = (n: unknown) => (n === 1 ? 'a business day' : `${String(n)} business days`);
const minutes = (m: unknown) => {
  const n = Number(m);
  if (n % 60 === 0) return n === 60 ? 'an hour' : `${n / 60} hours`;
  return n > 60 ? `${Math.floor(n / 60)} h ${n % 60} min` : `${n} minutes`;
};
const day = (d: string) => fmt('UTC', { weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${d}T12:00:00Z`));

const NOT_BEFORE: Record<string, string> = {
  thank_you_notes: 'after the thank-you notes',
  reply_with_date: 'after the reply that gave the date',
  previous_check: 'after the check before it',
};

/** The rule in plain words: "two hours after the interview ended". */
function ruleWords(b: Basis): string {
  const i = b.inputs;
  switch (b.rule) {
    case 'thank_you.same_day':
      return `${minutes(i.delayMinutes)} after the interview ended`;
    case 'thank_you.same_day_latest':
      return `the same day as the interview, at ${String(i.latest)} their time at the latest`;
    case 'thank_you.next_business_day':
      return i.because === 'day_off' ? 'the next business day, as the interview was on a day off' : `the next business day, as the interview ended after ${String(i.cutoff)}`;
    case 'timeline_request':
      return `${days(i.businessDays)} after the interview, to ask when they will decide`;
    case 'recruiter_check_in':
      return `${days(i.businessDays)} after the interview, for the recruiter to check in`;
    case 'status_check.before_decision':
      return `${days(i.businessDaysBefore)} before the decision date ${i.dateGiven === 'in_reply' ? 'they gave in a reply' : 'they gave at the interview'} (${day(b.from.at)})`;
    case 'status_check.default_window':
      return `no decision date given: ${days(i.businessDays)} after the interview`;
    case 'status_check.repeat':
      return `check ${String(i.check)} if still unanswered, ${days(i.businessDaysAfter)} after ${b.from.fact === 'decision_date' ? `the decision date (${day(b.from.at)})` : 'the usual wait'}`;
    case 'post_decision_thanks':
      return `${days(i.businessDays)} after the decision, to thank them anyway`;
    case 'linkedin_connect':
      return `${days(i.businessDays)} after the decision, to keep in touch on LinkedIn`;
    case 'candidate_update.completed':
      return 'to tell the candidate what happens next';
    case 'candidate_update.notes_sent':
      return 'to tell the candidate their thank-you notes went out';
    case 'candidate_update.reply':
      return 'to tell the candidate the employer replied';
    case 'candidate_update.outcome':
      return 'to tell the candidate about the decision';
    default:
      return b.rule.replace(/[._]/g, ' ');
  }
}

/**
 * A plan step's why as one plain sentence in the viewer's zone, from the API's machine-readable
 * basis: "Thursday 3 Dec, 13:00 New York: two hours after the interview ended." Steps without one
 * (added by hand, or planned before it existed) fall back to the planner's text.
 */
export function planSentence(f: S['FollowUp'], zone: string): string {
  const b = f.basis;
  if (!b) return f.reason;
  const at = `${when(f.dueAt, zone)} ${zoneName(zone)}`;
  if (b.byHand) {
    const who = {
      moved: 'moved by hand',
      sent_now: 'sent now by hand',
      resent: 'sent again by hand',
      approved: 'approved after its time, so as soon as it may go',
    }[b.byHand.action];
    return `${at}: ${who} (planned ${ruleWords(b)}).`;
  }
  const extra = [
    typeof b.inputs.notBefore === 'string' ? NOT_BEFORE[b.inputs.notBefore] : null,
    b.inputs.quietHoursOrDayOff === true ? 'once their quiet hours are over' : null,
  ].filter(Boolean);
  const rule = [ruleWords(b), ...extra].join(', ');
  if (b.caughtUp) return `${at}: as soon as possible, as its time (${rule}) had passed when it was planned.`;
  return `${at}: ${rule}.`;
}
