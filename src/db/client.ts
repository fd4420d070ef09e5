import pg from 'pg';
import { coalesceWrites, ReadPipeline } from './readPipeline.js';
import { heldIdempotencyKey, markCommitted } from './idempotency.js';
import { recordChange, type ChangeActor, type ChangeRecord } from './outbox.js';
import { connectionLost, scope, tdb, type CommitJob, type Tx, type TxScope } from './scope.js';

export { heldIdempotencyKey } from './idempotency.js';
export { afterCommit, connectionLost, inTransaction, readOnly, tdb, type CommitJob, type Tx } from './scope.js';
import { joinableTransaction } from './scope.js';

/**
 * Whether no pooled connection was free within the pool's wait (`connectionTimeoutMillis`): the
 * server is overloaded, and the request's statement was never sent (503, retry in a few seconds).
 */
export function databaseBusy(err: unknown): boolean {
  for (let e = err as { message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (/timeout exceeded when trying to connect/i.test(String(e.message ?? ''))) return true;
  }
  return false;
}

/** Whether PostgreSQL could not be reached, the connection was lost, or none was free in time: worth a retry later (503). */
export function databaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (connectionLost(e)) return true;
    if (['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(String(e.code))) return true;
  }
  return databaseBusy(err);
}

export interface Database {
  pool: pg.Pool;
  /**
   * Where the jobs a transaction asked for (`work.afterCommit`) go once it has committed: the
   * process's queues (src/deps.ts sets it). Best effort: a sweep of the database finds the same work.
   */
  enqueueCommitted: ((jobs: readonly CommitJob[]) => Promise<void>) | null;
  /** Shared pipelined connections for readTenant's read-only statements; null: the pool. */
  reads: ReadPipeline | null;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  max: number;
  /** Idle connections are closed after this (pg's default: 10 s). */
  idleMs?: number;
  /** How long a query waits for a free connection before failing (`databaseBusy`): 5 s. */
  waitMs?: number;
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
    connectionTimeoutMillis: opts.waitMs ?? 5_000,
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
    enqueueCommitted: null,
    close: async () => {
      await reads?.end();
      await pool.end();
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What withTenant hands its callback beside the transaction: what commits with it, and what waits for the commit. */
export interface UnitOfWork {
  tx: Tx;
  tenantId: string;
  /** The change's activity row and outbox event, in this transaction (src/db/outbox.ts). */
  record(actor: ChangeActor, now: Date, change: ChangeRecord): Promise<void>;
  /** Jobs enqueued once this transaction has committed, never if it rolls back (best effort). */
  afterCommit(...jobs: CommitJob[]): void;
}

/**
 * Runs `fn` in one transaction with the tenant context set (`app.tenant_id`, transaction-local,
 * as a bound parameter). Every tenant query goes through here; row-level security does the rest.
 * `fn` gets the transaction and its unit of work (record a change, enqueue after the commit).
 *
 * `joinable`: the services `fn` calls join this transaction instead of opening their own (their
 * withTenant and readTenant run in it), so that several services' writes commit together, as an
 * upsert by external id does (the record and its link). Off by default: elsewhere a nested
 * withTenant stays a transaction of its own.
 */
export async function withTenant<T>(
  db: Database,
  tenantId: string,
  fn: (tx: Tx, work: UnitOfWork) => Promise<T>,
  opts: { joinable?: boolean } = {},
): Promise<T> {
  if (!UUID.test(tenantId)) throw new Error('withTenant: tenant id must be a uuid');
  const outer = joinableTransaction(tenantId);
  if (outer) {
    return fn(tdb, {
      tx: tdb,
      tenantId,
      record: (actor, now, change) => recordChange(actor, now, change),
      afterCommit: (...jobs) => void outer.afterCommit.push(...jobs),
    });
  }
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
    const scoped: TxScope = { client, open: true, afterCommit: [], wrote: false, ...(opts.joinable ? { joinable: { tenantId } } : {}) };
    store = scoped;
    const unit: UnitOfWork = {
      tx: tdb,
      tenantId,
      record: (actor, now, change) => recordChange(actor, now, change),
      afterCommit: (...jobs) => void scoped.afterCommit.push(...jobs),
    };
    const running = scope.run(scoped, () => Promise.resolve(fn(tdb, unit)));
    running.catch(() => undefined);
    await started;
    const result = await running;
    scoped.open = false;
    // The request's Idempotency-Key is marked committed with the change it guards (the first
    // transaction that wrote), so a request that dies before its answer is stored is never run
    // again by a retry.
    const held = scoped.wrote ? heldIdempotencyKey(tenantId) : null;
    coalesceWrites(client);
    const marking = held && client.query(markCommitted(held));
    marking?.catch(() => undefined);
    // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK and no error.
    const committed = await client.query('COMMIT');
    if (committed.command !== 'COMMIT') throw new Error('the transaction was rolled back (a statement in it had failed)');
    if (held) {
      await marking;
      held.marked = true;
    }
    if (scoped.afterCommit.length > 0 && db.enqueueCommitted) {
      // Best effort: what is enqueued here must also be found again by a sweep of the database.
      db.enqueueCommitted(scoped.afterCommit).catch(() => undefined);
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
 * The jobs of a change made in one statement outside a transaction (readTenant), once that statement
 * has committed: what a unit of work's `afterCommit` does at its commit, best effort (a sweep of the
 * database must find the same work).
 */
export function enqueueAfterCommit(db: Database, ...jobs: CommitJob[]): void {
  if (jobs.length > 0 && db.enqueueCommitted) db.enqueueCommitted(jobs).catch(() => undefined);
}

/**
 * Runs `fn` with the tenant context but no transaction: each query goes out alone with its
 * context attached in the same round trip (see TenantQuery) and commits on its own, on a shared
 * pipelined connection when the database has them (ReadPipeline), else on a pooled one. For reads,
 * and for single statements; use withTenant when several writes must commit together.
 */
export function readTenant<T>(db: Database, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!UUID.test(tenantId)) throw new Error('readTenant: tenant id must be a uuid');
  // Inside a joinable transaction a read sees its writes; after a failed statement there, it
  // cannot run in it and goes out on its own (a duplicate's lookup for its 409).
  const outer = joinableTransaction(tenantId);
  if (outer && !outer.failed) return Promise.resolve(fn(tdb));
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
