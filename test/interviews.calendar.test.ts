import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ical from 'node-ical';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview } from './helpers/story.js';

/** GET /v1/interviews/{id}/calendar.ics, read back with an independent parser (node-ical). */
let t: TestApp;
let tenant: TestTenant;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Interview = Schemas['Interview'];
const ics = (id: string, token = tenant.token) => t.app.inject({ url: `/v1/interviews/${id}/calendar.ics`, headers: bearer(token) });
const act = (id: string, action: string, payload: object) => t.app.inject({ method: 'POST', url: `/v1/interviews/${id}/${action}`, headers: bearer(tenant.token), payload });

function onlyEvent(text: string) {
  const events = Object.values(ical.sync.parseICS(text)).filter((c) => c?.type === 'VEVENT');
  expect(events).toHaveLength(1);
  return events[0] as ical.VEvent;
}

describe('an interview as a calendar event', () => {
  it('one UID for the interview; the time, place, organizer and attendees as scheduled; a reschedule raises SEQUENCE; a cancel is CANCELLED', async () => {
    const story = await recruitingStory(t.app, tenant);
    const interview = await scheduledInterview(t.app, tenant, story, '2027-03-09T10:00:00-05:00');
    const first = await ics(interview.id);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(first.body).toMatch(/^BEGIN:VCALENDAR\r\n/);
    const a = onlyEvent(first.body);
    expect(a.uid).toBe(`interview-${interview.id}@afterview`);
    expect(a.start.toISOString()).toBe('2027-03-09T15:00:00.000Z');
    expect(a.end!.toISOString()).toBe('2027-03-09T16:00:00.000Z');
    expect(String(a.summary)).toContain(story.candidate.name);
    expect(a.status).toBe('CONFIRMED');
    const attendees = ([a.attendee].flat() as Array<string | { val: string }>).map((x) => String(typeof x === 'string' ? x : x.val).replace(/^mailto:/i, '').toLowerCase());
    expect(attendees).toEqual(expect.arrayContaining([String(story.principal.email).toLowerCase(), String(story.teacher.email).toLowerCase()]));
    const organizer = a.organizer as unknown as { val: string };
    expect(organizer.val.replace(/^mailto:/i, '').toLowerCase()).toBe(tenant.ownerEmail.toLowerCase());

    const moved = json<Interview>(await act(interview.id, 'reschedule', { startsAt: '2027-03-10T15:00:00Z', endsAt: '2027-03-10T16:00:00Z', timeZone: 'America/New_York' }));
    const b = onlyEvent((await ics(interview.id)).body);
    expect([b.uid, b.start.toISOString()]).toEqual([a.uid, '2027-03-10T15:00:00.000Z']);
    expect(Number(b.sequence)).toBe(moved.version);
    expect(Number(b.sequence)).toBeGreaterThan(Number(a.sequence));

    expect((await act(interview.id, 'cancel', { reason: 'Position filled internally' })).statusCode).toBe(200);
    const c = onlyEvent((await ics(interview.id)).body);
    expect([c.uid, c.status]).toEqual([a.uid, 'CANCELLED']);
    expect(Number(c.sequence)).toBeGreaterThan(Number(b.sequence));
  });

  it('another agency’s interview is 404; a bad id is 400 naming it', async () => {
    const story = await recruitingStory(t.app, tenant);
    const interview = await scheduledInterview(t.app, tenant, story, '2027-03-11T10:00:00-05:00');
    const other = await newTenant(t.app);
    expectProblem(await ics(interview.id, other.token), 404, 'not_found');
    expect(expectProblem(await ics('not-a-uuid'), 400, 'validation_failed').errors?.map((e) => e.field)).toEqual(['path.id']);
  });
});
