import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDatabase, readTenant, tdb, withTenant, type Database } from '../../src/db/client.js';
import { users } from '../../src/db/schema.js';
import { createTestApp, newTenant, type TestApp, type TestTenant } from '../helpers/app.js';
import { testAppUrl } from '../helpers/env.js';

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let single: Database;

beforeAll(async () => {
  t = await createTestApp();
  [a, b] = await Promise.all([newTenant(t.app), newTenant(t.app)]);
  // One connection, so every query below shares it and any leak would show.
  single = createDatabase({ url: testAppUrl, max: 1, statementTimeoutMs: 5_000 });
});
afterAll(async () => {
  await single.close();
  await t.close();
});

const tenantsOf = (rows: { tenantId: string }[]) => [...new Set(rows.map((r) => r.tenantId))];
const setting = async () =>
  (await single.pool.query("select coalesce(current_setting('app.tenant_id', true), '') as v")).rows[0].v;

describe('the tenant context of readTenant (one round trip, no transaction)', () => {
  it('a query without a tenant filter sees only that tenant, and the setting ends with the query', async () => {
    const rows = await readTenant(single, a.tenantId, (tx) => tx.select().from(users));
    expect(tenantsOf(rows)).toEqual([a.tenantId]);
    expect(await setting()).toBe('');
  });

  it('interleaved queries of two tenants on one connection each see their own rows', async () => {
    const runs = Array.from({ length: 20 }, (_, i) => {
      const tenant = i % 2 ? a : b;
      return readTenant(single, tenant.tenantId, (tx) => tx.select().from(users)).then((rows) => ({ tenant, rows }));
    });
    for (const { tenant, rows } of await Promise.all(runs)) expect(tenantsOf(rows)).toEqual([tenant.tenantId]);
    expect(await setting()).toBe('');
  });

  it('a failing query reports its error and leaves the connection clean', async () => {
    await expect(readTenant(single, a.tenantId, (tx) => tx.execute(sql`select 1/0`))).rejects.toMatchObject({ cause: { message: expect.stringMatching(/division by zero/) } });
    const rows = await readTenant(single, b.tenantId, (tx) => tx.select().from(users));
    expect(tenantsOf(rows)).toEqual([b.tenantId]);
  });

  it('withTenant and readTenant mixed on one connection never see each other’s tenant', async () => {
    const [inTx, inRead] = await Promise.all([
      withTenant(single, a.tenantId, (tx) => tx.select().from(users)),
      readTenant(single, b.tenantId, (tx) => tx.select().from(users)),
    ]);
    expect(tenantsOf(inTx)).toEqual([a.tenantId]);
    expect(tenantsOf(inRead)).toEqual([b.tenantId]);
    expect(await setting()).toBe('');
  });

  it('transaction control inside a tenant scope is refused', async () => {
    await expect(readTenant(single, a.tenantId, (tx) => tx.execute(sql`BEGIN`))).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/use withTenant/) },
    });
    await expect(withTenant(single, a.tenantId, (tx) => tx.execute(sql`commit`))).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/use withTenant/) },
    });
    expect(await setting()).toBe('');
  });

  it('a query left running after its transaction ended is refused, not run in someone else’s', async () => {
    let late: Promise<unknown> | undefined;
    let markCommitted!: () => void;
    const committed = new Promise<void>((r) => (markCommitted = r));
    await withTenant(single, a.tenantId, async (tx) => {
      // Runs once the transaction has been committed and its connection released.
      late = committed.then(() => tx.select().from(users));
      return 1;
    });
    markCommitted();
    await expect(late).rejects.toMatchObject({ cause: { message: expect.stringMatching(/after its transaction ended/) } });
  });

  it('a transaction whose statement failed is not reported as committed', async () => {
    await expect(
      withTenant(single, a.tenantId, async (tx) => {
        await tx.execute(sql`select 1/0`).catch(() => undefined);
        return 'looks fine';
      }),
    ).rejects.toThrow(/rolled back/);
  });

  it('a query outside any tenant scope refuses to run', async () => {
    await expect(async () => tdb.select().from(users)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/outside withTenant\/readTenant/) },
    });
  });

  it('a tenant id that is not a uuid is refused before reaching the database', () => {
    expect(() => readTenant(single, "x' or 1=1", async () => 1)).toThrow(/uuid/);
  });
});
