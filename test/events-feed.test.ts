import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { testAdminUrl } from './helpers/env.js';
import { purgeOldEvents } from '../src/modules/events/events.service.js';
import { publicEventId } from '../src/core/events.js';

/** GET /v1/events: the event log as a feed, to catch up without webhooks (docs/events.md). */
let t: TestApp;
let tenant: TestTenant;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Feed = Schemas['EventFeed'];
const feed = async (q: string, token = tenant.token) => {
  const res = await t.app.inject({ url: `/v1/events?${q}`, headers: bearer(token) });
  expect(res.statusCode, res.body).toBe(200);
  return json<Feed>(res);
};
const employer = async (name: string, token = tenant.token) => {
  const res = await t.app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(token), payload: { name } });
  expect(res.statusCode, res.body).toBe(201);
  return json<{ id: string }>(res);
};

/** Where the feed ends now: the cursor of its last page. Waits (bounded) for transactions still open elsewhere. */
async function endOf(after?: string, types?: string) {
  let cursor = after;
  for (;;) {
    const page = await feed([cursor ? `after=${cursor}` : '', types ? `types=${types}` : '', 'limit=1000'].filter(Boolean).join('&'));
    cursor = page.nextCursor;
    if (!page.hasMore) return cursor;
  }
}

/** Reads on from `after` until `count` events came (polling a bounded number of times: other tests' open transactions hold the feed back briefly). */
async function readOn(after: string, count: number, pageSize = 100, types?: string) {
  const got: Feed['data'] = [];
  let cursor = after;
  for (let polls = 0; got.length < count && polls < 200; polls++) {
    const page = await feed(`after=${cursor}&limit=${pageSize}${types ? `&types=${types}` : ''}`);
    got.push(...page.data);
    cursor = page.nextCursor;
    if (!page.hasMore && got.length < count) await new Promise((r) => setTimeout(r, 50));
  }
  return { events: got, cursor };
}

