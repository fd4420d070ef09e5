import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { adminPool } from './helpers/db.js';
import { fixedClock } from '../src/lib/clock.js';

let t: TestApp;
let tenant: TestTenant;
let story: Story;
// The interviews below start 2026-12-03 10:00 New York; "now" is set per test.
const clock = fixedClock('2026-11-26T12:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ clock });
  tenant = await newTenant(t.app);
  story = await recruitingStory(t.app, tenant);
});
afterAll(() => t.close());

type Interview = Schemas['Interview'];
const h = () => bearer(tenant.token);
const act = (id: string, action: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: `/v1/interviews/${id}/${action}`, headers: { ...h(), ...headers }, payload });
const get = async (id: string) => json<Interview>(await t.app.inject({ url: `/v1/interviews/${id}`, headers: h() }));
const schedule = async (startsAt?: string) => (await scheduledInterview(t.app, tenant, story, startsAt)) as unknown as Interview;

describe('scheduling', () => {
  it('when an interview is scheduled with two interviewers, then it lists them and the application is interviewing', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule();
    expect(i).toMatchObject({
      status: 'scheduled',
      round: 1,
      timeZone: 'America/New_York',
      startsAt: '2026-12-03T15:00:00.000Z',
      candidateId: story.candidate.id,
      employerId: story.school.id,
      version: 1,
    });
    expect(i.participants.map((p) => [p.name, p.role, p.highlight])).toEqual([
      ['Pat Principal', 'hiring_manager', null],
      ['Terry Teacher', 'interviewer', 'Loved the reading-corner idea'],
    ]);
    const app = await t.app.inject({ url: `/v1/applications/${story.application.id}`, headers: h() });
    expect(app.json().stage).toBe('interviewing');
    const second = await schedule('2026-12-10T10:00:00-05:00');
    expect(second.round).toBe(2);
  });

  it.each([
    [{ endsAt: '2026-12-03T14:00:00Z' }, 'body.endsAt'],
    [{ timeZone: 'EST' }, 'body.timeZone'],
    [{ startsAt: '2026-12-03 10:00' }, 'body.startsAt'],
    [{ format: 'zoom' }, 'body.format'],
    [{ arrangedVia: 'pigeon' }, 'body.arrangedVia'],
    [{ participants: [] }, 'body.participants'],
    [{ applicationId: '00000000-0000-4000-8000-000000000000' }, 'body.applicationId'],
  ])('when %j, then 400 names %s and nothing is written', async (override, field) => {
    const before = (await adminPool().query('SELECT count(*)::int AS n FROM interviews WHERE tenant_id = $1', [tenant.tenantId])).rows[0].n;
    const payload = {
      applicationId: story.application.id,
      format: 'video',
      startsAt: '2026-12-03T15:00:00Z',
      endsAt: '2026-12-03T16:00:00Z',
      timeZone: 'America/New_York',
      arrangedVia: 'phone',
      participants: [{ contactId: story.principal.id }],
      ...override,
    };
    const p = expectProblem(await t.app.inject({ method: 'POST', url: '/v1/interviews', headers: h(), payload }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual([field]);
    const after = (await adminPool().query('SELECT count(*)::int AS n FROM interviews WHERE tenant_id = $1', [tenant.tenantId])).rows[0].n;
    expect(after).toBe(before);
  });

  it('refuses a contact from another employer, or listed twice, naming the participant', async () => {
    const other = json<{ id: string }>(await t.app.inject({ method: 'POST', url: '/v1/employers', headers: h(), payload: { name: 'Elsewhere Inc' } }));
    const stranger = json<{ id: string }>(await t.app.inject({ method: 'POST', url: '/v1/contacts', headers: h(), payload: { employerId: other.id, name: 'Stranger' } }));
    const base = { applicationId: story.application.id, format: 'video', startsAt: '2026-12-03T15:00:00Z', endsAt: '2026-12-03T16:00:00Z', timeZone: 'America/New_York', arrangedVia: 'email' };
    const p = expectProblem(
      await t.app.inject({ method: 'POST', url: '/v1/interviews', headers: h(), payload: { ...base, participants: [{ contactId: story.principal.id }, { contactId: stranger.id }] } }),
      400,
    );
    expect(p.errors?.[0]?.field).toBe('body.participants.1.contactId');
    const twice = expectProblem(
      await t.app.inject({ method: 'POST', url: '/v1/interviews', headers: h(), payload: { ...base, participants: [{ contactId: story.principal.id }, { contactId: story.principal.id }] } }),
      400,
    );
    expect(twice.errors?.[0]?.field).toBe('body.participants.1.contactId');
    // A district contact may interview for the district's school.
    const ok = await t.app.inject({ method: 'POST', url: '/v1/interviews', headers: h(), payload: { ...base, participants: [{ contactId: story.superintendent.id }] } });
    expect(ok.statusCode).toBe(201);
  });
});

describe('the interview’s life', () => {
  it('reschedule moves it; cancel ends it; a cancelled interview cannot be completed (409)', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule();
    const moved = json<Interview>(await act(i.id, 'reschedule', { startsAt: '2026-12-04T15:00:00Z', endsAt: '2026-12-04T16:00:00Z', timeZone: 'America/New_York', reason: 'Principal away' }));
    expect(moved).toMatchObject({ startsAt: '2026-12-04T15:00:00.000Z', version: 2 });
    const cancelled = json<Interview>(await act(i.id, 'cancel', { reason: 'Position paused' }));
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'Position paused' });
    clock.set('2026-12-05T12:00:00Z');
    expectProblem(await act(i.id, 'complete', {}), 409, 'conflict');
    expectProblem(await act(i.id, 'reschedule', { startsAt: '2026-12-06T15:00:00Z', endsAt: '2026-12-06T16:00:00Z', timeZone: 'America/New_York' }), 409);
  });

  it('complete records highlights, each participant’s note and the employer’s timeline; completing twice is 409', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule();
    expectProblem(await act(i.id, 'complete', {}), 409, 'conflict'); // not started yet
    clock.set('2026-12-03T16:10:00Z');
    const done = await act(i.id, 'complete', {
      highlights: 'Demo lesson landed well',
      decisionExpectedBy: '2026-12-12',
      participants: [
        { contactId: story.principal.id, highlight: 'Small-group reading', notes: 'Asked about coaching' },
        { contactId: story.teacher.id, notes: 'Friendly' },
      ],
    });
    expect(done.statusCode).toBe(200);
    const body = json<Interview>(done);
    expect(body).toMatchObject({ status: 'completed', completedAt: '2026-12-03T16:10:00.000Z', decisionExpectedBy: '2026-12-12', highlights: 'Demo lesson landed well' });
    expect(body.participants.map((p) => [p.name, p.highlight, p.notes])).toEqual([
      ['Pat Principal', 'Small-group reading', 'Asked about coaching'],
      ['Terry Teacher', 'Loved the reading-corner idea', 'Friendly'],
    ]);
    expectProblem(await act(i.id, 'complete', {}), 409, 'conflict');
    const timeline = json<Interview>(await act(i.id, 'timeline', { decisionExpectedBy: '2026-12-19' }));
    expect(timeline.decisionExpectedBy).toBe('2026-12-19');
    const events = await adminPool().query('SELECT type, payload FROM events WHERE tenant_id = $1 AND payload->\'data\'->>\'interviewId\' = $2 ORDER BY id', [tenant.tenantId, i.id]);
    // The follow-up plan's own events (test/followups.api.test.ts) come with them.
    const own = events.rows.filter((r) => !r.type.startsWith('followup.'));
    expect(own.map((r) => r.type)).toEqual(['interview.scheduled', 'interview.completed', 'interview.timeline_set']);
    expect(events.rows.some((r) => r.type === 'followup.planned')).toBe(true);
    expect(own[1].payload.data).toMatchObject({ decisionExpectedBy: '2026-12-12', applicationId: story.application.id, candidateId: story.candidate.id });
  });

  it('a participant listed with nothing to add is accepted and keeps what they had (a form sends every participant)', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule();
    clock.set('2026-12-03T16:10:00Z');
    const done = await act(i.id, 'complete', { participants: [{ contactId: story.principal.id }, { contactId: story.teacher.id, notes: 'Friendly' }] });
    expect(done.statusCode, done.body).toBe(200);
    expect(json<Interview>(done).participants.map((p) => [p.name, p.highlight, p.notes])).toEqual([
      ['Pat Principal', null, null],
      ['Terry Teacher', 'Loved the reading-corner idea', 'Friendly'],
    ]);
  });

  it('a participant outside the interview is refused at completion, naming it', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule();
    clock.set('2026-12-03T16:10:00Z');
    const p = expectProblem(await act(i.id, 'complete', { participants: [{ contactId: story.superintendent.id, notes: 'x' }] }), 400);
    expect(p.errors?.[0]?.field).toBe('body.participants.0.contactId');
    expect((await get(i.id)).status).toBe('scheduled');
  });

  it('participants can be added and removed; the last one stays', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule();
    const added = json<Interview>(await act(i.id, 'participants', { contactId: story.superintendent.id, role: 'coordinator' }));
    expect(added.participants).toHaveLength(3);
    expectProblem(await act(i.id, 'participants', { contactId: story.superintendent.id }), 409, 'already_exists');
    for (const c of [story.superintendent, story.teacher]) {
      const res = await t.app.inject({ method: 'DELETE', url: `/v1/interviews/${i.id}/participants/${c.id}`, headers: h() });
      expect(res.statusCode).toBe(200);
    }
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/interviews/${i.id}/participants/${story.principal.id}`, headers: h() }), 409);
  });

  it('If-Match: a stale version is 412 and nothing changes', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule();
    expectProblem(await act(i.id, 'cancel', { reason: 'x' }, { 'if-match': '"7"' }), 412, 'precondition_failed');
    expect((await get(i.id)).status).toBe('scheduled');
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/interviews/${i.id}`, headers: { ...h(), 'if-match': '"1"' }, payload: { location: 'Room 12' } });
    expect(patched.json()).toMatchObject({ location: 'Room 12', version: 2 });
  });

  it('If-Match on adding and removing a participant: a stale version is 412 and changes nothing; the right one succeeds and moves the version', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule();
    const v = (await get(i.id)).version;
    const remove = (contactId: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'DELETE', url: `/v1/interviews/${i.id}/participants/${contactId}`, headers: { ...h(), ...headers } });
    const actions = async () =>
      (await adminPool().query<{ action: string }>('SELECT action FROM activities WHERE tenant_id = $1 AND interview_id = $2 ORDER BY id', [tenant.tenantId, i.id])).rows.map((r) => r.action);
    const before = await actions();

    const staleAdd = expectProblem(await act(i.id, 'participants', { contactId: story.superintendent.id, role: 'coordinator' }, { 'if-match': `"${v + 1}"` }), 412, 'precondition_failed');
    expect(staleAdd.currentVersion).toBe(v);
    const staleRemove = expectProblem(await remove(story.teacher.id, { 'if-match': `"${v + 1}"` }), 412, 'precondition_failed');
    expect(staleRemove.currentVersion).toBe(v);
    const untouched = await get(i.id);
    expect(untouched.version).toBe(v);
    expect(untouched.participants.map((p) => p.contactId).sort()).toEqual(i.participants.map((p) => p.contactId).sort());
    expect(await actions()).toEqual(before);

    const added = await act(i.id, 'participants', { contactId: story.superintendent.id, role: 'coordinator' }, { 'if-match': `"${v}"` });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.headers.etag).toBe(`"${v + 1}"`);
    expect(json<Interview>(added)).toMatchObject({ version: v + 1 });
    expect(json<Interview>(added).participants).toHaveLength(i.participants.length + 1);
    // The version read before the add is stale now.
    expectProblem(await remove(story.teacher.id, { 'if-match': `"${v}"` }), 412, 'precondition_failed');
    const removed = await remove(story.teacher.id, { 'if-match': `"${v + 1}"` });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.headers.etag).toBe(`"${v + 2}"`);
    expect(json<Interview>(removed).participants.map((p) => p.contactId)).not.toContain(story.teacher.id);
    expect(await actions()).toEqual([...before, 'interview.participant_added', 'interview.participant_removed']);
    expectProblem(await remove(story.principal.id, { 'if-match': 'soon' }), 400, 'validation_failed');
  });

  it('no-show only once it started', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule();
    expectProblem(await act(i.id, 'no-show', {}), 409);
    clock.set('2026-12-03T15:30:00Z');
    expect(json<Interview>(await act(i.id, 'no-show', { notes: 'Called, no answer' })).status).toBe('no_show');
  });
});

