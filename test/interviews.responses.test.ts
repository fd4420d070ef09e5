import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/lib/clock.js';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { adminPool } from './helpers/db.js';

// Attendees' answers to the calendar invites (iTIP METHOD:REPLY) arriving through the inbound
// endpoint, written as a calendar app writes them (not by our generator).
const clock = fixedClock('2027-12-01T12:00:00Z');
let t: TestApp;
let tenant: TestTenant;
let secret: string;
let story: Story;
let interview: { id: string };

beforeAll(async () => {
  t = await createTestApp({ clock, env: { QUEUE_PREFIX: `afterview-responses-${process.pid}` } });
  tenant = await newTenant(t.app);
  secret = json<{ secret: string }>(await t.app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: bearer(tenant.token) })).secret;
  story = await recruitingStory(t.app, tenant);
  interview = await scheduledInterview(t.app, tenant, story, '2027-12-08T10:00:00-05:00');
});
afterAll(async () => {
  await t.deps.queues.get('followups').obliterate({ force: true });
  await t.close();
});

const h = () => bearer(tenant.token);
const reply = (email: string, partstat: string, opts: { uid?: string; method?: string } = {}) =>
  [
    'BEGIN:VCALENDAR',
    'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    `METHOD:${opts.method ?? 'REPLY'}`,
    'BEGIN:VEVENT',
    'DTSTART:20271208T150000Z',
    'DTEND:20271208T160000Z',
    'DTSTAMP:20271201T170000Z',
    `ORGANIZER;CN=Owner:mailto:${tenant.ownerEmail}`,
    `UID:${opts.uid ?? `interview-${interview.id}@afterview`}`,
    `ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=${partstat};CN=Someone:mailto:${email}`,
    'SEQUENCE:1',
    'STATUS:CONFIRMED',
    'SUMMARY:Interview',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
const inbound = (payload: object) => t.app.inject({ method: 'POST', url: '/v1/inbound/email', headers: { authorization: `Bearer ${secret}` }, payload });
const answer = (email: string, partstat: string, what: string, opts?: { uid?: string; method?: string; messageId?: string }) =>
  inbound({ from: email, subject: `${what}: Interview`, text: `${what}`, calendar: reply(email, partstat, opts), ...(opts?.messageId ? { messageId: opts.messageId } : {}) });
const participant = async (contactId: string) =>
  json<Schemas['Interview']>(await t.app.inject({ url: `/v1/interviews/${interview.id}`, headers: h() })).participants.find((p) => p.contactId === contactId)!;
const counts = async () =>
  (
    await adminPool().query<{ inbound: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM inbound_replies WHERE tenant_id = $1) AS inbound, (SELECT count(*)::int FROM events WHERE tenant_id = $1) AS events`,
      [tenant.tenantId],
    )
  ).rows[0]!;

describe('answers to calendar invites', () => {
  it('an ACCEPTED reply sets that participant’s response; the interview shows it', async () => {
    expect((await participant(story.teacher.id)).response).toBe('needs_action');
    const res = await answer(String(story.teacher.email).toUpperCase(), 'ACCEPTED', 'Accepted', { messageId: '<acc-1@mail.example.org>' });
    expect(res.statusCode, res.body).toBe(202);
    expect(json<Schemas['InboundReply']>(res)).toMatchObject({ status: 'calendar_reply', applicationId: story.application.id, followUpId: null, replyId: null });
    expect(await participant(story.teacher.id)).toMatchObject({ response: 'accepted', respondedAt: '2027-12-01T12:00:00.000Z' });
    // The provider posting it again changes nothing.
    const again = await answer(String(story.teacher.email), 'ACCEPTED', 'Accepted', { messageId: '<acc-1@mail.example.org>' });
    expect(again.statusCode).toBe(200);
  });

  it('a decline emits interview.participant_responded and shows among Today’s warnings', async () => {
    clock.set('2027-12-02T09:00:00Z');
    const res = await answer(String(story.principal.email), 'DECLINED', 'Declined');
    expect(res.statusCode, res.body).toBe(202);
    expect((await participant(story.principal.id)).response).toBe('declined');
    const events = await adminPool().query<{ payload: { data: Record<string, unknown> } }>(
      `SELECT payload FROM events WHERE tenant_id = $1 AND type = 'interview.participant_responded' AND payload->'data'->>'contactId' = $2`,
      [tenant.tenantId, story.principal.id],
    );
    expect(events.rows.map((r) => r.payload.data)).toEqual([expect.objectContaining({ interviewId: interview.id, contactId: story.principal.id, response: 'declined', previous: 'needs_action' })]);

    const declines = json<Schemas['InterviewDeclineList']>(await t.app.inject({ url: `/v1/interview-declines?recruiterId=${await ownerId()}`, headers: h() })).data;
    expect(declines).toEqual([
      expect.objectContaining({ interviewId: interview.id, contactId: story.principal.id, name: 'Pat Principal', role: 'hiring_manager', respondedAt: '2027-12-02T09:00:00.000Z' }),
    ]);
    // Once the interview is over, it is no longer a warning.
    clock.set('2027-12-08T16:01:00Z');
    expect(json<Schemas['InterviewDeclineList']>(await t.app.inject({ url: '/v1/interview-declines', headers: h() })).data).toEqual([]);
    clock.set('2027-12-02T09:00:00Z');
  });

  it('a calendar part that is not a reply we can read is 422 naming body.calendar, and nothing is written', async () => {
    const before = await counts();
    const broken = await inbound({ from: String(story.teacher.email), subject: 'Declined', text: 'x', calendar: 'BEGIN:VCALENDAR\r\nthis is not\r\n' });
    expect(expectProblem(broken, 422, 'unprocessable').errors?.map((e) => e.field)).toEqual(['body.calendar']);
    const request = await answer(String(story.teacher.email), 'DECLINED', 'Declined', { method: 'REQUEST' });
    expect(expectProblem(request, 422, 'unprocessable').errors?.map((e) => e.field)).toEqual(['body.calendar']);
    const noAnswer = await answer(String(story.teacher.email), 'NEEDS-ACTION', 'Hm');
    expect(expectProblem(noAnswer, 422, 'unprocessable').errors?.map((e) => e.field)).toEqual(['body.calendar']);
    expect(await counts()).toEqual(before);
    expect((await participant(story.teacher.id)).response).toBe('accepted');
  });

  it('a readable reply about an event that is not ours, or from someone not taking part, waits unmatched like any email', async () => {
    const foreign = await answer(String(story.teacher.email), 'DECLINED', 'Declined', { uid: 'abc123@google.com' });
    expect(foreign.statusCode, foreign.body).toBe(202);
    expect(json<Schemas['InboundReply']>(foreign).status).toBe('unmatched');
    const stranger = await answer('stranger@elsewhere.example', 'DECLINED', 'Declined');
    expect(json<Schemas['InboundReply']>(stranger).status).toBe('unmatched');
    expect((await participant(story.teacher.id)).response).toBe('accepted');
  });
});

async function ownerId() {
  return json<{ ownerId: string }>(await t.app.inject({ url: `/v1/applications/${story.application.id}`, headers: h() })).ownerId;
}
