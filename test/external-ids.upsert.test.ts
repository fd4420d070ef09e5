import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, uniq, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { recruitingStory, type Story } from './helpers/story.js';

/**
 * PUT /v1/<records>/by-external-id/{source}/{externalId}: an integrator's upsert by the id its own
 * system gives a record (docs/api.md#sync); GET reads the record by it.
 */
let t: TestApp;
let tenant: TestTenant;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Candidate = Schemas['Candidate'];
const put = (path: string, payload: object, token = tenant.token) =>
  t.app.inject({ method: 'PUT', url: `/v1/${path}`, headers: bearer(token), payload });
const get = (path: string, token = tenant.token) => t.app.inject({ url: `/v1/${path}`, headers: bearer(token) });
const fieldsOf = (res: { json(): unknown }) => ((res.json() as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);

/** The events about a record: its own (by `key` in their data) and its link's. */
async function eventsOf(recordId: string, key = 'candidateId') {
  const res = await adminPool().query<{ type: string }>(
    `SELECT type FROM events WHERE tenant_id = $1 AND (payload->'data'->>'recordId' = $2 OR payload->'data'->>$3 = $2 OR payload->'data'->>'id' = $2 OR payload->'data'->'subject'->>'id' = $2) ORDER BY tx_id, id`,
    [tenant.tenantId, recordId, key],
  );
  return res.rows.map((r) => r.type);
}
async function countWhere(table: string, column: string, value: string) {
  const res = await adminPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1 AND ${column} = $2`, [tenant.tenantId, value]);
  return res.rows[0]!.n;
}

describe('upsert by external id', () => {
  it('when the id is unknown, then 201 creates the candidate with its link; the same body again is 200 and changes nothing; a new field is a PATCH (others kept)', async () => {
    const id = uniq('bh');
    const email = `${id}@example.org`;
    const created = await put(`candidates/by-external-id/bullhorn/${id}`, { name: 'Jordan Lee', email, tags: ['Math'] });
    expect(created.statusCode, created.body).toBe(201);
    const c = json<Candidate>(created);
    expect(c).toMatchObject({ name: 'Jordan Lee', email, tags: ['math'], relayConsent: false, statusUpdatesOptIn: true, version: 1 });
    expect(created.headers.location).toBe(`/v1/candidates/${c.id}`);
    expect(created.headers.etag).toBe('"1"');
    // The link is there, and the record reads by it.
    expect(json<Schemas['ExternalId']>(await get(`external-ids/candidate/bullhorn/${id}`)).id).toBe(c.id);
    const read = await get(`candidates/by-external-id/bullhorn/${id}`);
    expect(read.statusCode).toBe(200);
    expect(json<Candidate>(read).id).toBe(c.id);

    const again = await put(`candidates/by-external-id/bullhorn/${id}`, { name: 'Jordan Lee', email, tags: ['math'] });
    expect(again.statusCode, again.body).toBe(200);
    expect(json<Candidate>(again)).toMatchObject({ id: c.id, version: 1 });

    const changed = await put(`candidates/by-external-id/bullhorn/${id}`, { phone: '(212) 555-0123' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json<Candidate>(changed)).toMatchObject({ id: c.id, version: 2, phone: '+12125550123', name: 'Jordan Lee', email, tags: ['math'] });
    expect(changed.headers.etag).toBe('"2"');
    expect(await eventsOf(c.id)).toEqual(['candidate.created', 'external_id.linked', 'candidate.updated']);
  });

  it('when a create would be refused, then nothing is written: 400 names what the create requires; a duplicate email is 409 with its existingId and no link', async () => {
    const id = uniq('bh');
    const noName = await put(`candidates/by-external-id/bullhorn/${id}`, { email: `${id}@example.org` });
    expectProblem(noName, 400, 'validation_failed');
    expect(fieldsOf(noName)).toEqual(['body.name']);
    const tooLong = await put(`candidates/by-external-id/bullhorn/${id}`, { name: 'n'.repeat(201) });
    expectProblem(tooLong, 400, 'validation_failed');
    expect(fieldsOf(tooLong)).toEqual(['body.name']);
    expect(await countWhere('external_ids', 'external_id', id)).toBe(0);

    const taken = json<Candidate>(await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(tenant.token), payload: { name: 'Taken', email: `taken-${id}@example.org` } }));
    const dup = await put(`candidates/by-external-id/bullhorn/${id}`, { name: 'Someone Else', email: `taken-${id}@example.org` });
    expectProblem(dup, 409, 'already_exists');
    expect(dup.json().existingId).toBe(taken.id);
    expect(await countWhere('external_ids', 'external_id', id)).toBe(0);
    expect(await countWhere('candidates', 'name', 'Someone Else')).toBe(0);
    expectProblem(await get(`candidates/by-external-id/bullhorn/${id}`), 404, 'not_found');
  });

  it('when two upserts of one unknown id arrive at once, then one candidate is created (201) and the other updates it (200)', async () => {
    const id = uniq('race');
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => put(`candidates/by-external-id/greenhouse/${id}`, { name: 'Racer', notes: `writer ${i}` })),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => json<Candidate>(a).id)).size).toBe(1);
    expect(await countWhere('external_ids', 'external_id', id)).toBe(1);
    const racers = await adminPool().query(`SELECT id FROM candidates WHERE tenant_id = $1 AND name = 'Racer'`, [tenant.tenantId]);
    expect(racers.rowCount).toBe(1);
  });

  it('employers, contacts and positions: created, linked and updated the same way; the contact’s employer given by our id', async () => {
    const district = await put('employers/by-external-id/jobadder/D-1', { name: 'Hudson District', kind: 'district', timeZone: 'America/New_York' });
    expect(district.statusCode, district.body).toBe(201);
    const school = await put('employers/by-external-id/jobadder/S-1', { name: 'Hudson Elementary', parentId: district.json().id });
    expect(school.statusCode, school.body).toBe(201);
    expect(school.json()).toMatchObject({ kind: 'school', timeZone: 'America/New_York', parentId: district.json().id });
    const contact = await put('contacts/by-external-id/jobadder/C-1', { employerId: school.json().id, name: 'Dana Whitfield', email: 'dana@hudson.example.org' });
    expect(contact.statusCode, contact.body).toBe(201);
    const moved = await put('contacts/by-external-id/jobadder/C-1', { title: 'Principal' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ id: contact.json().id, title: 'Principal', name: 'Dana Whitfield', version: 2 });
    const position = await put('positions/by-external-id/jobadder/P-1', { employerId: school.json().id, title: '5th grade teacher' });
    expect(position.statusCode, position.body).toBe(201);
    expect((await put('positions/by-external-id/jobadder/P-1', { status: 'filled', openings: 0 })).json()).toMatchObject({ id: position.json().id, status: 'filled' });
    // A contact needs its employer to be created: 400 names it.
    const orphan = await put('contacts/by-external-id/jobadder/C-2', { name: 'No Employer' });
    expectProblem(orphan, 400, 'validation_failed');
    expect(fieldsOf(orphan)).toEqual(['body.employerId']);
    // Ids are per type: the same external id of an employer and of a contact are two links.
    expect(json<{ data: unknown[] }>(await get('external-ids?source=jobadder')).data).toHaveLength(4);
  });

  it('when the linked record was deleted, then the upsert creates a new one and links the id to it', async () => {
    const first = await put('employers/by-external-id/bullhorn/gone-1', { name: 'Closed School' });
    expect(first.statusCode).toBe(201);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/employers/${first.json().id}`, headers: bearer(tenant.token) });
    expect(deleted.statusCode, deleted.body).toBe(204);
    const again = await put('employers/by-external-id/bullhorn/gone-1', { name: 'Reopened School' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().id).not.toBe(first.json().id);
    expect(json<Schemas['ExternalId']>(await get('external-ids/employer/bullhorn/gone-1')).id).toBe(again.json().id);
  });

  it('another agency’s id is unknown here: 404 to read, and an upsert creates this agency’s own record', async () => {
    const other = await newTenant(t.app);
    expect((await put('employers/by-external-id/bullhorn/shared-1', { name: 'Ours' })).statusCode).toBe(201);
    expectProblem(await get('employers/by-external-id/bullhorn/shared-1', other.token), 404, 'not_found');
    const theirs = await put('employers/by-external-id/bullhorn/shared-1', { name: 'Theirs' }, other.token);
    expect(theirs.statusCode).toBe(201);
    expect(json<Schemas['Employer']>(await get('employers/by-external-id/bullhorn/shared-1')).name).toBe('Ours');
    expectProblem(await get('employers/by-external-id/Bull%20Horn/1'), 400, 'validation_failed');
  });
});