describe('lists', () => {
  it('when the list is filtered by status, recruiter, candidate, employer or dates, then exactly the matching interviews come back, by start', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const own = await newTenant(t.app);
    const oh = bearer(own.token);
    const post = async (url: string, payload: object) => {
      const res = await t.app.inject({ method: 'POST', url, headers: oh, payload });
      expect(res.statusCode, `${url} ${res.body}`).toBeLessThan(300);
      return res.json() as { id: string };
    };
    const s = await recruitingStory(t.app, own);
    // Each filter has rows it must leave out: another recruiter (and candidate) on the same school,
    // the same candidate at another employer (not in the district), a cancelled one, and dates
    // on both sides of the range.
    const recruiter = await userWithRole(t.app, own, 'recruiter');
    const otherCandidate = await post('/v1/candidates', { name: 'Casey Other', email: `casey-${Date.now()}@example.org` });
    const theirs = await post('/v1/applications', { candidateId: otherCandidate.id, positionId: s.position.id, ownerId: recruiter.id });
    const company = await post('/v1/employers', { name: 'Elsewhere Academy', kind: 'company', timeZone: 'America/New_York' });
    const [ca, cb] = [await post('/v1/contacts', { employerId: company.id, name: 'Ann Elsewhere' }), await post('/v1/contacts', { employerId: company.id, name: 'Ben Elsewhere' })];
    const elsewherePosition = await post('/v1/positions', { employerId: company.id, title: 'Reading specialist' });
    const elsewhere = await post('/v1/applications', { candidateId: s.candidate.id, positionId: elsewherePosition.id });

    const mk = async (startsAt: string, story: Story = s) => (await scheduledInterview(t.app, own, story, startsAt)).id;
    const a = await mk('2026-12-01T10:00:00-05:00');
    const b = await mk('2026-12-02T10:00:00-05:00');
    const x = await mk('2026-12-03T10:00:00-05:00');
    const r = await mk('2026-12-04T10:00:00-05:00', { ...s, application: theirs });
    const e = await mk('2026-12-05T10:00:00-05:00', { ...s, application: elsewhere, principal: ca, teacher: cb } as Story);
    const c = await mk('2026-12-09T10:00:00-05:00');
    expect((await t.app.inject({ method: 'POST', url: `/v1/interviews/${x}/cancel`, headers: oh, payload: { reason: 'Position paused' } })).statusCode).toBe(200);

    const q = async (qs: string) => {
      const res = await t.app.inject({ url: `/v1/interviews?${qs}`, headers: oh });
      expect(res.statusCode, `${qs} ${res.body}`).toBe(200);
      return (res.json().data as Interview[]).map((i) => i.id);
    };
    expect(await q('')).toEqual([a, b, x, r, e, c]);
    expect(await q('status=scheduled')).toEqual([a, b, r, e, c]);
    expect(await q('status=cancelled')).toEqual([x]);
    expect(await q('status=completed')).toEqual([]);
    expect(await q(`recruiterId=${recruiter.id}`)).toEqual([r]);
    expect(await q(`recruiterId=${own.ownerId}`)).toEqual([a, b, x, e, c]);
    expect(await q(`candidateId=${otherCandidate.id}`)).toEqual([r]);
    expect(await q(`candidateId=${s.candidate.id}`)).toEqual([a, b, x, e, c]);
    expect(await q(`employerId=${s.school.id}`)).toEqual([a, b, x, r, c]);
    expect(await q(`employerId=${company.id}`)).toEqual([e]);
    // The employer filter is that employer, not its district's family.
    expect(await q(`employerId=${s.district.id}`)).toEqual([]);
    expect(await q(`applicationId=${theirs.id}`)).toEqual([r]);
    expect(await q('from=2026-12-02T00:00:00Z&to=2026-12-08T00:00:00Z')).toEqual([b, x, r, e]);
    // from is inclusive, to exclusive: b and e start exactly on them.
    expect(await q('from=2026-12-02T15:00:00Z&to=2026-12-05T15:00:00Z')).toEqual([b, x, r]);
    expect(await q('from=2026-12-05T00:00:00Z')).toEqual([e, c]);
    expect(await q('to=2026-12-02T00:00:00Z')).toEqual([a]);
    // All at once: only b matches every filter.
    expect(await q(`status=scheduled&employerId=${s.school.id}&recruiterId=${own.ownerId}&candidateId=${s.candidate.id}&from=2026-12-02T00:00:00Z&to=2026-12-08T00:00:00Z`)).toEqual([b]);

    // Paging keeps the order and the filter.
    const walk = async (qs: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { data: Interview[]; nextCursor: string | null } = (await t.app.inject({ url: `/v1/interviews?limit=2&${qs}${cursor ? `&cursor=${cursor}` : ''}`, headers: oh })).json();
        ids.push(...page.data.map((i) => i.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      return { ids, pages };
    };
    expect(await walk('')).toEqual({ ids: [a, b, x, r, e, c], pages: 3 });
    expect(await walk('status=scheduled')).toEqual({ ids: [a, b, r, e, c], pages: 3 });
    const bad = expectProblem(await t.app.inject({ url: '/v1/interviews?from=2026-12-09T00:00:00Z&to=2026-12-01T00:00:00Z', headers: oh }), 400);
    expect(bad.errors?.[0]?.field).toBe('query.to');
  });

  it('when a viewer tries to schedule or complete an interview, then 403 and nothing changes; they can still read it', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule('2026-12-31T10:00:00-05:00');
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const vh = bearer(viewer.token);
    const count = async () => (await adminPool().query('SELECT count(*)::int AS n FROM interviews WHERE tenant_id = $1', [tenant.tenantId])).rows[0].n as number;
    const before = await count();
    const list = await t.app.inject({ url: '/v1/interviews', headers: vh });
    expect(list.statusCode).toBe(200);
    expect((await t.app.inject({ url: `/v1/interviews/${i.id}`, headers: vh })).statusCode).toBe(200);
    // A body a recruiter could schedule with: the refusal is the role, not the input.
    const payload = {
      applicationId: story.application.id,
      format: 'video',
      startsAt: '2027-01-07T15:00:00Z',
      endsAt: '2027-01-07T16:00:00Z',
      timeZone: 'America/New_York',
      arrangedVia: 'phone',
      participants: [{ contactId: story.principal.id }],
    };
    expectProblem(await t.app.inject({ method: 'POST', url: '/v1/interviews', headers: vh, payload }), 403, 'forbidden');
    expect(await count()).toBe(before);
    // Once it has started, a recruiter could complete it; the viewer cannot.
    clock.set('2026-12-31T16:10:00Z');
    expectProblem(await t.app.inject({ method: 'POST', url: `/v1/interviews/${i.id}/complete`, headers: vh, payload: { highlights: 'Went well' } }), 403, 'forbidden');
    expect(await get(i.id)).toMatchObject({ status: 'scheduled', completedAt: null, highlights: null, version: i.version });
    // The same request as a recruiter succeeds: the 403 above was the role alone.
    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${i.id}/complete`, headers: bearer(recruiter.token), payload: { highlights: 'Went well' } });
    expect(done.statusCode, done.body).toBe(200);
  });
});

describe('activity of an interview', () => {
  it('when the activity is filtered by interviewId, then only that interview’s changes come back, newest first, and a cursor walks them page by page', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const own = await newTenant(t.app);
    const oh = bearer(own.token);
    const s = await recruitingStory(t.app, own);
    const one = await scheduledInterview(t.app, own, s, '2026-12-01T10:00:00-05:00');
    const other = await scheduledInterview(t.app, own, s, '2026-12-02T10:00:00-05:00');
    const ok = async (url: string, payload: object) => {
      const res = await t.app.inject({ method: 'POST', url, headers: oh, payload });
      expect(res.statusCode, `${url} ${res.body}`).toBe(200);
    };
    await ok(`/v1/interviews/${one.id}/reschedule`, { startsAt: '2026-12-01T16:00:00Z', endsAt: '2026-12-01T17:00:00Z', timeZone: 'America/New_York', reason: 'Room taken' });
    await ok(`/v1/interviews/${one.id}/participants`, { contactId: s.superintendent.id, role: 'coordinator' });
    await ok(`/v1/interviews/${other.id}/participants`, { contactId: s.superintendent.id, role: 'coordinator' });
    await ok(`/v1/interviews/${one.id}/cancel`, { reason: 'Position paused' });

    const activity = async (qs: string) => {
      const res = await t.app.inject({ url: `/v1/activity?${qs}`, headers: oh });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { data: Schemas['Activity'][]; nextCursor: string | null };
    };
    const all = await activity(`interviewId=${one.id}&limit=100`);
    expect(all.nextCursor).toBeNull();
    expect(all.data.map((a) => a.action)).toEqual(['interview.cancelled', 'interview.participant_added', 'interview.rescheduled', 'interview.scheduled']);
    expect(all.data.every((a) => a.interviewId === one.id)).toBe(true);
    // Exactly the rows stored for it, none of the other interview's.
    const stored = await adminPool().query<{ id: string }>('SELECT id FROM activities WHERE tenant_id = $1 AND interview_id = $2 ORDER BY id DESC', [own.tenantId, one.id]);
    expect(all.data.map((a) => a.id)).toEqual(stored.rows.map((r) => r.id));
    expect((await activity(`interviewId=${other.id}`)).data.map((a) => a.action)).toEqual(['interview.participant_added', 'interview.scheduled']);

    // Page by page, filtered: the same rows in the same order, each once.
    const walk = async (qs: string) => {
      const ids: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await activity(`${qs}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...page.data.map((a) => a.id));
        sizes.push(page.data.length);
        cursor = page.nextCursor;
      } while (cursor && sizes.length < 20);
      return { ids, sizes };
    };
    const filtered = await walk(`interviewId=${one.id}`);
    expect(filtered).toEqual({ ids: all.data.map((a) => a.id), sizes: [3, 1] });
    // Unfiltered, the agency's whole timeline (the story's records too), newest first.
    const everything = (await activity('limit=100')).data.map((a) => a.id);
    expect(everything.length).toBeGreaterThan(6);
    const unfiltered = await walk('');
    expect(unfiltered.ids).toEqual(everything);
    expect(new Set(unfiltered.ids).size).toBe(everything.length);
    expect(unfiltered.sizes.slice(0, -1).every((n) => n === 3)).toBe(true);
    expect([...everything].sort().reverse()).toEqual(everything);
  });
});

