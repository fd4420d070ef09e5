import pg from 'pg';
import type { Deps } from '../../deps.js';

/** The channel the triggers of migration 0025 notify on, at the commit of a revocation. */
export const REVOCATION_CHANNEL = 'afterview_revocations';
/** While the LISTEN connection is down, the database is asked this often. */
export const REVOCATION_POLL_MS = 250;
/**
 * While listening, the LISTEN connection is asked `SELECT 1` this often; no answer within
 * REVOCATION_HEARTBEAT_TIMEOUT_MS counts as a lost connection. A connection can die without a
 * word (a dropped route, a pooler or firewall forgetting it): no notification would arrive and
 * nothing else would tell.
 */
export const REVOCATION_HEARTBEAT_MS = 5_000;
export const REVOCATION_HEARTBEAT_TIMEOUT_MS = 2_000;
// A catch-up asks from this long before its last one began: a revocation stamped just before
// a commit that lands after the previous question is still found (and clocks may differ a bit).
const CATCH_UP_OVERLAP_MS = 10_000;

/**
 * What this process knows has been revoked, checked on every authenticated request (two map
 * lookups, and only when something was revoked since the token's verdict was cached: `epoch`).
 * An ended session refuses its access tokens (`sid`); a user's raised session generation refuses
 * every token carrying an older `gen`. Entries are kept an access token's lifetime after this
 * process learnt them: any token they refuse has expired by then.
 */
export class RevocationList {
  /** Bumped by every revocation learnt; a cached verdict of the same epoch needs no new look. */
  epoch = 0;
  private readonly sessions = new Map<string, number>();
  private readonly generations = new Map<string, { generation: number; until: number }>();
  private readonly keepMs: number;

  constructor(keepMs: number) {
    this.keepMs = keepMs;
  }

  allows(sessionId: string, userId: string, generation: number): boolean {
    if (this.sessions.has(sessionId)) return false;
    const raised = this.generations.get(userId);
    return raised === undefined || generation >= raised.generation;
  }

  endSession(sessionId: string): void {
    if (!this.sessions.has(sessionId)) this.epoch++;
    this.sessions.set(sessionId, Date.now() + this.keepMs);
  }

  raiseGeneration(userId: string, generation: number): void {
    const known = this.generations.get(userId);
    if (known && known.generation >= generation) return;
    this.generations.set(userId, { generation, until: Date.now() + this.keepMs });
    this.epoch++;
  }

  /** A notification's payload: `session:<id>` or `user:<id>:<generation>`. */
  applyNote(note: string): void {
    const [kind, id, generation] = note.split(':');
    if (kind === 'session' && id) this.endSession(id);
    else if (kind === 'user' && id && generation) this.raiseGeneration(id, Number(generation));
  }

  /** Forgets what can refuse nothing any more (every token it refused has expired). */
  prune(now = Date.now()): void {
    for (const [id, until] of this.sessions) if (until <= now) this.sessions.delete(id);
    for (const [id, g] of this.generations) if (g.until <= now) this.generations.delete(id);
  }
}

// The list of each API process (keyed by its deps), so a service can apply its own revocation
// at once, before it answers; the other processes hear of it through the database.
const lists = new WeakMap<Deps, RevocationList>();

export function revocationListOf(deps: Deps): RevocationList {
  let list = lists.get(deps);
  if (!list) lists.set(deps, (list = new RevocationList((deps.config.ACCESS_TOKEN_TTL_SECONDS + 60) * 1000)));
  return list;
}

/** After a commit that revoked: this process refuses at once (the others within a second). */
export function revokedHere(deps: Deps, r: { sessionIds?: readonly string[]; user?: { id: string; generation: number } }): void {
  const list = lists.get(deps);
  if (!list) return;
  for (const id of r.sessionIds ?? []) list.endSession(id);
  if (r.user) list.raiseGeneration(r.user.id, r.user.generation);
}

export interface RevocationListener {
  /** The LISTEN connection is up (otherwise the database is polled every REVOCATION_POLL_MS). */
  readonly listening: boolean;
  /** Its PostgreSQL backend, while listening (what an operator sees in pg_stat_activity). */
  readonly backendPid: number | null;
  close(): Promise<void>;
}

const listeners = new WeakMap<Deps, RevocationListener>();
/** The listener of the API process of `deps`, once its app is ready. */
export const revocationListenerOf = (deps: Deps) => listeners.get(deps);

