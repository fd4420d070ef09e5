import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { createDeps, type Deps } from '../../src/deps.js';
import type { Clock } from '../../src/lib/clock.js';
import { testConfig } from '../helpers/env.js';
import { privateDatabase } from '../helpers/privateDb.js';
import { freePort, killRedis, startRedis } from '../helpers/redisServer.js';
import { smtpSink } from '../helpers/smtpSink.js';
import { startReceiver } from '../webhooks/receiver.js';

/**
 * One chaos scenario's world, all of its own and all on 127.0.0.1: a private database (migrated
 * as the app migrates), a private `redis-server` without persistence, an SMTP sink, a webhook
 * receiver, and Afterview processes (test/chaos/process.ts) started and killed by the test.
 */

export type LogLine = Record<string, unknown>;

export interface AfterviewProcess {
  child: ChildProcess;
  /** Its log lines so far (pino JSON), in order. */
  lines: LogLine[];
  /** The API's address, once it listens (`parts` with `api`). */
  address: string;
  /** The first log line (already written or to come) that matches, within `timeoutMs`. */
  line(match: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** Moves its clock `ms` forward (a deadline passes without waiting for it). */
  advance(ms: number): Promise<void>;
  /** Sends `signal` and waits for the process to end. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** An HTTP answer as the test saw it. */
export interface Answer {
  method: string;
  url: string;
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: string;
}

const script = fileURLToPath(new URL('./process.ts', import.meta.url));
/** A child started with tsx on a loaded 2-core machine can take a while to listen. */
const START_MS = 90_000;

export async function chaosStack(name: string, opts: { env?: Record<string, string> } = {}) {
  const db = await privateDatabase(`chaos_${name}_${process.pid}`);
  const redisPort = await freePort();
  let redis = await startRedis(redisPort);
  const sink = smtpSink();
  const smtpPort = await sink.listen();
  const receiver = await startReceiver();
  const env: Record<string, string> = {
    ...db.env,
    HOST: '127.0.0.1',
    PORT: '0',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    QUEUE_PREFIX: 'chaos',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MAIL_FROM: 'followups@agency.example',
    MAIL_OUTBOX_DIR: join(tmpdir(), `afterview-chaos-${name}-${process.pid}`),
    JWT_SECRET: 'chaos-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: 'info',
    MIGRATE_ON_START: '0',
    SEED_DEMO: '0',
    DATABASE_POOL_MAX: '10',
    RATE_LIMIT_MAX: '1000000',
    LOGIN_RATE_LIMIT_MAX: '1000000',
    WEBHOOK_ALLOW_LOOPBACK: '1',
    WEBHOOK_ALLOW_HTTP: '1',
    WEBHOOK_POLL_MS: '200',
    // A try's claim lasts the timeout and 30 s; the receivers here answer at once (or hang on purpose).
    WEBHOOK_TIMEOUT_MS: '2000',
    SCHEDULE_CHECK_MS: '500',
    SHUTDOWN_GRACE_MS: '5000',
    ...opts.env,
  };
  const children: ChildProcess[] = [];
  const logs: { parts: string; lines: LogLine[] }[] = [];
  const answers: Answer[] = [];

  /** Starts an Afterview process; resolves once it listens (API) or takes jobs (worker). */
  async function startProcess(parts: 'api' | 'worker' | 'api,worker', extra: Record<string, string> = {}): Promise<AfterviewProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...env, CHAOS_PARTS: parts, ...extra },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines: LogLine[] = [];
    logs.push({ parts, lines });
    const waiting: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let l: LogLine;
      try {
        l = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      lines.push(l);
      for (const w of waiting.filter((x) => x.match(l))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(l);
      }
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const line = (match: (l: LogLine) => boolean, what: string, timeoutMs = START_MS) => {
      const had = lines.find(match);
      if (had) return Promise.resolve(had);
      return new Promise<LogLine>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${parts}: no ${what} within ${timeoutMs} ms`)), timeoutMs);
        const w = {
          match,
          resolve: (l: LogLine) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        waiting.push(w);
        void exited.then(([code, signal]) => {
          clearTimeout(timer);
          reject(new Error(`${parts} exited (${code ?? signal}) before ${what}`));
        });
      });
    };
    const ready = parts.includes('api') ? await line((l) => l.msg === 'API listening', 'listen line') : await line((l) => l.msg === 'worker started', 'worker start');
    return {
      child,
      lines,
      address: String(ready.address ?? ''),
      line,
      async advance(ms) {
        const before = lines.filter((l) => l.chaos === 'clock').length;
        child.stdin!.write(`advance ${ms}\n`);
        await line((l) => l.chaos === 'clock' && lines.filter((x) => x.chaos === 'clock').indexOf(l) >= before, 'clock move', 10_000);
      },
      async stop(signal) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const [code, sig] = await exited;
        return { code, signal: sig };
      },
    };
  }

  /**
   * A client of an API process, shaped like fastify's inject so the test helpers that build a
   * story (test/helpers/story.ts) drive it over HTTP. Every answer is kept in `answers`.
   */
  function client(address: () => string) {
    const inject = async (o: { method?: string; url: string; headers?: Record<string, string>; payload?: object }) => {
      const res = await fetch(`${address()}${o.url}`, {
        method: o.method ?? 'GET',
        headers: { ...(o.payload ? { 'content-type': 'application/json' } : {}), ...o.headers },
        ...(o.payload ? { body: JSON.stringify(o.payload) } : {}),
      });
      const body = await res.text();
      const answer = { method: o.method ?? 'GET', url: o.url, status: res.status, contentType: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), body };
      answers.push(answer);
      return { statusCode: res.status, body, headers: Object.fromEntries(res.headers), json: () => JSON.parse(body) as unknown };
    };
    return { inject } as unknown as FastifyInstance;
  }

  /** In the test process, on the same database and Redis: to run a sweep by hand, or read the queues. */
  const harnessConfig = testConfig({ ...env, LOG_LEVEL: 'silent' });
  const harnessDeps = (clock?: Clock): Deps => createDeps(harnessConfig, clock ? { clock } : {});

  return {
    name,
    env,
    db,
    sink,
    receiver,
    answers,
    startProcess,
    client,
    harnessDeps,
    harnessConfig,
    redisUrl: env.REDIS_URL!,
    /** The processes' warnings and errors, for a failed test's report. */
    troubles: () => logs.flatMap((p) => p.lines.filter((l) => Number(l.level) >= 40).map((l) => `${p.parts} ${JSON.stringify(l)}`)),
    async stopRedis() {
      await killRedis(redis);
    },
    /** Starts the private redis-server again, empty, on the same port. */
    async startRedis() {
      redis = await startRedis(redisPort);
    },
    async close() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));
      await killRedis(redis);
      await receiver.close();
      await sink.close();
      await db.drop();
    },
  };
}

export type ChaosStack = Awaited<ReturnType<typeof chaosStack>>;

/** Answers that are server errors, other than a 503 problem a client may retry. */
export const serverErrors = (answers: readonly Answer[]) =>
  answers.filter((a) => a.status >= 500 && !(a.status === 503 && a.contentType.startsWith('application/problem+json')));
