import { describe, expect, it } from 'vitest';
import { plan } from '../../src/core/followups/planner.js';
import { defaultPlaybook } from '../../src/core/followups/playbook.js';
import { byKey, facts } from './fixtures.js';

/**
 * Each step's machine-readable why (PlanBasis) beside its text: the rule, the fact it counts from,
 * the rule's inputs, the zone and whether it is a catch-up; clients build their own sentence from it.
 */
const at = (iso: string) => new Date(iso);

describe('the basis of each plan step', () => {
  it('a thank-you the same day: two hours after the interview ended, in the contact’s zone', () => {
    const items = plan(facts('2026-03-09T15:00:00Z'), defaultPlaybook, at('2026-03-09T15:00:00Z'));
    expect(byKey(items, 'thank_you:c-dana').basis).toEqual({
      rule: 'thank_you.same_day',
      from: { fact: 'interview_ended', at: '2026-03-09T15:00:00.000Z' },
      inputs: { cutoff: '15:00', delayMinutes: 120 },
      zone: 'America/New_York',
      caughtUp: false,
    });
    expect(byKey(items, 'timeline_request').basis).toMatchObject({ rule: 'timeline_request', from: { fact: 'interview_ended' }, inputs: { businessDays: 1 } });
    expect(byKey(items, 'recruiter_check_in').basis).toMatchObject({ rule: 'recruiter_check_in', inputs: { businessDays: 2 } });
    expect(byKey(items, 'candidate_update:completed').basis).toMatchObject({ rule: 'candidate_update.completed', from: { fact: 'interview_completed', at: '2026-03-09T15:00:00.000Z' } });
  });

  it('after the cut-off or on a day off: the next business day, and why', () => {
    const late = plan(facts('2026-03-09T20:40:00Z'), defaultPlaybook, at('2026-03-09T20:40:00Z'));
    expect(byKey(late, 'thank_you:c-dana').basis).toMatchObject({ rule: 'thank_you.next_business_day', inputs: { because: 'after_cutoff', businessDays: 1, time: '09:30' } });
    const saturday = plan(facts('2026-03-07T15:00:00Z'), defaultPlaybook, at('2026-03-07T15:00:00Z'));
    expect(byKey(saturday, 'thank_you:c-dana').basis?.inputs.because).toBe('day_off');
  });

  it('status checks count from the decision date, the later ones from the previous check', () => {
    const items = plan(facts('2026-03-09T15:00:00Z', { interview: { decisionExpectedBy: '2026-03-20' } }), defaultPlaybook, at('2026-03-09T15:00:00Z'));
    expect(byKey(items, 'status_check:2026-03-20:1').basis).toMatchObject({
      rule: 'status_check.before_decision',
      from: { fact: 'decision_date', at: '2026-03-20' },
      inputs: { check: 1, businessDaysBefore: 1, dateGiven: 'at_interview' },
    });
    expect(byKey(items, 'status_check:2026-03-20:2').basis).toMatchObject({ rule: 'status_check.repeat', from: { fact: 'decision_date', at: '2026-03-20' }, inputs: { check: 2 } });
    const none = plan(facts('2026-03-09T15:00:00Z'), defaultPlaybook, at('2026-03-09T15:00:00Z'));
    expect(byKey(none, 'status_check:window:1').basis).toMatchObject({ rule: 'status_check.default_window', from: { fact: 'interview_ended' } });
  });

  it('after a rejection: the thanks-anyway counts from the decision, and a late plan is a catch-up', () => {
    const decided = at('2026-03-10T14:00:00Z');
    const f = facts('2026-03-09T15:00:00Z', { outcome: { kind: 'rejected', loggedAt: decided, decidedAt: decided } });
    const items = plan(f, defaultPlaybook, decided);
    expect(byKey(items, 'post_decision_thanks:c-dana').basis).toMatchObject({
      rule: 'post_decision_thanks',
      from: { fact: 'outcome', at: '2026-03-10T14:00:00.000Z' },
      inputs: { outcome: 'rejected', businessDays: 1 },
      caughtUp: false,
    });
    expect(byKey(items, 'candidate_update:outcome:rejected').basis).toMatchObject({ rule: 'candidate_update.outcome', inputs: { outcome: 'rejected' } });
    // Planned two days after the thanks-anyway's time: caught up, the rule's time kept apart.
    const later = plan(f, defaultPlaybook, at('2026-03-13T16:00:00Z'));
    const step = byKey(later, 'post_decision_thanks:c-dana');
    expect(step.basis?.caughtUp).toBe(true);
    expect(step.ruleDueAt.getTime()).toBeLessThan(step.dueAt.getTime());
  });
});
