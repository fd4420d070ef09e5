import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { recruitingStory } from './helpers/story.js';

/** /v1/external-ids: another system's ids for our records, an integrator's id map (docs/api.md#sync). */
let t: TestApp;
let tenant: TestTenant;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Link = Schemas['ExternalId'];
const put = (path: string, id: string, token = tenant.token) =>
  t.app.inject({ method: 'PUT', url: `/v1/external-ids/${path}`, headers: bearer(token), payload: { id } });
const get = (path: string, token = tenant.token) => t.app.inject({ url: `/v1/external-ids/${path}`, headers: bearer(token) });

describe('external ids', () => {
  it('links, looks up, re-keys and forgets another system’s id; each change on the timeline', async () => {
    const story = await recruitingStory(t.app, tenant);
    const first = await put('candidate/bullhorn/48213', story.candidate.id);
    expect(first.statusCode, first.body).toBe(201);
    expect(json<Link>(first)).toMatchObject({ type: 'candidate', source: 'bullhorn', externalId: '48213', id: story.candidate.id, path: `/v1/candidates/${story.candidate.id}` });
    // The same link again changes nothing, however the id is spelled.
    expect((await put('candidate/bullhorn/48213', story.candidate.id)).statusCode).toBe(200);
    expect((await put('candidate/bullhorn/48213', story.candidate.id.toUpperCase())).statusCode).toBe(200);
    const found = json<Link>(await get('candidate/bullhorn/48213'));
    expect(found.id).toBe(story.candidate.id);
    const read = await t.app.inject({ url: found.path, headers: bearer(tenant.token) });
    expect(read.json().name).toBe(story.candidate.name);
    // Another source keeps its own id for the same record; ids are per type.
    expect((await put('candidate/greenhouse/gh-7', story.candidate.id)).statusCode).toBe(201);
    expect((await put('employer/bullhorn/48213', story.school.id)).statusCode).toBe(201);
    const mine = await t.app.inject({ url: `/v1/external-ids?id=${story.candidate.id}`, headers: bearer(tenant.token) });
    expect(json<{ data: Link[] }>(mine).data.map((l) => `${l.source}:${l.externalId}`).sort()).toEqual(['bullhorn:48213', 'greenhouse:gh-7']);
    // The other system re-keys the record: the new id replaces the old one of that source.
    expect((await put('candidate/bullhorn/99001', story.candidate.id)).statusCode).toBe(201);
    expectProblem(await get('candidate/bullhorn/48213'), 404, 'not_found');
    expect(json<Link>(await get('candidate/bullhorn/99001')).id).toBe(story.candidate.id);
    // Forget it.
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/external-ids/candidate/bullhorn/99001', headers: bearer(tenant.token) })).statusCode).toBe(204);
    expectProblem(await get('candidate/bullhorn/99001'), 404, 'not_found');
    const events = await adminPool().query<{ type: string }>(
      `SELECT type FROM events WHERE tenant_id = $1 AND type LIKE 'external_id.%' AND payload->'data'->>'recordId' = $2 ORDER BY tx_id, id`,
      [tenant.tenantId, story.candidate.id],
    );
    expect(events.rows.map((r) => r.type)).toEqual(['external_id.linked', 'external_id.linked', 'external_id.linked', 'external_id.unlinked']);
  });

  it('an id that stands for another record is 409 and nothing changes; a record of another type or agency is 400 naming body.id', async () => {
    const story = await recruitingStory(t.app, tenant);
    const candidate2 = json<{ id: string }>(
      await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(tenant.token), payload: { name: 'Other Person', email: `other-${Date.now()}@example.org` } }),
    );
    expect((await put('candidate/jobadder/JA-1', story.candidate.id)).statusCode).toBe(201);
    expectProblem(await put('candidate/jobadder/JA-1', candidate2.id), 409, 'conflict');
    expect(json<Link>(await get('candidate/jobadder/JA-1')).id).toBe(story.candidate.id);

    const wrongType = await put('position/jobadder/JA-2', story.candidate.id);
    expectProblem(wrongType, 400, 'validation_failed');
    expect(JSON.stringify(wrongType.json().errors)).toContain('body.id');
    const other = await newTenant(t.app);
    expectProblem(await get('candidate/jobadder/JA-1', other.token), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/v1/external-ids/candidate/jobadder/JA-1', headers: bearer(other.token) }), 404, 'not_found');
    for (const [path, field] of [
      ['nope/bullhorn/1', 'path.type'],
      ['candidate/Bull%20Horn/1', 'path.source'],
    ] as const) {
      const res = await get(path);
      expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(res.json().errors), path).toContain(field);
    }
  });

  it('ten integrators linking the same id at once: one record wins, the rest are told 409, never a 500', async () => {
    const ids = await Promise.all(
      Array.from({ length: 10 }, async (_, i) =>
        json<{ id: string }>(
          await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(tenant.token), payload: { name: `Racer ${i}`, email: `racer-${i}-${Date.now()}@example.org` } }),
        ).id,
      ),
    );
    const answers = await Promise.all(ids.map((id) => put('candidate/bullhorn/race-1', id)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, ...Array(9).fill(409)]);
    const winner = ids[answers.findIndex((a) => a.statusCode === 201)];
    expect(json<Link>(await get('candidate/bullhorn/race-1')).id).toBe(winner);
  });

  it('erasing a candidate forgets their ids elsewhere', async () => {
    const story = await recruitingStory(t.app, tenant);
    expect((await put('candidate/bullhorn/erase-me', story.candidate.id)).statusCode).toBe(201);
    const erased = await t.app.inject({ method: 'POST', url: `/v1/candidates/${story.candidate.id}/erase`, headers: bearer(tenant.token), payload: {} });
    expect(erased.statusCode, erased.body).toBe(200);
    expectProblem(await get('candidate/bullhorn/erase-me'), 404, 'not_found');
    // The feed's stored events forget it too.
    const stored = await adminPool().query<{ payload: unknown }>(
      `SELECT payload FROM events WHERE tenant_id = $1 AND type LIKE 'external_id.%' AND payload->'data'->>'recordId' = $2`,
      [tenant.tenantId, story.candidate.id],
    );
    expect(stored.rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(stored.rows)).not.toContain('erase-me');
  });
});