describe('deleting an interview entered by mistake', () => {
  const del = (id: string, headers: Record<string, string> = {}, token = tenant.token) =>
    t.app.inject({ method: 'DELETE', url: `/v1/interviews/${id}`, headers: { ...bearer(token), ...headers } });
  const participants = async (id: string) =>
    (await adminPool().query('SELECT count(*)::int AS n FROM interview_participants WHERE interview_id = $1', [id])).rows[0].n as number;

  it('goes with its participants, once If-Match is right; the timeline keeps that it existed', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule('2026-12-17T10:00:00-05:00');
    expectProblem(await del(i.id, { 'if-match': String(i.version + 1) }), 412, 'precondition_failed');
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    expectProblem(await del(i.id, {}, viewer.token), 403, 'forbidden');
    expect(await participants(i.id)).toBe(2);
    const res = await del(i.id, { 'if-match': String(i.version) });
    expect(res.statusCode, res.body).toBe(204);
    expectProblem(await t.app.inject({ url: `/v1/interviews/${i.id}`, headers: h() }), 404, 'not_found');
    expect(await participants(i.id)).toBe(0);
    const trail = await adminPool().query<{ action: string }>('SELECT action FROM activities WHERE subject_id = $1 ORDER BY id', [i.id]);
    expect(trail.rows.map((r) => r.action)).toEqual(['interview.scheduled', 'interview.deleted']);
    const events = await adminPool().query("SELECT count(*)::int AS n FROM events WHERE type = 'interview.deleted' AND payload->'data'->>'interviewId' = $1", [i.id]);
    expect(events.rows[0].n).toBe(1);
  });

  it('a completed one is history: 409 and it stays', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const i = await schedule('2026-12-24T10:00:00-05:00');
    clock.set('2026-12-24T16:10:00Z');
    expect((await act(i.id, 'complete', {})).statusCode).toBe(200);
    const res = expectProblem(await del(i.id), 409, 'conflict');
    expect(res.detail).toMatch(/completed/);
    expect((await get(i.id)).status).toBe('completed');
    expect(await participants(i.id)).toBe(2);
  });
});
