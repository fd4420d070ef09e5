import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { schema } from './schema/index.js';
import { TenantQuery } from './tenantQuery.js';
import { coalesceWrites, type ReadPipeline } from './readPipeline.js';

// The one drizzle instance every tenant query goes through, and where its queries go: the
// transaction withTenant opened, or readTenant's pipelined connections (src/db/client.ts).

/** Where the queries of the current tenant scope go: one transaction's client, or the pool. */
export type TxScope = {
  client: pg.PoolClient;
  open: boolean;
  afterCommit: CommitJob[];
  wrote: boolean;
  /** Set by withTenant(…, { joinable: true }): services called inside join this transaction. */
  joinable?: { tenantId: string };
  /** A statement failed: the transaction can only roll back, so joined reads go elsewhere. */
  failed?: boolean;
};
type Scope = TxScope | { pool: pg.Pool; tenantId: string; reads: ReadPipeline | null };
/**
 * A job to enqueue once the transaction that asked for it has committed (src/jobs/define.ts
 * JobRequest): its definition, payload and options.
 */
export interface CommitJob {
  def: { name: string; queue: string };
  payload: unknown;
  opts: { jobId: string; delay?: number };
}
export const scope = new AsyncLocalStorage<Scope>();
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
      if (!s.joinable) return s.client.query(config, values);
      return s.client.query(config, values).catch((err: unknown) => {
        s.failed = true;
        throw err;
      });
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
    // pg's own, for a query sent on a client whose connection had already failed.
    /Connection terminated|Client has encountered a connection error and is not queryable/i.test(e.message ?? '')
  );
};

export const tdb = drizzle({ client: scopedClient as unknown as pg.Pool, schema });
export type Tx = typeof tdb;

/** Whether the code runs inside a withTenant transaction (not readTenant, not outside any scope). */
/** The joinable transaction of this tenant that the caller runs in, if any (withTenant's `joinable`). */
export function joinableTransaction(tenantId: string): TxScope | undefined {
  const s = scope.getStore();
  return s && 'client' in s && s.open && s.joinable?.tenantId === tenantId ? s : undefined;
}

export function inTransaction(): boolean {
  const s = scope.getStore();
  return s !== undefined && 'client' in s && s.open;
}


/**
 * Enqueues `jobs` once the current withTenant transaction has committed (its unit of work's
 * `afterCommit`, for helpers that were handed only the transaction).
 */
export function afterCommit(...jobs: CommitJob[]): void {
  const s = scope.getStore();
  if (!s || !('client' in s)) throw new Error('afterCommit outside withTenant: the jobs must wait for a commit');
  s.afterCommit.push(...jobs);
}
