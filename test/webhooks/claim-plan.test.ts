import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { CLAIM, TRIES_PER_JOB } from '../../src/modules/webhooks/webhooks.delivery.js';
import { adminPool } from '../helpers/db.js';
import { createTestApp, newTenant, type TestApp, type TestTenant } from '../helpers/app.js';
import { testAppUrl } from '../helpers/env.js';

/**
 * During a burst the partial index of pending deliveries holds the whole backlog while the
 * statistics, gathered before it, say it is nearly empty. Read through that index, the claim of
 * a batch of 100 walked every pending delivery (the bench's claim cost grew with the backlog).
 */
let t: TestApp;
let tenant: TestTenant;
const BACKLOG = 3_000;
let ids: string[] = [];
let endpoint: string;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
  const admin = adminPool();
  const endpointId = uuidv7();
  endpoint = endpointId;
  await admin.query(
    `INSERT INTO webhook_endpoints (tenant_id, id, url, event_types, secret) VALUES ($1, $2, 'https://hooks.example.org/in', '{*}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')`,
    [tenant.tenantId, endpointId],
  );
  const addDeliveries = async (n: number, status: 'succeeded' | 'pending') => {
    const events = Array.from({ length: n }, () => uuidv7());
    const deliveries = Array.from({ length: n }, () => uuidv7());
    await admin.query(
      `INSERT INTO events (tenant_id, id, type, payload, published_at) SELECT $1, e, 'employer.created', '{}', now() FROM unnest($2::uuid[]) AS e`,
      [tenant.tenantId, events],
    );
    await admin.query(
      `INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, status, next_attempt_at, queued_at)
       SELECT $1, d, $2, e, 'employer.created', $5, CASE WHEN $5 = 'pending' THEN now() - interval '1 minute' END, now()
       FROM unnest($3::uuid[], $4::uuid[]) AS x(d, e)`,
      [tenant.tenantId, endpointId, deliveries, events, status],
    );
    return deliveries;
  };
  // A running agency: its history delivered, the statistics taken then, when nothing was pending.
  await addDeliveries(BACKLOG, 'succeeded');
  await admin.query('ANALYZE webhook_deliveries');
  // Then a burst: as many again, all pending, before autovacuum has looked.
  ids = await addDeliveries(BACKLOG, 'pending');
});
afterAll(async () => {
  await adminPool().query('DELETE FROM webhook_endpoints WHERE tenant_id = $1', [tenant.tenantId]);
  await t.close();
});

describe('the claim of a batch of tries', () => {
  it('does not read the backlog through the index of pending deliveries, even when statistics say it is empty', async () => {
    const app = new pg.Client({ connectionString: testAppUrl });
    await app.connect();
    try {
      await app.query('BEGIN');
      await app.query("SELECT set_config('app.tenant_id', $1, true)", [tenant.tenantId]);
      const now = new Date();
      const batch = ids.slice(0, TRIES_PER_JOB);
      const plan = await app.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${CLAIM.text}`, [batch, batch.map(() => 1), new Date(now.getTime() + 45_000), now]);
      const text = JSON.stringify(plan.rows[0]!['QUERY PLAN']);
      expect(text).not.toContain('webhook_deliveries_due_idx');
      // And it claims them (the test above would pass for a statement that finds nothing).
      const claimed = await app.query(CLAIM.text, [batch, batch.map(() => 1), new Date(now.getTime() + 45_000), now]);
      expect(claimed.rowCount).toBe(TRIES_PER_JOB);
    } finally {
      await app.query('ROLLBACK');
      await app.end();
    }
  });
});

describe('the list of an endpoint’s deliveries', () => {
  it('pages newest event first, seeking the (tenant, endpoint, event) key, not reading every delivery', async () => {
    const app = new pg.Client({ connectionString: testAppUrl });
    await app.connect();
    try {
      await app.query('BEGIN');
      await app.query("SELECT set_config('app.tenant_id', $1, true)", [tenant.tenantId]);
      // The statement listDeliveries sends for a second page.
      const plan = await app.query<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (FORMAT JSON) SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND event_id < $2 ORDER BY event_id DESC LIMIT 51`,
        [endpoint, uuidv7()],
      );
      const text = JSON.stringify(plan.rows[0]!['QUERY PLAN']);
      expect(text).toContain('webhook_deliveries_endpoint_event_key');
      expect(text).not.toContain('"Sort"');
    } finally {
      await app.query('ROLLBACK');
      await app.end();
    }
    const headers = { authorization: `Bearer ${tenant.token}` };
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 3; page++) {
      const url = `/v1/webhook-endpoints/${endpoint}/deliveries?limit=100${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.app.inject({ url, headers });
      expect(res.statusCode, res.body).toBe(200);
      const body: { data: { eventId: string }[]; nextCursor: string | null } = res.json();
      seen.push(...body.data.map((d) => d.eventId));
      cursor = body.nextCursor;
    }
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
    expect(seen).toEqual([...seen].sort().reverse());
  });
});