type Application = Schemas['ApplicationDetail'];
type Interview = Schemas['Interview'];
const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/v1/${url}`, headers: bearer(tenant.token), payload });
/** A problem as a client compares it: all but the request's own id and path. */
const problemOf = (res: { statusCode: number; json(): unknown }) => {
  const { requestId: _id, instance: _path, ...problem } = res.json() as Schemas['Problem'];
  return { statusCode: res.statusCode, ...problem };
};
const newCandidate = async () => json<Candidate>(await post('candidates', { name: 'Riley Park', email: `${uniq('riley')}@example.org` })).id;
const inviteCount = async (interviewId: string) => countWhere('calendar_invites', 'interview_id', interviewId);
const followUpCount = async (interviewId: string) => countWhere('follow_ups', 'interview_id', interviewId);

/** An interview's PUT body, as another system sends it whole each time: two participants, an hour long. */
const interviewBody = (s: Story, startsAt: Date, more: object = {}) => ({
  applicationId: s.application.id,
  format: 'onsite',
  startsAt: startsAt.toISOString(),
  endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
  timeZone: 'America/New_York',
  arrangedVia: 'email',
  location: 'Room 12',
  participants: [
    { contactId: s.principal.id, role: 'hiring_manager' },
    { contactId: s.teacher.id, role: 'interviewer', highlight: 'Loved the reading-corner idea' },
  ],
  ...more,
});
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

describe('upsert of applications by external id', () => {
  let s: Story;
  beforeAll(async () => {
    s = await recruitingStory(t.app, tenant);
  });

  it('when the id is unknown, then 201 puts the candidate forward as POST does; the same body again is 200 and changes nothing; a new owner hands it over', async () => {
    const candidateId = await newCandidate();
    const id = uniq('app');
    const created = await put(`applications/by-external-id/bullhorn/${id}`, { candidateId, positionId: s.position.id });
    expect(created.statusCode, created.body).toBe(201);
    const a = json<Application>(created);
    expect(a).toMatchObject({ candidateId, positionId: s.position.id, ownerId: tenant.ownerId, stage: 'submitted', version: 1, latestOutcome: null });
    expect(a.stageHistory.map((h) => h.to)).toEqual(['submitted']);
    expect(created.headers.location).toBe(`/v1/applications/${a.id}`);
    expect(created.headers.etag).toBe('"1"');

    const read = await get(`applications/by-external-id/bullhorn/${id}`);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(json<Application>(read)).toEqual(json<Application>(await get(`applications/${a.id}`)));

    const again = await put(`applications/by-external-id/bullhorn/${id}`, { candidateId, positionId: s.position.id });
    expect(again.statusCode, again.body).toBe(200);
    expect(json<Application>(again)).toMatchObject({ id: a.id, version: 1 });

    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    const handed = await put(`applications/by-external-id/bullhorn/${id}`, { ownerId: recruiter.id });
    expect(handed.statusCode, handed.body).toBe(200);
    expect(json<Application>(handed)).toMatchObject({ id: a.id, ownerId: recruiter.id, version: 2, stage: 'submitted' });
    expect(handed.headers.etag).toBe('"2"');
    expect(await eventsOf(a.id, 'applicationId')).toEqual(['application.created', 'external_id.linked', 'application.updated']);
  });

  it('when ten upserts of one unknown id arrive at once, then one application is created (201) and nine read it back (200)', async () => {
    const candidateId = await newCandidate();
    const id = uniq('race');
    const answers = await Promise.all(Array.from({ length: 10 }, () => put(`applications/by-external-id/greenhouse/${id}`, { candidateId, positionId: s.position.id })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => json<Application>(a).id)).size).toBe(1);
    expect(await countWhere('applications', 'candidate_id', candidateId)).toBe(1);
    expect(await countWhere('external_ids', 'external_id', id)).toBe(1);
    expect(json<Application>(answers[0]!).version).toBe(1);
  });

  it('when a create would be refused, then the upsert answers what POST /v1/applications answers, naming the field, and writes nothing', async () => {
    const candidateId = await newCandidate();
    const unknown = '01938a8e-0000-7000-8000-00000000dead';
    for (const body of [
      { candidateId: unknown, positionId: s.position.id },
      { candidateId, positionId: unknown },
      { candidateId, positionId: s.position.id, ownerId: unknown },
      // Already put forward (the story's application): 409 already_exists with its id.
      { candidateId: s.candidate.id, positionId: s.position.id },
    ]) {
      const id = uniq('bad');
      const viaPut = await put(`applications/by-external-id/bullhorn/${id}`, body);
      const viaPost = await post('applications', body);
      expect(viaPut.statusCode).toBeGreaterThanOrEqual(400);
      expect(problemOf(viaPut), JSON.stringify(body)).toEqual(problemOf(viaPost));
      expect(fieldsOf(viaPut)).toHaveLength(1);
      expect(await countWhere('external_ids', 'external_id', id)).toBe(0);
    }
    expect(fieldsOf(await put(`applications/by-external-id/bullhorn/${uniq('x')}`, { candidateId: unknown, positionId: s.position.id }))).toEqual(['body.candidateId']);
    expect(await countWhere('applications', 'candidate_id', candidateId)).toBe(0);

    // What the create requires, named; what it does not know, named.
    const missing = await put(`applications/by-external-id/bullhorn/${uniq('x')}`, { candidateId });
    expectProblem(missing, 400, 'validation_failed');
    expect(fieldsOf(missing)).toEqual(['body.positionId']);
    const stray = await put(`applications/by-external-id/bullhorn/${uniq('x')}`, { candidateId, positionId: s.position.id, stage: 'offer' });
    expectProblem(stray, 400, 'validation_failed');
    expect(await countWhere('applications', 'candidate_id', candidateId)).toBe(0);
  });

  it('when the linked application is for another candidate or position, then 409 names the field and nothing changes', async () => {
    const candidateId = await newCandidate();
    const id = uniq('app');
    const a = json<Application>(await put(`applications/by-external-id/jobadder/${id}`, { candidateId, positionId: s.position.id }));
    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    const other = await put(`applications/by-external-id/jobadder/${id}`, { candidateId: s.candidate.id, ownerId: recruiter.id });
    expectProblem(other, 409, 'conflict');
    expect(fieldsOf(other)).toEqual(['body.candidateId']);
    const moved = await put(`applications/by-external-id/jobadder/${id}`, { positionId: s.district.id });
    expectProblem(moved, 409, 'conflict');
    expect(fieldsOf(moved)).toEqual(['body.positionId']);
    expect(json<Application>(await get(`applications/${a.id}`))).toMatchObject({ ownerId: tenant.ownerId, version: 1 });
    expectProblem(await get(`applications/by-external-id/jobadder/${uniq('none')}`), 404, 'not_found');
  });
});

describe('upsert of interviews by external id', () => {
  it('when the id is unknown, then 201 schedules it as POST /v1/interviews does: the same events, the application to interviewing, one invite per attendee', async () => {
    const [s, twin] = await Promise.all([recruitingStory(t.app, tenant), recruitingStory(t.app, tenant)]);
    const startsAt = inDays(10);
    const id = uniq('iv');
    const created = await put(`interviews/by-external-id/bullhorn/${id}`, interviewBody(s, startsAt));
    expect(created.statusCode, created.body).toBe(201);
    const i = json<Interview>(created);
    expect(i).toMatchObject({ applicationId: s.application.id, status: 'scheduled', round: 1, location: 'Room 12', startsAt: startsAt.toISOString(), version: 1 });
    expect(i.participants.map((p) => [p.contactId, p.role])).toEqual([[s.principal.id, 'hiring_manager'], [s.teacher.id, 'interviewer']]);
    expect(created.headers.location).toBe(`/v1/interviews/${i.id}`);
    expect(created.headers.etag).toBe('"1"');
    expect(json<Application>(await get(`applications/${s.application.id}`)).stage).toBe('interviewing');

    // The same interview by POST, on a twin story: the same events and invites.
    const posted = json<Interview>(await post('interviews', interviewBody(twin, startsAt)));
    const own = (types: string[]) => types.filter((x) => x !== 'external_id.linked');
    expect(own(await eventsOf(i.id, 'interviewId'))).toEqual(await eventsOf(posted.id, 'interviewId'));
    expect(await eventsOf(i.id, 'interviewId')).toEqual(['interview.scheduled', 'external_id.linked']);
    expect(await inviteCount(i.id)).toBe(3); // the two participants and the candidate
    expect(await inviteCount(posted.id)).toBe(3);

    const read = await get(`interviews/by-external-id/bullhorn/${id}`);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(json<Interview>(read)).toEqual(json<Interview>(await get(`interviews/${i.id}`)));

    // The same body again: nothing changes, nothing is sent again.
    const again = await put(`interviews/by-external-id/bullhorn/${id}`, interviewBody(s, startsAt));
    expect(again.statusCode, again.body).toBe(200);
    expect(json<Interview>(again)).toEqual(json<Interview>(read));
    expect(await inviteCount(i.id)).toBe(3);
    expect(await eventsOf(i.id, 'interviewId')).toEqual(['interview.scheduled', 'external_id.linked']);
    // Another agency does not know the id.
    const other = await newTenant(t.app);
    expectProblem(await get(`interviews/by-external-id/bullhorn/${id}`, other.token), 404, 'not_found');
    expectProblem(await get(`applications/by-external-id/bullhorn/${id}`), 404, 'not_found');
  });

  it('when the interview exists, then changes go as their routes by id make them: PATCH fields, a reschedule, participants added and removed, each with its event and new invites', async () => {
    const s = await recruitingStory(t.app, tenant);
    const id = uniq('iv');
    const startsAt = inDays(12);
    const i = json<Interview>(await put(`interviews/by-external-id/greenhouse/${id}`, interviewBody(s, startsAt)));

    const patched = await put(`interviews/by-external-id/greenhouse/${id}`, interviewBody(s, startsAt, { location: 'Library', notes: 'Bring a lesson plan' }));
    expect(patched.statusCode, patched.body).toBe(200);
    expect(json<Interview>(patched)).toMatchObject({ id: i.id, location: 'Library', notes: 'Bring a lesson plan', version: 2 });
    expect(patched.headers.etag).toBe('"2"');

    const later = inDays(13);
    const moved = await put(`interviews/by-external-id/greenhouse/${id}`, interviewBody(s, later, { location: 'Library', notes: 'Bring a lesson plan' }));
    expect(moved.statusCode, moved.body).toBe(200);
    expect(json<Interview>(moved)).toMatchObject({ startsAt: later.toISOString(), endsAt: new Date(later.getTime() + 3600_000).toISOString(), status: 'scheduled', version: 3 });

    // The principal is left out; the district's superintendent comes in.
    const people = await put(`interviews/by-external-id/greenhouse/${id}`, {
      participants: [{ contactId: s.teacher.id }, { contactId: s.superintendent.id, role: 'coordinator' }],
    });
    expect(people.statusCode, people.body).toBe(200);
    const after = json<Interview>(people);
    expect(after.participants.map((p) => [p.contactId, p.role, p.highlight])).toEqual([
      // One already there keeps their role and highlight.
      [s.teacher.id, 'interviewer', 'Loved the reading-corner idea'],
      [s.superintendent.id, 'coordinator', null],
    ]);
    expect(after.version).toBe(5);
    expect(await eventsOf(i.id, 'interviewId')).toEqual([
      'interview.scheduled',
      'external_id.linked',
      'interview.updated',
      'interview.rescheduled',
      'interview.participant_added',
      'interview.participant_removed',
    ]);
    // The principal's invite is cancelled; the others were sent again at each change of the event.
    const invites = await adminPool().query<{ attendee: string; method: string; status: string }>(
      `SELECT attendee, method, status FROM calendar_invites WHERE interview_id = $1 AND status <> 'superseded' ORDER BY attendee`,
      [i.id],
    );
    expect(invites.rows.map((r) => [r.attendee, r.method])).toEqual([
      ['candidate', 'REQUEST'],
      [`contact:${s.principal.id}`, 'CANCEL'],
      [`contact:${s.teacher.id}`, 'REQUEST'],
    ]);
  });

  it('when ten upserts of one unknown id arrive at once, then one interview is scheduled (201), its invites planned once', async () => {
    const s = await recruitingStory(t.app, tenant);
    const id = uniq('race');
    const body = interviewBody(s, inDays(14));
    const answers = await Promise.all(Array.from({ length: 10 }, () => put(`interviews/by-external-id/jobadder/${id}`, body)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(answers.map((a) => json<Interview>(a).id));
    expect(ids.size).toBe(1);
    const [interviewId] = [...ids];
    expect(await countWhere('interviews', 'application_id', s.application.id)).toBe(1);
    expect(await countWhere('external_ids', 'external_id', id)).toBe(1);
    expect(await inviteCount(interviewId!)).toBe(3);
    expect(answers.every((a) => json<Interview>(a).version === 1)).toBe(true);
  });

  it('when an interview that took place is upserted twice with the same body, then its follow-ups are planned once: at completion, not again', async () => {
    const s = await recruitingStory(t.app, tenant);
    const id = uniq('done');
    const body = interviewBody(s, new Date(Date.now() - 3 * 3600_000));
    const first = await put(`interviews/by-external-id/bullhorn/${id}`, body);
    expect(first.statusCode, first.body).toBe(201);
    const i = json<Interview>(first);
    // Entered after the fact: no invites, and nothing to follow up until it is completed.
    expect(await inviteCount(i.id)).toBe(0);
    expect(await followUpCount(i.id)).toBe(0);
    const done = await post(`interviews/${i.id}/complete`, { highlights: 'The demo lesson landed well' });
    expect(done.statusCode, done.body).toBe(200);
    const planned = await followUpCount(i.id);
    expect(planned).toBeGreaterThan(0);
    const before = await eventsOf(i.id, 'interviewId');
    expect(before.filter((x) => x === 'followup.planned')).toHaveLength(planned);

    const again = await put(`interviews/by-external-id/bullhorn/${id}`, body);
    expect(again.statusCode, again.body).toBe(200);
    expect(json<Interview>(again)).toMatchObject({ id: i.id, status: 'completed', version: json<Interview>(done).version, highlights: 'The demo lesson landed well' });
    expect(await followUpCount(i.id)).toBe(planned);
    expect(await eventsOf(i.id, 'interviewId')).toEqual(before);
    expect(await inviteCount(i.id)).toBe(0);
  });

  it('bad input: the field is named, as POST /v1/interviews names it on create; a later change its route refuses is refused whole', async () => {
    const s = await recruitingStory(t.app, tenant);
    const startsAt = inDays(20);
    const unknown = '01938a8e-0000-7000-8000-00000000beef';
    const cases: [object, string[]][] = [
      [interviewBody(s, startsAt, { applicationId: unknown }), ['body.applicationId']],
      [interviewBody(s, startsAt, { participants: [{ contactId: unknown }] }), ['body.participants.0.contactId']],
    ];
    for (const [body, fields] of cases) {
      const id = uniq('bad');
      const viaPut = await put(`interviews/by-external-id/bullhorn/${id}`, body);
      expect(problemOf(viaPut)).toEqual(problemOf(await post('interviews', body)));
      expect(fieldsOf(viaPut)).toEqual(fields);
      expect(await countWhere('external_ids', 'external_id', id)).toBe(0);
    }
    const { startsAt: _s, endsAt: _e, timeZone: _z, ...untimed } = interviewBody(s, startsAt);
    const noTimes = await put(`interviews/by-external-id/bullhorn/${uniq('bad')}`, untimed);
    expectProblem(noTimes, 400, 'validation_failed');
    expect(fieldsOf(noTimes).sort()).toEqual(['body.endsAt', 'body.startsAt', 'body.timeZone']);
    const highlights = await put(`interviews/by-external-id/bullhorn/${uniq('bad')}`, interviewBody(s, startsAt, { highlights: 'Too soon' }));
    expectProblem(highlights, 400, 'validation_failed');
    expect(fieldsOf(highlights)).toEqual(['body.highlights']);
    const backwards = await put(`interviews/by-external-id/bullhorn/${uniq('bad')}`, interviewBody(s, startsAt, { endsAt: startsAt.toISOString() }));
    expectProblem(backwards, 400, 'validation_failed');
    expect(fieldsOf(backwards)).toEqual(['body.endsAt']);
    expect(await countWhere('interviews', 'application_id', s.application.id)).toBe(0);

    const id = uniq('iv');
    const i = json<Interview>(await put(`interviews/by-external-id/bullhorn/${id}`, interviewBody(s, startsAt)));
    const unchanged = async () => expect(json<Interview>(await get(`interviews/${i.id}`))).toEqual(i);
    // A new place and an unknown third participant: the participant is named where it was sent, and the place is not changed either.
    const stranger = await put(`interviews/by-external-id/bullhorn/${id}`, {
      location: 'Gym',
      participants: [{ contactId: s.principal.id }, { contactId: s.teacher.id }, { contactId: unknown }],
    });
    expectProblem(stranger, 400, 'validation_failed');
    expect(fieldsOf(stranger)).toEqual(['body.participants.2.contactId']);
    await unchanged();
    const twice = await put(`interviews/by-external-id/bullhorn/${id}`, { participants: [{ contactId: s.teacher.id }, { contactId: s.teacher.id }] });
    expectProblem(twice, 400, 'validation_failed');
    expect(fieldsOf(twice)).toEqual(['body.participants.1.contactId']);
    const elsewhere = await put(`interviews/by-external-id/bullhorn/${id}`, { applicationId: unknown });
    expectProblem(elsewhere, 409, 'conflict');
    expect(fieldsOf(elsewhere)).toEqual(['body.applicationId']);
    // Only a start later than the kept end: named.
    const pastEnd = await put(`interviews/by-external-id/bullhorn/${id}`, { startsAt: new Date(startsAt.getTime() + 2 * 3600_000).toISOString() });
    expectProblem(pastEnd, 400, 'validation_failed');
    expect(fieldsOf(pastEnd)).toEqual(['body.startsAt']);
    await unchanged();

    // A cancelled interview is not rescheduled (409, as POST …/reschedule answers), and nothing else of the body is applied.
    expect((await post(`interviews/${i.id}/cancel`, { reason: 'The position was put on hold' })).statusCode).toBe(200);
    const cancelled = json<Interview>(await get(`interviews/${i.id}`));
    const resched = await put(`interviews/by-external-id/bullhorn/${id}`, interviewBody(s, inDays(21), { notes: 'Moved' }));
    expectProblem(resched, 409, 'conflict');
    expect(json<Interview>(await get(`interviews/${i.id}`))).toEqual(cancelled);
  });
});
