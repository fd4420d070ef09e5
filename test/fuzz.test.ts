import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bearer, createTestApp, newTenant, type TestApp, type TestTenant } from './helpers/app.js';
import { routeWalker, type Walked } from './helpers/routes.js';
import { isolationFixtures } from './helpers/isolation.js';
import { ensureSchedules } from '../src/jobs/schedules.js';

/**
 * Property: whatever a client sends to any route of the OpenAPI document, the answer is never a
 * 5xx. Each route gets RUNS requests built from its own example (or its isolation fixture's body)
 * and real ids of the agency, with one hostile part each: NUL, lone surrogates, RTL overrides, a
 * BOM, 1 MB strings, numbers beyond 2^53 (and beyond a double), `__proto__` and `constructor`
 * keys, deep nesting, wrong types, bodies where none is taken. Bounded in count (about 9,000
 * requests, 15-20 s here) so it fits CI; a failure's message has its seed and path, to replay it
 * with `fc.assert(..., { seed, path })`.
 */
const RUNS = 100;

let t: TestApp;
let tenant: TestTenant;
let w: Awaited<ReturnType<typeof routeWalker>>;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
  w = await routeWalker(t.app);
  // /readyz reports `degraded` while the schedules are not in Redis; a worker puts them there.
  await ensureSchedules(t.deps.queues);
});
afterAll(() => t.close());

/** A JSON fragment put in the body as is: JSON.stringify cannot write 1e400 or a duplicate key. */
interface Raw {
  raw: string;
}
const raw = (text: string): Raw => ({ raw: text });

const BIG = 'x'.repeat(1_000_000);
/** 1.2 MB once encoded: over the body limit (413). */
const BIGGER = '\u00e9'.repeat(600_000);
const hostileText = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfff', '\udc00\ud800', '\u202eevil\u202c', '\u2066rtl\u2069', '\ufeffbom', '\u200b', '', ' ', '\r\n\t', '%00', '%E0%A4%A', "'; DROP TABLE users; --", '{{#x}}{{/x}}', '<script>', '../../etc/passwd', 'null', '-0'),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.constantFrom(BIG, BIGGER) },
  { weight: 2, arbitrary: fc.constantFrom(raw('9007199254740993'), raw('-9007199254740993'), raw('1e400'), raw('-1e400'), raw('123456789012345678901234567890'), raw('2147483648'), raw('0.1e-400'), raw('-0')) },
  { weight: 2, arbitrary: fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 31, -1, 1.5, 0, Number.MAX_VALUE) },
  { weight: 2, arbitrary: fc.constantFrom(raw('{"__proto__":{"admin":true}}'), raw('{"constructor":{"prototype":{"admin":true}}}'), raw('{"a":1,"a":2}')) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 200 }).map((n) => raw(`${'['.repeat(n)}${']'.repeat(n)}`)) },
  { weight: 2, arbitrary: fc.constantFrom(null, true, [], {}, [null], { zz: '\u0000' }) },
);

/** The body as JSON text, with `Raw` fragments spliced in where they stand. */
function bodyText(value: unknown): string {
  const fragments: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && 'raw' in v ? `@@raw${fragments.push((v as Raw).raw) - 1}@@` : v));
  return text.replace(/"@@raw(\d+)@@"/g, (_m, i: string) => fragments[Number(i)]!);
}

/** A path or query value as a URL carries it: UTF-8, percent-encoded (a lone surrogate becomes U+FFFD, as in any client). */
const inUrl = (v: unknown) => (v && typeof v === 'object' && 'raw' in v ? encodeURIComponent((v as Raw).raw) : encodeURIComponent(String(v).slice(0, 2_000).toWellFormed()));

interface Attack {
  url: string;
  body?: string;
  headers: Record<string, string>;
}

/** Paths to the strings of a value (the route's example), to put hostile text in nested fields too. */
const stringLeaves = (v: unknown, path: (string | number)[] = []): (string | number)[][] =>
  typeof v === 'string' ? [path] : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, c]) => stringLeaves(c, [...path, Array.isArray(v) ? Number(k) : k])) : [];
const setAt = (root: unknown, path: (string | number)[], value: unknown): unknown => {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
};

/**
 * Requests to `r` with one hostile part each (where it hits varies: a body property, a nested
 * string, the whole body, a `__proto__` key, a query parameter, a path parameter, a header), the
 * rest valid: the ids are of real records of the agency, so a request gets as deep as it can.
 */
