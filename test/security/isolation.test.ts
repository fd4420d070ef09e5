import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestApp, expectProblem, newTenant, bearer, type TestApp, type TestTenant } from '../helpers/app.js';
import { isolationFixtures, fillPath, notTenantIds } from '../helpers/isolation.js';
import { testAdminUrl, testAppUrl } from '../helpers/env.js';

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let appPool: pg.Pool;
let adminPool: pg.Pool;

beforeAll(async () => {
  t = await createTestApp();
  [a, b] = await Promise.all([newTenant(t.app), newTenant(t.app)]);
  appPool = new pg.Pool({ connectionString: testAppUrl, max: 2 });
  adminPool = new pg.Pool({ connectionString: testAdminUrl, max: 1 });
});
afterAll(async () => {
  await appPool.end();
  await adminPool.end();
  await t.close();
});

async function asTenant<T>(tenantId: string | null, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await appPool.connect();
  try {
    await c.query('BEGIN');
    if (tenantId) await c.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    return await fn(c);
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
}

describe('row-level security, in the database itself', () => {
  it('when a query forgets its tenant filter, then it still sees only the current tenant’s rows', async () => {
    const rows = await asTenant(a.tenantId, async (c) => (await c.query('SELECT tenant_id FROM users')).rows);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.tenant_id === a.tenantId)).toBe(true);
    const tenants = await asTenant(a.tenantId, async (c) => (await c.query('SELECT id FROM tenants')).rows);
    expect(tenants).toEqual([{ id: a.tenantId }]);
  });

  it('when no tenant context is set, then every tenant table reads empty', async () => {
    for (const table of ['tenants', 'users', 'refresh_tokens', 'api_keys']) {
      const n = await asTenant(null, async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
      expect(n, table).toBe(0);
    }
  });

  it('when the context was set and reset on a pooled connection, then the next query sees nothing', async () => {
    const c = await appPool.connect();
    try {
      await c.query('BEGIN');
      await c.query("SELECT set_config('app.tenant_id', $1, true)", [a.tenantId]);
      await c.query('COMMIT');
      const res = await c.query('SELECT count(*)::int AS n FROM users');
      expect(res.rows[0].n).toBe(0);
    } finally {
      c.release();
    }
  });

  it('when the app role writes a row for another tenant, then the policy refuses it', async () => {
    await expect(
      asTenant(a.tenantId, (c) =>
        c.query(
          "INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash, scopes, created_by) VALUES ($1, gen_random_uuid(), 'x', 'x', 'x', '{}', $2)",
          [b.tenantId, b.ownerId],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('when a row points at another tenant’s row, then the composite foreign key refuses it', async () => {
    const c = await adminPool.connect();
    try {
      await c.query('BEGIN');
      await expect(
        c.query(
          "INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash, scopes, created_by) VALUES ($1, gen_random_uuid(), 'x', 'x', 'x', '{}', $2)",
          [a.tenantId, b.ownerId],
        ),
      ).rejects.toThrow(/foreign key/);
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });

  it('the app role cannot turn row-level security off', async () => {
    await expect(asTenant(a.tenantId, (c) => c.query('ALTER TABLE users DISABLE ROW LEVEL SECURITY'))).rejects.toThrow(
      /must be owner/,
    );
    await expect(asTenant(a.tenantId, (c) => c.query('ALTER TABLE users NO FORCE ROW LEVEL SECURITY'))).rejects.toThrow(
      /must be owner/,
    );
    await expect(asTenant(a.tenantId, (c) => c.query("SET LOCAL row_security = off; SELECT * FROM users"))).rejects.toThrow(
      /row-level security/,
    );
  });

  it('the app role is no superuser, cannot bypass RLS and owns no table', async () => {
    const role = await appPool.query('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user');
    expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await appPool.query(
      "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user",
    );
    expect(owned.rows[0].n).toBe(0);
  });

  it('every table but drizzle’s bookkeeping has RLS enabled and forced, with a policy', async () => {
    const res = await adminPool.query(`
      SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
             (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname) AS policies
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'`);
    expect(res.rows.length).toBeGreaterThanOrEqual(4);
    for (const r of res.rows) {
      expect({ table: r.relname, rls: r.relrowsecurity, force: r.relforcerowsecurity, policy: r.policies > 0 }).toEqual({
        table: r.relname,
        rls: true,
        force: true,
        policy: true,
      });
    }
  });

  it('every SECURITY DEFINER function is a reviewed one with a pinned search_path', async () => {
    const res = await adminPool.query(`
      SELECT n.nspname || '.' || p.proname AS name, p.proconfig
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')`);
    expect(res.rows.map((r) => r.name).sort()).toEqual([
      'app_private.due_webhook_deliveries',
      'app_private.revocations_since',
      'app_private.search_candidates',
      'app_private.search_contacts',
      'app_private.search_positions',
      'app_private.tenant_id_by_slug',
      'app_private.tenant_ids',
      'app_private.tenants_with_unpublished_events',
    ]);
    for (const r of res.rows) expect(r.proconfig.join()).toMatch(/search_path=pg_catalog, public/);
  });
});

describe('every route that takes an id answers 404 for another tenant’s id', () => {
  it('has a fixture for every such route (a new route cannot escape)', () => {
    const routes = t.app.routeTable.filter((r) => r.url.includes(':') && !('public' in r.access));
    expect(routes.length).toBeGreaterThan(0);
    const missing = routes.map((r) => `${r.method} ${r.url}`).filter((k) => !isolationFixtures[k] && !notTenantIds[k]);
    expect(missing).toEqual([]);
  });

  for (const [key, fixture] of Object.entries(isolationFixtures)) {
    it(`${key}: tenant A gets 404 for tenant B's resource, and B's resource is unchanged`, async () => {
      const [method, url] = key.split(' ') as [string, string];
      const c = await fixture(t.app, b);
      const res = await t.app.inject({
        method: method as 'GET',
        url: fillPath(url, c.params),
        headers: bearer(a.token),
        ...(c.body !== undefined ? { payload: c.body as object } : {}),
      });
      expectProblem(res, 404, 'not_found');
      if (c.unchanged) expect(await c.unchanged()).toBe(true);
    });
  }
});
