import { describe, expect, it } from 'vitest';
import { plan, replan } from '../../src/core/followups/planner.js';
import { defaultPlaybook } from '../../src/core/followups/playbook.js';
import type {
  ExistingFollowUp,
  FollowUpFacts,
  FollowUpStatus,
  OutcomeKind,
  PlannedFollowUp,
  Replan,
} from '../../src/core/followups/types.js';
import { ana, dana, facts, lee } from './fixtures.js';

/** Stores a plan as rows: every step pending unless named in `statuses`. */
function stored(items: readonly PlannedFollowUp[], statuses: Record<string, FollowUpStatus> = {}): ExistingFollowUp[] {
  return items.map((i) => ({
    id: `f-${i.key}`,
    key: i.key,
    status: statuses[i.key] ?? 'pending',
    dueAt: i.dueAt,
    channel: i.channel,
    voice: i.voice,
    recipient: i.recipient,
  }));
}

const sentBefore = (items: readonly PlannedFollowUp[], instant: string): Record<string, FollowUpStatus> =>
  Object.fromEntries(items.filter((i) => i.dueAt <= new Date(instant)).map((i) => [i.key, 'sent' as const]));

const summary = (r: Replan) => ({
  keep: r.keep.map((k) => k.key).sort(),
  cancel: r.cancel.map((c) => c.key).sort(),
  add: Object.fromEntries(r.add.map((a) => [a.key, a.dueAt.toISOString()])),
});

const reasonOf = (r: Replan, key: string) => r.cancel.find((c) => c.key === key)?.reason ?? '';

// Monday 2026-03-09 11:00 New York, no timeline: thank-you 13:00, timeline request Tue 09:30,
// check-in Wed 09:30, status checks Wed 03-18 and Mon 03-23 09:30.
const monday = facts('2026-03-09T15:00:00Z');
const first = plan(monday, defaultPlaybook, monday.interview.endsAt);