function attacks(r: Walked, ids: Record<string, string>, base: unknown): fc.Arbitrary<Attack> {
  const url = (overrides: Record<string, string> = {}, qs = '') => w.urlOf(r, { ...ids, ...overrides }, qs);
  const plain = (body?: string, headers: Record<string, string> = {}, u = url()): Attack => ({ url: u, ...(body !== undefined ? { body } : {}), headers });
  const props = r.body ? [...new Set([...Object.keys(r.body.schema.properties ?? {}), ...Object.keys((base ?? {}) as object)])] : [];
  const leaves = stringLeaves(base);
  const kinds: fc.WeightedArbitrary<Attack>[] = [];
  if (r.body && props.length > 0) {
    const prop = fc.constantFrom(...props);
    kinds.push({ weight: 6, arbitrary: fc.tuple(prop, hostileValue).map(([k, v]) => plain(bodyText({ ...(base as object), [k]: v }))) });
    kinds.push({ weight: 1, arbitrary: fc.tuple(prop, prop, hostileValue, hostileValue).map(([a, b, x, y]) => plain(bodyText({ ...(base as object), [a]: x, [b]: y }))) });
  }
  if (r.body && leaves.length > 0) kinds.push({ weight: 3, arbitrary: fc.tuple(fc.constantFrom(...leaves), hostileText).map(([path, v]) => plain(bodyText(setAt(base, path, v)))) });
  if (r.body) {
    kinds.push({ weight: 1, arbitrary: hostileValue.map((v) => plain(bodyText(v))) });
    kinds.push({ weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype').map((k) => plain(bodyText(base ?? {}).replace(/^\{/, `{"${k}":{"admin":true},`).replace(/,\}$/, '}'))) });
  } else if (!['GET', 'HEAD'].includes(r.method)) {
    kinds.push({ weight: 2, arbitrary: hostileValue.map((v) => plain(bodyText(v))) });
  }
  if (r.query.length > 0) {
    const name = fc.constantFrom(...r.query.map((p) => p.name));
    kinds.push({ weight: 4, arbitrary: fc.tuple(name, hostileValue).map(([k, v]) => plain(undefined, {}, url({}, `?${k}=${inUrl(v)}`))) });
    kinds.push({ weight: 1, arbitrary: fc.tuple(name, hostileText, hostileText).map(([k, a, b]) => plain(undefined, {}, url({}, `?${k}=${inUrl(a)}&${k}=${inUrl(b)}&__proto__=x`))) });
  }
  if (r.params.length > 0) {
    kinds.push({ weight: 3, arbitrary: fc.tuple(fc.constantFrom(...r.params.map((p) => p.name)), hostileValue).map(([k, v]) => plain(r.body ? bodyText(base) : undefined, {}, url({ [k]: inUrl(v) || '%20' }))) });
  }
  const header = fc.constantFrom('idempotency-key', 'if-match', 'x-request-id', 'authorization');
  kinds.push({
    weight: 1,
    arbitrary: fc.tuple(header, fc.oneof(hostileText, fc.constantFrom('"9007199254740993"', '"-1"', 'W/"1"', 'Bearer \u0000'))).map(([k, v]) =>
      plain(r.body ? bodyText(base) : undefined, { [k]: k === 'authorization' ? `Bearer ${v}` : v }),
    ),
  });
  return fc.oneof(...kinds);
}

describe('fuzzing every route of the OpenAPI document', () => {
  it(`when ${RUNS} hostile requests go to each route, then none is answered with a 5xx`, async () => {
    const routes = w.walked();
    expect(routes.length).toBeGreaterThan(80);
    const failures: string[] = [];
    let sent = 0;
    for (const r of routes) {
      // Real records of the agency for the route's ids (the isolation suite's fixtures, made in our own agency).
      const fixture = await isolationFixtures[r.label]?.(t.app, tenant);
      const base = fixture?.body ?? r.body?.example;
      try {
        await fc.assert(
          fc.asyncProperty(attacks(r, fixture?.params ?? {}, base), async (a) => {
            sent++;
            const res = await t.app.inject({
              method: r.method as 'POST',
              url: a.url,
              headers: { ...bearer(tenant.token), ...(a.body !== undefined ? { 'content-type': 'application/json' } : {}), ...a.headers },
              ...(a.body !== undefined ? { payload: a.body } : {}),
            });
            if (res.statusCode >= 500) throw new Error(`${res.statusCode} ${res.body.slice(0, 300)} for ${a.url.slice(0, 200)} ${(a.body ?? '').slice(0, 300)}`);
          }),
          { numRuns: RUNS, endOnFailure: true },
        );
      } catch (err) {
        failures.push(`${r.label}: ${(err as Error).message.slice(0, 1_500)}`);
      }
      // A run may sign the owner out (a valid PATCH /v1/me, say): the next route gets a fresh agency.
      if ((await t.app.inject({ url: '/v1/me', headers: bearer(tenant.token) })).statusCode !== 200) tenant = await newTenant(t.app);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(routes.length * RUNS);
    // About a second a route on CI's two cores (105 s alone for 108 routes): the budget grows with them.
  }, 180_000);
});
