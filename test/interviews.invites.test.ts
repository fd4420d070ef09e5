import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from 'bullmq';
import ical from 'node-ical';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createDeps, type Deps } from '../src/deps.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { fixedClock } from '../src/lib/clock.js';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { smtpSink, type SunkMessage } from './helpers/smtpSink.js';
import { testConfig } from './helpers/env.js';

// Calendar invites by email (iMIP, RFC 6047), read at the SMTP sink with an independent MIME
// parser (mailparser) and iCalendar parser (node-ical). Interviews in November 2027.
const clock = fixedClock('2027-11-01T12:00:00Z');
const sink = smtpSink({ invites: true });
let t: TestApp;
let tenant: TestTenant;
let workerDeps: Deps;
let running: RunningWorkers;
let events: QueueEvents;

beforeAll(async () => {
  const port = await sink.listen();
  const env = { QUEUE_PREFIX: `afterview-invites-${process.pid}`, SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'invites@agency.example', PUBLIC_URL: 'https://api.afterview.example' };
  t = await createTestApp({ clock, env });
  tenant = await newTenant(t.app);
  workerDeps = createDeps(testConfig(env), { clock });
  running = await startWorkers(workerDeps, { concurrency: 2, schedules: false, relay: false });
  events = new QueueEvents('followups', { connection: { url: t.deps.config.REDIS_URL }, prefix: t.deps.config.QUEUE_PREFIX });
  await events.waitUntilReady();
});

afterAll(async () => {
  await events?.close();
  await running?.close();
  await t.deps.queues.get('followups').obliterate({ force: true });
  await workerDeps?.close();
  await t.close();
  await sink.close();
});

type Interview = Schemas['Interview'];
const h = () => bearer(tenant.token);
const act = (id: string, action: string, payload: object) => t.app.inject({ method: 'POST', url: `/v1/interviews/${id}/${action}`, headers: h(), payload });

interface Invite {
  mail: ParsedMail;
  method: string;
  event: ical.VEvent;
}

/** The message's text/calendar part: its METHOD parameter and its one VEVENT. */
async function readInvite(m: SunkMessage): Promise<Invite> {
  const mail = await simpleParser(m.raw);
  const part = mail.attachments.find((a) => a.contentType === 'text/calendar');
  expect(part, 'a text/calendar part').toBeDefined();
  const method = /method=([A-Z]+)/i.exec(String(part!.headers.get('content-type') && (part!.headers.get('content-type') as { params?: Record<string, string> }).params?.method ? `method=${(part!.headers.get('content-type') as { params: Record<string, string> }).params.method}` : ''))?.[1] ?? '';
  const text = part!.content.toString('utf8');
  const parsed = ical.sync.parseICS(text);
  const vevents = Object.values(parsed).filter((c) => c?.type === 'VEVENT') as ical.VEvent[];
  expect(vevents).toHaveLength(1);
  expect(text).toMatch(new RegExp(`^METHOD:${method}\\r?$`, 'm'));
  return { mail, method: method.toUpperCase(), event: vevents[0]! };
}

const attendeesOf = (e: ical.VEvent) =>
  ([e.attendee].flat().filter(Boolean) as Array<string | { val: string; params?: Record<string, string> }>).map((x) => String(typeof x === 'string' ? x : x.val).replace(/^mailto:/i, '').toLowerCase());
const addr = (x: Record<string, unknown>) => String(x.email).toLowerCase();

let story: Story;
let interview: Interview;

