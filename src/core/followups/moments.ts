import { clampToBusinessHours, type Resolved } from '../businessTime.js';
import { candidateMoment } from './updates.js';
import { buildContext, candidateZone, contactCalendar, recruiterCalendar } from './context.js';
import type { Playbook } from './playbook.js';
import type { FollowUpFacts, Recipient } from './types.js';

/**
 * The next moment, from `now`, at which a step may go to its recipient: an employer contact in
 * their business hours, the candidate outside their quiet hours and days off, a recruiter on their working
 * days. For a step released late by hand (approved after its time had passed).
 */
export function nextAllowedMoment(facts: FollowUpFacts, pb: Playbook, now: Date, step: { recipient: Recipient; contactId: string | null }): Resolved {
  const ctx = buildContext(facts, pb, now);
  if (step.recipient.type === 'candidate') {
    return candidateMoment(now, candidateZone(ctx), pb);
  }
  if (step.recipient.type === 'recruiter') return clampToBusinessHours(now, recruiterCalendar(ctx));
  const participant = facts.participants.find((p) => p.contactId === step.contactId) ?? null;
  return clampToBusinessHours(now, contactCalendar(ctx, participant));
}