describe('the event feed', () => {
  it('catches an integrator up after 1,000 missed events: each once, in commit order, with the webhook body', { timeout: 180_000 }, async () => {
    const start = await endOf(undefined, 'employer.created');
    const made: string[] = [];
    for (let batch = 0; batch < 50; batch++) {
      const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => employer(`Missed ${batch * 20 + i}`).then((e) => e.id)));
      made.push(...ids);
    }
    const { events, cursor } = await readOn(start, 1000, 100, 'employer.created');
    expect(events).toHaveLength(1000);
    expect(events.every((e) => e.type === 'employer.created' && e.version === 1 && e.tenantId === tenant.tenantId)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(1000);
    expect(new Set(events.map((e) => e.data.employerId))).toEqual(new Set(made));
    // Each is exactly the stored webhook body.
    const stored = await adminPool().query<{ payload: unknown }>('SELECT payload FROM events WHERE tenant_id = $1 AND id = $2', [
      tenant.tenantId,
      events[0]!.id.replace(/^evt_(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
    ]);
    expect(stored.rows[0]?.payload).toEqual(events[0]);
    // Within one batch of concurrent writers the order is the commit order; across batches it follows the batches.
    const order = new Map(events.map((e, i) => [e.data.employerId as string, i]));
    for (let b = 1; b < 50; b++) {
      const lastOfPrevious = Math.max(...made.slice((b - 1) * 20, b * 20).map((id) => order.get(id)!));
      const firstOfThis = Math.min(...made.slice(b * 20, (b + 1) * 20).map((id) => order.get(id)!));
      expect(firstOfThis).toBeGreaterThan(lastOfPrevious);
    }
    // At the end the cursor stays put until something new happens, then shows only that.
    const quiet = await feed(`after=${cursor}&types=employer.created`);
    expect([quiet.data, quiet.hasMore, quiet.nextCursor]).toEqual([[], false, cursor]);
    const late = await employer('Late Co');
    const after = await readOn(cursor, 1, 100, 'employer.created');
    expect(after.events.map((e) => e.data.employerId)).toEqual([late.id]);
  });

  it('never hands out a cursor past an event that commits later: a transaction still open holds the feed back', { timeout: 60_000 }, async () => {
    const start = await endOf();
    const client = new pg.Client({ connectionString: testAdminUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      // A change that commits while that older transaction is still open.
      const b = await employer('Committed first');
      const held = await feed(`after=${start}&limit=1000`);
      expect(held.data.map((e) => e.data.employerId)).not.toContain(b.id);
      // The older transaction now writes its event and commits: reading on from the cursor the
      // feed gave meanwhile, it comes, and before the later one; nothing is lost.
      const aId = '01938a8e-0000-7000-8000-0000000000a1';
      await client.query(
        `INSERT INTO events (tenant_id, id, type, payload) VALUES ($1, $2, 'employer.updated', $3)`,
        [tenant.tenantId, aId, { id: publicEventId(aId), type: 'employer.updated', version: 1, occurredAt: new Date().toISOString(), tenantId: tenant.tenantId, data: { employerId: b.id, changedFields: ['name'] } }],
      );
      await client.query('COMMIT');
      const seen: Feed['data'] = [];
      let cursor = held.nextCursor;
      for (let polls = 0; !seen.some((e) => e.type === 'employer.created' && e.data.employerId === b.id) && polls < 400; polls++) {
        const page = await feed(`after=${cursor}&limit=1000`);
        seen.push(...page.data);
        cursor = page.nextCursor;
        if (!page.hasMore) await new Promise((r) => setTimeout(r, 50));
      }
      const ofB = seen.filter((e) => e.data.employerId === b.id).map((e) => e.id);
      expect(ofB).toEqual([publicEventId(aId), expect.stringMatching(/^evt_/)]);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  });

  it('filters by type, includes deletions, and shows one agency only its own events', async () => {
    const start = await endOf();
    const e = await employer('Soon gone');
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/employers/${e.id}`, headers: { ...bearer(tenant.token), 'if-match': '"1"' } });
    expect(del.statusCode, del.body).toBe(204);
    const { events } = await readOn(start, 1, 100, 'employer.deleted');
    expect(events.map((x) => [x.type, x.data.employerId])).toEqual([['employer.deleted', e.id]]);

    const other = await newTenant(t.app);
    const theirs = await feed('limit=1000', other.token);
    expect(theirs.data.every((x) => x.tenantId === other.tenantId)).toBe(true);
    expect(theirs.data.map((x) => x.data.employerId)).not.toContain(e.id);
  });

  it('an API key needs events:read, a user must be an admin; bad input is a 400 naming the field', async () => {
    const withScope = await apiKey(t.app, tenant, ['events:read']);
    expect((await t.app.inject({ url: '/v1/events', headers: bearer(withScope.secret) })).statusCode).toBe(200);
    const without = await apiKey(t.app, tenant, ['activity:read']);
    expectProblem(await t.app.inject({ url: '/v1/events', headers: bearer(without.secret) }), 403);
    const bad = async (q: string, field: string) => {
      const res = await t.app.inject({ url: `/v1/events?${q}`, headers: bearer(tenant.token) });
      expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(res.json().errors)).toContain(field);
    };
    await bad('types=employer.created,no.such', 'query.types');
    await bad('after=not-a-cursor', 'query.after');
    await bad(`after=${Buffer.from(JSON.stringify({ x: '1; DROP', i: 'x' })).toString('base64url')}`, 'query.after');
    await bad('limit=1001', 'query.limit');
    // A position past any transaction id (2^64) is refused, not cast.
    await bad(`after=${Buffer.from(JSON.stringify({ x: '99999999999999999999', i: '01938a8e-0000-7000-8000-0000000000a1' })).toString('base64url')}`, 'query.after');
    // The feed carries API keys', webhook endpoints' and users' events: admins only.
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    expectProblem(await t.app.inject({ url: '/v1/events', headers: bearer(viewer.token) }), 403);
  });

  it('keeps 30 days: the purge removes older events only', async () => {
    const mine = await newTenant(t.app);
    const recent = await employer('Recent', mine.token);
    const oldId = '01938a8e-0000-7000-8000-0000000000b2';
    await adminPool().query(
      `INSERT INTO events (tenant_id, id, type, payload, created_at) VALUES ($1, $2, 'employer.updated', $3, now() - interval '31 days')`,
      [mine.tenantId, oldId, { id: publicEventId(oldId), type: 'employer.updated', version: 1, occurredAt: '2026-01-01T00:00:00.000Z', tenantId: mine.tenantId, data: {} }],
    );
    expect(await purgeOldEvents(t.deps, [mine.tenantId])).toBe(1);
    const left = await adminPool().query<{ id: string }>('SELECT id FROM events WHERE tenant_id = $1', [mine.tenantId]);
    expect(left.rows.map((r) => r.id)).not.toContain(oldId);
    const { events } = await (async () => {
      const res = await t.app.inject({ url: '/v1/events?types=employer.created', headers: bearer(mine.token) });
      return { events: json<Feed>(res).data };
    })();
    expect(events.map((e) => e.data.employerId)).toContain(recent.id);
  });
});