describe('replan: keeps what was sent, cancels what became pointless, adds what is new', () => {
  it('when only a wording input changed (the highlight), then the steps stand and the pending ones get the new vars', () => {
    // The first update that drew on the interview's highlight is out already; the others wait.
    const sentNote = first.find((i) => i.key === 'candidate_update:completed')!;
    expect(sentNote.vars.highlight).toBe('the co-teaching discussion');
    const withVars = stored(first, { [sentNote.key]: 'sent' }).map((e, i) => ({ ...e, vars: first[i]!.vars }));
    const corrected = { ...monday, interview: { ...monday.interview, highlights: 'A corrected highlight' } };
    const r = replan(withVars, corrected, defaultPlaybook, new Date('2026-03-09T16:00:00Z'));
    expect(r.cancel).toEqual([]);
    expect(r.add).toEqual([]);
    const refreshed = r.refresh.map((x) => withVars.find((e) => e.id === x.id)!);
    // The steps whose text draws on the interview's highlight.
    expect(refreshed.length).toBeGreaterThan(0);
    expect(refreshed.every((e) => e.status === 'pending')).toBe(true);
    expect(r.refresh.map((x) => x.id)).not.toContain(`f-${sentNote.key}`);
    expect(r.refresh.every((x) => x.vars.highlight === 'A corrected highlight')).toBe(true);
    // Unchanged facts: nothing to refresh.
    expect(replan(withVars, monday, defaultPlaybook, new Date('2026-03-09T16:00:00Z')).refresh).toEqual([]);
  });

  it('when nothing changed, then everything stands, overdue pending steps included', () => {
    const r = replan(stored(first), monday, defaultPlaybook, new Date('2026-03-10T20:00:00Z'));
    expect(r.cancel).toEqual([]);
    expect(r.add).toEqual([]);
    expect(r.keep).toHaveLength(first.length);
  });

  it('when a timeline arrives by reply, then the window checks and the check-in go and dated checks come', () => {
    const rows = stored(first, sentBefore(first, '2026-03-10T18:00:00Z'));
    const f: FollowUpFacts = { ...monday, replies: [{ receivedAt: new Date('2026-03-10T18:00:00Z'), newDecisionExpectedBy: '2026-03-27' }] };
    const r = replan(rows, f, defaultPlaybook, new Date('2026-03-10T18:00:00Z'));
    expect(summary(r)).toEqual({
      keep: ['candidate_update:completed', 'candidate_update:notes_sent', 'thank_you:c-dana', 'timeline_request'],
      cancel: ['recruiter_check_in', 'status_check:window:1', 'status_check:window:2'],
      add: {
        'candidate_update:reply:2026-03-10T18:00:00.000Z': '2026-03-10T18:00:00.000Z',
        'status_check:2026-03-27:1': '2026-03-26T13:30:00.000Z',
        'status_check:2026-03-27:2': '2026-04-01T13:30:00.000Z',
      },
    });
    expect(reasonOf(r, 'status_check:window:1')).toBe(
      'status checks now follow the decision date 2026-03-27 (employer reply of Tue 2026-03-10 14:00 America/New_York)',
    );
    expect(reasonOf(r, 'recruiter_check_in')).toContain('the employer replied first (Tue 2026-03-10 14:00 America/New_York)');
  });

  it('when the timeline is entered on the interview later, then the status checks are re-planned around it', () => {
    const rows = stored(first, sentBefore(first, '2026-03-11T14:00:00Z'));
    const f: FollowUpFacts = { ...monday, interview: { ...monday.interview, decisionExpectedBy: '2026-03-20' } };
    const r = replan(rows, f, defaultPlaybook, new Date('2026-03-11T14:00:00Z'));
    expect(summary(r).cancel).toEqual(['status_check:window:1', 'status_check:window:2']);
    expect(summary(r).add).toEqual({
      'status_check:2026-03-20:1': '2026-03-19T13:30:00.000Z',
      'status_check:2026-03-20:2': '2026-03-25T13:30:00.000Z',
    });
  });

  it('when the employer replies without a date, then the status checks pause', () => {
    const rows = stored(first, sentBefore(first, '2026-03-12T16:00:00Z'));
    const f: FollowUpFacts = { ...monday, replies: [{ receivedAt: new Date('2026-03-12T16:00:00Z'), newDecisionExpectedBy: null }] };
    const r = replan(rows, f, defaultPlaybook, new Date('2026-03-12T16:00:00Z'));
    expect(summary(r).cancel).toEqual(['status_check:window:1', 'status_check:window:2']);
    expect(reasonOf(r, 'status_check:window:1')).toBe(
      'the employer replied Thu 2026-03-12 12:00 America/New_York: status checks paused until a new timeline',
    );
    expect(summary(r).keep).toContain('recruiter_check_in');
    expect(Object.keys(summary(r).add)).toEqual(['candidate_update:reply:2026-03-12T16:00:00.000Z']);
  });

  it('when a second reply brings a date after the pause, then checks resume around it', () => {
    const f: FollowUpFacts = {
      ...monday,
      replies: [
        { receivedAt: new Date('2026-03-12T16:00:00Z'), newDecisionExpectedBy: null },
        { receivedAt: new Date('2026-03-16T14:00:00Z'), newDecisionExpectedBy: '2026-03-17' },
      ],
    };
    const items = plan(f, defaultPlaybook, new Date('2026-03-16T14:00:00Z'));
    const checks = items.filter((i) => i.kind === 'status_check');
    // 1 business day before the 17th is the 16th, not after the reply of the 16th: the next business day.
    expect(Object.fromEntries(checks.map((c) => [c.key, c.dueAt.toISOString()]))).toEqual({
      'status_check:2026-03-17:1': '2026-03-17T13:30:00.000Z',
      'status_check:2026-03-17:2': '2026-03-20T13:30:00.000Z',
    });
    expect(checks[0]?.reason).toContain('not before the reply that gave the date (Mon 2026-03-16 10:00 America/New_York)');
  });

  it('when a participant is added later, then their thank-you is added as soon as possible and the others stand', () => {
    const rows = stored(first, sentBefore(first, '2026-03-10T14:00:00Z'));
    const f: FollowUpFacts = { ...monday, participants: [dana, lee] };
    const r = replan(rows, f, defaultPlaybook, new Date('2026-03-10T14:00:00Z'));
    expect(r.cancel).toEqual([]);
    expect(summary(r).add).toEqual({ 'thank_you:c-lee': '2026-03-10T14:00:00.000Z' });
    expect(r.add[0]?.reason).toContain('that time had passed when planned (Tue 2026-03-10 10:00 America/New_York)');
    expect(r.add[0]?.ruleDueAt.toISOString()).toBe('2026-03-09T17:00:00.000Z');
  });

  it('when a participant is removed, then their pending thank-you is cancelled', () => {
    const two = facts('2026-03-09T20:40:00Z', { participants: [dana, lee] });
    const rows = stored(plan(two, defaultPlaybook, two.interview.endsAt));
    const r = replan(rows, { ...two, participants: [dana] }, defaultPlaybook, new Date('2026-03-09T21:00:00Z'));
    expect(r.cancel).toEqual([{ id: 'f-thank_you:c-lee', key: 'thank_you:c-lee', reason: 'contact c-lee is no longer a participant of the interview' }]);
  });

  it('when the interview is rescheduled, then pending steps move with the reason', () => {
    const rows = stored(first);
    const moved: FollowUpFacts = {
      ...monday,
      interview: { ...monday.interview, startsAt: new Date('2026-03-09T19:40:00Z'), endsAt: new Date('2026-03-09T20:40:00Z') },
    };
    const r = replan(rows, moved, defaultPlaybook, new Date('2026-03-09T15:30:00Z'));
    expect(reasonOf(r, 'thank_you:c-dana')).toBe(
      're-planned: due 2026-03-10T13:30:00.000Z instead of 2026-03-09T17:00:00.000Z (interview ended Mon 2026-03-09 16:40 America/New_York, after the 15:00 cut-off: next business day Tue 2026-03-10 09:30 America/New_York)',
    );
    expect(summary(r).add['thank_you:c-dana']).toBe('2026-03-10T13:30:00.000Z');
    expect(summary(r).keep).toContain('timeline_request');
  });

  it('when the contact gains an email, then the pending task becomes an email', () => {
    const noEmail = facts('2026-03-09T15:00:00Z', { participants: [{ ...dana, email: null }] });
    const rows = stored(plan(noEmail, defaultPlaybook, noEmail.interview.endsAt));
    const r = replan(rows, monday, defaultPlaybook, new Date('2026-03-09T15:10:00Z'));
    expect(reasonOf(r, 'thank_you:c-dana')).toContain('re-planned: channel email instead of task');
    expect(r.add.find((a) => a.key === 'thank_you:c-dana')?.recipient).toMatchObject({ type: 'contact', email: dana.email });
  });

  it('when the interview is cancelled, then every pending step is cancelled and sent ones stand', () => {
    const rows = stored(first, { 'candidate_update:completed': 'sent' });
    const r = replan(rows, { ...monday, interview: { ...monday.interview, status: 'cancelled' } }, defaultPlaybook, new Date('2026-03-09T15:30:00Z'));
    expect(summary(r).keep).toEqual(['candidate_update:completed']);
    expect(r.cancel).toHaveLength(first.length - 1);
    expect(new Set(r.cancel.map((c) => c.reason))).toEqual(new Set(['the interview is cancelled: nothing to follow up']));
  });

  it('when the candidate opts out, then pending updates are cancelled', () => {
    const rows = stored(first);
    const r = replan(rows, { ...monday, candidate: { ...monday.candidate, statusUpdatesOptIn: false } }, defaultPlaybook, new Date('2026-03-09T15:05:00Z'));
    expect(summary(r).cancel).toEqual(['candidate_update:completed', 'candidate_update:notes_sent']);
    expect(reasonOf(r, 'candidate_update:notes_sent')).toBe('the candidate opted out of status updates');
  });

  it('when a step was cancelled before, then planning it again adds a new one; a done one is never re-added', () => {
    const rows = stored(first, { timeline_request: 'cancelled', recruiter_check_in: 'done' });
    const r = replan(rows, monday, defaultPlaybook, new Date('2026-03-09T15:05:00Z'));
    expect(Object.keys(summary(r).add)).toEqual(['timeline_request']);
    expect(summary(r).keep).toContain('recruiter_check_in');
  });
});

