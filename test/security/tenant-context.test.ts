import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { createDatabase, databaseUnavailable, readTenant, tdb, withTenant, type Database } from '../../src/db/client.js';
import { users } from '../../src/db/schema/index.js';
import type { Actor } from '../../src/lib/access.js';
import { recordChange } from '../../src/modules/activity/activity.service.js';
import { createTestApp, newTenant, type TestApp, type TestTenant } from '../helpers/app.js';
import { testAdminUrl, testAppUrl } from '../helpers/env.js';

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let single: Database;
/** One pipelined read connection (depth 8) beside a one-connection pool. */
let piped: Database;

beforeAll(async () => {
  t = await createTestApp();
  [a, b] = await Promise.all([newTenant(t.app), newTenant(t.app)]);
  // One connection, so every query below shares it and any leak would show.
  single = createDatabase({ url: testAppUrl, max: 1, statementTimeoutMs: 5_000 });
  piped = createDatabase({ url: testAppUrl, max: 1, statementTimeoutMs: 5_000, readPipelines: 1, readPipelineDepth: 8 });
  // Reads take the pool until the lane is connected.
  await piped.reads!.ready();
});
afterAll(async () => {
  await piped.close();
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

describe('the shared read pipeline (readTenant statements of many requests on one connection)', () => {
  const backend = sql`select pg_backend_pid() as pid, current_setting('app.tenant_id', true) as tenant`;
  /** A statement with no tenant context, written on the pipelined connection itself. */
  const bare = async (text: string) => (await piped.reads!.query<Record<string, unknown>>(new pg.Query(text))!).rows[0]!;

  it('reads of two tenants sent in one turn share the connection, each sees only its rows, and no setting is left behind', async () => {
    const runs = Array.from({ length: 8 }, (_, i) => {
      const tenant = i % 2 ? a : b;
      return readTenant(piped, tenant.tenantId, async (tx) => ({ rows: await tx.select().from(users), who: (await tx.execute<{ pid: number; tenant: string }>(backend)).rows[0]! })).then((r) => ({ tenant, ...r }));
    });
    const results = await Promise.all(runs);
    for (const { tenant, rows, who } of results) {
      expect(tenantsOf(rows)).toEqual([tenant.tenantId]);
      expect(who.tenant).toBe(tenant.tenantId);
    }
    expect(new Set(results.map((r) => r.who.pid)).size).toBe(1);
    expect(await bare("select coalesce(current_setting('app.tenant_id', true), '') as v")).toEqual({ v: '' });
  });

  it('a failing read between two others fails alone', async () => {
    const [before, failed, after] = await Promise.allSettled([
      readTenant(piped, a.tenantId, (tx) => tx.select().from(users)),
      readTenant(piped, b.tenantId, (tx) => tx.execute(sql`select 1/0`)),
      readTenant(piped, b.tenantId, (tx) => tx.select().from(users)),
    ]);
    expect(before.status === 'fulfilled' && tenantsOf(before.value)).toEqual([a.tenantId]);
    expect(failed).toMatchObject({ status: 'rejected', reason: { cause: { message: expect.stringMatching(/division by zero/) } } });
    expect(after.status === 'fulfilled' && tenantsOf(after.value)).toEqual([b.tenantId]);
  });

  it('when the connection is full, a read takes a pooled connection instead of queueing behind a slow one', async () => {
    const done: string[] = [];
    const pidOf = (name: string, p: Promise<{ rows: { pid: number }[] }>) =>
      p.then((r) => {
        done.push(name);
        return r.rows[0]!.pid;
      });
    const slow = Array.from({ length: 8 }, () => pidOf('slow', readTenant(piped, a.tenantId, (tx) => tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid from pg_sleep(0.2)`))));
    const quick = await pidOf('quick', readTenant(piped, a.tenantId, (tx) => tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`)));
    const slowPids = new Set(await Promise.all(slow));
    expect(slowPids.size).toBe(1);
    expect(slowPids.has(quick)).toBe(false);
    expect(done[0]).toBe('quick');
  });

  it('a single-statement write through readTenant takes a pooled connection, not the pipelined one', async () => {
    const lanePid = (await bare('select pg_backend_pid() as pid')).pid;
    const pidOf = async (statement: ReturnType<typeof sql>) =>
      (await readTenant(piped, a.tenantId, (tx) => tx.execute<{ pid: number }>(statement))).rows[0]!.pid;
    expect(await pidOf(sql`select pg_backend_pid() as pid`)).toBe(lanePid);
    // A write commits alone and waits for its WAL flush: behind it, every read on the lane would wait.
    expect(await pidOf(sql`with touched as (update users set name = name where false returning 1) select pg_backend_pid() as pid`)).not.toBe(lanePid);
    expect(await pidOf(sql`select pg_backend_pid() as pid from users limit 1 for update`)).not.toBe(lanePid);
  });

  it('a pipelined connection the server drops is replaced, and the read in flight on it is sent again', async () => {
    const pid = (await bare('select pg_backend_pid() as pid')).pid as number;
    const inFlight = readTenant(piped, a.tenantId, async (tx) => ({
      rows: await tx.select().from(users),
      who: (await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid from pg_sleep(0.5)`)).rows[0]!,
    }));
    const admin = new pg.Client({ connectionString: testAdminUrl });
    await admin.connect();
    try {
      // Once the sleep is running on the pipelined connection.
      await expect.poll(async () => (await admin.query("select state from pg_stat_activity where pid = $1 and query like '%pg_sleep%'", [pid])).rowCount).toBe(1);
      await admin.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    // Sent again at once, on the pool while the lane reconnects.
    const { rows, who } = await inFlight;
    expect(tenantsOf(rows)).toEqual([a.tenantId]);
    expect(who.pid).not.toBe(pid);
    await piped.reads!.ready();
    expect((await bare('select pg_backend_pid() as pid')).pid).not.toBe(pid);
  });

  it('recordChange refuses to run outside a transaction, where its rows would commit apart from the change', async () => {
    const actor: Actor = { tenantId: a.tenantId, kind: 'user', userId: a.ownerId, apiKeyId: null, role: 'owner', scopes: [] };
    const change = { action: 'candidate.updated' as const, subject: { type: 'candidate', id: a.ownerId } };
    await expect(readTenant(single, a.tenantId, () => recordChange(actor, new Date(), change))).rejects.toThrow(/outside withTenant/);
    await expect(recordChange(actor, new Date(), change)).rejects.toThrow(/outside withTenant/);
    await withTenant(single, a.tenantId, () => recordChange(actor, new Date(), change));
    const admin = new pg.Client({ connectionString: testAdminUrl });
    await admin.connect();
    try {
      const n = (await admin.query("select count(*)::int as n from activities where tenant_id = $1 and action = 'candidate.updated' and subject_id = $2", [a.tenantId, a.ownerId])).rows[0].n;
      expect(n).toBe(1);
    } finally {
      await admin.end();
    }
  });

  it('a single-statement write whose connection is lost is not sent again: it may have committed', async () => {
    const admin = new pg.Client({ connectionString: testAdminUrl });
    await admin.connect();
    try {
      // The write touches a row, then sleeps; its backend is killed before it ends (so it rolls
      // back). Sent a second time it would run to the end and commit the change.
      const write = readTenant(single, a.tenantId, (tx) =>
        tx.execute(sql`with touched as (update users set name = name || ' (resent)' where id = ${a.ownerId} returning 1)
                       select count(*) from touched, pg_sleep(0.5)`),
      );
      write.catch(() => undefined);
      let pid: number | undefined;
      await expect.poll(async () => {
        pid = (await admin.query("select pid from pg_stat_activity where query like '%(resent)%' and pid <> pg_backend_pid()")).rows[0]?.pid;
        return pid;
      }).toBeDefined();
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await expect(write).rejects.toSatisfy(databaseUnavailable);
      const name = (await admin.query('select name from users where id = $1', [a.ownerId])).rows[0].name;
      expect(name).not.toContain('(resent)');
    } finally {
      await admin.end();
    }
  });

  it('when the pipelined connection cannot connect, reads take the pool instead of waiting', async () => {
    const unreachable = createDatabase({ url: testAppUrl, max: 1, statementTimeoutMs: 5_000, readPipelines: 1 });
    try {
      // Point the lanes at a port nobody listens on; the pool keeps the right address.
      (unreachable.reads as unknown as { opts: { url: string } }).opts.url = testAppUrl.replace(/:\d+\//, ':1/');
      await unreachable.reads!.ready();
      const rows = await readTenant(unreachable, a.tenantId, (tx) => tx.select().from(users));
      expect(tenantsOf(rows)).toEqual([a.tenantId]);
    } finally {
      await unreachable.close();
    }
  });
});
