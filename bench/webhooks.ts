/**
 * Webhook fan-out benchmark: events committed in PostgreSQL, relayed, signed and POSTed to a
 * local receiver, beside a bare HTTP POST loop to the same receiver in the same run.
 *
 *   npm run bench:webhooks
 *   BENCH_WH_EVENTS=2000 BENCH_WH_ENDPOINTS=5 BENCH_WH_CONCURRENCY=50 BENCH_WH_JOBS=4 BENCH_WH_ROUNDS=5 npm run bench:webhooks
 *   (CONCURRENCY: requests in flight in the bare loop; JOBS: the webhook jobs the worker runs at
 *   once, by default its own WEBHOOK_JOBS_AT_ONCE, each up to TRIES_PER_JOB tries sharing 50
 *   keep-alive sockets per receiver)
 *
 * Phases: the bare loop warms up (10,000 requests), then the worker (2,000 events, tables
 * analyzed). Then BENCH_WH_ROUNDS rounds (default 3), each the bare loop POSTing events ×
 * endpoints signed-size bodies with the same concurrency as the worker, then a burst (all events
 * committed at once, batches of 500; deliveries/s until the last one arrives); the median round's
 * share is reported, every round beside it. Then paced: events committed at a steady rate (half
 * the burst rate), the delay from each event's commit to its arrival, p50/p99; and, with
 * BENCH_WH_PROCESSES > 1 (default 2), one more round on that many worker processes. Before that,
 * fairness (bench/fairness.ts): events paced at BENCH_WH_FAIR_EVENTS_PER_SEC (50) for
 * BENCH_WH_FAIR_SECONDS (20), alone, then beside another agency whose receiver hangs with 300
 * events of its own; commit → received of the bench agency's, both times. Database
 * afterview_bench_webhooks is re-created per run. The receiver runs in a child process
 * (bench/receiver.ts), as a real one would; the bare loop and the worker run in this one, each
 * alone in its phase (the worker idle in Redis while the bare loop runs).
 * Results: stdout and bench/results/webhooks.json.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { removeQueueKeys } from '../src/jobs/queues.js';
import { startWorkers } from '../src/jobs/worker.js';
import { WEBHOOK_JOBS_AT_ONCE } from '../src/modules/webhooks/webhooks.outbox.js';
import { newId } from '../src/lib/ids.js';
import { analyzeTables, cpuPerItem, cpuSnapshot, gitRevision, machineBusyPct, recreateDatabase } from './lib.js';
import { startReceiver } from './receiver.js';
import { commitEvents as commitAgencyEvents, commitPaced, delaysOf, pct, webhookFairnessRound } from './fairness.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/afterview_bench_webhooks';
const APP_URL = 'postgres://afterview_app:afterview_app@127.0.0.1:5432/afterview_bench_webhooks';
const RESULTS = new URL('./results/webhooks.json', import.meta.url);

const int = (name: string, fallback: number) => {
  const v = process.env[name];
  const n = v ? Number(v) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
};
const EVENTS = int('BENCH_WH_EVENTS', 10_000);
const ENDPOINTS = int('BENCH_WH_ENDPOINTS', 5);
const CONCURRENCY = int('BENCH_WH_CONCURRENCY', 50);
const JOBS = int('BENCH_WH_JOBS', WEBHOOK_JOBS_AT_ONCE);
/** Worker processes for the last burst (0 or 1: skipped). */
const PROCESSES = Number(process.env.BENCH_WH_PROCESSES ?? 2);

