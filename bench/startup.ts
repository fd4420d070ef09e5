/**
 * Start-up time and memory of the API and the worker, compiled (`node dist/…`, as the image and
 * `npm run start:api` / `start:worker` run them) against tsx (`node --import tsx src/…`), in the
 * same run, on loopback only.
 *
 *   npm run bench:startup              # 5 starts of each
 *   BENCH_STARTS=10 npm run bench:startup
 *
 * Each start: spawn → the process's "API listening" (or "worker started") log line, then its RSS
 * (VmRSS from /proc) right then and after 2 s idle. Medians reported. The database
 * afterview_bench_startup is migrated once before (a migration is not start-up).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { migrateDatabase } from '../src/db/migrate.js';
import { buildServer } from '../scripts/server-build.js';

const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const db = 'afterview_bench_startup';
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  PORT: '0',
  LOG_LEVEL: 'info',
  MIGRATE_ON_START: '0',
  SEED_DEMO: '0',
  DATABASE_URL: `postgres://afterview_app:afterview_app@127.0.0.1:5432/${db}`,
  DATABASE_ADMIN_URL: `postgres://postgres@127.0.0.1:5432/${db}`,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  QUEUE_PREFIX: `afterview-bench-startup-${process.pid}`,
  JWT_SECRET: 'bench-startup-secret-bench-startup-secret',
};

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function once(args: string[], ready: string) {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: not ready in 60 s`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes(`"msg":"${ready}"`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  const ms = performance.now() - t0;
  const atReady = rssMb(child.pid!);
  await new Promise((r) => setTimeout(r, 2_000));
  const idle = rssMb(child.pid!);
  const closed = new Promise((r) => child.on('close', r));
  child.kill('SIGTERM');
  await closed;
  return { ms, atReady, idle };
}

const targets = [
  { name: 'API, compiled', args: ['dist/server.js'], ready: 'API listening' },
  { name: 'API, tsx', args: ['--import', 'tsx', 'src/server.ts'], ready: 'API listening' },
  { name: 'worker, compiled', args: ['--max-semi-space-size=64', 'dist/worker.js'], ready: 'worker started' },
  { name: 'worker, tsx', args: ['--max-semi-space-size=64', '--import', 'tsx', 'src/worker.ts'], ready: 'worker started' },
];

buildServer();
await migrateDatabase(env.DATABASE_ADMIN_URL!, env.DATABASE_URL!);
const results: Record<string, { ms: number[]; atReady: number[]; idle: number[] }> = {};
// Interleaved, so a slow moment of the machine falls on every target alike.
for (let i = 0; i < STARTS; i++) {
  for (const t of targets) {
    const r = await once(t.args, t.ready);
    const acc = (results[t.name] ??= { ms: [], atReady: [], idle: [] });
    acc.ms.push(r.ms);
    acc.atReady.push(r.atReady);
    acc.idle.push(r.idle);
  }
}
console.log(`start-up, median of ${STARTS} (spawn → ready log line; RSS then and 2 s later)`);
console.log('| process | start-up ms | RSS at ready MB | RSS idle MB |');
console.log('|---|---:|---:|---:|');
for (const [name, r] of Object.entries(results)) {
  console.log(`| ${name} | ${median(r.ms).toFixed(0)} | ${median(r.atReady).toFixed(1)} | ${median(r.idle).toFixed(1)} |`);
}
process.exit(0);
