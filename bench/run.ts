/**
 * Throughput benchmark: our app against bare Fastify baselines, on loopback only.
 *
 *   npm run bench                      # 10 s per target, 50 connections
 *   BENCH_DURATION=5 BENCH_CONNECTIONS=20 npm run bench
 *   BENCH_ONLY=/v1/me npm run bench    # a subset (plus the baselines it is compared with)
 *   BENCH_ROUNDS=3 npm run bench       # every target 3 times, median reported (noisy machines)
 *
 * Also BENCH_WARMUP (seconds, default 2) and BENCH_WORKERS (autocannon worker threads, default 1;
 * 0 fires requests from the main thread, which the servers under test share).
 *
 * The database afterview_bench is dropped and re-created on every run. Results go to stdout and
 * bench/results/latest.json. Exits non-zero on setup errors and when any measured request failed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import Fastify from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { migrateDatabase } from '../src/db/migrate.js';
import {
  compare,
  formatTable,
  gitRevision,
  listen,
  machineBusyPct,
  measure,
  medianRound,
  recreateDatabase,
  selectTargets,
  settingsFrom,
  waitForRedis,
  type Stats,
} from './lib.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/afterview_bench';
const APP_URL = 'postgres://afterview_app:afterview_app@127.0.0.1:5432/afterview_bench';
const RESULTS = new URL('./results/latest.json', import.meta.url);

const settings = settingsFrom(process.env);
const config = loadConfig({
  DATABASE_URL: APP_URL,
  DATABASE_ADMIN_URL: ADMIN_URL,
  REDIS_URL: 'redis://127.0.0.1:6379',
  QUEUE_PREFIX: 'afterview-bench',
  LOG_LEVEL: 'warn',
  JWT_SECRET: 'afterview-bench-secret-not-for-production-0123456789',
  ACCESS_TOKEN_TTL_SECONDS: '3600', // outlives a long run with many targets
  // The limiters still run (one Redis call per request) but never refuse, even across quick re-runs.
  RATE_LIMIT_MAX: '100000000',
  LOGIN_RATE_LIMIT_MAX: '100000000',
  SEED_DEMO: '0',
  MIGRATE_ON_START: '0',
});

const closers: Array<() => Promise<unknown>> = [];

async function main() {
  await recreateDatabase(ADMIN_URL);
  await migrateDatabase(ADMIN_URL, APP_URL);

  // Baseline A: Fastify with nothing on it.
  const bare = Fastify();
  bare.get('/json', async () => ({ hello: 'world' }));
  closers.push(() => bare.close());
  const bareUrl = await listen(bare);

  // Our app, with one agency whose owner signs the requests.
  const deps = createDeps(config);
  closers.push(() => deps.close());
  const app = await buildApp(deps);
  closers.push(() => app.close());
  const appUrl = await listen(app);
  await waitForRedis(deps.redis);
  const { accessToken, userId } = await signUp(app);
  const auth = { authorization: `Bearer ${accessToken}` };

  // Baseline B: Fastify plus one primary-key SELECT through a plain pg pool (superuser: no RLS).
  const pool = new pg.Pool({ connectionString: ADMIN_URL, max: config.DATABASE_POOL_MAX });
  closers.push(() => pool.end());
  const pk = Fastify();
  pk.get<{ Params: { id: string } }>('/pk/:id', async (req, reply) => {
    const { rows } = await pool.query('SELECT id, email, name, role FROM users WHERE id = $1', [req.params.id]);
    return rows[0] ?? reply.code(404).send({ error: 'not found' });
  });
  closers.push(() => pk.close());
  const pkUrl = await listen(pk);

  const targets = selectTargets(settings.only, [
    { name: 'bare GET /json', url: `${bareUrl}/json` },
    { name: 'bare GET /pk/:id', url: `${pkUrl}/pk/${userId}` },
    { name: 'app GET /v1/me', url: `${appUrl}/v1/me`, headers: auth, baseline: 'bare GET /pk/:id', goalPct: 75 },
  ]);

  console.log(
    `bench: ${settings.duration}s per target (+${settings.warmup}s warm-up), ${settings.connections} connections, ` +
      `${settings.rounds} round(s), ${settings.workers} autocannon worker thread(s), ${os.cpus().length} CPUs`,
  );
  const rounds: Stats[][] = targets.map(() => []);
  for (let round = 1; round <= settings.rounds; round++) {
    for (const [i, target] of targets.entries()) {
      // Sampled while everything of ours is idle: CPU someone else is using now is missing from the run.
      const backgroundCpuPct = await machineBusyPct();
      process.stdout.write(`  ${settings.rounds > 1 ? `round ${round}: ` : ''}${target.name} ... `);
      const stats = await measure(target, settings);
      console.log(`${stats.requestsPerSec.toFixed(0)} req/s`);
      rounds[i]!.push({ ...stats, backgroundCpuPct });
    }
  }
  const results = compare(rounds.map(medianRound), targets);

  console.log(`\n${formatTable(results)}\n`);
  await mkdir(new URL('.', RESULTS), { recursive: true });
  const report = {
    at: new Date().toISOString(),
    revision: gitRevision(),
    node: process.version,
    cpus: os.cpus().length,
    settings: { ...settings, only: settings.only?.source },
    results,
    ...(settings.rounds > 1 ? { rounds } : {}),
  };
  await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${RESULTS.pathname}`);

  const busy = results.filter((r) => (r.backgroundCpuPct ?? 0) > 20);
  if (busy.length > 0) {
    console.warn(
      `note: the machine was busy before ${busy.map((r) => r.name).join(', ')} (bg cpu column): ` +
        'something else is using the CPUs, so those numbers are low and noisy; re-run on a quiet machine.',
    );
  }
  const failed = rounds
    .flatMap((runs) => runs.map((r, i) => ({ ...r, round: i + 1 })))
    .filter((r) => r.non2xx > 0 || r.errors > 0);
  for (const r of failed) {
    const round = settings.rounds > 1 ? ` (round ${r.round})` : '';
    console.error(
      `\n!!! ${r.name}${round}: ${r.non2xx} non-2xx responses and ${r.errors} connection errors ` +
        `(${r.timeouts} timeouts) during the measured run; status codes: ${JSON.stringify(r.statusCodes)}`,
    );
  }
  if (failed.length > 0) process.exitCode = 1;
}

/** Creates an agency through the API; returns the owner's access token and user id. */
async function signUp(app: Awaited<ReturnType<typeof buildApp>>) {
  const signup = await app.inject({
    method: 'POST',
    url: '/v1/signup',
    payload: {
      agencyName: 'Bench Agency',
      slug: 'bench-agency',
      owner: { name: 'Bench Owner', email: 'owner@bench.example.org', password: 'bench-password-123' },
    },
  });
  if (signup.statusCode !== 201) throw new Error(`signup answered ${signup.statusCode}: ${signup.body}`);
  const { accessToken } = signup.json<{ accessToken: string }>();
  const me = await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${accessToken}` } });
  if (me.statusCode !== 200) throw new Error(`GET /v1/me answered ${me.statusCode}: ${me.body}`);
  return { accessToken, userId: me.json<{ user: { id: string } }>().user.id };
}

try {
  await main();
} catch (err) {
  console.error('\n!!! bench failed:', err);
  process.exitCode = 1;
} finally {
  for (const close of closers.reverse()) await close().catch((err) => console.error('close failed:', err));
}
