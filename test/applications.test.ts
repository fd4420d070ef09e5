import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, uniq, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, timeline } from './helpers/db.js';
import { fixedClock } from '../src/lib/clock.js';

let t: TestApp;
let tenant: TestTenant;
const clock = fixedClock('2026-12-01T15:00:00Z');
const NIL = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await createTestApp({ clock });
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Application = Schemas['ApplicationDetail'];
type Stage = Application['stage'];
type Outcome = Schemas['Outcome'];
type Reply = Schemas['EmployerReply'];
type Headers = Record<string, string>;

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers: Headers = {}, token = tenant.token) =>
  t.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });
const created = async (url: string, payload: object, token = tenant.token) => {
  const res = await call('POST', url, payload, {}, token);
  if (res.statusCode !== 201) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string } & Record<string, unknown>;
};

/** An open position and a candidate, ready to be put together. */
async function pair(token = tenant.token, positionStatus = 'open') {
  const employer = await created('/v1/employers', { name: `School ${uniq()}` }, token);
  const position = await created('/v1/positions', { employerId: employer.id, title: 'Grade 3 Teacher', status: positionStatus }, token);
  const candidate = await created('/v1/candidates', { name: 'Jordan Lee', email: `${uniq('c')}@example.org` }, token);
  return { positionId: position.id, candidateId: candidate.id };
}
const newApplication = async (token = tenant.token) => json<Application>(await call('POST', '/v1/applications', await pair(token), {}, token));
const move = (id: string, stage: Stage, reason?: string, headers: Headers = {}) =>
  call('POST', `/v1/applications/${id}/stage`, { stage, ...(reason ? { reason } : {}) }, headers);
const outcome = (id: string, payload: object) => call('POST', `/v1/applications/${id}/outcomes`, payload);
const replyTo = (id: string, payload: object) => call('POST', `/v1/applications/${id}/replies`, payload);
const get = async (id: string) => json<Application>(await call('GET', `/v1/applications/${id}`));

/** An interview row written directly, to test replies without depending on the interviews API. */
async function interview(applicationId: string, startsAt: string, status = 'scheduled', decisionExpectedBy: string | null = null) {
  const id = randomUUID();
  const start = new Date(startsAt);
  await adminPool().query(
    `INSERT INTO interviews (tenant_id, id, application_id, format, starts_at, ends_at, time_zone, arranged_via, status, decision_expected_by)
     VALUES ($1, $2, $3, 'onsite', $4, $5, 'America/New_York', 'email', $6, $7)`,
    [tenant.tenantId, id, applicationId, start, new Date(start.getTime() + 3600_000), status, decisionExpectedBy],
  );
  return id;
}
const interviewRow = async (id: string) =>
  (await adminPool().query<{ decision_expected_by: string | null; version: number }>(
    `SELECT to_char(decision_expected_by, 'YYYY-MM-DD') AS decision_expected_by, version FROM interviews WHERE id = $1`,
    [id],
  )).rows[0]!;