/**
 * Keeps `list` current: LISTEN for the notifications sent at each revocation's commit; at start,
 * and again after the connection was lost, ask the database what was revoked meanwhile
 * (app_private.revocations_since); while it is lost, ask every REVOCATION_POLL_MS. Redis plays no
 * part: revocation holds while Redis is unreachable (docs/auth.md#revocation).
 */
export async function listenForRevocations(deps: Deps, list: RevocationList): Promise<RevocationListener> {
  const feed = new RevocationFeed(deps, list);
  await feed.listen();
  listeners.set(deps, feed);
  return feed;
}

class RevocationFeed implements RevocationListener {
  private readonly deps: Deps;
  private readonly list: RevocationList;
  private client: pg.Client | null = null;
  private closed = false;
  private polling = false;
  private wake: (() => void) | null = null;
  private retry: NodeJS.Timeout | null = null;
  private readonly pruner: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  // A dropped connection says so twice ('error', then 'end'): handled once.
  private readonly gone = new WeakSet<pg.Client>();
  /** Where the next catch-up starts: an access token's lifetime back, at first. */
  private since: number;

  constructor(deps: Deps, list: RevocationList) {
    this.deps = deps;
    this.list = list;
    this.since = deps.clock.now().getTime() - deps.config.ACCESS_TOKEN_TTL_SECONDS * 1000 - CATCH_UP_OVERLAP_MS;
    this.pruner = setInterval(() => list.prune(), 60_000);
    this.pruner.unref();
    this.heartbeat = setInterval(() => void this.beat(), REVOCATION_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Asks the LISTEN connection for a sign of life; silence counts as losing it. */
  private async beat() {
    const client = this.client;
    if (!client || this.closed) return;
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${REVOCATION_HEARTBEAT_TIMEOUT_MS} ms`)), REVOCATION_HEARTBEAT_TIMEOUT_MS);
    });
    try {
      await Promise.race([client.query('SELECT 1'), silent]);
    } catch (err) {
      this.lost(client, err as Error);
      // A silent socket would not finish a polite close either.
      (client as pg.Client & { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    } finally {
      clearTimeout(timer);
    }
  }

  get listening() {
    return this.client !== null;
  }

  get backendPid() {
    return (this.client as (pg.Client & { processID?: number }) | null)?.processID ?? null;
  }

  /** Connects and LISTENs, then catches up; on failure, polls and tries again a second later. */
  async listen(): Promise<void> {
    this.retry = null;
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.deps.config.DATABASE_URL, application_name: 'afterview-revocations', keepAlive: true, keepAliveInitialDelayMillis: 10_000, connectionTimeoutMillis: 5_000 });
    client.on('notification', (n) => n.payload && this.list.applyNote(n.payload));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      // Listening first, then asking: nothing revoked in between is missed.
      await this.catchUp();
      if (this.closed) return void (await client.end());
      this.client = client;
      this.wake?.();
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pruner);
    clearInterval(this.heartbeat);
    if (this.retry) clearTimeout(this.retry);
    this.wake?.();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async catchUp() {
    const asked = this.deps.clock.now().getTime();
    const res = await this.deps.db.pool.query<{ kind: string; id: string; generation: number }>({
      name: 'afterview_revocations_since',
      text: 'SELECT kind, id, generation FROM app_private.revocations_since($1)',
      values: [new Date(this.since)],
    });
    for (const r of res.rows) {
      if (r.kind === 'session') this.list.endSession(r.id);
      else this.list.raiseGeneration(r.id, r.generation);
    }
    this.list.prune();
    this.since = asked - CATCH_UP_OVERLAP_MS;
  }

  private lost(client: pg.Client, err: Error) {
    if (this.gone.has(client)) return;
    this.gone.add(client);
    if (this.client === client) this.client = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.deps.log.warn({ err: err.message }, 'revocations: lost the LISTEN connection; polling the database until it is back');
    void this.poll();
    if (!this.retry) (this.retry = setTimeout(() => void this.listen(), 1_000)).unref();
  }

  /** While not listening: asks the database every REVOCATION_POLL_MS (one loop at a time). */
  private async poll() {
    if (this.polling) return;
    this.polling = true;
    while (!this.closed && !this.client) {
      await this.catchUp().catch((err: Error) => this.deps.log.warn({ err: err.message }, 'could not read revocations from the database; retrying'));
      if (this.closed || this.client) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, REVOCATION_POLL_MS).unref();
      });
      this.wake = null;
    }
    this.polling = false;
  }
}
