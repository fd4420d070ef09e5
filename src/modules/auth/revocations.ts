import pg from 'pg';
import type { Deps } from '../../deps.js';

/** The channel the triggers of migration 0025 notify on, at the commit of a revocation. */
export const REVOCATION_CHANNEL = 'afterview_revocations';
/** While the LISTEN connection is down, the database is asked this often. */
export const REVOCATION_POLL_MS = 250;
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
  const { config, log, db, clock } = deps;
  const lifetimeMs = config.ACCESS_TOKEN_TTL_SECONDS * 1000;
  let closed = false;
  let listener: pg.Client | null = null;
  let poller: NodeJS.Timeout | null = null;
  let retry: NodeJS.Timeout | null = null;
  // Where the next catch-up starts: an access token's lifetime back, at first.
  let since = clock.now().getTime() - lifetimeMs - CATCH_UP_OVERLAP_MS;

  const catchUp = async () => {
    const asked = clock.now().getTime();
    const res = await db.pool.query<{ kind: string; id: string; generation: number }>({
      name: 'afterview_revocations_since',
      text: 'SELECT kind, id, generation FROM app_private.revocations_since($1)',
      values: [new Date(since)],
    });
    for (const r of res.rows) {
      if (r.kind === 'session') list.endSession(r.id);
      else list.raiseGeneration(r.id, r.generation);
    }
    list.prune();
    since = asked - CATCH_UP_OVERLAP_MS;
  };
  const poll = async () => {
    poller = null;
    if (closed || listener) return;
    await catchUp().catch((err: Error) => log.warn({ err: err.message }, 'could not read revocations from the database; retrying'));
    if (!closed && !listener) (poller = setTimeout(() => void poll(), REVOCATION_POLL_MS)).unref();
  };
  const gone = new WeakSet<pg.Client>();
  const lost = (client: pg.Client, err: Error) => {
    // A dropped connection says so twice ('error', then 'end'): handled once.
    if (gone.has(client)) return;
    gone.add(client);
    if (listener === client) listener = null;
    client.end().catch(() => undefined);
    if (closed) return;
    log.warn({ err: err.message }, 'revocations: lost the LISTEN connection; polling the database until it is back');
    if (!poller) void poll();
    if (!retry) (retry = setTimeout(() => void listen(), 1_000)).unref();
  };
  const listen = async () => {
    retry = null;
    if (closed) return;
    const client = new pg.Client({ connectionString: config.DATABASE_URL, application_name: 'afterview-revocations', keepAlive: true, connectionTimeoutMillis: 5_000 });
    client.on('notification', (n) => n.payload && list.applyNote(n.payload));
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      // Listening first, then asking: nothing revoked in between is missed.
      await catchUp();
      if (closed) return void (await client.end());
      listener = client;
      if (poller) clearTimeout(poller);
      poller = null;
    } catch (err) {
      lost(client, err as Error);
    }
  };
  const pruner = setInterval(() => list.prune(), 60_000);
  pruner.unref();
  await listen();

  const running: RevocationListener = {
    get listening() {
      return listener !== null;
    },
    get backendPid() {
      return (listener as (pg.Client & { processID?: number }) | null)?.processID ?? null;
    },
    async close() {
      closed = true;
      clearInterval(pruner);
      for (const t of [poller, retry]) if (t) clearTimeout(t);
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
    },
  };
  listeners.set(deps, running);
  return running;
}
