import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { bearer, createTestApp, expectProblem, newTenant, type TestApp, type TestTenant } from './helpers/app.js';
import { ensureSchedules } from '../src/jobs/schedules.js';

let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

const post = (url: string, payload: string | object, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...bearer(tenant.token), ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

describe('bad input gets a clear 4xx problem naming the field', () => {
  it('unknown fields are refused by name', async () => {
    const p = expectProblem(await post('/v1/api-keys', { name: 'k', scopes: ['agency:read'], admin: true }), 400, 'validation_failed');
    expect(p.errors).toEqual([{ field: 'body.admin', message: 'Unknown field' }]);
  });

  it('wrong types name each field', async () => {
    const p = expectProblem(await post('/v1/api-keys', { name: 42, scopes: 'all' }), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field).sort()).toEqual(['body.name', 'body.scopes']);
  });

  it('unknown enum values name the element', async () => {
    const p = expectProblem(await post('/v1/api-keys', { name: 'k', scopes: ['agency:read', 'root'] }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['body.scopes.1']);
  });

  it('malformed JSON is 400 malformed_body', async () => {
    expectProblem(await post('/v1/api-keys', '{"name": "k",'), 400, 'malformed_body');
  });

  it('an oversized body is 413 and nothing is written', async () => {
    const before = await t.app.inject({ url: '/v1/api-keys', headers: bearer(tenant.token) });
    expectProblem(await post('/v1/api-keys', { name: 'x'.repeat(5000), scopes: ['agency:read'] }), 413, 'payload_too_large');
    const after = await t.app.inject({ url: '/v1/api-keys', headers: bearer(tenant.token) });
    expect(after.json().data).toEqual(before.json().data);
  });

  it('a body that is not JSON is 415', async () => {
    expectProblem(await post('/v1/api-keys', 'name=k', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
  });

  it('prototype pollution keys are refused', async () => {
    const res = await post('/v1/api-keys', '{"name":"k","scopes":["agency:read"],"__proto__":{"admin":true}}');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('a bad path id names path.id', async () => {
    const p = expectProblem(await t.app.inject({ url: '/v1/users/not-a-uuid', headers: bearer(tenant.token) }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['path.id']);
  });

  it('a bad query parameter names query.<param>', async () => {
    const p = expectProblem(await t.app.inject({ url: '/v1/users?limit=1000', headers: bearer(tenant.token) }), 400);
    expect(p.errors?.map((e) => e.field)).toEqual(['query.limit']);
    const q = expectProblem(await t.app.inject({ url: '/v1/users?cursor=garbage', headers: bearer(tenant.token) }), 400);
    expect(q.errors?.map((e) => e.field)).toEqual(['query.cursor']);
  });

  it('an unknown route is a 404 problem', async () => {
    expectProblem(await t.app.inject({ url: '/v1/nope' }), 404, 'route_not_found');
  });
});

describe('every response', () => {
  it('carries a request id, and echoes a sane one the client sent', async () => {
    const res = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'client-req-12345' } });
    expect(res.headers['x-request-id']).toBe('client-req-12345');
    const err = await t.app.inject({ url: '/v1/me' });
    expect(err.headers['x-request-id']).toBe(err.json().requestId);
    const weird = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(weird.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carries the security headers, errors included', async () => {
    for (const url of ['/healthz', '/v1/me', '/v1/nope']) {
      const res = await t.app.inject({ url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['strict-transport-security'], url).toContain('max-age=');
      expect(res.headers['x-powered-by'], url).toBeUndefined();
    }
  });
});

describe('health and contract', () => {
  it('/healthz is alive and /readyz sees PostgreSQL, Redis and the schedules a worker keeps there', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    // No worker runs here to put the schedules in Redis (test/schedules.test.ts has what happens without).
    await ensureSchedules(t.deps.queues);
    expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok', schedules: 'ok', revocations: 'listening' });
  });

  it('/openapi.json is a valid OpenAPI 3.1 document listing every route', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(doc));
    const documented = new Set(
      Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/v1') || r.url.endsWith('z'));
    for (const r of routes) expect(documented, `${r.method} ${r.url}`).toContain(`${r.method} ${r.url}`);
  });

  it('every JSON request body and every JSON success response has an example', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    const schemas = doc.components.schemas as Record<string, Record<string, unknown>>;
    const resolve = (s?: Record<string, unknown>) => (s?.$ref ? schemas[String(s.$ref).split('/').pop()!] : s);
    const hasExample = (s?: Record<string, unknown>): boolean => {
      const r = resolve(s);
      if (!r) return false;
      if (r.example !== undefined || r.examples !== undefined) return true;
      const data = (r.properties as Record<string, Record<string, unknown>> | undefined)?.data;
      return data ? hasExample(data.items as Record<string, unknown>) : false;
    };
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Record<string, any>>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const body = op.requestBody?.content?.['application/json']?.schema;
        if (body && !hasExample(body)) missing.push(`${method} ${path} request`);
        const ok = Object.entries(op.responses ?? {}).filter(([code]) => code.startsWith('2'));
        const json = ok.map(([, r]: [string, any]) => r.content?.['application/json']?.schema).filter(Boolean);
        if (json.length > 0 && !json.some(hasExample)) missing.push(`${method} ${path} response`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('/docs serves the readable reference', async () => {
    const res = await t.app.inject({ url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('readiness when a dependency is gone', () => {
  it('PostgreSQL unreachable: 503 problem naming it', async () => {
    const broken = await createTestApp({ env: { DATABASE_URL: 'postgres://afterview_app:afterview_app@127.0.0.1:1/none' } });
    try {
      const p = expectProblem(await broken.app.inject({ url: '/readyz' }), 503, 'service_unavailable');
      expect(p.detail).toMatch(/^postgres: unreachable, redis: ok, /);
    } finally {
      await broken.close();
    }
  });

  it('Redis unreachable: still in rotation (200), degraded, naming it', async () => {
    const broken = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const ready = await broken.app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'degraded', postgres: 'ok', redis: 'unreachable', schedules: 'unknown', revocations: 'listening' });
      // The API itself keeps serving: rate limiting fails open while Redis is away.
      expect((await broken.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await broken.close();
    }
  });
});

describe('rate limits', () => {
  it('when a credential exceeds its limit, then 429 problem with Retry-After', async () => {
    const limited = await createTestApp({ env: { RATE_LIMIT_MAX: '3', QUEUE_PREFIX: `rl-${Date.now()}` } });
    try {
      const other = await newTenant(limited.app);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.app.inject({ url: '/v1/me', headers: bearer(other.token) })).statusCode);
      expect(statuses.slice(0, 2)).toEqual([200, 200]);
      const res = await limited.app.inject({ url: '/v1/me', headers: bearer(other.token) });
      expectProblem(res, 429, 'rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.headers).toMatchObject({ 'ratelimit-policy': `"default";q=3;w=60`, 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0' });
      expect(res.headers.ratelimit).toMatch(/^"default";r=0;t=([1-9]\d*)$/);
      expect(/t=(\d+)/.exec(String(res.headers.ratelimit))![1]).toBe(res.headers['retry-after']);
      // Another credential has its own allowance, shown on every answer; health checks have none.
      const fresh = await newTenant(limited.app);
      const first = await limited.app.inject({ url: '/v1/me', headers: bearer(fresh.token) });
      expect(first.statusCode).toBe(200);
      expect(first.headers['x-ratelimit-limit']).toBe('3');
      expect(Number(first.headers['x-ratelimit-remaining'])).toBeLessThanOrEqual(2);
      expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      expect(first.headers.ratelimit).toMatch(/^"default";r=[0-2];t=[1-9]\d*$/);
      // A route with a limit of its own names its own policy.
      const signIn = await limited.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: fresh.slug, email: 'nobody@example.org', password: 'not-the-password' } });
      expect(signIn.headers['ratelimit-policy']).toMatch(/^"auth-login";q=\d+;w=\d+$/);
      expect(signIn.headers.ratelimit).toMatch(/^"auth-login";r=\d+;t=\d+$/);
      for (let i = 0; i < 5; i++) expect((await limited.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      const health = (await limited.app.inject({ url: '/healthz' })).headers;
      expect([health['x-ratelimit-limit'], health.ratelimit, health['ratelimit-policy']]).toEqual([undefined, undefined, undefined]);
    } finally {
      await limited.close();
    }
  });

  it('when one account gets too many wrong passwords, then login answers 429 for it', async () => {
    const limited = await createTestApp({ env: { LOGIN_RATE_LIMIT_MAX: '3', QUEUE_PREFIX: `rl-login-${Date.now()}` } });
    try {
      const codes = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { agency: tenant.slug, email: tenant.ownerEmail, password: `wrong-${i}` },
          remoteAddress: `10.0.0.${i + 1}`,
        });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('the error catalogue', () => {
  it('docs/errors.md lists every code with its status', async () => {
    const { readFileSync } = await import('node:fs');
    const { errorCatalogue } = await import('../src/lib/errors.js');
    const doc = readFileSync('docs/errors.md', 'utf8');
    for (const [code, { status }] of Object.entries(errorCatalogue)) {
      expect(doc, code).toContain(`| \`${code}\` | ${status} |`);
    }
  });
});

describe('logs', () => {
  it('every line logged while serving a request carries its request id, and the tenant once known; secrets are redacted', async () => {
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../src/lib/logger.js');
    const { createDeps } = await import('../src/deps.js');
    const { buildApp } = await import('../src/app.js');
    const { testConfig } = await import('./helpers/env.js');
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        cb();
      },
    });
    const deps = createDeps(testConfig(), { log: createLogger({ level: 'info', pretty: false }, sink) });
    const app = await buildApp(deps);
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: { ...bearer(tenant.token), 'x-request-id': 'trace-me-123456' },
        payload: { name: 'logged', scopes: ['agency:read'] },
      });
      expect(res.statusCode).toBe(201);
      const mine = lines.filter((l) => l.reqId === 'trace-me-123456');
      expect(mine.map((l) => l.msg)).toEqual(['incoming request', 'api key created', 'request completed']);
      expect(mine.slice(1).every((l) => l.tenantId === tenant.tenantId)).toBe(true);
      const text = JSON.stringify(lines);
      expect(text).not.toContain(tenant.token);
      expect(text).not.toContain(res.json().secret);
    } finally {
      await app.close();
      await deps.close();
    }
  });
});
