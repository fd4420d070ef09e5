import pg from 'pg';

/**
 * A few long-lived connections in pipeline mode that the read-only statements of every request
 * share (docs/performance.md): each read is its own implicit transaction (its tenant context, the
 * query and a Sync), written behind the others without waiting, and the reads of one event-loop
 * turn leave in one socket write. A pooled connection per read costs a write and a read system
 * call each, the largest cost of a small request on these machines.
 *
 * A read goes to the connection with the fewest reads in flight; when every connection has
 * `depth` in flight (a slow statement holds the ones behind it), or none is connected yet, it
 * goes to the pool instead.
 */
export interface ReadPipelineOptions {
  url: string;
  size: number;
  depth: number;
  statementTimeoutMs: number;
  applicationName: string;
}

interface Lane {
  client: pg.Client;
  ready: Promise<void>;
  inFlight: number;
  connected: boolean;
  dead: boolean;
}

export class ReadPipeline {
  private readonly lanes: (Lane | null)[];
  /** When a lane whose connect failed may be opened again (ms since the epoch). */
  private readonly retryAt: number[];
  private readonly opts: ReadPipelineOptions;
  private closed = false;

  constructor(opts: ReadPipelineOptions) {
    this.opts = opts;
    this.lanes = Array.from({ length: opts.size }, () => null);
    this.retryAt = Array.from({ length: opts.size }, () => 0);
  }

  /**
   * Sends `query` on the connected lane with the fewest reads in flight; null when none is
   * connected or all are full, and the caller uses the pool. A missing or dead lane is opened
   * in the background (at most once a second after a failed connect), so no read waits for it.
   */
  query<R extends pg.QueryResultRow>(query: pg.Submittable): Promise<pg.QueryResult<R>> | null {
    if (this.closed) return null;
    let best: Lane | null = null;
    for (let i = 0; i < this.lanes.length; i++) {
      const lane = this.laneAt(i);
      if (!lane?.connected || lane.dead || lane.inFlight >= this.opts.depth) continue;
      if (!best || lane.inFlight < best.inFlight) best = lane;
      if (best.inFlight === 0) break;
    }
    if (!best) return null;
    const lane = best;
    lane.inFlight++;
    coalesceWrites(lane.client);
    return new Promise<pg.QueryResult<R>>((resolve, reject) => {
      lane.client.query(query as never, (err: (Error & { severity?: string }) | null, res: pg.QueryResult<R>) => {
        lane.inFlight--;
        if (!err) return resolve(res);
        // The server ended the session (FATAL arrives before the socket closes): no read may
        // follow on it, the caller's resend included.
        if (err.severity === 'FATAL' || !(lane.client as unknown as { _queryable: boolean })._queryable) dropLane(lane);
        reject(err);
      });
    });
  }

  /** Opens every lane and resolves once each is connected or has failed (start-up, tests). */
  async ready(): Promise<void> {
    await Promise.all(this.lanes.map((_, i) => this.laneAt(i)?.ready));
  }

  private laneAt(i: number): Lane | null {
    const lane = this.lanes[i];
    if (lane && !lane.dead) return lane;
    if (this.closed || Date.now() < this.retryAt[i]!) return null;
    const opened = this.open(() => {
      this.retryAt[i] = Date.now() + 1_000;
    });
    this.lanes[i] = opened;
    return opened;
  }

  private open(onConnectFailed: () => void): Lane {
    const client = new pg.Client({
      connectionString: this.opts.url,
      pipeline: true,
      statement_timeout: this.opts.statementTimeoutMs,
      application_name: this.opts.applicationName,
      connectionTimeoutMillis: 5_000,
      // A lane lives as long as the process: notice a peer that vanished without a word.
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
    } as pg.ClientConfig);
    const lane: Lane = { client, ready: Promise.resolve(), inFlight: 0, connected: false, dead: false };
    client.on('error', () => dropLane(lane));
    client.on('end', () => {
      lane.dead = true;
    });
    lane.ready = client.connect().then(
      () => {
        lane.connected = true;
        if (this.closed) dropLane(lane);
      },
      () => {
        dropLane(lane);
        onConnectFailed();
      },
    );
    return lane;
  }

  async end(): Promise<void> {
    this.closed = true;
    // A lane still connecting is ended once it is (ending it mid-connect can leave it hanging).
    await Promise.all(this.lanes.map(async (lane) => (lane && !lane.dead && lane.connected ? lane.client.end().catch(() => undefined) : undefined)));
  }
}

function dropLane(lane: Lane) {
  if (lane.dead) return;
  lane.dead = true;
  lane.client.end().catch(() => undefined);
}

/**
 * Holds a connection's socket writes until the end of this turn of the event loop, so what is
 * written in one turn (a transaction's statements, or the reads of many requests) leaves in one
 * write: pg corks a single extended query, not a run of them, and every write is a system call.
 */
const corked = new WeakSet<object>();
export function coalesceWrites(client: pg.ClientBase) {
  const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
  if (!stream?.cork || !stream.uncork || corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  setImmediate(() => {
    corked.delete(stream);
    stream.uncork!();
  });
}
