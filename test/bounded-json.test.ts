import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { routeWalker, type Walked } from './helpers/routes.js';

/**
 * JSON bodies are bounded before anything reads them: at most 32 levels deep and 5,000 keys and
 * array items in all, else 400 `malformed_body` before any handler or Idempotency-Key fingerprint
 * runs. A route that takes no body refuses one that is not empty instead of ignoring it.
 */

let t: TestApp;
let tenant: TestTenant;
let w: Awaited<ReturnType<typeof routeWalker>>;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
  w = await routeWalker(t.app);
});
afterAll(() => t.close());

/** `{"zz":[[…]]}`: `levels` containers deep, the object counted. */
const nested = (levels: number) => `{"zz":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
/** `{"zz":[1,1,…]}`: one key and `items` array items. */
const wide = (items: number) => `{"zz":[${Array(items).fill('1').join(',')}]}`;

let keyNo = 0;
const send = (r: Walked, raw: string, opts: { key?: boolean } = {}) =>
  t.app.inject({
    method: r.method as 'POST',
    url: w.urlOf(r),
    headers: { ...bearer(tenant.token), 'content-type': 'application/json', ...(opts.key ? { 'idempotency-key': `bounded-${++keyNo}` } : {}) },
    payload: raw,
  });

function wrong(label: string, res: LightMyRequestResponse, status: number, code: string, field?: string): string | null {
  const body = res.headers['content-type']?.toString().startsWith('application/problem+json') ? (res.json() as { code: string; errors?: { field: string }[] }) : null;
  const ok = res.statusCode === status && body?.code === code && (field === undefined || (body.errors ?? []).some((e) => e.field === field));
  return ok ? null : `${label}: expected ${status} ${code}${field ? ` naming ${field}` : ''}, got ${res.statusCode} ${res.body.slice(0, 200)}`;
}

const bodyless = () => w.walked().filter((r) => r.body === undefined && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));

describe('on every route that takes a body', () => {
  it('when the body is nested deeper than 32 levels (33, or 100,000), then 400 malformed_body, with an Idempotency-Key or without; at 32 it is read (and refused by its schema)', async () => {
    const failures: string[] = [];
    for (const r of w.withBody()) {
      for (const key of r.method === 'POST' ? [false, true] : [false]) {
        for (const levels of [33, 100_000]) failures.push(wrong(`${r.label} ${levels} deep key=${key}`, await send(r, nested(levels), { key }), 400, 'malformed_body') ?? '');
      }
      failures.push(wrong(`${r.label} 32 deep`, await send(r, nested(32)), 400, 'validation_failed', 'body.zz') ?? '');
    }
    expect(failures.filter(Boolean)).toEqual([]);
  });

  it('when the body holds more than 5,000 keys and array items, then 400 malformed_body; at 5,000 it is read', async () => {
    const failures: string[] = [];
    for (const r of w.withBody()) {
      failures.push(wrong(`${r.label} 5001`, await send(r, wide(5_000)), 400, 'malformed_body') ?? '');
      failures.push(wrong(`${r.label} 5000`, await send(r, wide(4_999)), 400, 'validation_failed', 'body.zz') ?? '');
    }
    expect(failures.filter(Boolean)).toEqual([]);
  });
});

describe('on every route that takes no body', () => {
  it('when a body that is not empty is sent, then 400 naming body, with an Idempotency-Key or without; a deep one is malformed_body', async () => {
    const routes = bodyless();
    expect(routes.length).toBeGreaterThan(15);
    const failures: string[] = [];
    for (const r of routes) {
      for (const key of r.method === 'POST' ? [false, true] : [false]) {
        for (const raw of ['{"zz":1}', '[1]', '"text"', '0']) failures.push(wrong(`${r.label} ${raw} key=${key}`, await send(r, raw, { key }), 400, 'validation_failed', 'body') ?? '');
        failures.push(wrong(`${r.label} 100000 deep key=${key}`, await send(r, nested(100_000), { key }), 400, 'malformed_body') ?? '');
      }
    }
    expect(failures.filter(Boolean)).toEqual([]);
  });

  it('when the body is empty ({} or none), then it is not refused for its body', async () => {
    const failures: string[] = [];
    for (const r of bodyless()) {
      for (const raw of ['{}', undefined]) {
        const res = await t.app.inject({ method: r.method as 'POST', url: w.urlOf(r), headers: { ...bearer(tenant.token), ...(raw ? { 'content-type': 'application/json' } : {}) }, ...(raw ? { payload: raw } : {}) });
        const fields = res.statusCode === 400 ? ((res.json() as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field) : [];
        if (res.statusCode >= 500 || fields.includes('body') || (res.json() as { code?: string }).code === 'malformed_body') failures.push(`${r.label} ${raw}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('the actions the probe named, on real resources', () => {
  it('when erase, pause, resume, test, rotate-secret, redeliver or the inbound secret get a deep or a non-empty body, with an Idempotency-Key or without, then 400 and nothing happens; with none, they run', async () => {
    const own = await newTenant(t.app);
    const h = bearer(own.token);
    const post = (url: string, raw?: string, key?: string) =>
      t.app.inject({ method: 'POST', url, headers: { ...h, ...(raw !== undefined ? { 'content-type': 'application/json' } : {}), ...(key ? { 'idempotency-key': key } : {}) }, ...(raw !== undefined ? { payload: raw } : {}) });
    const get = async (url: string) => (await t.app.inject({ url, headers: h })).body;
    const candidate = json<{ id: string }>(await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: h, payload: { name: 'Erin Erase', email: 'erin.erase@example.org' } }));
    const ep = json<Schemas['WebhookEndpoint']>(await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: h, payload: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] } }));
    const base = `/v1/webhook-endpoints/${ep.id}`;
    const delivery = json<Schemas['WebhookDelivery']>(await post(`${base}/test`));
    await adminPool().query(`UPDATE webhook_deliveries SET status = 'failed', attempts = 8 WHERE id = $1`, [delivery.id]);
    const inboundHash = async () => (await adminPool().query('SELECT inbound_secret_hash AS h FROM tenants WHERE id = $1', [own.tenantId])).rows[0].h as string | null;
    expect((await post('/v1/inbound/secret')).statusCode).toBe(200);

    // Each action, what shows whether it ran, and how to make it possible again.
    const actions: { name: string; url: string; state: () => Promise<unknown>; before?: () => Promise<unknown> }[] = [
      { name: 'pause', url: `${base}/pause`, state: () => get(base) },
      { name: 'resume', url: `${base}/resume`, state: () => get(base), before: () => post(`${base}/pause`) },
      { name: 'test', url: `${base}/test`, state: () => get(`${base}/deliveries?limit=100`) },
      { name: 'rotate-secret', url: `${base}/rotate-secret`, state: () => get(base) },
      { name: 'redeliver', url: `${base}/deliveries/${delivery.id}/redeliver`, state: () => get(`${base}/deliveries/${delivery.id}`), before: () => adminPool().query(`UPDATE webhook_deliveries SET status = 'failed' WHERE id = $1`, [delivery.id]) },
      { name: 'inbound-secret', url: '/v1/inbound/secret', state: inboundHash },
      { name: 'erase', url: `/v1/candidates/${candidate.id}/erase`, state: () => get(`/v1/candidates/${candidate.id}`) },
    ];
    let n = 0;
    for (const a of actions) {
      await a.before?.();
      const before = await a.state();
      for (const key of [undefined, `probe-${a.name}-${++n}`, `probe-${a.name}-${++n}`]) {
        expectProblem(await post(a.url, nested(10_000), key), 400, 'malformed_body');
        expect(expectProblem(await post(a.url, '{"confirm":true}', key), 400, 'validation_failed').errors).toEqual([{ field: 'body', message: expect.any(String) }]);
        expect(await a.state(), `${a.name} ran with a body refused (key ${key})`).toEqual(before);
      }
      const ran = await post(a.url, '{}', `probe-${a.name}-runs`);
      expect(ran.statusCode, `${a.name}: ${ran.body}`).toBeLessThan(300);
      expect(await a.state(), `${a.name} did not run`).not.toEqual(before);
    }
  });
});

