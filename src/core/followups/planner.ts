import { buildContext, type PlanContext } from './context.js';
import type { Playbook } from './playbook.js';
import { linkedinConnects, postDecisionThanks, recruiterCheckIn, statusChecks, thankYous, timelineRequest } from './rules.js';
import type { ExistingFollowUp, FollowUpFacts, PlannedFollowUp, Recipient, Replan, TemplateVars } from './types.js';
import { candidateUpdates } from './updates.js';

/**
 * The follow-up planner, pure: the same facts, playbook and instant give the same plan. It lists every
 * step the facts call for (sent or not); `replan` turns that into changes against what is stored.
 */

function planWithContext(facts: FollowUpFacts, playbook: Playbook, now: Date): { items: PlannedFollowUp[]; ctx: PlanContext } {
  const ctx = buildContext(facts, playbook, now);
  if (facts.interview.status !== 'completed') {
    ctx.skips.push({ prefix: '', reason: `the interview is ${facts.interview.status}: nothing to follow up` });
    return { items: [], ctx };
  }
  const notes = thankYous(ctx);
  const items = [
    ...timelineRequest(ctx),
    ...notes,
    ...recruiterCheckIn(ctx),
    ...statusChecks(ctx, notes),
    ...postDecisionThanks(ctx),
    ...linkedinConnects(ctx),
    ...candidateUpdates(ctx, notes),
  ];
  items.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { items, ctx };
}

/** The follow-ups an interview's facts call for, each with its due instant and the reason for it. */
export function plan(facts: FollowUpFacts, playbook: Playbook, now: Date): PlannedFollowUp[] {
  return planWithContext(facts, playbook, now).items;
}

const settled = (e: ExistingFollowUp) => e.status === 'sent' || e.status === 'done';

/**
 * Re-plans after a fact changed: sent and done steps stand; a pending step stands when the plan
 * still has it unchanged, otherwise it is cancelled with the reason (and re-added when only its time
 * or route changed); planned steps not stored yet are added.
 */
export function replan(existing: readonly ExistingFollowUp[], facts: FollowUpFacts, playbook: Playbook, now: Date): Replan {
  const { items, ctx } = planWithContext(facts, playbook, now);
  const planned = new Map(items.map((p) => [p.key, p]));
  const done = new Set(existing.filter(settled).map((e) => e.key));
  const standing = new Set<string>();
  const result: Replan = { keep: [], cancel: [], add: [], refresh: [] };
  for (const e of existing) {
    if (settled(e)) {
      result.keep.push(e);
      continue;
    }
    if (e.status !== 'pending' && e.status !== 'paused') continue;
    const p = planned.get(e.key);
    if (!p) {
      const why = absence(e.key, ctx);
      if (why.effect === 'pause') {
        // Still waiting for a new date, or a check the recruiter moved by hand: it stands.
        if (e.status === 'paused' || e.movedByHand) result.keep.push(e);
        else result.cancel.push({ id: e.id, key: e.key, reason: why.reason, pause: true });
      } else if (why.effect === 'soft' && e.movedByHand && e.status === 'pending') {
        result.keep.push(e);
      } else {
        result.cancel.push({ id: e.id, key: e.key, reason: e.movedByHand ? `${why.reason} (it had been moved by hand)` : why.reason });
      }
    } else if (e.status === 'paused') {
      // The fact it waited for came: planned again, as new.
      result.cancel.push({ id: e.id, key: e.key, reason: `resumed: ${p.reason}` });
    } else if (done.has(e.key) || standing.has(e.key)) {
      result.cancel.push({ id: e.id, key: e.key, reason: 'a duplicate of a step already stored for this key' });
    } else {
      const change = changeOf(e, p, now);
      if (change) {
        result.cancel.push({ id: e.id, key: e.key, reason: `re-planned: ${change}` });
      } else {
        result.keep.push(e);
        standing.add(e.key);
        if (e.vars && !sameVars(e.vars, p.vars)) result.refresh.push({ id: e.id, vars: p.vars });
      }
    }
  }
  for (const p of items) if (!done.has(p.key) && !standing.has(p.key)) result.add.push(p);
  return result;
}

const sameVars = (a: TemplateVars, b: TemplateVars) => (Object.keys(b) as (keyof TemplateVars)[]).every((k) => (a[k] ?? null) === (b[k] ?? null));

function recipientLabel(r: Recipient): string {
  const who = r.type === 'contact' ? `contact ${r.name}` : `${r.type} ${r.name}`;
  return r.email ? `${who} <${r.email}>` : who;
}

/** What differs between a stored pending step and the new plan's, or null when nothing that matters. */
function changeOf(e: ExistingFollowUp, p: PlannedFollowUp, now: Date): string | null {
  const bothOverdue = e.dueAt.getTime() <= now.getTime() && p.ruleDueAt.getTime() <= now.getTime();
  if (e.dueAt.getTime() !== p.dueAt.getTime() && !bothOverdue) {
    return `due ${p.dueAt.toISOString()} instead of ${e.dueAt.toISOString()} (${p.reason})`;
  }
  if (e.channel && e.channel !== p.channel) return `channel ${p.channel} instead of ${e.channel} (${p.reason})`;
  if (e.voice && e.voice !== p.voice) return `voice ${p.voice} instead of ${e.voice} (${p.reason})`;
  if (e.recipient && recipientLabel(e.recipient) !== recipientLabel(p.recipient)) {
    return `recipient ${recipientLabel(p.recipient)} instead of ${recipientLabel(e.recipient)}`;
  }
  return null;
}

/** Why a stored key is no longer planned: the most specific reason a rule recorded, else what changed. */
function absence(key: string, ctx: PlanContext): { reason: string; effect?: 'pause' | 'soft' | undefined } {
  const match = ctx.skips
    .filter((s) => key.startsWith(s.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  if (match) return { reason: match.reason, effect: match.effect };
  return { reason: explainOther(key, ctx) };
}

function explainOther(key: string, ctx: PlanContext): string {
  const [kind, contactId] = key.split(':');
  const perContact = kind === 'thank_you' || kind === 'post_decision_thanks' || kind === 'linkedin_connect';
  if (perContact && contactId && !ctx.facts.participants.some((p) => p.contactId === contactId)) {
    return `contact ${contactId} is no longer a participant of the interview`;
  }
  return 'no longer called for by the playbook';
}
