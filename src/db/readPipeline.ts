import pg from 'pg';

/**
 * A few long-lived connections in pipeline mode that the read-only statements of every request
 * share (docs/performance.md): each read is its own implicit transaction (its tenant context, the
 * query and a Sync), written behind the others without waiting, and the reads of one event-loop
 * turn leave in one socket write. A pooled connection per read costs a write and a read system
 * call each, the largest cost of a small request on these machines.
 *
 * A read goes to the connection with the fewest reads in flight; when every connection has
 * `depth` in flight (a slow statement holds the ones behind it), it goes to the pool instead.
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
  private readonly opts: ReadPipelineOptions;
  private closed = false;

  constructor(opts: ReadPipelineOptions) {
    this.opts = opts;
    this.lanes = Array.from({ length: opts.size }, () => null);
  }

  /** Sends `query` on the least busy lane; null when every lane is full (the caller uses the pool). */
  query<R extends pg.QueryResultRow>(query: pg.Submittable): Promise<pg.QueryResult<R>> | null {
    if (this.closed) return null;
    let best: Lane | null = null;
    for (let i = 0; i < this.lanes.length; i++) {
      let lane = this.lanes[i];
      if (!lane || lane.dead) lane = this.lanes[i] = this.open();
      if (lane.inFlight < this.opts.depth && (!best || lane.inFlight < best.inFlight)) best = lane;
      if (best?.inFlight === 0) break;
    }
    if (!best) return null;
    const lane = best;
    lane.inFlight++;
    coalesceWrites(lane.client);
    const drop = () => dropLane(lane);
    const send = () =>
      new Promise<pg.QueryResult<R>>((resolve, reject) => {
        lane.client.query(query as never, (err: (Error & { severity?: string }) | null, res: pg.QueryResult<R>) => {
          if (!err) return resolve(res);
          // The server ended the session (FATAL arrives before the socket closes): no read may
          // follow on it, the caller's resend included.
          if (err.severity === 'FATAL' || !(lane.client as unknown as { _queryable: boolean })._queryable) drop();
          reject(err);
        });
      });
    const sent = lane.connected ? send() : lane.ready.then(send);
    return sent.finally(() => {
      lane.inFlight--;
    });
  }

  private open(): Lane {
    const client = new pg.Client({
      connectionString: this.opts.url,
      pipeline: true,
      statement_timeout: this.opts.statementTimeoutMs,
      application_name: this.opts.applicationName,
      connectionTimeoutMillis: 5_000,
    } as pg.ClientConfig);
    const lane: Lane = { client, ready: Promise.resolve(), inFlight: 0, connected: false, dead: false };
    const drop = () => dropLane(lane);
    client.on('error', drop);
    client.on('end', () => {
      lane.dead = true;
    });
    lane.ready = client.connect().then(() => {
      lane.connected = true;
    }, (err: Error) => {
      drop();
      throw err;
    });
    lane.ready.catch(() => undefined);
    return lane;
  }

  async end(): Promise<void> {
    this.closed = true;
    await Promise.all(this.lanes.map((lane) => (lane && !lane.dead ? lane.client.end().catch(() => undefined) : undefined)));
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
