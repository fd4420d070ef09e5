import { describe, expect, it } from 'vitest';
import type { Schemas } from '../helpers/app.js';

type FollowUp = Schemas['FollowUp'];
// Loaded by a path tsc does not follow: the web client is type-checked with its own config (web/tsconfig.json).
const modulePath = '../../web/src/planSentence.ts';
const { planSentence } = (await import(modulePath)) as { planSentence: (f: FollowUp, zone: string) => string };

// The web client's sentence for a plan step, from the API's basis (web/src/planSentence.ts).
const step = (basis: FollowUp['basis'], dueAt: string) => ({ dueAt, basis, reason: 'the planner’s text' }) as FollowUp;
const sameDay = { rule: 'thank_you.same_day', from: { fact: 'interview_ended', at: '2026-12-03T16:00:00.000Z' }, inputs: { cutoff: '15:00', delayMinutes: 120 }, zone: 'America/New_York', caughtUp: false };

describe('a plan step’s sentence', () => {
  it('gives the time in the reader’s zone and the rule in words', () => {
    expect(planSentence(step(sameDay, '2026-12-03T18:00:00.000Z'), 'America/New_York')).toBe('Thursday 3 Dec, 13:00 New York: 2 hours after the interview ended.');
    expect(planSentence(step(sameDay, '2026-12-03T18:00:00.000Z'), 'Europe/London')).toBe('Thursday 3 Dec, 18:00 London: 2 hours after the interview ended.');
  });

  it('a step approved after its time says its time is the approval’s, not the rule’s', () => {
    const approved = { ...sameDay, byHand: { action: 'approved' as const, at: '2026-12-07T15:05:00.000Z' } };
    expect(planSentence(step(approved, '2026-12-07T15:05:00.000Z'), 'America/New_York')).toBe(
      'Monday 7 Dec, 10:05 New York: approved after its time, so as soon as it may go (planned 2 hours after the interview ended).',
    );
  });

  it('without a basis, the planner’s text', () => {
    expect(planSentence(step(null, '2026-12-03T18:00:00.000Z'), 'UTC')).toBe('the planner’s text');
  });
});
