import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { CLAIM, RECORD } from '../../src/modules/webhooks/webhooks.statements.js';
import { TRIES_PER_JOB } from '../../src/modules/webhooks/webhooks.jobs.js';
import { groupBy } from '../../src/lib/groupBy.js';
import { adminPool, asAppRole } from '../helpers/db.js';
import { createTestApp, newTenant, type TestApp, type TestTenant } from '../helpers/app.js';
import { testAdminUrl, testAppUrl } from '../helpers/env.js';

/**
 * The claim's plan must not depend on statistics. During a burst the partial index of pending
 * deliveries holds the whole backlog while the statistics, gathered before it, say it is nearly
 * empty (read through that index, the claim walked every pending delivery); on a table never
 * analyzed, as in a new install's first burst, a claim joined to its list of tries scanned the
 * table once per try (0.7 s for 250 tries of a 10,000-row table).
 */
let t: TestApp;
let tenant: TestTenant;
// The backlog falls due in 2100, and the tests claim it then: the other files' workers sweep every
// agency's due deliveries with clocks near today's, and would otherwise take these.
const DUE = new Date('2100-01-01T00:00:00Z');
const claimTime = () => new Date(DUE.getTime() + 60_000);
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
      `INSERT INTO events (tenant_id, id, type, payload, published_at) SELECT $1, e, 'employer.created', jsonb_build_object('eventId', e), now() FROM unnest($2::uuid[]) AS e`,
      [tenant.tenantId, events],
    );
    await admin.query(
      `INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, status, next_attempt_at, queued_at)
       SELECT $1, d, $2, e, 'employer.created', $5, CASE WHEN $5 = 'pending' THEN $6::timestamptz END, now()
       FROM unnest($3::uuid[], $4::uuid[]) AS x(d, e)`,
      [tenant.tenantId, endpointId, deliveries, events, status, DUE],
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

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Actual Rows'?: number; 'Actual Loops'?: number; 'Rows Removed by Join Filter'?: number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] };
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * EXPLAIN ANALYZE of the claim of `batch`, then of the record of its tries, run as the runtime
 * role in a transaction rolled back after: with the statistics as they are, or as on a table never
 * analyzed; planned for these values (custom) or for any (generic, as a prepared statement is
 * after five runs).
 */
async function claimAndRecordPlans(batch: string[], stats: 'stale' | 'none', plan: 'custom' | 'generic') {
  const client = new pg.Client({ connectionString: testAdminUrl });
  await client.connect();
  try {
    // One snapshot for the plans and the count of rows they are held to (other files add and
    // delete deliveries meanwhile).
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    if (stats === 'none') {
      // What a table never analyzed looks like to the planner, seen by this transaction only. First,
      // so that the snapshot is taken by these statements (an autovacuum ANALYZE committing later
      // cannot conflict with them).
      await client.query("UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0 WHERE oid = 'webhook_deliveries'::regclass");
      await client.query("DELETE FROM pg_statistic WHERE starelid = 'webhook_deliveries'::regclass");
    }
    const tableRows = Number((await client.query('SELECT count(*) FROM webhook_deliveries')).rows[0].count);
    await client.query('SET LOCAL ROLE afterview_app');
    await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenant.tenantId]);
    await client.query(`SET LOCAL plan_cache_mode = ${plan === 'generic' ? 'force_generic_plan' : 'force_custom_plan'}`);
    await client.query(`PREPARE claim(uuid[], int, timestamptz, timestamptz) AS ${CLAIM.text}`);
    const now = claimTime();
    // EXECUTE takes no bound parameters: the values are literals (uuids and ISO times need no quoting).
    const until = new Date(now.getTime() + 45_000).toISOString();
    const explain = async (statement: string) =>
      (await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`)).rows[0]!['QUERY PLAN'][0].Plan;
    const claim = await explain(`EXECUTE claim('{${batch.join(',')}}', 1, '${until}', '${now.toISOString()}')`);
    // Then the record of the same tries, each a success (the claim above ran: they are claimed).
    await client.query(
      `PREPARE record(uuid[], int[], text[], int[], timestamptz[], int[], text[], text[], int[], timestamptz[], timestamptz) AS ${RECORD.text}`,
    );
    const each = (value: string) => `'{${batch.map(() => value).join(',')}}'`;
    const record = await explain(
      `EXECUTE record('{${batch.join(',')}}', ${each('1')}, ${each('succeeded')}, ${each('0')}, ${each('NULL')}, ${each('200')}, ${each('NULL')}, ${each('ok')}, ${each('5')}, ${each(now.toISOString())}, '${now.toISOString()}')`,
    );
    const recorded = Number(
      (await client.query(`SELECT count(*) FROM webhook_deliveries WHERE id = ANY($1::uuid[]) AND status = 'succeeded' AND last_attempt = 1`, [batch])).rows[0].count,
    );
    return { plans: { claim, record }, claimed: claim['Actual Rows'], recorded, tableRows };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

describe('the claim of a batch of tries', () => {
  for (const stats of ['stale', 'none'] as const) {
    for (const plan of ['custom', 'generic'] as const) {
      // 'stale': as ANALYZEd in beforeAll, when nothing was pending (unless autovacuum has looked since).
      it(`claim and record never read the table per try nor join it to the batch (statistics ${stats === 'stale' ? 'taken when nothing was pending' : 'never taken'}, ${plan} plan)`, async () => {
        const batch = ids.slice(0, TRIES_PER_JOB);
        const { plans, claimed, recorded, tableRows } = await claimAndRecordPlans(batch, stats, plan);
        for (const [name, root] of Object.entries(plans)) {
          const nodes = nodesOf(root);
          // Rows of webhook_deliveries looked at (EXPLAIN's counts are per loop), and rows a join
          // looked at only to throw away. The table may be read whole, once per statement (a small
          // one is cheaper so than 250 probes, and without statistics the planner takes 250 ids for
          // most of any table), but never once per try; a join may compare within the batch, never
          // batch × table (the old claim threw away 750 k rows here).
          const read = nodes
            .filter((n) => n['Relation Name'] === 'webhook_deliveries' && n['Node Type'] !== 'ModifyTable')
            .reduce((sum, n) => sum + ((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0)) * (n['Actual Loops'] ?? 1), 0);
          const joinWaste = nodes.reduce((sum, n) => sum + (n['Rows Removed by Join Filter'] ?? 0) * (n['Actual Loops'] ?? 1), 0);
          // The record reads the batch twice: the tries to move to the log, then the update.
          expect(read, name).toBeLessThanOrEqual(tableRows * (name === 'record' ? 2 : 1));
          expect(joinWaste, name).toBeLessThanOrEqual(TRIES_PER_JOB * TRIES_PER_JOB);
          expect(JSON.stringify(root), name).not.toContain('webhook_deliveries_due_idx');
        }
        // And both did their work (plans that find nothing would pass the above).
        expect(claimed).toBe(TRIES_PER_JOB);
        expect(recorded).toBe(TRIES_PER_JOB);
      });
    }
  }

  it('sends each event’s payload once, on the first of its rows', async () => {
    // Two endpoints, so each event has two deliveries in the batch.
    const second = uuidv7();
    await adminPool().query(
      `INSERT INTO webhook_endpoints (tenant_id, id, url, event_types, secret) VALUES ($1, $2, 'https://hooks.example.org/two', '{*}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')`,
      [tenant.tenantId, second],
    );
    const pairs = await adminPool().query<{ id: string }>(
      `INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, next_attempt_at)
       SELECT tenant_id, gen_random_uuid(), $2, event_id, event_type, next_attempt_at FROM webhook_deliveries WHERE id = ANY($1::uuid[]) RETURNING id`,
      [ids.slice(0, 10), second],
    );
    const now = claimTime();
    const rows = await asAppRole<{ event_id: string; endpoint_id: string; payload: string | null }>(tenant.tenantId, CLAIM.text, [
      [...ids.slice(0, 10), ...pairs.rows.map((r) => r.id)],
      1,
      new Date(now.getTime() + 45_000),
      now,
    ]);
    expect(rows).toHaveLength(20);
    const byEvent = groupBy(rows, (r) => r.event_id);
    expect(byEvent.size).toBe(10);
    for (const list of byEvent.values()) {
      expect(list.map((r) => r.payload !== null).sort()).toEqual([false, true]);
      expect(JSON.parse(list.find((r) => r.payload)!.payload!)).toEqual({ eventId: list[0]!.event_id });
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