describe('putting a candidate forward', () => {
  it('when a recruiter puts a candidate forward, then the application starts submitted, owned by them, with its first history entry', async () => {
    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    const refs = await pair();
    const res = await call('POST', '/v1/applications', refs, {}, recruiter.token);
    expect(res.statusCode).toBe(201);
    const a = json<Application>(res);
    expect(res.headers.location).toBe(`/v1/applications/${a.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(a).toMatchObject({
      ...refs,
      ownerId: recruiter.id,
      stage: 'submitted',
      stageChangedAt: '2026-12-01T15:00:00.000Z',
      version: 1,
      latestOutcome: null,
      stageHistory: [{ from: null, to: 'submitted', reason: null, actor: { type: 'user', id: recruiter.id }, at: '2026-12-01T15:00:00.000Z' }],
    });
    const read = await call('GET', `/v1/applications/${a.id}`);
    expect(read.headers.etag).toBe('"1"');
    expect(json<Application>(read)).toEqual(a);
  });

  it('when the owner is named, then they must be an active recruiter or above of the agency', async () => {
    const admin = await userWithRole(t.app, tenant, 'admin');
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const gone = await userWithRole(t.app, tenant, 'recruiter');
    await call('PATCH', `/v1/users/${gone.id}`, { status: 'deactivated' });
    const other = await newTenant(t.app);
    expect(json<Application>(await call('POST', '/v1/applications', { ...(await pair()), ownerId: admin.id })).ownerId).toBe(admin.id);
    for (const ownerId of [viewer.id, gone.id, other.ownerId, NIL]) {
      const p = expectProblem(await call('POST', '/v1/applications', { ...(await pair()), ownerId }), 400, 'validation_failed');
      expect(p.errors?.map((e) => e.field), ownerId).toEqual(['body.ownerId']);
    }
  });

  it('when an API key puts a candidate forward, then it must name the owner', async () => {
    const key = await apiKey(t.app, tenant, ['candidates:read', 'candidates:write']);
    const refs = await pair();
    const p = expectProblem(await call('POST', '/v1/applications', refs, {}, key.secret), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual(['body.ownerId']);
    const a = json<Application>(await call('POST', '/v1/applications', { ...refs, ownerId: tenant.ownerId }, {}, key.secret));
    expect(a).toMatchObject({ ownerId: tenant.ownerId, stageHistory: [{ actor: { type: 'api_key', id: key.id } }] });
  });

  it('when the candidate is already up for the position, then 409 already_exists names the existing application', async () => {
    const refs = await pair();
    const first = json<Application>(await call('POST', '/v1/applications', refs));
    const p = expectProblem(await call('POST', '/v1/applications', refs), 409, 'already_exists');
    expect(p.existingId).toBe(first.id);
    expect(p.errors?.map((e) => e.field)).toEqual(['body.positionId']);
  });

  it.each(['on_hold', 'filled', 'closed'])('when the position is %s, then 409 names body.positionId', async (status) => {
    const p = expectProblem(await call('POST', '/v1/applications', await pair(tenant.token, status)), 409, 'conflict');
    expect(p.errors?.map((e) => e.field)).toEqual(['body.positionId']);
  });

  it('when the candidate was erased, then 409 names body.candidateId', async () => {
    const refs = await pair();
    await call('POST', `/v1/candidates/${refs.candidateId}/erase`);
    const p = expectProblem(await call('POST', '/v1/applications', refs), 409, 'conflict');
    expect(p.errors?.map((e) => e.field)).toEqual(['body.candidateId']);
  });

  it.each([
    [{ positionId: NIL }, 'body.candidateId'],
    [{ candidateId: 'nope', positionId: NIL }, 'body.candidateId'],
    [{ candidateId: NIL, positionId: 'nope' }, 'body.positionId'],
    [{ candidateId: NIL, positionId: NIL, ownerId: 'me' }, 'body.ownerId'],
    [{ candidateId: NIL, positionId: NIL, stage: 'offer' }, 'body.stage'],
  ])('when the body is %j, then 400 names %s', async (payload, field) => {
    const p = expectProblem(await call('POST', '/v1/applications', payload), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual([field]);
  });

  it('when the candidate or the position is not the agency’s, then 400 names the field', async () => {
    const mine = await pair();
    const theirs = await pair((await newTenant(t.app)).token);
    const c = expectProblem(await call('POST', '/v1/applications', { ...mine, candidateId: theirs.candidateId }), 400, 'validation_failed');
    expect(c.errors?.map((e) => e.field)).toEqual(['body.candidateId']);
    const p = expectProblem(await call('POST', '/v1/applications', { ...mine, positionId: theirs.positionId }), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual(['body.positionId']);
  });

  it('a viewer reads applications but cannot put anyone forward or move them', async () => {
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const a = await newApplication();
    expect((await call('GET', `/v1/applications/${a.id}`, undefined, {}, viewer.token)).statusCode).toBe(200);
    expectProblem(await call('POST', '/v1/applications', await pair(), {}, viewer.token), 403, 'forbidden');
    expectProblem(await call('POST', `/v1/applications/${a.id}/stage`, { stage: 'rejected' }, {}, viewer.token), 403, 'forbidden');
  });
});

describe('listing applications', () => {
  it('lists newest first, page by page, filtered by stage, position, candidate and owner', async () => {
    const own = await newTenant(t.app);
    const recruiter = await userWithRole(t.app, own, 'recruiter');
    const first = await pair(own.token);
    const a1 = await newApplication(own.token);
    const a2 = json<Application>(await call('POST', '/v1/applications', first, {}, own.token));
    const a3 = json<Application>(await call('POST', '/v1/applications', { ...(await pair(own.token)), candidateId: first.candidateId, ownerId: recruiter.id }, {}, own.token));
    await call('POST', `/v1/applications/${a2.id}/stage`, { stage: 'interviewing' }, {}, own.token);
    const ids = async (qs: string) =>
      ((await call('GET', `/v1/applications?${qs}`, undefined, {}, own.token)).json().data as Application[]).map((a) => a.id);
    expect(await ids('')).toEqual([a3.id, a2.id, a1.id]);
    expect(await ids('stage=interviewing')).toEqual([a2.id]);
    expect(await ids(`positionId=${first.positionId}`)).toEqual([a2.id]);
    expect(await ids(`candidateId=${first.candidateId}`)).toEqual([a3.id, a2.id]);
    expect(await ids(`ownerId=${recruiter.id}`)).toEqual([a3.id]);
    const page1 = (await call('GET', '/v1/applications?limit=2', undefined, {}, own.token)).json();
    const page2 = (await call('GET', `/v1/applications?limit=2&cursor=${page1.nextCursor}`, undefined, {}, own.token)).json();
    expect([...page1.data, ...page2.data].map((a: Application) => a.id)).toEqual([a3.id, a2.id, a1.id]);
    expect(page2.nextCursor).toBeNull();
    expect(expectProblem(await call('GET', '/v1/applications?stage=done', undefined, {}, own.token), 400).errors?.[0]?.field).toBe('query.stage');
    expect(expectProblem(await call('GET', '/v1/applications?ownerId=me', undefined, {}, own.token), 400).errors?.[0]?.field).toBe('query.ownerId');
  });
});

describe('stages', () => {
  it('when an application moves along allowed stages, then each move is kept in order with its reason and actor', async () => {
    const a = await newApplication();
    clock.advance(3600_000);
    const moved = await move(a.id, 'interviewing', 'First round booked');
    expect(moved.statusCode).toBe(200);
    expect(moved.headers.etag).toBe('"2"');
    clock.advance(3600_000);
    await move(a.id, 'on_hold', 'Budget review');
    await move(a.id, 'offer');
    const hired = json<Application>(await move(a.id, 'hired', 'Signed'));
    expect(hired).toMatchObject({ stage: 'hired', version: 5, stageChangedAt: '2026-12-01T17:00:00.000Z' });
    expect(hired.stageHistory.map((h) => [h.from, h.to, h.reason])).toEqual([
      [null, 'submitted', null],
      ['submitted', 'interviewing', 'First round booked'],
      ['interviewing', 'on_hold', 'Budget review'],
      ['on_hold', 'offer', null],
      ['offer', 'hired', 'Signed'],
    ]);
    expect(hired.stageHistory.map((h) => h.at)).toEqual([
      '2026-12-01T15:00:00.000Z',
      '2026-12-01T16:00:00.000Z',
      '2026-12-01T17:00:00.000Z',
      '2026-12-01T17:00:00.000Z',
      '2026-12-01T17:00:00.000Z',
    ]);
    expect(await get(a.id)).toEqual(hired);
    clock.set('2026-12-01T15:00:00Z');
  });

  it.each([
    [[], 'hired'],
    [['interviewing'], 'submitted'],
    [['rejected'], 'interviewing'],
    [['withdrawn'], 'submitted'],
    [['offer', 'hired'], 'rejected'],
  ] as [Stage[], Stage][])('when the application went through %j, then a move to %s is 409 and changes nothing', async (path, to) => {
    const a = await newApplication();
    for (const s of path) expect((await move(a.id, s)).statusCode).toBe(200);
    const before = await get(a.id);
    const p = expectProblem(await move(a.id, to), 409, 'conflict');
    expect(p.errors?.map((e) => e.field)).toEqual(['body.stage']);
    expect(p).toMatchObject({ from: before.stage, to });
    expect(await get(a.id)).toEqual(before);
  });

  it('when the stage sent is the current one, then nothing changes', async () => {
    const a = await newApplication();
    const same = await move(a.id, 'submitted');
    expect(same.statusCode).toBe(200);
    expect(json<Application>(same)).toEqual(a);
  });

  it('when If-Match names an old version, then the move and the owner change are 412', async () => {
    const a = await newApplication();
    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    expect((await move(a.id, 'interviewing', undefined, { 'if-match': '"1"' })).statusCode).toBe(200);
    expectProblem(await move(a.id, 'offer', undefined, { 'if-match': '"1"' }), 412, 'precondition_failed');
    expectProblem(await call('PATCH', `/v1/applications/${a.id}`, { ownerId: recruiter.id }, { 'if-match': '"1"' }), 412, 'precondition_failed');
    const ok = await call('PATCH', `/v1/applications/${a.id}`, { ownerId: recruiter.id }, { 'if-match': '"2"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"3"');
    expect(json<Application>(ok)).toMatchObject({ ownerId: recruiter.id, stage: 'interviewing', version: 3 });
  });

  it('when the new owner is not a recruiter, then 400 names body.ownerId', async () => {
    const a = await newApplication();
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const p = expectProblem(await call('PATCH', `/v1/applications/${a.id}`, { ownerId: viewer.id }), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual(['body.ownerId']);
    expect(expectProblem(await call('PATCH', `/v1/applications/${a.id}`, {}), 400).errors?.[0]?.field).toBe('body.ownerId');
    expect(expectProblem(await move(a.id, 'done' as Stage), 400).errors?.[0]?.field).toBe('body.stage');
    expect((await get(a.id)).version).toBe(1);
  });
});

describe('outcomes', () => {
  it.each([
    ['offer', [], 'offer'],
    ['offer', ['interviewing'], 'offer'],
    ['hired', ['offer'], 'hired'],
    ['rejected', ['interviewing'], 'rejected'],
    ['filled_by_other', [], 'rejected'],
    ['on_hold', ['interviewing'], 'on_hold'],
    ['withdrawn', ['offer'], 'withdrawn'],
    ['no_decision', ['interviewing'], 'interviewing'],
  ] as [Outcome['kind'], Stage[], Stage][])('when %s is logged after %j, then the application is %s', async (kind, path, stage) => {
    const a = await newApplication();
    for (const s of path) await move(a.id, s);
    const res = await outcome(a.id, { kind, reason: 'Panel decision' });
    expect(res.statusCode).toBe(201);
    const o = json<Schemas['LoggedOutcome']>(res);
    expect(res.headers.location).toBe(`/v1/applications/${a.id}/outcomes/${o.id}`);
    expect(o).toMatchObject({ applicationId: a.id, kind, reason: 'Panel decision', notes: null, actor: { type: 'user', id: tenant.ownerId }, application: { id: a.id, stage } });
    const after = await get(a.id);
    expect(after.stage).toBe(stage);
    expect(after.version).toBe(o.application.version);
    const { application: _a, ...logged } = o;
    expect(after.latestOutcome).toEqual(logged);
    expect(json<Outcome>(await call('GET', `/v1/applications/${a.id}/outcomes/${o.id}`))).toEqual(logged);
    if (stage !== path.at(-1) && stage !== 'submitted') expect(after.stageHistory.at(-1)).toMatchObject({ to: stage, reason: `Outcome ${kind}: Panel decision` });
  });

  it('when hired is logged straight from submitted, then 409 names body.kind', async () => {
    const a = await newApplication();
    const p = expectProblem(await outcome(a.id, { kind: 'hired' }), 409, 'conflict');
    expect(p.errors?.map((e) => e.field)).toEqual(['body.kind']);
    expect(p).toMatchObject({ from: 'submitted', to: 'hired' });
  });

  it.each(['hired', 'rejected', 'withdrawn'] as Stage[])('when the application is %s (closed), then any outcome is 409', async (closed) => {
    const a = await newApplication();
    if (closed === 'hired') await move(a.id, 'offer');
    await move(a.id, closed);
    expectProblem(await outcome(a.id, { kind: 'no_decision' }), 409, 'conflict');
    expectProblem(await outcome(a.id, { kind: 'rejected' }), 409, 'conflict');
  });

  it('lists the outcomes newest first, and GET shows the latest', async () => {
    const a = await newApplication();
    await outcome(a.id, { kind: 'no_decision', notes: 'Waiting on references' });
    await outcome(a.id, { kind: 'on_hold' });
    const last = json<Outcome>(await outcome(a.id, { kind: 'offer' }));
    const list = (await call('GET', `/v1/applications/${a.id}/outcomes`)).json();
    expect(list.data.map((o: Outcome) => o.kind)).toEqual(['offer', 'on_hold', 'no_decision']);
    expect(list.data[2].notes).toBe('Waiting on references');
    expect((await get(a.id)).latestOutcome?.id).toBe(last.id);
    const page = (await call('GET', `/v1/applications/${a.id}/outcomes?limit=2`)).json();
    const rest = (await call('GET', `/v1/applications/${a.id}/outcomes?limit=2&cursor=${page.nextCursor}`)).json();
    expect(rest.data.map((o: Outcome) => o.kind)).toEqual(['no_decision']);
  });

  it.each([
    [{}, 'body.kind'],
    [{ kind: 'maybe' }, 'body.kind'],
    [{ kind: 'offer', reason: '' }, 'body.reason'],
    [{ kind: 'offer', notes: 'x'.repeat(10_001) }, 'body.notes'],
  ])('when the outcome is %j, then 400 names %s', async (payload, field) => {
    const a = await newApplication();
    expect(expectProblem(await outcome(a.id, payload), 400, 'validation_failed').errors?.map((e) => e.field)).toEqual([field]);
  });

  it('when an outcome’s stage move fails after the outcome was written, then no outcome, activity or event is left', async () => {
    const a = await newApplication();
    const count = async () =>
      (
        await adminPool().query<{ outcomes: number; activities: number; events: number }>(
          `SELECT (SELECT count(*)::int FROM outcomes WHERE application_id = $1) AS outcomes,
                  (SELECT count(*)::int FROM activities WHERE application_id = $1) AS activities,
                  (SELECT count(*)::int FROM events WHERE payload->'data'->>'applicationId' = $1::text) AS events`,
          [a.id],
        )
      ).rows[0]!;
    expect(await count()).toEqual({ outcomes: 0, activities: 1, events: 1 });
    expectProblem(await outcome(a.id, { kind: 'hired', reason: 'Too soon' }), 409, 'conflict');
    expect(await count()).toEqual({ outcomes: 0, activities: 1, events: 1 });
    expect(await get(a.id)).toEqual(a);
  });
});

describe('employer replies', () => {
  it('when a reply brings a new timeline, then it goes on the latest interview that was not cancelled', async () => {
    const a = await newApplication();
    const first = await interview(a.id, '2026-11-20T15:00:00Z', 'completed', '2026-12-05');
    const second = await interview(a.id, '2026-11-27T15:00:00Z', 'completed', '2026-12-05');
    await interview(a.id, '2026-12-04T15:00:00Z', 'cancelled');
    const res = await replyTo(a.id, { channel: 'email', summary: 'Deciding next week', newDecisionExpectedBy: '2026-12-11' });
    expect(res.statusCode).toBe(201);
    const r = json<Schemas['RecordedEmployerReply']>(res);
    expect(res.headers.location).toBe(`/v1/applications/${a.id}/replies/${r.id}`);
    expect(r).toMatchObject({
      applicationId: a.id,
      interviewId: null,
      channel: 'email',
      receivedAt: '2026-12-01T15:00:00.000Z',
      newDecisionExpectedBy: '2026-12-11',
      suggestedOutcome: null,
      source: 'manual',
      updatedInterview: { id: second, decisionExpectedBy: '2026-12-11', version: 2 },
    });
    expect(await interviewRow(second)).toEqual({ decision_expected_by: '2026-12-11', version: 2 });
    expect(await interviewRow(first)).toEqual({ decision_expected_by: '2026-12-05', version: 1 });
  });

  it('when the reply names its interview, then that interview takes the timeline', async () => {
    const a = await newApplication();
    const first = await interview(a.id, '2026-11-20T15:00:00Z', 'completed');
    const second = await interview(a.id, '2026-11-27T15:00:00Z');
    const r = json<Schemas['RecordedEmployerReply']>(
      await replyTo(a.id, { channel: 'phone', summary: 'Call back', interviewId: first, newDecisionExpectedBy: '2026-12-09', receivedAt: '2026-12-01T14:00:00Z' }),
    );
    expect(r).toMatchObject({ interviewId: first, receivedAt: '2026-12-01T14:00:00.000Z', updatedInterview: { id: first, decisionExpectedBy: '2026-12-09', version: 2 } });
    expect(await interviewRow(second)).toEqual({ decision_expected_by: null, version: 1 });
    const plain = json<Schemas['RecordedEmployerReply']>(await replyTo(a.id, { channel: 'email', summary: 'Thanks', interviewId: second }));
    expect(plain).toMatchObject({ interviewId: second, updatedInterview: null });
    expect(await interviewRow(second)).toEqual({ decision_expected_by: null, version: 1 });
  });

  it('when there is no interview, then the reply is kept and no interview is updated', async () => {
    const a = await newApplication();
    const r = json<Schemas['RecordedEmployerReply']>(await replyTo(a.id, { channel: 'email', summary: 'Soon', newDecisionExpectedBy: '2026-12-11' }));
    expect(r.updatedInterview).toBeNull();
  });

  it('when the application is closed, then a reply is still recorded (it may be the rejection)', async () => {
    const a = await newApplication();
    await move(a.id, 'rejected');
    const res = await replyTo(a.id, { channel: 'email', summary: 'Went with another candidate', suggestedOutcome: 'filled_by_other' });
    expect(res.statusCode).toBe(201);
    expect(json<Reply>(res).suggestedOutcome).toBe('filled_by_other');
  });

  it('lists the replies newest first', async () => {
    const a = await newApplication();
    for (const summary of ['one', 'two', 'three']) await replyTo(a.id, { channel: 'email', summary });
    const list = (await call('GET', `/v1/applications/${a.id}/replies`)).json();
    expect(list.data.map((r: Reply) => r.summary)).toEqual(['three', 'two', 'one']);
    expect(json<Reply>(await call('GET', `/v1/applications/${a.id}/replies/${list.data[0].id}`))).toEqual(list.data[0]);
    expectProblem(await call('GET', `/v1/applications/${a.id}/replies/${NIL}`), 404, 'not_found');
  });

  it.each([
    [{ summary: 'x' }, 'body.channel'],
    [{ channel: 'fax', summary: 'x' }, 'body.channel'],
    [{ channel: 'email', summary: ' ' }, 'body.summary'],
    [{ channel: 'email', summary: 'x', newDecisionExpectedBy: '12/11/2026' }, 'body.newDecisionExpectedBy'],
    [{ channel: 'email', summary: 'x', receivedAt: 'yesterday' }, 'body.receivedAt'],
    [{ channel: 'email', summary: 'x', receivedAt: '2026-12-02T15:00:00Z' }, 'body.receivedAt'],
    [{ channel: 'email', summary: 'x', suggestedOutcome: 'maybe' }, 'body.suggestedOutcome'],
    [{ channel: 'email', summary: 'x', interviewId: NIL }, 'body.interviewId'],
  ])('when the reply is %j, then 400 names %s', async (payload, field) => {
    const a = await newApplication();
    expect(expectProblem(await replyTo(a.id, payload), 400, 'validation_failed').errors?.map((e) => e.field)).toEqual([field]);
  });

  it('when the interview named belongs to another application, then 400 names body.interviewId and nothing is kept', async () => {
    const a = await newApplication();
    const other = await newApplication();
    const theirs = await interview(other.id, '2026-11-27T15:00:00Z');
    const p = expectProblem(await replyTo(a.id, { channel: 'email', summary: 'x', interviewId: theirs, newDecisionExpectedBy: '2026-12-11' }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['body.interviewId']);
    expect((await call('GET', `/v1/applications/${a.id}/replies`)).json().data).toEqual([]);
    expect(await interviewRow(theirs)).toEqual({ decision_expected_by: null, version: 1 });
  });
});

describe('the application’s timeline', () => {
  it('shows every change in order, each with its event written in the same transaction', async () => {
    const a = await newApplication();
    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    await move(a.id, 'interviewing', 'First round');
    const i = await interview(a.id, '2026-11-27T15:00:00Z', 'completed');
    await replyTo(a.id, { channel: 'email', summary: 'By the 11th', newDecisionExpectedBy: '2026-12-11' });
    await outcome(a.id, { kind: 'offer', reason: 'Great demo' });
    await call('PATCH', `/v1/applications/${a.id}`, { ownerId: recruiter.id });
    await outcome(a.id, { kind: 'hired' });
    const expected = [
      'application.created',
      'application.stage_changed',
      'reply.recorded',
      'interview.timeline_set',
      'outcome.logged',
      'application.stage_changed',
      'application.updated',
      'outcome.logged',
      'application.stage_changed',
    ];
    const activity = (await call('GET', `/v1/activity?applicationId=${a.id}`)).json().data as Schemas['Activity'][];
    // Re-planning the completed interview's follow-ups adds followup.* entries (test/followups.api.test.ts).
    expect(activity.map((x) => x.action).reverse().filter((x) => !x.startsWith('followup.'))).toEqual(expected);
    expect(activity.some((x) => x.action === 'followup.planned')).toBe(true);
    expect(activity.every((x) => x.candidateId === a.candidateId && x.applicationId === a.id)).toBe(true);
    expect(activity.find((x) => x.action === 'application.updated')?.changes).toEqual({ ownerId: { before: tenant.ownerId, after: recruiter.id } });
    expect(activity.find((x) => x.action === 'interview.timeline_set')).toMatchObject({
      subject: { type: 'interview', id: i },
      interviewId: i,
      changes: { decisionExpectedBy: { before: null, after: '2026-12-11' } },
    });
    const events = await adminPool().query<{ type: string; data: Record<string, unknown> }>(
      `SELECT type, payload->'data' AS data FROM events WHERE tenant_id = $1 AND payload->'data'->>'applicationId' = $2::text ORDER BY id`,
      [tenant.tenantId, a.id],
    );
    expect(events.rows.map((e) => e.type).filter((x) => !x.startsWith('followup.'))).toEqual(expected);
    expect(events.rows.find((e) => e.type === 'reply.recorded')?.data).toMatchObject({
      channel: 'email',
      newDecisionExpectedBy: '2026-12-11',
      suggestedOutcome: null,
      interviewId: null,
      updatedInterviewId: i,
    });
    expect(events.rows.find((e) => e.type === 'outcome.logged')?.data).toMatchObject({ kind: 'offer', reason: 'Great demo' });
    expect(events.rows.filter((e) => e.type === 'application.stage_changed').map((e) => e.data.to)).toEqual(['interviewing', 'offer', 'hired']);
  });
});

describe('deleting an application made by mistake', () => {
  const del = (id: string, headers: Headers = {}, token = tenant.token) =>
    t.app.inject({ method: 'DELETE', url: `/v1/applications/${id}`, headers: { ...bearer(token), ...headers } });

  it('goes with its history, outcomes and replies; the timeline keeps that it existed; a stale If-Match or a viewer changes nothing', async () => {
    const a = await newApplication();
    expect((await outcome(a.id, { kind: 'no_decision' })).statusCode).toBe(201);
    expect((await replyTo(a.id, { channel: 'phone', summary: 'Still deciding' })).statusCode).toBe(201);
    expectProblem(await del(a.id, { 'if-match': String(a.version + 5) }), 412, 'precondition_failed');
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    expectProblem(await del(a.id, {}, viewer.token), 403, 'forbidden');
    expect((await call('GET', `/v1/applications/${a.id}`)).statusCode).toBe(200);

    const res = await del(a.id, { 'if-match': String(a.version) });
    expect(res.statusCode, res.body).toBe(204);
    expectProblem(await call('GET', `/v1/applications/${a.id}`), 404, 'not_found');
    expectProblem(await del(a.id), 404, 'not_found');
    const left = await adminPool().query(
      `SELECT (SELECT count(*)::int FROM outcomes WHERE application_id = $1) AS outcomes,
              (SELECT count(*)::int FROM employer_replies WHERE application_id = $1) AS replies,
              (SELECT count(*)::int FROM application_stage_changes WHERE application_id = $1) AS stages`,
      [a.id],
    );
    expect(left.rows[0]).toEqual({ outcomes: 0, replies: 0, stages: 0 });
    const trail = await timeline(tenant.tenantId, a.id);
    expect(trail.at(-1)).toMatchObject({ action: 'application.deleted', event_type: 'application.deleted' });
    // The position can go now that nothing applies to it.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/positions/${a.positionId}`, headers: bearer(tenant.token) })).statusCode).toBe(204);
  });

  it('one with an interview is part of the record: 409, and it stays whole', async () => {
    const a = await newApplication();
    await interview(a.id, '2026-12-10T15:00:00Z');
    const res = expectProblem(await del(a.id), 409, 'conflict');
    expect(res.detail).toMatch(/withdraw/);
    expect((await get(a.id)).id).toBe(a.id);
    expect((await timeline(tenant.tenantId, a.id)).map((x) => x.action)).not.toContain('application.deleted');
  });
});
