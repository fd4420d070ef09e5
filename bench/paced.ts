/**
 * The paced round of `npm run bench` (issue 20): each list route, once the throughput rounds have
 * measured its capacity (req/s at full load, the median round), is driven at half that rate for
 * BENCH_DURATION seconds (after BENCH_WARMUP seconds at the same rate, discarded), and its p50/p99
 * latency is held against the goal p99 < 25 ms.
 *
 * Not autocannon's overallRate/connectionRate: those let each connection send its share of a second
 * back to back at the start of the second and then wait, so half the rate is full load half of the
 * time, and the p99 is that of full load. Here requests leave evenly spaced (bench/pacedWorker.ts,
 * its own thread), and latency counts from the instant each was due (no coordinated omission).
 */
import { Worker } from 'node:worker_threads';
import { percentile, type Stats, type Target } from './lib.js';
import type { PaceJob, PaceSamples } from './pacedWorker.js';

export const PACED_P99_GOAL_MS = 25;

export interface PacedResult {
  name: string;
  /** req/s at full load in this run (the throughput rounds' median). */
  capacity: number;
  rate: number;
  /** 2xx answers a second over the measured window. */
  achieved: number;
  p50Ms: number;
  p99Ms: number;
  /** The same, from the moment the generator issued each request (its own lateness left out). */
  p99FromSentMs: number;
  maxMs: number;
  sendLateP99Ms: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  backgroundCpuPct?: number;
  goalMet: boolean;
}

/** Runs the generator thread (TypeScript, through tsx's loader) on one job. */
function pace(job: PaceJob): Promise<PaceSamples> {
  const url = new URL('./pacedWorker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); })`, {
    eval: true,
    workerData: job,
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (samples: PaceSamples) => {
      resolve(samples);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

const ms = (n: number) => Math.round(n * 10) / 10;

/** One list route at half its capacity. */
export async function pacedRun(target: Target, capacity: Stats, opts: { seconds: number; warmupSeconds: number; connections: number }): Promise<PacedResult> {
  const rate = Math.max(1, Math.round(capacity.requestsPerSec / 2));
  const s = await pace({
    url: target.url,
    method: target.method ?? 'GET',
    headers: target.headers ?? {},
    ...(target.body !== undefined ? { body: target.body } : {}),
    ...(target.paths ? { paths: target.paths } : {}),
    rate,
    warmupSeconds: opts.warmupSeconds,
    seconds: opts.seconds,
    connections: opts.connections,
    timeoutMs: 10_000,
  });
  const fromDue = s.fromDue.sort((a, b) => a - b);
  const fromSent = s.fromSent.sort((a, b) => a - b);
  const p99 = ms(percentile(fromDue, 99));
  return {
    name: target.name,
    capacity: Math.round(capacity.requestsPerSec),
    rate,
    achieved: Math.round(fromDue.length / opts.seconds),
    p50Ms: ms(percentile(fromDue, 50)),
    p99Ms: p99,
    p99FromSentMs: ms(percentile(fromSent, 99)),
    maxMs: ms(fromDue.at(-1) ?? NaN),
    sendLateP99Ms: s.sendLateP99Ms,
    non2xx: s.non2xx,
    errors: s.errors,
    statusCodes: s.statusCodes,
    goalMet: s.non2xx === 0 && s.errors === 0 && fromDue.length > 0 && p99 < PACED_P99_GOAL_MS,
  };
}

export function formatPaced(results: PacedResult[]): string {
  const header = ['paced at half capacity', 'capacity req/s', 'rate req/s', 'achieved', 'p50 ms', 'p99 ms', 'p99 from sent', 'max ms', 'non-2xx', 'errors', 'bg cpu', `goal p99 < ${PACED_P99_GOAL_MS} ms`];
  const rows = results.map((r) => [
    r.name,
    String(r.capacity),
    String(r.rate),
    String(r.achieved),
    String(r.p50Ms),
    String(r.p99Ms),
    String(r.p99FromSentMs),
    String(r.maxMs),
    String(r.non2xx),
    String(r.errors),
    r.backgroundCpuPct === undefined ? '' : `${r.backgroundCpuPct}%`,
    r.goalMet ? 'met' : 'MISSED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const left = new Set([0, header.length - 1]);
  const cell = (c: string, i: number) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!));
  const line = (cells: string[]) => cells.map(cell).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
