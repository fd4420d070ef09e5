import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { Redis } from 'ioredis';
import { demo } from '../src/demo/seed.js';
import { removeQueueKeys } from '../src/jobs/queues.js';

const db = 'afterview_test_start';

async function dropDb() {
  const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await c.end();
}

describe('npm start, as a newcomer runs it', () => {
  it('on an empty database: migrates, seeds the demo agency, serves, and shuts down cleanly on SIGTERM', async () => {
    await dropDb();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        PORT: '0',
        DATABASE_URL: `postgres://afterview_app:afterview_app@127.0.0.1:5432/${db}`,
        DATABASE_ADMIN_URL: `postgres://postgres@127.0.0.1:5432/${db}`,
        QUEUE_PREFIX: `afterview-start-test-${process.pid}`,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listen line; got ${JSON.stringify(lines)}`)), 30_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const entry = JSON.parse(line);
          lines.push(entry);
          if (entry.msg === 'API listening') {
            clearTimeout(timer);
            resolve(entry.address);
          }
        } catch {
          // not a log line
        }
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    try {
      expect(lines.some((l) => String(l.msg).startsWith('seeded the demo agency') && l.email === demo.email)).toBe(true);
      expect(lines.some((l) => l.msg === 'worker started')).toBe(true);
      // API and worker in one process: ready, once the worker has put its schedules in Redis.
      let ready: { status?: string; schedules?: string; revocations?: string } = {};
      for (let i = 0; i < 50 && ready.status !== 'ready'; i++) {
        const res = await fetch(`${address}/readyz`);
        expect(res.status).toBe(200);
        ready = (await res.json()) as typeof ready;
        if (ready.status !== 'ready') await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready).toMatchObject({ status: 'ready', schedules: 'ok', revocations: 'listening' });
      const login = await fetch(`${address}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(demo),
      });
      expect(login.status).toBe(200);
      // The demo agency has a day to run through: three interviews, one with its plan.
      const { accessToken } = (await login.json()) as { accessToken: string };
      const interviews = await fetch(`${address}/v1/interviews`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(((await interviews.json()) as { data: { status: string }[] }).data.map((i) => i.status).sort()).toEqual(['completed', 'scheduled', 'scheduled']);
      const page = await fetch(`${address}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root"></div>');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(lines.some((l) => l.msg === 'shutting down')).toBe(true);
    // The request log lines carry the request id.
    const requestLines = lines.filter((l) => l.msg === 'request completed' || l.msg === 'incoming request');
    expect(requestLines.length).toBeGreaterThanOrEqual(2);
    for (const l of requestLines) expect(l.reqId).toEqual(expect.any(String));
    await dropDb();
    const redis = new Redis('redis://127.0.0.1:6379');
    await removeQueueKeys(redis, `afterview-start-test-${process.pid}`);
    redis.disconnect();
  }, 90_000); // a child process that migrates an empty database and seeds it: its own 30 s listen deadline, and a slow machine
});
