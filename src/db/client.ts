import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { schema } from './schema/index.js';
import { TenantQuery } from './tenantQuery.js';
import { coalesceWrites, ReadPipeline } from './readPipeline.js';
import { requestContext } from '../lib/requestContext.js';

/** Where the queries of the current tenant scope go: one transaction's client, or the pool. */
type TxScope = { client: pg.PoolClient; open: boolean; db: Database; afterCommit: AfterCommit[]; wrote: boolean };
type Scope = TxScope | { pool: pg.Pool; tenantId: string; reads: ReadPipeline | null };
/** Work that may only start once the transaction is durable (enqueueing a job for a row it wrote). */
export type AfterCommit = (db: Database) => void | Promise<void>;
const scope = new AsyncLocalStorage<Scope>();
const TX_CONTROL = /^\s*(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction|set\s+session|reset|discard)\b/i;

// drizzle talks to this stand-in client, which sends each query where the current scope says.
// Outside withTenant/readTenant there is no scope, and a query fails instead of running without
// a tenant. One drizzle instance serves every request, so prepared queries can be module constants.
const scopedClient = {
  query(config: pg.QueryConfig, values?: unknown[]) {
    const s = scope.getStore();
    if (!s) throw new Error('tenant query outside withTenant/readTenant');
    const text = typeof config === 'string' ? config : (config.text ?? '');
    // Transactions are withTenant's job: a nested BEGIN/COMMIT would end the outer one early,
    // or leave a pooled connection inside a transaction with a tenant set.
    if (TX_CONTROL.test(text)) {
      throw new Error('transaction control inside a tenant scope; use withTenant');
    }
    if ('client' in s) {
      if (!s.open) throw new Error('tenant query after its transaction ended');
      if (!s.wrote && !readOnly(text)) s.wrote = true;
      coalesceWrites(s.client);
      return s.client.query(config, values);
    }
    const read = readOnly(text);
    const reads = s.reads && read ? s.reads : null;
    const run = () => {
      const query = new TenantQuery(s.tenantId, config, values);
      return reads?.query(query) ?? (s.pool.query(query) as unknown as Promise<pg.QueryResult>);
    };
    // A read on a connection the server has just closed (restart, failover, idle kill) is tried
    // once more on a fresh one. A write is not: it may have committed before the connection went,
    // and only the caller knows whether doing it twice is harmless (the API answers 503).
    return read ? run().catch((err: unknown) => (connectionLost(err) ? run() : Promise.reject(err))) : run();
  },
};

/**
 * Whether a statement only reads, so it may share a pipelined connection. A write commits on its
 * own and waits there for its WAL flush, holding up every statement behind it on that connection
 * (and the pool lets PostgreSQL flush many commits at once), so writes take a pooled connection.
 * Unsure means write. Decided once per statement text.
 */
const readOnlyTexts = new Map<string, boolean>();
const WRITES = /\b(insert|update|delete|merge|into|nextval|setval|pg_notify|lock|set_config|txid_current|pg_current_xact_id)\b|advisory|\bfor\s+(no\s+key\s+)?(update|share|key\s+share)\b/i;
export function readOnly(text: string): boolean {
  let known = readOnlyTexts.get(text);
  if (known === undefined) {
    known = /^\s*select\b/i.test(text) && !WRITES.test(text);
    if (readOnlyTexts.size >= 5_000) readOnlyTexts.clear();
    readOnlyTexts.set(text, known);
  }
  return known;
}

/** Whether a query failed because its connection went away (server restart, failover, a killed backend). */
export const connectionLost = (err: unknown) => {
  const e = err as { code?: string; message?: string; severity?: string };
  return (
    e.severity === 'FATAL' ||
    ['57P01', '57P02', '57P03', '08003', '08006', 'ECONNRESET', 'EPIPE'].includes(e.code ?? '') ||
    /Connection terminated/i.test(e.message ?? '')
  );
};

/** Whether PostgreSQL could not be reached or the connection was lost: worth a retry later (503). */
export function databaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (connectionLost(e)) return true;
    if (['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(String(e.code))) return true;
    if (/timeout exceeded when trying to connect/i.test(String(e.message ?? ''))) return true;
  }
  return false;
}

export const tdb = drizzle({ client: scopedClient as unknown as pg.Pool, schema });
export type Tx = typeof tdb;

export interface Database {
  pool: pg.Pool;
  /** Shared pipelined connections for readTenant's read-only statements; null: the pool. */
  reads: ReadPipeline | null;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  max: number;
  /** Idle connections are closed after this (pg's default: 10 s). */
  idleMs?: number;
  statementTimeoutMs: number;
  applicationName?: string;
  /** Pipelined connections readTenant's statements share (0: each takes a pooled connection). */
  readPipelines?: number;
  /** Reads in flight per pipelined connection before the next read takes a pooled one (32). */
  readPipelineDepth?: number;
}

