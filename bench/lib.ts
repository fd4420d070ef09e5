import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Queue, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import pg from 'pg';

/** One thing to load: a URL, optionally with a method, headers and a body. */
export interface Target {
  name: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** Name of an earlier target: the report gives this one's requests/s as a percentage of it. */
  baseline?: string;
  /** Lowest acceptable percentage of the baseline (printed as a goal, not enforced). */
  goalPct?: number;
  /** Highest acceptable p99 latency in ms (printed as a goal, not enforced). */
  p99GoalMs?: number;
  /** Paths (with query) requested in turn on the url's origin instead of the url's own path. */
  paths?: string[];
  /** Replace every `[<id>]` in the path and body with an id unique to the request (autocannon idReplacement). */
  uniqueIds?: boolean;
  /**
   * A CommonJS file autocannon calls to set up each request (its setupRequest; a file, since its
   * worker threads require it), for requests that differ by more than an id.
   */
  requestModule?: string;
  /** autocannon's initialContext for each of its runs (warm-up, measured), given the run's seconds: what requestModule reads. */
  context?: (seconds: number) => Record<string, unknown>;
  /** A list route: the paced round drives it at half the capacity measured here (bench/paced.ts). */
  paced?: boolean;
}

export interface Settings {
  /** Seconds per measured run. */
  duration: number;
  /** Seconds of untimed load before each measured run (JIT, pools, caches). */
  warmup: number;
  connections: number;
  /** Worker threads autocannon uses to fire requests; 0 = the main thread (shared with the servers). */
  workers: number;
  /** Times the whole target list runs; each target reports its median round (BENCH_ROUNDS, for noisy machines). */
  rounds: number;
  /** Only targets whose name matches (BENCH_ONLY, a regular expression); baselines named by them still run. */
  only?: RegExp;
}

