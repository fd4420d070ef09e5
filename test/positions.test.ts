import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { asAppRole, timeline } from './helpers/db.js';

let t: TestApp;
let tenant: TestTenant;
let school: Employer;

type Position = Schemas['Position'];
type Employer = Schemas['Employer'];
type Page = { data: Position[]; nextCursor: string | null };
const NIL = '00000000-0000-4000-8000-000000000000';

const addEmployer = async (name: string, token = tenant.token) =>
  json<Employer>(await t.app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(token), payload: { name } }));
const post = (payload: object, token = tenant.token) =>
  t.app.inject({ method: 'POST', url: '/v1/positions', headers: bearer(token), payload });
const patch = (id: string, payload: object, headers: Record<string, string> = {}, token = tenant.token) =>
  t.app.inject({ method: 'PATCH', url: `/v1/positions/${id}`, headers: { ...bearer(token), ...headers }, payload });
const del = (url: string, headers: Record<string, string> = {}, token = tenant.token) =>
  t.app.inject({ method: 'DELETE', url, headers: { ...bearer(token), ...headers } });
const get = (url: string, token = tenant.token) => t.app.inject({ url, headers: bearer(token) });

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
  school = await addEmployer('Lincoln Elementary');
});
afterAll(() => t.close());

describe('positions', () => {
  it('when a position is opened, then it is stored with the defaults, a Location and an ETag', async () => {
    const res = await post({ employerId: school.id, title: 'Grade 3 Teacher' });
    expect(res.statusCode).toBe(201);
    const p = json<Position>(res);
    expect(res.headers.location).toBe(`/v1/positions/${p.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(p).toMatchObject({ employerId: school.id, status: 'open', openings: 1, targetFillDate: null, description: null, version: 1 });
    const read = await get(`/v1/positions/${p.id}`);
    expect(read.headers.etag).toBe('"1"');
    expect(json<Position>(read)).toEqual(p);
    const full = json<Position>(
      await post({ employerId: school.id, title: 'Librarian', description: 'Part-time', status: 'on_hold', openings: 0, targetFillDate: '2027-01-15' }),
    );
    expect(full).toMatchObject({ status: 'on_hold', openings: 0, targetFillDate: '2027-01-15', description: 'Part-time' });
  });

  it('lists newest first, page by page, filtered by status, employer and part of the title, wildcards taken literally', async () => {
    const own = await newTenant(t.app);
    const a = await addEmployer('Paging A', own.token);
    const b = await addEmployer('Paging B', own.token);
    const made: Position[] = [];
    for (const [employer, title, status] of [
      [a, 'Math Teacher', 'open'],
      [a, 'Music_Teacher', 'filled'],
      [b, 'Science 100% Teacher', 'open'],
      [a, 'MusicXTeacher', 'open'],
      [b, 'Nurse', 'closed'],
    ] as const) {
      made.push(json<Position>(await post({ employerId: employer.id, title, status }, own.token)));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = json(await get(`/v1/positions?limit=2${cursor ? `&cursor=${cursor}` : ''}`, own.token));
      seen.push(...page.data.map((p) => p.title));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.map((p) => p.title).reverse());
    const titles = async (url: string) => json<Page>(await get(url, own.token)).data.map((p) => p.title);
    expect(await titles('/v1/positions?status=open')).toEqual(['MusicXTeacher', 'Science 100% Teacher', 'Math Teacher']);
    expect(await titles(`/v1/positions?employerId=${b.id}`)).toEqual(['Nurse', 'Science 100% Teacher']);
    expect(await titles('/v1/positions?q=music_')).toEqual(['Music_Teacher']);
    expect(await titles('/v1/positions?q=100%25')).toEqual(['Science 100% Teacher']);
    expect(await titles(`/v1/employers/${a.id}/positions?status=open`)).toEqual(['MusicXTeacher', 'Math Teacher']);
    const first = json<Page>(await get(`/v1/employers/${a.id}/positions?limit=2`, own.token));
    expect(first.data.map((p) => p.title)).toEqual(['MusicXTeacher', 'Music_Teacher']);
    const rest = json<Page>(await get(`/v1/employers/${a.id}/positions?limit=2&cursor=${first.nextCursor}`, own.token));
    expect(rest).toMatchObject({ data: [{ title: 'Math Teacher' }], nextCursor: null });
  });

  it('a search sees only its own agency, treats % and _ literally, combines q with status and employer, and pages newest first', async () => {
    const own = await newTenant(t.app);
    const other = await newTenant(t.app);
    const a = await addEmployer('Search A', own.token);
    const b = await addEmployer('Search B', own.token);
    const theirs = await addEmployer('Search Theirs', other.token);
    const mine: Position[] = [];
    for (const [employer, title, status] of [
      [a, 'Math Teacher', 'open'],
      [a, 'Music_Teacher', 'filled'],
      [b, 'Science 100% Teacher', 'open'],
      [a, 'MusicXTeacher', 'open'],
      [b, 'Music Teacher', 'closed'],
      [a, 'Music Teacher (strings)', 'open'],
      [b, 'Nurse', 'open'],
    ] as const) {
      mine.push(json<Position>(await post({ employerId: employer.id, title, status }, own.token)));
    }
    // The other agency's matches are the newest: a search that did not keep to the agency would
    // fill the page with ids row-level security then drops.
    for (const title of ['Music Teacher', 'Math Teacher', 'Music Teacher']) await post({ employerId: theirs.id, title }, other.token);
    const newest = (keep: (p: Position) => boolean) => mine.filter(keep).reverse().map((p) => p.title);
    const titles = async (qs: string, token = own.token) => json<Page>(await get(`/v1/positions?${qs}`, token)).data.map((p) => p.title);

    const teachers = newest((p) => p.title.includes('Teacher'));
    expect(teachers).toEqual(['Music Teacher (strings)', 'Music Teacher', 'MusicXTeacher', 'Science 100% Teacher', 'Music_Teacher', 'Math Teacher']);
    expect(await titles('q=teacher')).toEqual(teachers);
    expect(await titles('q=MUSIC')).toEqual(['Music Teacher (strings)', 'Music Teacher', 'MusicXTeacher', 'Music_Teacher']);
    expect(await titles('q=music', other.token)).toEqual(['Music Teacher', 'Music Teacher']);
    expect(await titles('q=music_')).toEqual(['Music_Teacher']);
    expect(await titles('q=100%25')).toEqual(['Science 100% Teacher']);
    expect(await titles('q=h%25t')).toEqual([]);
    expect(await titles('q=music&status=open')).toEqual(['Music Teacher (strings)', 'MusicXTeacher']);
    expect(await titles(`q=music&employerId=${b.id}`)).toEqual(['Music Teacher']);
    expect(await titles(`q=teacher&status=open&employerId=${a.id}`)).toEqual(['Music Teacher (strings)', 'MusicXTeacher', 'Math Teacher']);
    expect(await titles(`q=teacher&status=filled&employerId=${b.id}`)).toEqual([]);
    expect(await titles(`q=teacher&employerId=${theirs.id}`)).toEqual([]);
    expect(await titles(`q=music&employerId=${a.id}`)).toEqual(['Music Teacher (strings)', 'MusicXTeacher', 'Music_Teacher']);

    const pages = async (qs: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const page: Page = json(await get(`/v1/positions?${qs}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, own.token));
        seen.push(...page.data.map((p) => p.title));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return seen;
    };
    expect(await pages('q=teacher')).toEqual(teachers);
    expect(await pages('q=teacher&status=open')).toEqual(newest((p) => p.title.includes('Teacher') && p.status === 'open'));
    expect(await pages(`q=teacher&employerId=${a.id}`)).toEqual(newest((p) => p.title.includes('Teacher') && p.employerId === a.id));
    const nested = json<Page>(await get(`/v1/employers/${b.id}/positions?q=teacher&status=closed`, own.token));
    expect(nested).toMatchObject({ data: [{ title: 'Music Teacher' }], nextCursor: null });
  });

  it('the search function returns nothing without a tenant context (it reads past row-level security)', async () => {
    const own = await newTenant(t.app);
    const e = await addEmployer('Context School', own.token);
    await post({ employerId: e.id, title: 'Context Check Position' }, own.token);
    // As the app's role, on a connection of its own: no context, or another agency's, finds nothing.
    const search = "SELECT app_private.search_positions('%Context Check Position%', NULL, NULL, NULL, 10) AS id";
    expect(await asAppRole(null, search)).toEqual([]);
    expect(await asAppRole(tenant.tenantId, search)).toEqual([]);
    expect(await asAppRole(own.tenantId, search)).toHaveLength(1);
  });

  it('when the employer of the nested list is unknown or another agency’s, then 404', async () => {
    const other = await newTenant(t.app);
    const theirs = await addEmployer('Their School', other.token);
    await post({ employerId: theirs.id, title: 'Their Position' }, other.token);
    expectProblem(await get(`/v1/employers/${NIL}/positions`), 404, 'not_found');
    expectProblem(await get(`/v1/employers/${theirs.id}/positions`), 404, 'not_found');
    expect(json<Page>(await get(`/v1/positions?employerId=${theirs.id}`)).data).toEqual([]);
  });

  it('when the list query is wrong, then 400 names the parameter', async () => {
    expect(expectProblem(await get('/v1/positions?status=draft'), 400, 'validation_failed').errors?.[0]?.field).toBe('query.status');
    expect(expectProblem(await get('/v1/positions?cursor=nope'), 400).errors?.[0]?.field).toBe('query.cursor');
    expect(expectProblem(await get(`/v1/employers/${school.id}/positions?sort=title`), 400).errors?.[0]?.field).toBe('query.sort');
  });

  it('updates with If-Match: the right version wins, a stale one is 412, and the timeline shows before and after', async () => {
    const p = json<Position>(await post({ employerId: school.id, title: 'Counselor', openings: 2 }));
    const ok = await patch(p.id, { status: 'filled', openings: 0, targetFillDate: '2027-03-01' }, { 'if-match': '"1"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expectProblem(await patch(p.id, { status: 'open' }, { 'if-match': '"1"' }), 412, 'precondition_failed');
    expect(json<Position>(await get(`/v1/positions/${p.id}`))).toMatchObject({ status: 'filled', openings: 0, version: 2 });
    const rows = await timeline(tenant.tenantId, p.id);
    expect(rows.map((r) => r.action)).toEqual(['position.created', 'position.updated']);
    expect(rows[0]!.changes).toMatchObject({ title: { before: null, after: 'Counselor' }, openings: { before: null, after: 2 } });
    expect(rows[1]!.changes).toEqual({
      status: { before: 'open', after: 'filled' },
      openings: { before: 2, after: 0 },
      targetFillDate: { before: null, after: '2027-03-01' },
    });
    expect(rows.every((r) => r.event_type === r.action)).toBe(true);
  });

  it('moves a position to another employer of the agency, but not to an unknown one', async () => {
    const next = await addEmployer('Washington Middle');
    const p = json<Position>(await post({ employerId: school.id, title: 'Coach' }));
    const bad = expectProblem(await patch(p.id, { employerId: NIL }), 400, 'validation_failed');
    expect(bad.errors?.map((e) => e.field)).toEqual(['body.employerId']);
    expect(json<Position>(await patch(p.id, { employerId: next.id }))).toMatchObject({ employerId: next.id, version: 2 });
    expect(json<Page>(await get(`/v1/employers/${next.id}/positions`)).data.map((x) => x.id)).toEqual([p.id]);
  });

  it('deletes with If-Match: a stale version is 412, then 204, 404 after, and the timeline records it', async () => {
    const p = json<Position>(await post({ employerId: school.id, title: 'Temporary' }));
    await patch(p.id, { status: 'closed' });
    expectProblem(await del(`/v1/positions/${p.id}`, { 'if-match': '"1"' }), 412, 'precondition_failed');
    expect((await del(`/v1/positions/${p.id}`, { 'if-match': 'W/"2"' })).statusCode).toBe(204);
    expectProblem(await get(`/v1/positions/${p.id}`), 404, 'not_found');
    const rows = await timeline(tenant.tenantId, p.id);
    expect(rows.map((r) => r.action)).toEqual(['position.created', 'position.updated', 'position.deleted']);
    expect(rows[2]!.changes).toMatchObject({ status: { before: 'closed', after: null } });
  });

  it('when an employer still has positions, then deleting it is 409 and it stays; without them it goes', async () => {
    const e = await addEmployer('Has Positions');
    const p = json<Position>(await post({ employerId: e.id, title: 'Still Open' }));
    expectProblem(await del(`/v1/employers/${e.id}`), 409, 'conflict');
    expect((await get(`/v1/employers/${e.id}`)).statusCode).toBe(200);
    expect((await del(`/v1/positions/${p.id}`)).statusCode).toBe(204);
    expect((await del(`/v1/employers/${e.id}`)).statusCode).toBe(204);
  });

  it.each([
    [{ title: 'X', employerId: NIL }, 'body.employerId'],
    [{ title: 'X', employerId: 42 }, 'body.employerId'],
    [{ title: '  ' }, 'body.title'],
    [{ title: 'X', openings: -1 }, 'body.openings'],
    [{ title: 'X', openings: 1001 }, 'body.openings'],
    [{ title: 'X', openings: 1.5 }, 'body.openings'],
    [{ title: 'X', openings: '2' }, 'body.openings'],
    [{ title: 'X', targetFillDate: '2027-02-30' }, 'body.targetFillDate'],
    [{ title: 'X', targetFillDate: '15/01/2027' }, 'body.targetFillDate'],
    [{ title: 'X', targetFillDate: '2027-01-15T00:00:00Z' }, 'body.targetFillDate'],
    [{ title: 'X', status: 'draft' }, 'body.status'],
    [{ title: 'X', filled: true }, 'body.filled'],
  ])('when the body is %j, then 400 names %s and nothing is written', async (payload, field) => {
    const count = async () => json<Page>(await get(`/v1/positions?employerId=${school.id}&limit=100`)).data.length;
    const before = await count();
    const p = expectProblem(await post({ employerId: school.id, ...payload }), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual([field]);
    expect(await count()).toBe(before);
  });

  it('when the position was opened at another agency’s employer, then 400 names body.employerId', async () => {
    const other = await newTenant(t.app);
    const theirs = await addEmployer('Not Yours', other.token);
    const p = expectProblem(await post({ employerId: theirs.id, title: 'Sneaky' }), 400, 'validation_failed');
    expect(p.errors?.[0]?.field).toBe('body.employerId');
  });

  it('when an update is empty, has an unknown field or a bad value, then 400 and nothing changes', async () => {
    const p = json<Position>(await post({ employerId: school.id, title: 'Strict' }));
    expectProblem(await patch(p.id, {}), 400, 'validation_failed');
    expect(expectProblem(await patch(p.id, { tenantId: NIL }), 400).errors?.[0]?.field).toBe('body.tenantId');
    expect(expectProblem(await patch(p.id, { openings: -3 }), 400).errors?.[0]?.field).toBe('body.openings');
    expect(expectProblem(await patch(p.id, { status: 'paused' }), 400).errors?.[0]?.field).toBe('body.status');
    expect(json<Position>(await get(`/v1/positions/${p.id}`)).version).toBe(1);
  });

  it('a viewer reads but cannot open, change or delete', async () => {
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const p = json<Position>(await post({ employerId: school.id, title: 'Read Only' }));
    expect((await get(`/v1/positions/${p.id}`, viewer.token)).statusCode).toBe(200);
    expect((await get(`/v1/employers/${school.id}/positions`, viewer.token)).statusCode).toBe(200);
    expectProblem(await post({ employerId: school.id, title: 'Nope' }, viewer.token), 403, 'forbidden');
    expectProblem(await patch(p.id, { status: 'closed' }, {}, viewer.token), 403, 'forbidden');
    expectProblem(await del(`/v1/positions/${p.id}`, {}, viewer.token), 403, 'forbidden');
    expect(json<Position>(await get(`/v1/positions/${p.id}`)).version).toBe(1);
  });
});
