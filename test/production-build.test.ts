import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { removeQueueKeys } from '../src/jobs/queues.js';
import { testConfig } from './helpers/env.js';

/**
 * The production build (scripts/server-build.ts, run by the global setup as by `npm run build`):
 * `node dist/server.js` and `node dist/worker.js` start with no TypeScript loader, as the image
 * and `npm run start:api` / `start:worker` run them, serve, and stop cleanly on SIGTERM.
 */
function startCompiled(entry: string, prefix: string, waitFor: string) {
  const config = testConfig({ QUEUE_PREFIX: prefix });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', MIGRATE_ON_START: '0', SEED_DEMO: '0', NODE_ENV: 'production' };
  for (const k of ['DATABASE_URL', 'DATABASE_ADMIN_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'JWT_SECRET'] as const) env[k] = String(config[k] ?? '');
  const child = spawn(process.execPath, ['--max-semi-space-size=64', entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const started = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry}: no "${waitFor}" line; got ${JSON.stringify(lines)}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entryLine = line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : { text: line };
      lines.push(entryLine);
      if (entryLine.msg === waitFor) {
        clearTimeout(timer);
        resolve(entryLine);
      }
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => reject(new Error(`${entry} exited early with ${code}: ${stderr}`)));
  });
  return { child, lines, started };
}

const stop = (child: ChildProcess) => {
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill('SIGTERM');
  return closed;
};

describe('the production build', () => {
  it('node dist/server.js and node dist/worker.js start without a TypeScript loader, serve, and exit 0 on SIGTERM', async () => {
    const prefix = `afterview-dist-${process.pid}`;
    const api = startCompiled('dist/server.js', prefix, 'API listening');
    const worker = startCompiled('dist/worker.js', prefix, 'worker started');
    try {
      const { address } = (await api.started) as { address: string };
      const ready = await fetch(`${address}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { postgres: string }).postgres).toBe('ok');
      const spec = await fetch(`${address}/openapi.json`);
      expect(((await spec.json()) as { openapi: string }).openapi).toMatch(/^3\./);
      expect(await worker.started).toMatchObject({ schedules: true });
    } finally {
      expect(await Promise.all([stop(api.child), stop(worker.child)])).toEqual([0, 0]);
      const redis = new Redis(testConfig().REDIS_URL);
      await removeQueueKeys(redis, prefix);
      redis.disconnect();
    }
  }, 90_000);
});
