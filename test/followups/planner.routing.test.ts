import { describe, expect, it } from 'vitest';
import { plan } from '../../src/core/followups/planner.js';
import { defaultPlaybook, playbookSchema } from '../../src/core/followups/playbook.js';
import type { FollowUpFacts, PlannedFollowUp } from '../../src/core/followups/types.js';
import { ana, byKey, dana, facts, lee } from './fixtures.js';

const at = (f: FollowUpFacts) => plan(f, defaultPlaybook, f.interview.endsAt);
const keys = (items: readonly PlannedFollowUp[]) => items.map((i) => i.key).sort();

describe('plan: who gets what, in which voice', () => {
  it('when three people interviewed, then three distinct thank-you notes each name their reader', () => {
    const items = at(facts('2026-03-09T15:00:00Z', { participants: [dana, lee, ana] }));
    const notes = items.filter((i) => i.kind === 'thank_you');
    expect(notes.map((n) => n.key).sort()).toEqual(['thank_you:c-ana', 'thank_you:c-dana', 'thank_you:c-lee']);
    for (const [p, highlight] of [
      [dana, 'the literacy block you observed'],
      [lee, 'the co-teaching discussion'],
      [ana, 'the parent-conference role play'],
    ] as const) {
      const n = byKey(items, `thank_you:${p.contactId}`);
      expect(n.recipient).toEqual({ type: 'contact', contactId: p.contactId, name: p.name, email: p.email });
      expect(n.vars).toMatchObject({ interviewer: p.name, candidate: 'Jordan Lee', position: 'Grade 4 Teacher', highlight });
      expect(n.vars.employer).toBe('Hudson Valley School District');
      expect(n).toMatchObject({ channel: 'email', voice: 'on_behalf', contactId: p.contactId });
    }
  });

  it('when a contact has no email, then the recruiter gets a task instead of an email', () => {
    const n = byKey(at(facts('2026-03-09T15:00:00Z', { participants: [dana, { ...lee, email: null }] })), 'thank_you:c-lee');
    expect(n).toMatchObject({ channel: 'task', voice: 'on_behalf', recipient: { type: 'recruiter', userId: 'u-sam' } });
    expect(n.reason).toContain('no email address for Lee Chen: a task for the recruiter');
    expect(n.vars.interviewer).toBe('Lee Chen');
  });

  it('when the candidate gave no relay consent, then their notes are drafts sent to them', () => {
    const items = at(facts('2026-03-09T15:00:00Z', { candidate: { relayConsent: false } }));
    for (const key of ['thank_you:c-dana', 'timeline_request', 'status_check:window:1', 'status_check:window:2']) {
      const i = byKey(items, key);
      expect(i, key).toMatchObject({ channel: 'email', voice: 'draft_to_candidate', recipient: { type: 'candidate', email: 'jordan@example.org' } });
      expect(i.reason).toContain('no relay consent: a draft for the candidate to send');
    }
    expect(byKey(items, 'recruiter_check_in')).toMatchObject({ voice: 'agency', recipient: { type: 'contact', contactId: 'c-dana' } });
    expect(items.some((i) => i.key === 'candidate_update:notes_sent')).toBe(false);
  });

  it('when there is neither consent nor a candidate email, then the recruiter passes the draft on', () => {
    const n = byKey(at(facts('2026-03-09T15:00:00Z', { candidate: { relayConsent: false, email: null } })), 'thank_you:c-dana');
    expect(n).toMatchObject({ channel: 'task', voice: 'draft_to_candidate', recipient: { type: 'recruiter' } });
  });

  it('when the interview was arranged by phone, then the hiring-manager steps are calls for the recruiter, thank-yous stay emails', () => {
    const items = at(facts('2026-03-09T15:00:00Z', { interview: { arrangedVia: 'phone' } }));
    for (const key of ['timeline_request', 'recruiter_check_in', 'status_check:window:1']) {
      expect(byKey(items, key), key).toMatchObject({ channel: 'phone', recipient: { type: 'recruiter', userId: 'u-sam' } });
    }
    expect(byKey(items, 'thank_you:c-dana').channel).toBe('email');
  });

  it('when arranged by phone without consent, then the candidate gets talking points to call', () => {
    const items = at(facts('2026-03-09T15:00:00Z', { interview: { arrangedVia: 'phone' }, candidate: { relayConsent: false } }));
    expect(byKey(items, 'timeline_request')).toMatchObject({ channel: 'phone', voice: 'draft_to_candidate', recipient: { type: 'candidate' } });
    expect(byKey(items, 'recruiter_check_in')).toMatchObject({ channel: 'phone', voice: 'agency', recipient: { type: 'recruiter' } });
  });

  it('when there is no hiring manager, then the first interviewer gets the hiring-manager steps', () => {
    const items = at(facts('2026-03-09T15:00:00Z', { participants: [{ ...ana }, { ...lee }, { ...dana, role: 'interviewer' }] }));
    expect(byKey(items, 'timeline_request').contactId).toBe('c-lee');
    expect(byKey(items, 'recruiter_check_in').vars.interviewer).toBe('Lee Chen');
  });

  it('when nobody is listed as a participant, then only the candidate hears from us', () => {
    expect(keys(at(facts('2026-03-09T15:00:00Z', { participants: [] })))).toEqual(['candidate_update:completed']);
  });

  it('when the candidate opted out, then no candidate updates are planned', () => {
    const f = facts('2026-03-09T15:00:00Z', {
      candidate: { statusUpdatesOptIn: false },
      replies: [{ receivedAt: new Date('2026-03-10T18:00:00Z'), newDecisionExpectedBy: null }],
      outcome: { kind: 'rejected', loggedAt: new Date('2026-03-12T15:00:00Z') },
    });
    expect(plan(f, defaultPlaybook, new Date('2026-03-12T15:00:00Z')).filter((i) => i.kind === 'candidate_update')).toEqual([]);
  });

  it('when opted in, then the candidate hears after completion, after the notes, after a reply and after the outcome', () => {
    const f = facts('2026-03-09T15:00:00Z', {
      replies: [{ receivedAt: new Date('2026-03-10T18:00:00Z'), newDecisionExpectedBy: '2026-03-20' }],
      outcome: { kind: 'offer', loggedAt: new Date('2026-03-13T02:30:00Z') },
    });
    const updates = plan(f, defaultPlaybook, new Date('2026-03-09T15:00:00Z')).filter((i) => i.kind === 'candidate_update');
    expect(Object.fromEntries(updates.map((u) => [u.key, u.dueAt.toISOString()]))).toEqual({
      'candidate_update:completed': '2026-03-09T15:00:00.000Z',
      'candidate_update:notes_sent': '2026-03-09T17:00:00.000Z',
      'candidate_update:reply:2026-03-10T18:00:00.000Z': '2026-03-10T18:00:00.000Z',
      // logged 22:30 New York: held until the end of the candidate's quiet hours
      'candidate_update:outcome:offer': '2026-03-13T12:00:00.000Z',
    });
    expect(updates.every((u) => u.voice === 'agency' && u.channel === 'email' && u.recipient.type === 'candidate')).toBe(true);
    expect(byKey(updates, 'candidate_update:reply:2026-03-10T18:00:00.000Z').reason).toContain('with a new decision date 2026-03-20');
  });

  it('when a timeline came by reply, then it is the template timeline', () => {
    const f = facts('2026-03-09T15:00:00Z', {
      interview: { decisionExpectedBy: '2026-03-20' },
      replies: [{ receivedAt: new Date('2026-03-10T18:00:00Z'), newDecisionExpectedBy: '2026-03-27' }],
    });
    const items = plan(f, defaultPlaybook, new Date('2026-03-10T18:00:00Z'));
    expect(byKey(items, 'thank_you:c-dana').vars.timeline).toBe('2026-03-27');
    expect(keys(items.filter((i) => i.kind === 'status_check'))).toEqual(['status_check:2026-03-27:1', 'status_check:2026-03-27:2']);
  });

  it('when an out-of-office auto-reply arrives, then nothing pauses', () => {
    const f = facts('2026-03-09T15:00:00Z', {
      replies: [{ receivedAt: new Date('2026-03-09T17:01:00Z'), newDecisionExpectedBy: null, isOutOfOffice: true }],
    });
    const items = plan(f, defaultPlaybook, new Date('2026-03-09T17:01:00Z'));
    expect(keys(items)).toEqual(
      expect.arrayContaining(['recruiter_check_in', 'status_check:window:1', 'status_check:window:2', 'timeline_request']),
    );
    expect(items.some((i) => i.key.startsWith('candidate_update:reply'))).toBe(false);
  });

  it('when the playbook allows one status check, then there is one', () => {
    const pb = playbookSchema.parse({ statusCheck: { maxChecks: 1 } });
    const f = facts('2026-03-09T15:00:00Z');
    expect(keys(plan(f, pb, f.interview.endsAt).filter((i) => i.kind === 'status_check'))).toEqual(['status_check:window:1']);
  });

  it('when the recruiter works in another zone, then LinkedIn tasks follow the recruiter’s calendar', () => {
    const f = facts('2026-03-09T15:00:00Z', {
      participants: [{ ...dana, timeZone: 'America/Los_Angeles' }],
      recruiter: { timeZone: 'Europe/London' },
      outcome: { kind: 'hired', loggedAt: new Date('2026-03-13T15:00:00Z') },
    });
    const task = byKey(plan(f, defaultPlaybook, new Date('2026-03-13T15:00:00Z')), 'linkedin_connect:c-dana');
    expect(task).toMatchObject({ channel: 'linkedin', voice: 'agency', recipient: { type: 'recruiter', userId: 'u-sam' } });
    expect(task.dueAt.toISOString()).toBe('2026-03-16T09:30:00.000Z');
    expect(task.reason).toContain('https://www.linkedin.com/in/dana-park');
  });
});