export interface Stats {
  name: string;
  url: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  /** Connection errors and timeouts (autocannon counts timeouts among errors). */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  baseline?: string;
  ratioPct?: number;
  goalPct?: number;
  p99GoalMs?: number;
  /** Percent of all CPUs busy just before the run, while none of ours were: other load on the machine. */
  backgroundCpuPct?: number;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got "${raw}")`);
  return n;
}

export function settingsFrom(env: NodeJS.ProcessEnv): Settings {
  return {
    duration: positiveInt(env, 'BENCH_DURATION', 10),
    warmup: positiveInt(env, 'BENCH_WARMUP', 2, 0),
    connections: positiveInt(env, 'BENCH_CONNECTIONS', 50),
    workers: positiveInt(env, 'BENCH_WORKERS', 1, 0),
    rounds: positiveInt(env, 'BENCH_ROUNDS', 1),
    ...(env.BENCH_ONLY ? { only: new RegExp(env.BENCH_ONLY, 'i') } : {}),
  };
}

/**
 * The targets to run: all, or those BENCH_ONLY picks plus the baselines they are compared with.
 * BENCH_ONLY matching `paced` picks every paced list route (its capacity is measured first).
 */
export function selectTargets(only: RegExp | undefined, targets: Target[]): Target[] {
  if (!only) return targets;
  const paced = only.test('paced');
  const picked = new Set(targets.filter((t) => only.test(t.name) || (paced && t.paced)).map((t) => t.name));
  for (const t of targets) if (picked.has(t.name) && t.baseline) picked.add(t.baseline);
  return targets.filter((t) => picked.has(t.name));
}

/**
 * Runs autocannon on one target: a warm-up (discarded), then the measured run; `settle` runs
 * between them (waiting for the warm-up's requests still in flight).
 */
export async function measure(target: Target, settings: Settings, settle?: () => Promise<void>): Promise<Stats> {
  const base: autocannon.Options = {
    url: target.url,
    method: target.method ?? 'GET',
    headers: target.headers ?? {},
    connections: settings.connections,
    timeout: 10,
    ...(target.body !== undefined ? { body: target.body } : {}),
    ...(target.paths ? { requests: target.paths.map((path) => ({ path })) } : {}),
    ...(target.uniqueIds ? { idReplacement: true } : {}),
    ...(target.requestModule ? { requests: [{ setupRequest: target.requestModule }] } : {}),
    ...(settings.workers > 0 ? { workers: settings.workers } : {}),
  };
  const run = (duration: number) => autocannon({ ...base, duration, ...(target.context ? { initialContext: target.context(duration) } : {}) });
  if (settings.warmup > 0) await run(settings.warmup);
  await settle?.();
  const r = await run(settings.duration);
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count ?? 0;
  return {
    name: target.name,
    url: target.url,
    requestsPerSec: round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    ...(target.goalPct !== undefined ? { goalPct: target.goalPct } : {}),
    ...(target.p99GoalMs !== undefined ? { p99GoalMs: target.p99GoalMs } : {}),
  };
}

/** The round with the median requests/s (the lower middle one for an even count). */
export function medianRound(rounds: Stats[]): Stats {
  const sorted = [...rounds].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Fills in ratioPct for every result that names a baseline measured in the same run. */
export function compare(results: Stats[], targets: Target[]): Stats[] {
  return results.map((r) => {
    const wanted = targets.find((t) => t.name === r.name)?.baseline;
    const base = wanted ? results.find((b) => b.name === wanted) : undefined;
    if (!wanted || !base || base.requestsPerSec === 0) return r;
    return { ...r, baseline: wanted, ratioPct: round((100 * r.requestsPerSec) / base.requestsPerSec) };
  });
}

/** Listens on an ephemeral loopback port; returns the origin (http://127.0.0.1:PORT). */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

/** "met", or what was missed: the ratio goal and the p99 goal; empty when the target has no goal. */
export function goalStatus(r: Stats): string {
  const missed: string[] = [];
  if (r.goalPct !== undefined && (r.ratioPct === undefined || r.ratioPct < r.goalPct)) missed.push(`< ${r.goalPct}%`);
  if (r.p99GoalMs !== undefined && r.p99Ms >= r.p99GoalMs) missed.push(`p99 >= ${r.p99GoalMs} ms`);
  if (r.goalPct === undefined && r.p99GoalMs === undefined) return '';
  return missed.length === 0 ? 'met' : `MISSED (${missed.join(', ')})`;
}

export function formatTable(results: Stats[]): string {
  const header = ['target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'bg cpu', 'vs baseline', 'goal'];
  const rows = results.map((r) => [
    r.name,
    r.requestsPerSec.toFixed(0),
    String(r.p50Ms),
    String(r.p99Ms),
    String(r.non2xx),
    String(r.errors),
    r.backgroundCpuPct === undefined ? '' : `${r.backgroundCpuPct}%`,
    r.ratioPct === undefined
      ? ''
      : `${r.ratioPct.toFixed(1)}% of ${r.baseline}` +
        (r.goalPct !== undefined || r.p99GoalMs !== undefined
          ? ` (goal ${[r.goalPct !== undefined ? `>= ${r.goalPct}%` : '', r.p99GoalMs !== undefined ? `p99 < ${r.p99GoalMs} ms` : ''].filter(Boolean).join(', ')})`
          : ''),
    goalStatus(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // Names and notes left-aligned, numbers right-aligned.
  const left = new Set([0, header.length - 2, header.length - 1]);
  const cell = (c: string, i: number) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!));
  const line = (cells: string[]) => cells.map(cell).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Drops and re-creates the database named in adminUrl (a fresh start: see seed.ts for when). */
export async function recreateDatabase(adminUrl: string): Promise<void> {
  const url = new URL(adminUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * ANALYZE, as the owner: what autovacuum does on its own within a minute on a running system.
 * With `vacuum`, VACUUM (ANALYZE) and then CHECKPOINT, so that the writes this causes are done
 * before whatever is measured next.
 */
export async function analyzeTables(adminUrl: string, tables: string[], opts: { vacuum?: boolean } = {}): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  let backend = 0;
  try {
    backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await client.query(`${opts.vacuum ? 'VACUUM (ANALYZE)' : 'ANALYZE'} ${tables.map((t) => pg.escapeIdentifier(t)).join(', ')}`);
    if (opts.vacuum) await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
  // Until its backend has exited: a CPU snapshot taken meanwhile would count it, and the next one
  // not (cpuSnapshot sums the live postgres processes).
  for (let i = 0; i < 200 && backend && existsSync(`/proc/${backend}`); i++) await sleep(5);
}

/**
 * Waits (up to `timeoutMs`) until no statement or transaction of `role` is running in the database:
 * requests still in flight when autocannon stops (a slow write route's) would otherwise run into
 * the next target's measurement.
 */
export async function waitForIdleDatabase(pool: pg.Pool, role: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = $1 AND state <> 'idle'",
      [role],
    );
    if (rows[0]!.n === 0) return;
    await sleep(50);
  }
}

/** The app's Redis client fails fast while connecting; wait so the first requests see a live limiter. */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await Promise.race([
    once(redis, 'ready'),
    new Promise((_, reject) => setTimeout(() => reject(new Error('Redis not ready')), timeoutMs).unref()),
  ]);
}

/**
 * How busy the machine is (percent of all CPUs) over a short sample taken while we are idle. The
 * servers, PostgreSQL and the load generator share these CPUs: anything else running (a test suite,
 * another benchmark) makes the numbers low and noisy.
 */
export async function machineBusyPct(sampleMs = 1_000): Promise<number> {
  const ticks = () =>
    os.cpus().reduce(
      (acc, c) => {
        const { user, nice, sys, irq, idle } = c.times;
        return { busy: acc.busy + user + nice + sys + irq, total: acc.total + user + nice + sys + irq + idle };
      },
      { busy: 0, total: 0 },
    );
  const a = ticks();
  await sleep(sampleMs);
  const b = ticks();
  const total = b.total - a.total;
  return total > 0 ? Math.round((100 * (b.busy - a.busy)) / total) : 0;
}

/** CPU seconds (user + system) so far of this process, of `pids`, and of every PostgreSQL process (Linux /proc). */
export function cpuSnapshot(pids: number[]): { self: number; others: number[]; postgres: number } {
  const TICK = 100; // USER_HZ on Linux
  const ofStat = (text: string) => {
    // Fields after "pid (comm) ": state is the 3rd field, utime the 14th, stime the 15th.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICK;
  };
  const read = (pid: number | string) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
  };
  let postgres = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(entry);
    if (stat?.includes('(postgres)')) postgres += ofStat(stat);
  }
  const { user, system } = process.cpuUsage();
  return { self: (user + system) / 1e6, others: pids.map((pid) => { const stat = read(pid); return stat ? ofStat(stat) : NaN; }), postgres };
}

/** Microseconds of CPU per item between two snapshots, per part. */
export function cpuPerItem(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>, items: number) {
  const us = (s: number) => Math.round((s * 1e6) / items);
  return { self: us(b.self - a.self), others: b.others.map((v, i) => us(v - a.others[i]!)), postgres: us(b.postgres - a.postgres) };
}

/** The commit the run measured ("+dirty" when src/ has uncommitted changes), for comparing runs. */
export function gitRevision(): string | undefined {
  const cwd = new URL('..', import.meta.url);
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', 'src') ? '+dirty' : '');
  } catch {
    return undefined;
  }
}

/** The `p`th percentile of sorted values (nearest rank). */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/** N delayed jobs due evenly across `spreadMs` (0: all at once) starting 30 s from now, on a worker that does nothing. */
export async function bareBullmq(redisUrl: string, prefix: string, n: number, concurrency: number, spreadMs: number) {
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue('baseline', { connection, prefix });
  const start = Date.now() + 30_000;
  const due: number[] = [];
  for (let i = 0; i < n; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, n - i) }, (_, k) => {
      const at = start + Math.floor(((i + k) * spreadMs) / n);
      due.push(at);
      return { name: 'noop', data: { at }, opts: { jobId: `b-${i + k}`, delay: at - Date.now(), removeOnComplete: true } };
    });
    await queue.addBulk(chunk);
  }
  const late: number[] = [];
  let last = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const worker = new Worker(
    'baseline',
    async (job) => {
      const now = Date.now();
      late.push(now - (job.data as { at: number }).at);
      last = now;
      if (late.length >= n) allDone();
    },
    { connection, prefix, concurrency },
  );
  await done;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  late.sort((a, b) => a - b);
  const seconds = (last - start) / 1000;
  return { jobs: n, seconds, jobsPerSec: n / seconds, p50LatenessMs: percentile(late, 50), p99LatenessMs: percentile(late, 99), maxLatenessMs: late.at(-1) ?? NaN };
}

