import { DateTime } from 'luxon';
import { atLocal, describeDate, describeInstant, join, outsideQuietHours, type Resolved } from '../businessTime.js';
import type { Playbook } from './playbook.js';
import { candidateRecipient, candidateZone, contactCalendar, followUp, settle, skip, type PlanContext } from './context.js';
import { thankYouLimit } from './rules.js';
import type { PlannedFollowUp } from './types.js';

/**
 * The first moment at or after `at` when the candidate may be written to: outside their quiet
 * hours, and (unless the playbook says otherwise) not on a day off (a weekday not in businessDays),
 * which moves it to the next business day at the end of the quiet hours.
 */
export function candidateMoment(at: Date, zone: string, pb: Playbook): Resolved {
  const quiet = outsideQuietHours(at, zone, pb.candidateQuietHours);
  if (!pb.candidateQuietWeekends) return quiet;
  let day = DateTime.fromJSDate(quiet.at, { zone });
  if (pb.businessDays.includes(day.weekday)) return quiet;
  const off = day.toFormat('yyyy-LL-dd');
  for (let i = 0; i < 7 && !pb.businessDays.includes(day.weekday); i++) day = day.plus({ days: 1 });
  const next = atLocal(day.toFormat('yyyy-LL-dd'), pb.candidateQuietHours.end, zone);
  const note = `${describeDate(off)} is a day off, quiet for candidates: ${describeInstant(next.at, zone)}`;
  return { at: next.at, note: join(quiet.note, note, next.note) };
}

/**
 * Status updates to the candidate: after completion, after the notes go out on their behalf, after
 * each reply and after the outcome. Outside the candidate's quiet hours, on business days unless the
 * playbook lets them go on days off too (`candidateQuietWeekends: false`).
 */
export function candidateUpdates(ctx: PlanContext, thankYouItems: readonly PlannedFollowUp[]): PlannedFollowUp[] {
  const prefix = 'candidate_update:';
  const { candidate, interview } = ctx.facts;
  if (!candidate.statusUpdatesOptIn) {
    skip(ctx, prefix, 'the candidate opted out of status updates');
    return [];
  }
  if (!candidate.email) {
    skip(ctx, prefix, 'the candidate has no email address');
    return [];
  }
  const zone = candidateZone(ctx);
  const route = { channel: 'email' as const, voice: 'agency' as const, recipient: candidateRecipient(ctx), note: null };
  // An interview completed long after it took place (backfilled) tells the candidate nothing by itself.
  const limit = thankYouLimit(ctx, contactCalendar(ctx, ctx.hiringManager));
  const backfilled =
    ctx.now.getTime() > limit.at.getTime()
      ? `stale: the interview was completed after ${limit.label} (${describeInstant(limit.at, zone)}): not sent by itself, waiting for review`
      : undefined;
  const update = (key: string, at: Date, why: string, fact: string, stale?: string, inputs: Record<string, string | number | boolean> = {}): PlannedFollowUp => {
    const q = candidateMoment(at, zone, ctx.pb);
    const rule = `candidate_update.${key.split(':')[0]}`;
    const basis = { rule, from: { fact, at: at.toISOString() }, inputs: { ...inputs, quietHoursOrDayOff: q.at.getTime() !== at.getTime() } };
    const due = { at: q.at, reason: q.note ? `${why}; ${q.note}` : `${why}, right away`, basis };
    const time = settle(ctx, due, (t) => candidateMoment(t, zone, ctx.pb), zone);
    return followUp(ctx, `${prefix}${key}`, 'candidate_update', null, route, stale ? { ...time, stale } : time);
  };

  const completed = interview.completedAt ?? interview.endsAt;
  const out = [update('completed', completed, `interview completed ${describeInstant(completed, zone)}: tell the candidate what happens next`, 'interview_completed', backfilled)];

  const relayed = thankYouItems.filter((t) => t.voice === 'on_behalf' && t.channel === 'email');
  const lastNote = relayed.reduce<Date | null>((a, t) => (!a || t.dueAt > a ? t.dueAt : a), null);
  if (lastNote) {
    out.push(
      update('notes_sent', lastNote, `${relayed.length} thank-you note(s) go out on the candidate's behalf, the last ${describeInstant(lastNote, zone)}: tell the candidate`, 'thank_you_notes_sent', backfilled, { notes: relayed.length }),
    );
  } else {
    skip(ctx, `${prefix}notes_sent`, 'no thank-you notes go out by email on the candidate\'s behalf');
  }
  for (const r of ctx.replies) {
    const timeline = r.newDecisionExpectedBy ? ` with a new decision date ${r.newDecisionExpectedBy}` : '';
    out.push(update(`reply:${r.receivedAt.toISOString()}`, r.receivedAt, `employer replied ${describeInstant(r.receivedAt, zone)}${timeline}: tell the candidate`, 'reply', undefined, r.newDecisionExpectedBy ? { newDecisionDate: r.newDecisionExpectedBy } : {}));
  }
  const o = ctx.outcome;
  if (o) out.push(update(`outcome:${o.kind}`, o.at, `outcome ${o.kind} ${o.verb} ${describeInstant(o.at, zone)}: tell the candidate`, 'outcome', undefined, { outcome: o.kind }));
  return out;
}
