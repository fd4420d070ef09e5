import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { recruitingStory, scheduledInterview } from './helpers/story.js';

/** `?updatedSince=` on the record lists: a sync read, oldest change first (docs/api.md#sync). */
let t: TestApp;
let tenant: TestTenant;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Page = { data: { id: string; updatedAt: string }[]; nextCursor: string | null };
const list = async (path: string, q: string, token = tenant.token) => {
  const res = await t.app.inject({ url: `${path}?${q}`, headers: bearer(token) });
  expect(res.statusCode, res.body).toBe(200);
  return json<Page>(res);
};
/** Every page of a sync read, following nextCursor. */
async function readAll(path: string, since: string, limit: number, token = tenant.token) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: Page = await list(path, `updatedSince=${encodeURIComponent(since)}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, token);
    ids.push(...page.data.map((r) => r.id));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('the sync read did not end');
}

describe('updatedSince', () => {
  it('serves every record list the records changed since, oldest change first, each once across pages', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const story = await recruitingStory(t.app, tenant);
    const interview = await scheduledInterview(t.app, tenant, story);
    const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: bearer(tenant.token), payload: {} });
    expect(done.statusCode, done.body).toBe(200);
    const followUps = await list('/v1/follow-ups', `interviewId=${interview.id}&limit=100`);
    expect(followUps.data.length).toBeGreaterThan(0);
    const expected: Record<string, string[]> = {
      '/v1/employers': [story.district.id, story.school.id],
      '/v1/contacts': [story.principal.id, story.teacher.id],
      '/v1/positions': [story.position.id],
      '/v1/candidates': [story.candidate.id],
      '/v1/applications': [story.application.id],
      '/v1/interviews': [interview.id],
      '/v1/follow-ups': followUps.data.map((f) => f.id),
    };
    for (const [path, ids] of Object.entries(expected)) {
      const got = await readAll(path, before, 1);
      for (const id of ids) expect(got.filter((x) => x === id), `${path} ${id}`).toHaveLength(1);
      const page = await list(path, `updatedSince=${encodeURIComponent(before)}&limit=100`);
      const times = page.data.map((r) => r.updatedAt);
      expect(times, `${path} oldest change first`).toEqual([...times].sort());
    }
  });

  it('a record changed again moves to the end; one changed before the instant is left out', async () => {
    const own = await newTenant(t.app);
    const a = json<{ id: string }>(await t.app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(own.token), payload: { name: 'Early Co' } }));
    const b = json<{ id: string }>(await t.app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(own.token), payload: { name: 'Later Co' } }));
    // Their change times, set apart: a before the instant, b after it (then a changes again, now).
    const since = '2021-01-01T00:00:00.000Z';
    await adminPool().query("UPDATE employers SET updated_at = CASE id WHEN $1::uuid THEN timestamptz '2020-06-01' ELSE timestamptz '2021-06-01' END WHERE id IN ($1, $2)", [a.id, b.id]);
    expect(await readAll('/v1/employers', since, 10, own.token)).toEqual([b.id]);
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/employers/${a.id}`, headers: { ...bearer(own.token), 'if-match': '"1"' }, payload: { name: 'Early Co Renamed' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await readAll('/v1/employers', since, 10, own.token)).toEqual([b.id, a.id]);
  });

  it('records changed within the same millisecond are neither repeated nor skipped, one per page', async () => {
    const other = await newTenant(t.app);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(other.token), payload: { name: `Same ms ${i}` } });
      ids.push(json<{ id: string }>(res).id);
    }
    // Four changes in one millisecond, a few microseconds apart (and two at the very same instant).
    await adminPool().query(
      `UPDATE employers SET updated_at = timestamptz '2026-12-07 12:00:00.123' + (CASE id WHEN $2 THEN 1 WHEN $3 THEN 1 WHEN $4 THEN 400 ELSE 999 END) * interval '1 microsecond'
        WHERE tenant_id = $1`,
      [other.tenantId, ids[0], ids[1], ids[2]],
    );
    const got: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res: Awaited<ReturnType<typeof t.app.inject>> = await t.app.inject({ url: `/v1/employers?updatedSince=2026-12-07T12:00:00.123Z&limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(other.token) });
      const page: Page = json<Page>(res);
      got.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(got).toHaveLength(4);
    expect(new Set(got)).toEqual(new Set(ids));
    expect(got.slice(2)).toEqual([ids[2], ids[3]]);
  });

  it('goes with limit and cursor only: with a search or a filter it is a 400 naming updatedSince', async () => {
    const since = encodeURIComponent(new Date().toISOString());
    for (const url of [`/v1/candidates?updatedSince=${since}&q=ann`, `/v1/interviews?updatedSince=${since}&status=scheduled`, `/v1/follow-ups?updatedSince=${since}&status=pending`]) {
      const res = await t.app.inject({ url, headers: bearer(tenant.token) });
      expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(res.json().errors), url).toContain('query.updatedSince');
    }
    const bad = await t.app.inject({ url: '/v1/employers?updatedSince=yesterday', headers: bearer(tenant.token) });
    expectProblem(bad, 400, 'validation_failed');
    expect(JSON.stringify(bad.json().errors)).toContain('query.updatedSince');
  });
});