/** `src/worker.ts` as its own process, resolved once it says it started. */
async function startWorkerProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', fileURLToPath(new URL('../src/worker.ts', import.meta.url))], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker process did not start in 30 s')), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"worker started"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the worker process exited with ${code}`)));
  });
  return {
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
const PACED_EVENTS = int('BENCH_WH_PACED_EVENTS', Math.min(2_000, EVENTS));
/** Rounds of (bare loop, burst); the median round's ratio is reported. */
const ROUNDS = int('BENCH_WH_ROUNDS', 3);
/** The fairness round: the bench agency's events per second, and for how long (alone, then beside a hanging receiver). */
const FAIR_EVENTS_PER_SEC = int('BENCH_WH_FAIR_EVENTS_PER_SEC', 50);
const FAIR_SECONDS = int('BENCH_WH_FAIR_SECONDS', 20);

type Cpu = ReturnType<typeof cpuPerItem>;
interface Round {
  bare: { perSec: number; seconds: number };
  bareCpu: Cpu;
  burstRate: number;
  burstSeconds: number;
  burstCpu: Cpu;
  duplicates: number;
  ratio: number;
}

/** Arrivals beyond the first of each event at each endpoint (arrivals are keyed by path and webhook-id). */
function duplicatesOf(arrivals: Map<string, number[]>) {
  let extra = 0;
  for (const at of arrivals.values()) extra += at.length - 1;
  return extra;
}


/** The baseline: `total` POSTs with `concurrency` in flight over keep-alive, no database, no queue. */
async function bareLoop(url: string, total: number, concurrency: number, body: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const started = performance.now();
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'webhook-id': `bare_${next}` } });
      req.on('response', (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        await one();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { perSec: total / seconds, seconds };
}

async function main() {
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : undefined;
  if (only && !only.test('webhooks')) return;
  console.log(`webhooks bench: ${EVENTS} events × ${ENDPOINTS} endpoints, bare loop ${CONCURRENCY} in flight, worker ${JOBS} jobs, ${os.cpus().length} CPUs`);
  await recreateDatabase(ADMIN_URL);
  await migrateDatabase(ADMIN_URL, APP_URL);
  const env = {
    DATABASE_URL: APP_URL,
    DATABASE_ADMIN_URL: ADMIN_URL,
    QUEUE_PREFIX: `afterview-bench-wh-${process.pid}`,
    LOG_LEVEL: 'warn',
    JWT_SECRET: 'afterview-bench-secret-not-for-production-0123456789',
    RATE_LIMIT_MAX: '100000000',
    LOGIN_RATE_LIMIT_MAX: '100000000',
    SEED_DEMO: '0',
    MIGRATE_ON_START: '0',
    WEBHOOK_ALLOW_LOOPBACK: '1',
    WEBHOOK_ALLOW_HTTP: '1',
    WEBHOOK_RELAY: '0',
  };
  const config = loadConfig(env);
  const deps = createDeps(config);
  const app = await buildApp(deps);
  await app.ready();
  const receiver = await startReceiver('http');

  const signup = await app.inject({
    method: 'POST',
    url: '/v1/signup',
    payload: { agencyName: 'Bench Webhooks', slug: `bench-wh-${process.pid}`, owner: { name: 'Bench', email: 'owner@bench-wh.example.org', password: 'bench-password-123' } },
  });
  if (signup.statusCode !== 201) throw new Error(`signup: ${signup.body}`);
  const token = signup.json().accessToken as string;
  const me = await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${token}` } });
  const tenantId = me.json().agency.id as string;
  for (let i = 0; i < ENDPOINTS; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/webhook-endpoints',
      headers: { authorization: `Bearer ${token}` },
      payload: { url: receiver.url(`/ep${i}`), eventTypes: ['candidate.updated'] },
    });
    if (res.statusCode !== 201) throw new Error(`endpoint: ${res.body}`);
  }

  const commits = new Map<string, number>();
  /** Commits `n` events of the bench agency in transactions of `batch`, as the API would write them. */
  const commitEvents = (n: number, batch: number) => commitAgencyEvents(deps, tenantId, n, batch, commits);
  const sampleBody = JSON.stringify({ id: `evt_${'0'.repeat(32)}`, type: 'candidate.updated', version: 1, occurredAt: new Date().toISOString(), tenantId, data: { candidateId: newId(), changedFields: ['tags', 'timeZone'], actor: { type: 'user', id: newId() } } });

  const busy = await machineBusyPct();
  const total = EVENTS * ENDPOINTS;
  process.stdout.write(`  bare POST loop: warm-up of ${Math.min(total, 10_000)} requests (the worker gets its own) ... `);
  await bareLoop(receiver.url('/bare'), Math.min(total, 10_000), CONCURRENCY, sampleBody);
  await receiver.reset();
  console.log('done');

  const workerDeps = createDeps(loadConfig({ ...env, WEBHOOK_RELAY: '1', WEBHOOK_POLL_MS: '200' }));
  const workers = await startWorkers(workerDeps, { concurrency: JOBS, relay: true });

  // Warm-up, as a running system is: some traffic, then the statistics autovacuum would have
  // gathered by now (a database created a second ago has none, and plans the claim blind).
  const WARMUP = Number(process.env.BENCH_WH_WARMUP ?? 2000);
  const warmUp = async () => {
    if (WARMUP <= 0) return;
    await commitEvents(WARMUP, 500);
    await receiver.until(WARMUP * ENDPOINTS, 600_000);
    await receiver.reset();
    commits.clear();
  };
  process.stdout.write(`  warm-up: ${WARMUP} events ... `);
  await warmUp();
  await analyzeTables(ADMIN_URL, ['events', 'webhook_deliveries', 'webhook_attempts', 'webhook_endpoints']);
  console.log('delivered; tables analyzed');

  // Rounds of (bare loop, burst) back to back, so that both sides of each ratio meet the same
  // machine: on a shared host the rate of either drifts by tens of percent within a minute. The
  // median round is reported (of an even number, the lower middle one). Before each round the
  // outbox tables are vacuumed, as autovacuum would after a burst, and a checkpoint writes what
  // that dirtied, so that its work falls on neither side. The idle worker waits in Redis during
  // the bare loop; each bare loop opens its 50 connections afresh (50 of its 50,000 requests).
  const runRound = async (label: string): Promise<Round> => {
    await analyzeTables(ADMIN_URL, ['events', 'webhook_deliveries', 'webhook_attempts'], { vacuum: true });
    process.stdout.write(`  ${label}: bare loop (${total} requests) ... `);
    const bareCpu0 = cpuSnapshot([receiver.pid]);
    const bare = await bareLoop(receiver.url('/bare'), total, CONCURRENCY, sampleBody);
    const bareCpu = cpuPerItem(bareCpu0, cpuSnapshot([receiver.pid]), total);
    await receiver.reset();
    process.stdout.write(`${bare.perSec.toFixed(0)} req/s; burst of ${EVENTS} events ... `);
    const burstStart = performance.now();
    const burstCpu0 = cpuSnapshot([receiver.pid]);
    await commitEvents(EVENTS, 500);
    await receiver.until(total, 600_000);
    const burstCpu = cpuPerItem(burstCpu0, cpuSnapshot([receiver.pid]), total);
    const burstSeconds = (performance.now() - burstStart) / 1000;
    const burstRate = total / burstSeconds;
    const duplicates = duplicatesOf(await receiver.arrivals());
    await receiver.reset();
    commits.clear();
    console.log(`${burstRate.toFixed(0)} deliveries/s (${Math.round((100 * burstRate) / bare.perSec)}%)`);
    return { bare, bareCpu, burstRate, burstSeconds, burstCpu, duplicates, ratio: burstRate / bare.perSec };
  };
  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round++) rounds.push(await runRound(`round ${round}/${ROUNDS}`));
  const median = [...rounds].sort((x, y) => x.ratio - y.ratio)[Math.floor((rounds.length - 1) / 2)]!;
  const { bare, bareCpu, burstRate, burstSeconds, burstCpu } = median;
  const duplicates = rounds.reduce((sum, r) => sum + r.duplicates, 0);

  const eventsPerSec = Math.max(1, Math.floor(burstRate / ENDPOINTS / 2));
  process.stdout.write(`  paced: ${PACED_EVENTS} events at ${eventsPerSec}/s (half the burst rate) ... `);
  await commitPaced((n) => commitEvents(n, n), eventsPerSec, PACED_EVENTS);
  await receiver.until(PACED_EVENTS * ENDPOINTS, 600_000);
  const delays = delaysOf(await receiver.arrivals(), commits);
  console.log(`p99 ${pct(delays, 99).toFixed(0)} ms`);

  // Fairness: the same, paced slower for FAIR_SECONDS, alone and then beside an agency whose
  // receiver hangs with 300 events (bench/fairness.ts).
  process.stdout.write(`  fairness: ${FAIR_EVENTS_PER_SEC} events/s for ${FAIR_SECONDS} s alone, then beside a hanging receiver with 300 events ... `);
  const fairness = await webhookFairnessRound({ app, deps, receiver, tenantId, endpoints: ENDPOINTS, eventsPerSec: FAIR_EVENTS_PER_SEC, seconds: FAIR_SECONDS });
  console.log(`p99 ${fairness.alone.p99Ms} ms alone, ${fairness.beside.p99Ms} ms beside`);
  await workers.close();
  await workerDeps.close();

  // The same burst with the worker as deployed to scale: PROCESSES worker processes
  // (`npm run start:worker`), relaying and delivering side by side; the claim keeps each try once.
  // Like a round: its own bare loop just before, with the worker processes started and idle.
  let scaled: { processes: number; bareRequestsPerSec: number; deliveriesPerSec: number; ratioPct: number; duplicates: number } | null = null;
  if (PROCESSES > 1) {
    await receiver.reset();
    const children = await Promise.all(Array.from({ length: PROCESSES }, () => startWorkerProcess({ ...env, WEBHOOK_RELAY: '1', WEBHOOK_POLL_MS: '200' })));
    try {
      // Warmed up as the in-process worker was. (Its CPU split is not reported: the worker runs in
      // the child processes, which this process's figures do not see.)
      await warmUp();
      const r = await runRound(`${PROCESSES} worker processes (warmed up)`);
      scaled = {
        processes: PROCESSES,
        bareRequestsPerSec: Math.round(r.bare.perSec),
        deliveriesPerSec: Math.round(r.burstRate),
        ratioPct: Math.round(100 * r.ratio),
        duplicates: r.duplicates,
      };
    } finally {
      await Promise.all(children.map((c) => c.stop()));
    }
  }

  const report = {
    at: new Date().toISOString(),
    revision: gitRevision(),
    node: process.version,
    cpus: os.cpus().length,
    backgroundCpuPct: busy,
    settings: { events: EVENTS, endpoints: ENDPOINTS, concurrency: CONCURRENCY, jobs: JOBS, pacedEvents: PACED_EVENTS, rounds: ROUNDS },
    // Every round; bare and burst below are the median one's.
    rounds: rounds.map((r) => ({ bareRequestsPerSec: Math.round(r.bare.perSec), deliveriesPerSec: Math.round(r.burstRate), ratioPct: Math.round(100 * r.ratio), duplicates: r.duplicates })),
    bare: { requestsPerSec: Math.round(bare.perSec), cpuMicrosPerRequest: { sender: bareCpu.self, receiver: bareCpu.others[0], postgres: bareCpu.postgres } },
    burst: {
      deliveriesPerSec: Math.round(burstRate),
      seconds: Math.round(burstSeconds * 10) / 10,
      ratioPct: Math.round((100 * burstRate) / bare.perSec),
      duplicates,
      // This process: the worker, its relay and the bench committing the events.
      cpuMicrosPerDelivery: { worker: burstCpu.self, receiver: burstCpu.others[0], postgres: burstCpu.postgres },
    },
    paced: { eventsPerSec, deliveriesPerSec: eventsPerSec * ENDPOINTS, delayP50Ms: Math.round(pct(delays, 50)), delayP99Ms: Math.round(pct(delays, 99)), delayMaxMs: Math.round(delays.at(-1) ?? NaN) },
    fairness,
    scaled,
    goals: { ratioPct: 50, delayP99Ms: 1000, besideHangingP99Ms: 2000 },
  };
  console.log(`
| measure | value | goal |
| --- | --- | --- |
| bare POST loop (median round) | ${report.bare.requestsPerSec} req/s | |
| webhook deliveries, burst of ${EVENTS} × ${ENDPOINTS} (median round) | ${report.burst.deliveriesPerSec}/s (${report.burst.ratioPct}% of bare) | ≥ 50% |
| every round: bare → burst (share) | ${report.rounds.map((r) => `${r.bareRequestsPerSec} → ${r.deliveriesPerSec} (${r.ratioPct}%)`).join(' · ')} | |
| duplicates received (all rounds) | ${duplicates} | 0 |
| CPU per request, bare loop: sender / receiver / PostgreSQL | ${bareCpu.self} / ${bareCpu.others[0]} / ${bareCpu.postgres} µs | |
| CPU per delivery, burst: worker (+ event commits) / receiver / PostgreSQL | ${burstCpu.self} / ${burstCpu.others[0]} / ${burstCpu.postgres} µs | |
| commit → received, paced at ${report.paced.deliveriesPerSec} deliveries/s | p50 ${report.paced.delayP50Ms} ms, p99 ${report.paced.delayP99Ms} ms | p99 < 1,000 ms |
| commit → received at ${fairness.eventsPerSec * ENDPOINTS} deliveries/s, alone | p50 ${fairness.alone.p50Ms} ms, p99 ${fairness.alone.p99Ms} ms | |
| … beside an agency whose receiver hangs with ${fairness.hanging.events} events | p50 ${fairness.beside.p50Ms} ms, p99 ${fairness.beside.p99Ms} ms, max ${fairness.beside.maxMs} ms (${fairness.hanging.requestsArrived} requests hung) | p99 < 2,000 ms |
${scaled ? `| the burst again, ${scaled.processes} worker processes | ${scaled.deliveriesPerSec}/s (${scaled.ratioPct}% of bare), ${scaled.duplicates} duplicates | |\n` : ''}${busy > 20 ? `\nnote: the machine was ${busy}% busy before the run: numbers are low and noisy.\n` : ''}`);
  await mkdir(new URL('.', RESULTS), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${RESULTS.pathname}`);

  await removeQueueKeys(deps.redis, config.QUEUE_PREFIX);
  await app.close();
  await deps.close();
  await receiver.close();
  if (duplicates !== 0 || (scaled?.duplicates ?? 0) !== 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