export function createDatabase(opts: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max,
    idleTimeoutMillis: opts.idleMs ?? 10_000,
    // Queries written one after another go out without waiting for the previous answer: the
    // tenant context and the first query of a transaction cost one round trip, not three.
    pipeline: true,
    statement_timeout: opts.statementTimeoutMs,
    idle_in_transaction_session_timeout: opts.statementTimeoutMs * 2,
    application_name: opts.applicationName ?? 'afterview',
    connectionTimeoutMillis: 5_000,
  } as pg.PoolConfig);
  pool.on('error', () => {
    // An idle client died (server restart); the pool replaces it. Requests see their own errors.
  });
  const reads =
    (opts.readPipelines ?? 0) > 0
      ? new ReadPipeline({
          url: opts.url,
          size: opts.readPipelines!,
          depth: opts.readPipelineDepth ?? 32,
          statementTimeoutMs: opts.statementTimeoutMs,
          applicationName: `${opts.applicationName ?? 'afterview'}-reads`,
        })
      : null;
  return {
    pool,
    reads,
    close: async () => {
      await reads?.end();
      await pool.end();
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in one transaction with the tenant context set (`app.tenant_id`, transaction-local,
 * as a bound parameter). Every tenant query goes through here; row-level security does the rest.
 */
export async function withTenant<T>(db: Database, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!UUID.test(tenantId)) throw new Error('withTenant: tenant id must be a uuid');
  const client = await db.pool.connect();
  let store: { client: pg.PoolClient; open: boolean } | undefined;
  let releaseError: Error | undefined;
  // A connection that dies while checked out emits 'error' on the client: without a listener
  // that would crash the process. The failed query rejects on its own; the client is discarded.
  const onError = (err: Error) => {
    releaseError = err;
  };
  client.on('error', onError);
  try {
    coalesceWrites(client);
    const begin = client.query('BEGIN');
    const context = client.query({
      name: 'afterview_set_tenant',
      text: "SELECT set_config('app.tenant_id', $1, true)",
      values: [tenantId],
    });
    const started = Promise.all([begin, context]);
    started.catch(() => undefined);
    // fn may return a drizzle query builder: a thenable that runs once per `then`, so adopt it once.
    const scoped: TxScope = { client, open: true, db, afterCommit: [], wrote: false };
    store = scoped;
    const work = scope.run(scoped, () => Promise.resolve(fn(tdb)));
    work.catch(() => undefined);
    await started;
    const result = await work;
    scoped.open = false;
    // The request's Idempotency-Key is marked committed with the change it guards (the first
    // transaction that wrote), so a request that dies before its answer is stored is never run
    // again by a retry.
    const held = scoped.wrote ? heldIdempotencyKey(tenantId) : null;
    coalesceWrites(client);
    const marking = held && client.query(held.commit);
    marking?.catch(() => undefined);
    // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK and no error.
    const committed = await client.query('COMMIT');
    if (committed.command !== 'COMMIT') throw new Error('the transaction was rolled back (a statement in it had failed)');
    if (held) {
      await marking;
      held.marked = true;
    }
    for (const cb of scoped.afterCommit) {
      // Best effort: whatever a callback does must also be found again by a sweep of the database.
      Promise.resolve()
        .then(() => cb(db))
        .catch(() => undefined);
    }
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => {
      releaseError = rollbackErr;
    });
    throw err;
  } finally {
    if (store) store.open = false;
    client.off('error', onError);
    client.release(releaseError);
  }
}

/**
 * The Idempotency-Key the current request holds in `tenantId` and has not yet marked committed
 * (docs/idempotency.md): withTenant marks it in the first transaction that writes; a change made
 * in one statement outside a transaction marks it in that statement, then sets `marked`.
 */
export function heldIdempotencyKey(tenantId: string) {
  const held = requestContext.getStore()?.idempotency;
  return held && !held.marked && held.tenantId === tenantId ? held : null;
}

/** Whether the code runs inside a withTenant transaction (not readTenant, not outside any scope). */
export function inTransaction(): boolean {
  const s = scope.getStore();
  return s !== undefined && 'client' in s && s.open;
}

/**
 * Runs `cb` once the current withTenant transaction has committed (never if it rolls back); with
 * no transaction in progress (readTenant), at once. Errors of `cb` are ignored: use it only for
 * what a database sweep also does (docs/jobs.md).
 */
export function afterCommit(cb: AfterCommit, db?: Database): void {
  const s = scope.getStore();
  if (s && 'client' in s) {
    s.afterCommit.push(cb);
    return;
  }
  if (db) Promise.resolve().then(() => cb(db)).catch(() => undefined);
}

/**
 * Runs `fn` with the tenant context but no transaction: each query goes out alone with its
 * context attached in the same round trip (see TenantQuery) and commits on its own, on a shared
 * pipelined connection when the database has them (ReadPipeline), else on a pooled one. For reads,
 * and for single statements; use withTenant when several writes must commit together.
 */
export function readTenant<T>(db: Database, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!UUID.test(tenantId)) throw new Error('readTenant: tenant id must be a uuid');
  return scope.run({ pool: db.pool, tenantId, reads: db.reads }, () => Promise.resolve(fn(tdb)));
}

/** Resolves an agency slug to its id through the one SECURITY DEFINER lookup (login). */
export async function tenantIdBySlug(db: Database, slug: string): Promise<string | null> {
  const res = await db.pool.query<{ id: string | null }>({
    name: 'afterview_tenant_by_slug',
    text: 'SELECT app_private.tenant_id_by_slug($1) AS id',
    values: [slug],
  });
  return res.rows[0]?.id ?? null;
}

/** Every tenant id, for system jobs that then work tenant by tenant. */
export async function allTenantIds(db: Database): Promise<string[]> {
  const res = await db.pool.query<{ id: string }>('SELECT app_private.tenant_ids() AS id');
  return res.rows.map((r) => r.id);
}

/** The PostgreSQL error behind a failed query (drizzle wraps it in `cause`). */
export function pgError(err: unknown): { code?: string; constraint?: string } | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e as { code?: string; constraint?: string };
  }
  return undefined;
}

export const isUniqueViolation = (err: unknown, constraint?: string): boolean => {
  const pe = pgError(err);
  return pe?.code === '23505' && (constraint === undefined || pe.constraint === constraint);
};