describe('calendar invites by email', () => {
  it('scheduling sends each participant and the candidate a METHOD:REQUEST with one UID, the recruiter as organizer, the place and the video link', async () => {
    story = await recruitingStory(t.app, tenant);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/interviews',
      headers: h(),
      payload: {
        applicationId: story.application.id,
        format: 'video',
        startsAt: '2027-11-10T15:00:00Z',
        endsAt: '2027-11-10T16:00:00Z',
        timeZone: 'America/New_York',
        arrangedVia: 'email',
        location: 'Lincoln Elementary, room 12',
        meetingUrl: 'https://meet.example.com/abc-defg-hij',
        participants: [
          { contactId: story.principal.id, role: 'hiring_manager' },
          { contactId: story.teacher.id, role: 'interviewer' },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    interview = json<Interview>(res);
    expect(interview.meetingUrl).toBe('https://meet.example.com/abc-defg-hij');

    for (const who of [story.principal, story.teacher, story.candidate]) {
      const invite = await readInvite(await sink.for(addr(who)));
      expect(invite.method).toBe('REQUEST');
      expect(invite.event.uid).toBe(`interview-${interview.id}@afterview`);
      expect(Number(invite.event.sequence)).toBe(interview.version);
      expect(invite.event.start.toISOString()).toBe('2027-11-10T15:00:00.000Z');
      expect(invite.event.end!.toISOString()).toBe('2027-11-10T16:00:00.000Z');
      expect(String(invite.event.location)).toContain('Lincoln Elementary, room 12');
      expect(String(invite.event.location)).toContain('https://meet.example.com/abc-defg-hij');
      expect((invite.event.organizer as unknown as { val: string }).val.replace(/^mailto:/i, '').toLowerCase()).toBe(tenant.ownerEmail.toLowerCase());
      expect(attendeesOf(invite.event).sort()).toEqual([addr(story.principal), addr(story.teacher), addr(story.candidate)].sort());
      expect(invite.mail.subject).toMatch(/^Invitation: Interview: Jordan Lee for 5th grade teacher/);
      expect(invite.mail.replyTo?.value[0]?.address?.toLowerCase()).toBe(tenant.ownerEmail.toLowerCase());
    }
    // The superintendent has no email address: nothing to send them. Exactly one each.
    expect(sink.received).toHaveLength(3);
  });

  it('a reschedule sends a REQUEST with the same UID and SEQUENCE one higher; a cancel sends METHOD:CANCEL, STATUS:CANCELLED, higher again', async () => {
    const first = await readInvite(await sink.for(addr(story.principal)));
    const moved = await act(interview.id, 'reschedule', { startsAt: '2027-11-11T15:00:00Z', endsAt: '2027-11-11T16:00:00Z', timeZone: 'America/New_York' });
    expect(moved.statusCode, moved.body).toBe(200);
    const second = await readInvite(await sink.nth(addr(story.principal), 2));
    expect(second.method).toBe('REQUEST');
    expect(second.event.uid).toBe(first.event.uid);
    expect(Number(second.event.sequence)).toBe(Number(first.event.sequence) + 1);
    expect(second.event.start.toISOString()).toBe('2027-11-11T15:00:00.000Z');
    expect(second.mail.subject).toMatch(/^Updated invitation: /);

    const cancelled = await act(interview.id, 'cancel', { reason: 'Position filled internally' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    for (const who of [story.principal, story.teacher, story.candidate]) {
      const third = await readInvite(await sink.nth(addr(who), 3));
      expect(third.method).toBe('CANCEL');
      expect(third.event.uid).toBe(first.event.uid);
      expect(third.event.status).toBe('CANCELLED');
      expect(Number(third.event.sequence)).toBe(Number(second.event.sequence) + 1);
    }
    const list = json<{ data: Schemas['CalendarInvite'][] }>(await t.app.inject({ url: `/v1/interviews/${interview.id}/invites`, headers: h() })).data;
    expect(list).toHaveLength(9);
    expect(list.every((i) => i.status === 'sent' && i.attempts === 1)).toBe(true);
  });

  it('a participant taken off gets a CANCEL naming only them; the others an updated REQUEST without them; an opted-out candidate gets none', async () => {
    const candidate = json<{ id: string; version: number }>(await t.app.inject({ url: `/v1/candidates/${story.candidate.id}`, headers: h() }));
    const optOut = await t.app.inject({ method: 'PATCH', url: `/v1/candidates/${candidate.id}`, headers: { ...h(), 'if-match': `"${candidate.version}"` }, payload: { statusUpdatesOptIn: false } });
    expect(optOut.statusCode, optOut.body).toBe(200);
    const before = sink.received.length;
    const next = await scheduledInterview(t.app, tenant, story, '2027-11-15T10:00:00-05:00');
    const p1 = await readInvite(await sink.nth(addr(story.principal), 4));
    expect(attendeesOf(p1.event).sort()).toEqual([addr(story.principal), addr(story.teacher)].sort());
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/interviews/${next.id}/participants/${story.teacher.id}`, headers: h() });
    expect(removed.statusCode, removed.body).toBe(200);
    const toTeacher = await readInvite(await sink.nth(addr(story.teacher), 5));
    expect(toTeacher.method).toBe('CANCEL');
    expect(attendeesOf(toTeacher.event)).toEqual([addr(story.teacher)]);
    const toPrincipal = await readInvite(await sink.nth(addr(story.principal), 5));
    expect(toPrincipal.method).toBe('REQUEST');
    expect(attendeesOf(toPrincipal.event)).toEqual([addr(story.principal)]);
    expect(Number(toPrincipal.event.sequence)).toBe(Number(p1.event.sequence) + 1);
    expect(sink.received.length - before).toBe(4);
    expect(sink.received.filter((m) => m.to.includes(addr(story.candidate)))).toHaveLength(3);
  });

  it('an interview entered after it took place sends no invites', async () => {
    const before = sink.received.length;
    const past = await scheduledInterview(t.app, tenant, story, '2027-10-20T10:00:00-04:00');
    const list = json<{ data: unknown[] }>(await t.app.inject({ url: `/v1/interviews/${past.id}/invites`, headers: h() })).data;
    expect(list).toEqual([]);
    expect(sink.received.length).toBe(before);
  });
});

describe('a recruiter’s private calendar feed', () => {
  it('a feed URL with a token lists their interviews; a new URL replaces it; revoked, it is 404', async () => {
    const made = await t.app.inject({ method: 'POST', url: '/v1/me/calendar-feed', headers: h() });
    expect(made.statusCode, made.body).toBe(200);
    const { url } = json<{ url: string }>(made);
    expect(url).toMatch(/^https:\/\/api\.afterview\.example\/v1\/calendar-feeds\/cal_/);
    const path = new URL(url).pathname;
    const feed = await t.app.inject({ url: path });
    expect(feed.statusCode, feed.body).toBe(200);
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const vevents = Object.values(ical.sync.parseICS(feed.body)).filter((c) => c?.type === 'VEVENT') as ical.VEvent[];
    expect(vevents.map((e) => e.uid)).toContain(`interview-${interview.id}@afterview`);
    expect(vevents.find((e) => e.uid === `interview-${interview.id}@afterview`)!.status).toBe('CANCELLED');

    const replaced = json<{ url: string }>(await t.app.inject({ method: 'POST', url: '/v1/me/calendar-feed', headers: h() }));
    expect(replaced.url).not.toBe(url);
    expectProblem(await t.app.inject({ url: path }), 404, 'not_found');
    expect((await t.app.inject({ url: new URL(replaced.url).pathname })).statusCode).toBe(200);
    // Another agency's token shape with a forged secret, and garbage: 404 alike.
    expectProblem(await t.app.inject({ url: `${new URL(replaced.url).pathname}x` }), 404, 'not_found');
    expectProblem(await t.app.inject({ url: '/v1/calendar-feeds/nonsense' }), 404, 'not_found');

    const revoked = await t.app.inject({ method: 'DELETE', url: '/v1/me/calendar-feed', headers: h() });
    expect([revoked.statusCode, revoked.json()]).toEqual([200, { revoked: true }]);
    expectProblem(await t.app.inject({ url: new URL(replaced.url).pathname }), 404, 'not_found');
  });
});
