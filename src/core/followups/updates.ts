import { describeInstant, outsideQuietHours } from '../businessTime.js';
import { candidateRecipient, candidateZone, contactCalendar, followUp, settle, skip, type PlanContext } from './context.js';
import { thankYouLimit } from './rules.js';
import type { PlannedFollowUp } from './types.js';

/**
 * Status updates to the candidate: after completion, after the notes go out on their behalf, after
 * each reply and after the outcome. Any day of the week, outside the candidate's quiet hours.
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
  const quiet = ctx.pb.candidateQuietHours;
  const route = { channel: 'email' as const, voice: 'agency' as const, recipient: candidateRecipient(ctx), note: null };
  // An interview completed long after it took place (backfilled) tells the candidate nothing by itself.
  const limit = thankYouLimit(ctx, contactCalendar(ctx, ctx.hiringManager));
  const backfilled =
    ctx.now.getTime() > limit.at.getTime()
      ? `stale: the interview was completed after ${limit.label} (${describeInstant(limit.at, zone)}): not sent by itself, waiting for review`
      : undefined;
  const update = (key: string, at: Date, why: string, stale?: string): PlannedFollowUp => {
    const q = outsideQuietHours(at, zone, quiet);
    const due = { at: q.at, reason: q.note ? `${why}; ${q.note}` : `${why}, right away` };
    const time = settle(ctx, due, (t) => outsideQuietHours(t, zone, quiet), zone);
    return followUp(ctx, `${prefix}${key}`, 'candidate_update', null, route, stale ? { ...time, stale } : time);
  };

  const completed = interview.completedAt ?? interview.endsAt;
  const out = [update('completed', completed, `interview completed ${describeInstant(completed, zone)}: tell the candidate what happens next`, backfilled)];

  const relayed = thankYouItems.filter((t) => t.voice === 'on_behalf' && t.channel === 'email');
  const lastNote = relayed.reduce<Date | null>((a, t) => (!a || t.dueAt > a ? t.dueAt : a), null);
  if (lastNote) {
    out.push(
      update('notes_sent', lastNote, `${relayed.length} thank-you note(s) go out on the candidate's behalf, the last ${describeInstant(lastNote, zone)}: tell the candidate`, backfilled),
    );
  } else {
    skip(ctx, `${prefix}notes_sent`, 'no thank-you notes go out by email on the candidate\'s behalf');
  }
  for (const r of ctx.replies) {
    const timeline = r.newDecisionExpectedBy ? ` with a new decision date ${r.newDecisionExpectedBy}` : '';
    out.push(update(`reply:${r.receivedAt.toISOString()}`, r.receivedAt, `employer replied ${describeInstant(r.receivedAt, zone)}${timeline}: tell the candidate`));
  }
  const o = ctx.outcome;
  if (o) out.push(update(`outcome:${o.kind}`, o.at, `outcome ${o.kind} ${o.verb} ${describeInstant(o.at, zone)}: tell the candidate`));
  return out;
}
