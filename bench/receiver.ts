/**
 * A receiver in its own process, as a real one is: an SMTP sink (smtp-server) for the follow-up
 * bench or an HTTP server answering 204 for the webhook bench (never, on paths under `/hang`). Sharing the sender's event loop
 * would bill the receiver's parsing to the sender (and to its bare baseline alike).
 *
 * The child reports its port, then its count of arrivals at most every 10 ms; the parent asks for
 * the arrival instants (`webhook-id` → epoch ms) when it wants them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

type Kind = 'smtp' | 'http';
type FromChild = { port: number } | { count: number } | { arrivals: [string, number[]][] } | { resetDone: true };
type ToChild = { reset: true } | { arrivals: true };

/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const epochMs = () => performance.timeOrigin + performance.now();

export interface Receiver {
  port: number;
  /** The receiver process, for its CPU time (cpuSnapshot). */
  pid: number;
  url(path: string): string;
  /** Arrivals so far (as last reported: at most 10 ms old). */
  readonly count: number;
  /** Called on every count report. */
  onCount: ((count: number) => void) | undefined;
  until(target: number, timeoutMs: number): Promise<void>;
  /** Per path and `webhook-id` (`/ep1 evt_…`), the epoch-ms instants it arrived (HTTP receiver). */
  arrivals(): Promise<Map<string, number[]>>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(kind: Kind): Promise<Receiver> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [kind], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let count = 0;
  let pendingArrivals: ((m: Map<string, number[]>) => void) | null = null;
  let pendingReset: (() => void) | null = null;
  const waiters = new Set<{ target: number; resolve: () => void }>();
  const handle: Receiver = {
    port: 0,
    pid: child.pid!,
    url: (path) => `http://127.0.0.1:${handle.port}${path}`,
    get count() {
      return count;
    },
    onCount: undefined,
    until: (target, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (count >= target) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`only ${count} of ${target} arrived in ${timeoutMs} ms`));
        }, timeoutMs);
        const w = { target, resolve: () => (clearTimeout(timer), resolve()) };
        waiters.add(w);
      }),
    arrivals: () =>
      new Promise((resolve) => {
        pendingArrivals = resolve;
        child.send({ arrivals: true } satisfies ToChild);
      }),
    reset: () =>
      new Promise<void>((resolve) => {
        pendingReset = resolve;
        child.send({ reset: true } satisfies ToChild);
      }),
    async close() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
  child.on('message', (m: FromChild) => {
    if ('port' in m) handle.port = m.port;
    else if ('count' in m) {
      count = m.count;
      handle.onCount?.(count);
      for (const w of waiters) if (count >= w.target) (waiters.delete(w), w.resolve());
    } else if ('arrivals' in m) {
      pendingArrivals?.(new Map(m.arrivals));
      pendingArrivals = null;
    } else {
      // Messages keep their order: every count report from before the reset has been handled.
      count = 0;
      pendingReset?.();
      pendingReset = null;
    }
  });
  const [first] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => { throw new Error('the receiver process exited'); })])) as [FromChild];
  if (!('port' in first)) throw new Error('the receiver did not report its port');
  handle.port = first.port;
  return handle;
}

/** The child: serves until SIGTERM. */
async function serve(kind: Kind) {
  const send = (m: FromChild) => process.send?.(m);
  let count = 0;
  let reported = 0;
  let arrivals = new Map<string, number[]>();
  const arrived = () => {
    count++;
  };
  const ticker = setInterval(() => {
    if (count !== reported) send({ count: (reported = count) });
  }, 10);
  process.on('message', (m: ToChild) => {
    if ('reset' in m) {
      count = 0;
      reported = 0;
      arrivals = new Map();
      send({ resetDone: true });
    } else if ('arrivals' in m) send({ arrivals: [...arrivals] });
  });

  let port: number;
  let stop: () => Promise<void>;
  if (kind === 'smtp') {
    const { SMTPServer } = await import('smtp-server');
    const sink = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          arrived();
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    port = (sink.server.address() as AddressInfo).port;
    stop = () => new Promise<void>((resolve) => sink.close(() => resolve()));
  } else {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = req.headers['webhook-id'];
        if (typeof id === 'string') {
          // By endpoint too: the same event arriving twice at one endpoint is a duplicate, at two is not.
          const key = `${req.url} ${id}`;
          const list = arrivals.get(key);
          if (list) list.push(epochMs());
          else arrivals.set(key, [epochMs()]);
        }
        arrived();
        // A receiver that takes the request and never answers (bench/fairness.ts).
        if (req.url?.startsWith('/hang')) return;
        res.writeHead(204).end();
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    stop = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  }
  send({ port });
  process.once('SIGTERM', () => {
    clearInterval(ticker);
    void stop().finally(() => process.exit(0));
  });
  process.once('disconnect', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const kind = process.argv[2];
  if (kind !== 'smtp' && kind !== 'http') throw new Error('usage: receiver.ts smtp|http');
  await serve(kind);
}
