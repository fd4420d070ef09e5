import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/lib/clock.js';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';

// The talent pool of a position (DESIGN section 2): who an employer of the same family turned down.
const clock = fixedClock('2026-09-01T12:00:00Z');
let t: TestApp;
let tenant: TestTenant;

type Entry = Schemas['ReengagementCandidate'];
type Page = { data: Entry[]; nextCursor: string | null };

beforeAll(async () => {
  t = await createTestApp({ clock });
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

const h = () => bearer(tenant.token);
async function post<T = { id: string }>(url: string, payload: object): Promise<T> {
  const res = await t.app.inject({ method: 'POST', url, headers: h(), payload });
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return json<T>(res);
}
const employer = (name: string, parentId?: string) => post('/v1/employers', { name, kind: parentId ? 'school' : 'district', ...(parentId ? { parentId } : {}) });
const position = (employerId: string, title: string) => post('/v1/positions', { employerId, title });
const candidate = (name: string, tags: string[] = []) => post('/v1/candidates', { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now()}@example.org`, tags });
/** An application of the candidate to the position, ended with these outcomes at `at`. */
async function decided(candidateId: string, positionId: string, at: string, ...kinds: string[]) {
  const app = await post('/v1/applications', { candidateId, positionId });
  clock.set(at);
  for (const kind of kinds) await post(`/v1/applications/${app.id}/outcomes`, { kind });
  return app;
}
const pool = async (positionId: string, query = '') => {
  const res = await t.app.inject({ url: `/v1/positions/${positionId}/re-engagement${query}`, headers: h() });
  expect(res.statusCode, res.body).toBe(200);
  return json<Page>(res);
};

describe('re-engagement: the talent pool of a new position', () => {
  it('lists those the same district or its schools turned down, latest first, and no one else', async () => {
    const district = await employer('Hudson Valley CSD');
    const [lincoln, adams] = [await employer('Lincoln Elementary', district.id), await employer('Adams Middle', district.id)];
    const elsewhere = await employer('Other Town SD');
    const [pLincoln, pDistrict, pAdams2, pElsewhere] = [
      await position(lincoln.id, 'Grade 3 Teacher'),
      await position(district.id, 'District Reading Coach'),
      await position(adams.id, 'Math Teacher'),
      await position(elsewhere.id, 'Grade 3 Teacher'),
    ];
    const opened = await position(adams.id, 'Grade 4 Teacher');

    const rejected = await candidate('Riley Rejected', ['math']);
    await decided(rejected.id, pLincoln.id, '2026-09-02T12:00:00Z', 'rejected');
    const other = await candidate('Fran Filled');
    await decided(other.id, pDistrict.id, '2026-09-03T12:00:00Z', 'filled_by_other');
    // Turned down at Lincoln, then hired at Adams: their latest word in the family is a yes.
    const hired = await candidate('Harper Hired');
    await decided(hired.id, pLincoln.id, '2026-09-02T13:00:00Z', 'rejected');
    await decided(hired.id, pAdams2.id, '2026-09-04T12:00:00Z', 'offer', 'hired');
    const far = await candidate('Avery Away');
    await decided(far.id, pElsewhere.id, '2026-09-02T14:00:00Z', 'rejected');
    const pending = await candidate('Owen Offer');
    await decided(pending.id, pLincoln.id, '2026-09-02T15:00:00Z', 'offer');
    const already = await candidate('Alex Applied');
    await decided(already.id, pLincoln.id, '2026-09-02T16:00:00Z', 'rejected');
    await post('/v1/applications', { candidateId: already.id, positionId: opened.id });
    const erased = await candidate('Erin Erased');
    await decided(erased.id, pLincoln.id, '2026-09-02T17:00:00Z', 'rejected');
    await post(`/v1/candidates/${erased.id}/erase`, {});

    const page = await pool(opened.id);
    expect(page.data.map((e) => e.candidate.id)).toEqual([other.id, rejected.id]);
    expect(page.data[0]).toMatchObject({
      candidate: { name: 'Fran Filled' },
      lastDecision: { positionId: pDistrict.id, positionTitle: 'District Reading Coach', employerId: district.id, outcome: 'filled_by_other', decidedAt: '2026-09-03T12:00:00.000Z' },
    });
    expect(page.nextCursor).toBeNull();

    // One at a time, by cursor; and by tag.
    const first = await pool(opened.id, '?limit=1');
    expect(first.data.map((e) => e.candidate.id)).toEqual([other.id]);
    const second = await pool(opened.id, `?limit=1&cursor=${first.nextCursor}`);
    expect(second.data.map((e) => e.candidate.id)).toEqual([rejected.id]);
    expect(second.nextCursor).toBeNull();
    expect((await pool(opened.id, '?tag=math')).data.map((e) => e.candidate.id)).toEqual([rejected.id]);

    // The other district's new position sees only its own.
    const openedElsewhere = await position(elsewhere.id, 'Grade 5 Teacher');
    expect((await pool(openedElsewhere.id)).data.map((e) => e.candidate.id)).toEqual([far.id]);
  });

  it('answers bad input, unknown positions, roles and scopes as every route does', async () => {
    const school = await employer('Solo School');
    const opened = await position(school.id, 'Art Teacher');
    expectProblem(await t.app.inject({ url: `/v1/positions/${opened.id}/re-engagement?limit=0`, headers: h() }), 400, 'validation_failed');
    expectProblem(await t.app.inject({ url: `/v1/positions/${opened.id}/re-engagement?color=red`, headers: h() }), 400, 'validation_failed');
    expectProblem(await t.app.inject({ url: `/v1/positions/${opened.id}/re-engagement?cursor=nope`, headers: h() }), 400, 'validation_failed');
    expectProblem(await t.app.inject({ url: '/v1/positions/00000000-0000-4000-8000-000000000000/re-engagement', headers: h() }), 404, 'not_found');
    expectProblem(await t.app.inject({ url: `/v1/positions/${opened.id}/re-engagement` }), 401, 'unauthenticated');
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    expect((await t.app.inject({ url: `/v1/positions/${opened.id}/re-engagement`, headers: bearer(viewer.token) })).statusCode).toBe(200);
    // It lists people: a key that may read employers but not candidates is refused.
    const employersOnly = await apiKey(t.app, tenant, ['employers:read']);
    expectProblem(await t.app.inject({ url: `/v1/positions/${opened.id}/re-engagement`, headers: bearer(employersOnly.secret) }), 403, 'insufficient_scope');
    const candidatesRead = await apiKey(t.app, tenant, ['candidates:read']);
    expect((await t.app.inject({ url: `/v1/positions/${opened.id}/re-engagement`, headers: bearer(candidatesRead.secret) })).statusCode).toBe(200);
  });
});