// Monday 16:40: thank-yous are due Tuesday 09:30; the outcome is logged Monday 18:00, before they go.
const evening = facts('2026-03-09T20:40:00Z', { participants: [dana, lee, ana] });
const eveningPlan = plan(evening, defaultPlaybook, evening.interview.endsAt);
const hmSteps = ['recruiter_check_in', 'status_check:window:1', 'status_check:window:2', 'timeline_request'];
const notes = ['candidate_update:notes_sent', 'thank_you:c-ana', 'thank_you:c-dana', 'thank_you:c-lee'];
const thanks = { 'post_decision_thanks:c-ana': '2026-03-10T13:30:00.000Z', 'post_decision_thanks:c-dana': '2026-03-10T13:30:00.000Z', 'post_decision_thanks:c-lee': '2026-03-10T13:30:00.000Z' };
const linkedin = { 'linkedin_connect:c-ana': '2026-03-10T13:30:00.000Z', 'linkedin_connect:c-dana': '2026-03-10T13:30:00.000Z' };
const update = (kind: OutcomeKind) => ({ [`candidate_update:outcome:${kind}`]: '2026-03-09T22:00:00.000Z' });

const outcomeCases: { kind: OutcomeKind; cancel: string[]; add: Record<string, string> }[] = [
  { kind: 'rejected', cancel: [...hmSteps, ...notes], add: { ...thanks, ...linkedin, ...update('rejected') } },
  { kind: 'filled_by_other', cancel: [...hmSteps, ...notes], add: { ...thanks, ...linkedin, ...update('filled_by_other') } },
  { kind: 'withdrawn', cancel: [...hmSteps, ...notes], add: { ...linkedin, ...update('withdrawn') } },
  { kind: 'offer', cancel: hmSteps, add: { ...linkedin, ...update('offer') } },
  { kind: 'hired', cancel: hmSteps, add: { ...linkedin, ...update('hired') } },
  { kind: 'on_hold', cancel: hmSteps, add: update('on_hold') },
  { kind: 'no_decision', cancel: [], add: update('no_decision') },
];

