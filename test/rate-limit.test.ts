import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsyncLocalStorage } from 'node:async_hooks';
import { leasedRedisStore } from '../src/http/rateLimitStore.js';
import { apiKey, bearer, createTestApp, expectProblem, newTenant, type TestApp, type TestTenant } from './helpers/app.js';

// Two processes of the API share one Redis: the limit is per credential across both.
const prefix = `rl-shared-${Date.now()}`;
let a: TestApp;
let b: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  a = await createTestApp({ env: { RATE_LIMIT_MAX: '40', QUEUE_PREFIX: prefix } });
  b = await createTestApp({ env: { RATE_LIMIT_MAX: '40', QUEUE_PREFIX: prefix } });
  tenant = await newTenant(a.app);
});
afterAll(async () => {
  await a.close();
  await b.close();
});

const me = (t: TestApp) => t.app.inject({ url: '/v1/me', headers: bearer(tenant.token) });

describe('rate limits backed by Redis, counted in blocks', () => {
  it('two API processes share one limit per credential, within a block per process', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await me(a)).statusCode, (await me(b)).statusCode);
    const ok = statuses.filter((s) => s === 200).length;
    // 40 per window; each process may hold a block of 2 it did not use.
    expect(ok).toBeGreaterThanOrEqual(36);
    expect(ok).toBeLessThanOrEqual(40);
    expect(statuses.slice(-4)).toEqual([429, 429, 429, 429]);
    const res = await me(a);
    expectProblem(res, 429, 'rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('concurrent requests of one credential never get more than the limit', async () => {
    const other = await newTenant(a.app);
    const results = await Promise.all(Array.from({ length: 60 }, () => a.app.inject({ url: '/v1/me', headers: bearer(other.token) })));
    const ok = results.filter((r) => r.statusCode === 200).length;
    expect(ok).toBeLessThanOrEqual(40);
    expect(ok).toBeGreaterThanOrEqual(38);
  });

  it('requests waiting for the same Redis lease each resume in their own context (their request id, their logs)', async () => {
    const store = new (leasedRedisStore(a.deps.redis, `${prefix}:ctx:`))();
    const als = new AsyncLocalStorage<number>();
    const key = `k-${Date.now()}`;
    // A block of 100: the first call asks Redis, the other 19 wait for its answer.
    const seen = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        als.run(i, () => new Promise<[number, number | undefined]>((resolve) => store.incr(key, () => resolve([i, als.getStore()]), 60_000, 2_000))),
      ),
    );
    expect(seen.filter(([i, ctx]) => i !== ctx)).toEqual([]);
  });

  it('when Redis is unreachable, requests are served (fail open) and /readyz says why', async () => {
    const broken = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const owner = await newTenant(broken.app);
      expect((await broken.app.inject({ url: '/v1/me', headers: bearer(owner.token) })).statusCode).toBe(200);
      const ready = await broken.app.inject({ url: '/readyz' });
      expect([ready.statusCode, ready.json().status, ready.json().redis]).toEqual([200, 'degraded', 'unreachable']);
    } finally {
      await broken.close();
    }
  });
});

describe('a new credential', () => {
  it('a new API key’s limit counts from its first request: a first burst of 20 at once, then 40 more, and at most 40 are served', async () => {
    const owner = await newTenant(a.app);
    const key = await apiKey(a.app, owner, ['agency:read']);
    const call = (i: number) => (i % 2 ? a : b).app.inject({ url: '/v1/me', headers: bearer(key.secret), remoteAddress: '10.7.0.1' });
    // Sent before any process has seen the key: limited by address at first, and by the key too.
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i)));
    const after = [];
    for (let i = 0; i < 40; i++) after.push(await call(i));
    const served = [...burst, ...after].filter((r) => r.statusCode === 200).length;
    expect(served).toBeLessThanOrEqual(40);
    expect(served).toBeGreaterThanOrEqual(36);
    expectProblem(after.at(-1)!, 429, 'rate_limited');
  });
});

describe('made-up credentials', () => {
  it('cannot buy fresh buckets: unverified tokens share their address’s limit', async () => {
    const limited = await createTestApp({ env: { RATE_LIMIT_MAX: '3', QUEUE_PREFIX: `rl-fake-${Date.now()}` } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const res = await limited.app.inject({ url: '/v1/me', headers: bearer(`made.up.token${i}`), remoteAddress: '10.9.9.9' });
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('spraying passwords across accounts from one address hits the address limit', async () => {
    const limited = await createTestApp({ env: { LOGIN_RATE_LIMIT_MAX: '1', QUEUE_PREFIX: `rl-spray-${Date.now()}` } });
    try {
      const statuses = [];
      for (let i = 0; i < 11; i++) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { agency: tenant.slug, email: `person${i}@example.org`, password: 'guess-123' },
          remoteAddress: '10.8.8.8',
        });
        statuses.push(res.statusCode);
      }
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(statuses[10]).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
