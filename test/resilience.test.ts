import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { withTenant } from '../src/db/client.js';
import { bearer, createTestApp, newTenant, type TestApp, type TestTenant } from './helpers/app.js';
import { testAdminUrl, testAppUrl } from './helpers/env.js';

let t: TestApp;
let tenant: TestTenant;
let admin: pg.Pool;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
  admin = new pg.Pool({ connectionString: testAdminUrl, max: 1 });
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

describe('when PostgreSQL drops a connection', () => {
  it('in the middle of a transaction: that work fails and rolls back, the process lives on, the next request works', async () => {
    await expect(
      withTenant(t.deps.db, tenant.tenantId, async (tx) => {
        const pid = (await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`)).rows[0]!.pid;
        await admin.query('select pg_terminate_backend($1)', [pid]);
        await tx.execute(sql`update users set name = 'half-written' where id = ${tenant.ownerId}`);
      }),
    ).rejects.toThrow();
    const me = await t.app.inject({ url: '/v1/me', headers: bearer(tenant.token) });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.name).toBe('Olive Owner');
  });

  it('while idle in the pool: the next requests still succeed', async () => {
    await t.app.inject({ url: '/v1/me', headers: bearer(tenant.token) });
    // Kill the pooled connection the next request would take.
    const c = await t.deps.db.pool.connect();
    const pid = (await c.query('select pg_backend_pid() as pid')).rows[0].pid;
    c.release();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({ url: '/v1/me', headers: bearer(tenant.token) });
      expect(res.statusCode).toBeLessThan(500);
    }
  });

  it('when PostgreSQL cannot be reached, requests get a 503 problem to retry, not a 500', async () => {
    const down = await createTestApp({ env: { DATABASE_URL: testAppUrl.replace(/:\d+\//, ':1/') } });
    try {
      const me = await down.app.inject({ url: '/v1/me', headers: bearer(tenant.token) });
      expect(me.statusCode).toBe(503);
      expect(me.headers['content-type']).toContain('application/problem+json');
      expect(me.json()).toMatchObject({ code: 'service_unavailable', detail: expect.stringContaining('database') });
      const create = await down.app.inject({
        method: 'POST',
        url: '/v1/candidates',
        headers: { ...bearer(tenant.token), 'idempotency-key': 'db-down-1' },
        payload: { name: 'Dana Down', email: 'dana.down@example.org' },
      });
      expect(create.statusCode).toBe(503);
      expect(create.json().code).toBe('service_unavailable');
    } finally {
      await down.close();
    }
  });
});


describe('when every pooled connection stays busy (overload)', () => {
  it('a request that waited the pool’s whole wait gets a 503 to retry in a few seconds, JSON or the public page, and nothing is done', async () => {
    // One connection, held by someone else for the whole test; reads take the pool too.
    const busy = await createTestApp({ env: { DATABASE_POOL_MAX: '1', DATABASE_POOL_WAIT_MS: '200', DATABASE_READ_PIPELINES: '0', PUBLIC_URL: 'https://afterview.example' } });
    const forged = `rsp_${tenant.tenantId.replaceAll('-', '')}_${'b'.repeat(43)}`;
    const candidates = async () => (await admin.query('SELECT count(*)::int AS n FROM candidates WHERE tenant_id = $1', [tenant.tenantId])).rows[0].n as number;
    const before = await candidates();
    const held = await busy.deps.db.pool.connect();
    let released = false;
    try {
      const me = await busy.app.inject({ url: '/v1/me', headers: bearer(tenant.token) });
      expect(me.statusCode).toBe(503);
      expect(me.headers['content-type']).toContain('application/problem+json');
      expect(me.headers['retry-after']).toBe('5');
      expect(me.json()).toMatchObject({ code: 'service_unavailable', detail: expect.stringContaining('no database connection was free') });
      const create = await busy.app.inject({
        method: 'POST',
        url: '/v1/candidates',
        headers: { ...bearer(tenant.token), 'idempotency-key': 'pool-busy-1' },
        payload: { name: 'Bea Busy', email: 'bea.busy@example.org' },
      });
      expect(create.statusCode).toBe(503);
      expect(create.headers['retry-after']).toBe('5');
      expect(create.json().code).toBe('service_unavailable');

      // The answer page is for people in a browser: a plain page, never problem+json.
      const page = await busy.app.inject({ url: `/respond/${forged}` });
      const answer = await busy.app.inject({
        method: 'POST',
        url: `/respond/${forged}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'answer=offer',
      });
      for (const res of [page, answer]) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.body).toContain('Please try again in a moment');
        expect(res.body).toContain('nothing was recorded');
      }
      held.release();
      released = true;
      expect(await candidates()).toBe(before);
      // The connection free again, the same requests are served (the link is not one of ours: 404).
      expect((await busy.app.inject({ url: '/v1/me', headers: bearer(tenant.token) })).statusCode).toBe(200);
      expect((await busy.app.inject({ url: `/respond/${forged}` })).statusCode).toBe(404);
    } finally {
      if (!released) held.release();
      await busy.close();
    }
  });
});