describe('replan after an outcome', () => {
  it.each(outcomeCases)('when $kind is logged, then the pointless steps go and the right ones come', ({ kind, cancel, add }) => {
    const f: FollowUpFacts = { ...evening, outcome: { kind, loggedAt: new Date('2026-03-09T22:00:00Z') } };
    const r = replan(stored(eveningPlan), f, defaultPlaybook, new Date('2026-03-09T22:00:00Z'));
    expect(summary(r).cancel).toEqual([...cancel].sort());
    expect(summary(r).add).toEqual(add);
    for (const c of r.cancel.filter((x) => x.key !== 'candidate_update:notes_sent')) {
      expect(c.reason).toContain(`outcome ${kind} logged Mon 2026-03-09 18:00 America/New_York`);
    }
  });

  it('when rejected after the thank-yous went out, then they stand and the post-decision note follows', () => {
    const rows = stored(eveningPlan, sentBefore(eveningPlan, '2026-03-11T12:00:00Z'));
    const f: FollowUpFacts = { ...evening, outcome: { kind: 'rejected', loggedAt: new Date('2026-03-13T20:00:00Z') } };
    const r = replan(rows, f, defaultPlaybook, new Date('2026-03-13T20:00:00Z'));
    expect(summary(r).keep).toEqual(expect.arrayContaining(['thank_you:c-dana', 'thank_you:c-lee', 'thank_you:c-ana', 'timeline_request']));
    expect(summary(r).cancel).toEqual(['recruiter_check_in', 'status_check:window:1', 'status_check:window:2']);
    // logged Friday 16:00: thanked Monday 09:30
    expect(summary(r).add['post_decision_thanks:c-dana']).toBe('2026-03-16T13:30:00.000Z');
    const note = r.add.find((a) => a.key === 'post_decision_thanks:c-dana');
    expect(note).toMatchObject({ channel: 'email', voice: 'on_behalf', vars: { interviewer: 'Dana Park', outcome: 'rejected' } });
    expect(note?.reason).toContain('thank them anyway and ask to keep in touch');
  });
});