describe('the bounds check', () => {
  it('counts only what is outside strings: brackets, commas and escaped quotes inside a string are text', async () => {
    const { jsonBoundsProblem } = await import('../src/http/jsonBody.js');
    const inString = JSON.stringify({ zz: `${'['.repeat(100)}\\" ,,,, \\\\"${'{'.repeat(100)}` });
    expect(jsonBoundsProblem(inString)).toBeNull();
    expect(JSON.parse(inString)).toHaveProperty('zz');
    expect(jsonBoundsProblem(`{"a\\"":${nested(33).slice(6, -1)}}`)).toMatch(/deeper than 32/);
    expect(jsonBoundsProblem(`[${Array(5_001).fill('{}').join(',')}]`)).toMatch(/more than 5000/);
    expect(jsonBoundsProblem(`[${Array(5_000).fill('{}').join(',')}]`)).toBeNull();
    expect(jsonBoundsProblem('{"unterminated')).toBeNull();
  });
});

describe('the depth the Idempotency-Key fingerprint measures', () => {
  it('is measured without recursion, so no value is too deep to measure', async () => {
    const { depthOf } = await import('../src/http/jsonBody.js');
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(depthOf(deep)).toBe(200_000);
    expect(depthOf({ a: [{ b: 1 }], c: 'x' })).toBe(3);
    expect(depthOf(null)).toBe(0);
  });
});