describe('replan: paused checks, steps moved by hand, staleness and approval (issue 16)', () => {
  const replied = (at: string, date: string | null = null): FollowUpFacts => ({ ...monday, replies: [{ receivedAt: new Date(at), newDecisionExpectedBy: date }] });

  it('a reply without a date pauses the pending checks (not cancels); paused ones stay paused; a new date cancels them and plans new ones', () => {
    const rows = stored(first, sentBefore(first, '2026-03-12T16:00:00Z'));
    const r = replan(rows, replied('2026-03-12T16:00:00Z'), defaultPlaybook, new Date('2026-03-12T16:00:00Z'));
    expect(r.cancel.filter((c) => c.pause).map((c) => c.key)).toEqual(['status_check:window:1', 'status_check:window:2']);
    expect(r.cancel.filter((c) => !c.pause).map((c) => c.key)).toEqual([]);
    const paused = rows.map((e) => (e.key.startsWith('status_check:') ? { ...e, status: 'paused' as const } : e));
    const again = replan(paused, replied('2026-03-12T16:00:00Z'), defaultPlaybook, new Date('2026-03-13T16:00:00Z'));
    expect(again.cancel.map((c) => c.key).filter((k) => k.startsWith('status_check:'))).toEqual([]);
    expect(summary(again).keep).toContain('status_check:window:1');
    const dated = replan(paused, replied('2026-03-13T16:00:00Z', '2026-03-27'), defaultPlaybook, new Date('2026-03-13T16:00:00Z'));
    expect(dated.cancel.filter((c) => c.key.startsWith('status_check:window:')).map((c) => [c.pause ?? false, c.reason])).toEqual([
      [false, 'status checks now follow the decision date 2026-03-27 (employer reply of Fri 2026-03-13 12:00 America/New_York)'],
      [false, 'status checks now follow the decision date 2026-03-27 (employer reply of Fri 2026-03-13 12:00 America/New_York)'],
    ]);
    expect(Object.keys(summary(dated).add)).toContain('status_check:2026-03-27:1');
  });

  it('a check-in moved by hand stands after a reply, and is cancelled by an outcome with the fact named', () => {
    const rows = stored(first).map((e) => (e.key === 'recruiter_check_in' ? { ...e, movedByHand: true } : e));
    const r = replan(rows, replied('2026-03-10T14:00:00Z'), defaultPlaybook, new Date('2026-03-10T14:00:00Z'));
    expect(summary(r).keep).toContain('recruiter_check_in');
    const f: FollowUpFacts = { ...monday, outcome: { kind: 'rejected', loggedAt: new Date('2026-03-10T14:00:00Z') } };
    const o = replan(rows, f, defaultPlaybook, new Date('2026-03-10T14:00:00Z'));
    expect(reasonOf(o, 'recruiter_check_in')).toBe('outcome rejected logged Tue 2026-03-10 10:00 America/New_York: no recruiter check-in needed any more (it had been moved by hand)');
  });

  it('planned past the freshness limit, a step is stale; within it, not; a backdated decision counts from decidedAt', () => {
    const late = plan(monday, defaultPlaybook, new Date('2026-03-11T23:00:00Z'));
    const by = Object.fromEntries(late.map((i) => [i.key, i]));
    expect(by['thank_you:c-dana']!.stale).toMatch(/^stale: past the end of 1 business day after the interview \(Tue 2026-03-10 18:00 America\/New_York\)/);
    expect(by.timeline_request!.stale).toBeNull();
    expect(first.every((i) => i.stale === null)).toBe(true);
    const f: FollowUpFacts = { ...monday, outcome: { kind: 'rejected', loggedAt: new Date('2026-03-12T15:00:00Z'), decidedAt: new Date('2026-03-10T15:00:00Z') } };
    const thanks = plan(f, defaultPlaybook, new Date('2026-03-12T15:00:00Z')).find((i) => i.kind === 'post_decision_thanks')!;
    expect(thanks.ruleDueAt.toISOString()).toBe('2026-03-11T13:30:00.000Z');
    expect(thanks.reason).toMatch(/^outcome rejected decided Tue 2026-03-10 11:00 America\/New_York/);
    expect(thanks.approval).toBe("waits for a recruiter's approval (playbook approval.employer.post_decision_thanks)");
  });
});
