import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createTestApp, newTenant, type TestApp, type TestTenant } from './helpers/app.js';
import { fillPath } from './helpers/isolation.js';

/**
 * Bad input on every route, read from the app itself: the route table says which routes exist,
 * the OpenAPI document the app serves says what each one takes (body, query, path). A route
 * added later is walked the same way; one the document does not describe must be listed in
 * `notWalked` below with its reason, or the first test fails.
 */

let t: TestApp;
let tenant: TestTenant;
let doc: OpenApi;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
  doc = (await t.app.inject({ url: '/openapi.json' })).json() as OpenApi;
});
afterAll(() => t.close());

/**
 * Routes this suite does not walk, each with why. Everything else in `app.routeTable` must be in
 * the OpenAPI document with its inputs described there.
 */
const notWalked: Record<string, string> = {
  'GET /': 'the web client’s HTML page (src/modules/web): takes no body, query or id; its cache headers are tested in test/web',
  'GET /*': 'the web client’s static files and its client-side routes (src/modules/web): any path is a file name or falls back to the page, no schema',
  'GET /docs': 'the Swagger UI plugin’s page: no input of ours (served-ness tested in test/http-edge.test.ts)',
  'GET /docs/json': 'the Swagger UI plugin’s copy of /openapi.json: no input',
  'GET /docs/yaml': 'the Swagger UI plugin’s YAML copy of /openapi.json: no input',
  'GET /docs/static/*': 'the Swagger UI plugin’s static files: a file name, no schema',
  'GET /docs/static/index.html': 'the Swagger UI plugin’s page: no input',
  'GET /docs/static/swagger-initializer.js': 'the Swagger UI plugin’s script: no input',
  'GET /openapi.json': 'the contract itself (this suite reads it): no input; validated as OpenAPI 3.1 in test/http-edge.test.ts',
};

// The parts of OpenAPI 3.1 this suite reads.
interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  example?: unknown;
  examples?: unknown[];
}
interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

const NIL = '00000000-0000-4000-8000-000000000000';
const BODY_METHODS = ['POST', 'PUT', 'PATCH'];
const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

const resolve = (s: JsonSchema | undefined): JsonSchema => {
  let out = s ?? {};
  for (let depth = 0; out.$ref && depth < 10; depth++) out = doc.components.schemas[out.$ref.split('/').pop()!] ?? {};
  return out;
};
const operation = (r: { method: string; url: string }): Operation | undefined =>
  doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];

/** The JSON types a schema accepts (integer counts as number); empty when it says nothing. */
function jsonTypes(s: JsonSchema | undefined): Set<string> {
  const r = resolve(s);
  const out = new Set<string>();
  for (const ty of [r.type ?? []].flat()) out.add(ty === 'integer' ? 'number' : ty);
  for (const v of [...(r.enum ?? []), ...('const' in r ? [r.const] : [])]) out.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  for (const sub of [...(r.anyOf ?? []), ...(r.oneOf ?? [])]) for (const ty of jsonTypes(sub)) out.add(ty);
  // allOf: each part restricts; the first one that says something is enough for "what type".
  for (const sub of r.allOf ?? []) if (out.size === 0) for (const ty of jsonTypes(sub)) out.add(ty);
  return out;
}

const sampleOfType: Record<string, unknown> = { object: { zz: 1 }, array: [{ zz: 1 }], string: 'zz-not-valid', number: 42, boolean: true, null: null };

/** A value that is valid for the param's schema (only its shape matters before the handler runs). */
const validParam = (p: Parameter) => {
  const s = resolve(p.schema);
  if (s.format === 'uuid') return NIL;
  if (s.enum?.length) return String(s.enum[0]);
  return 'zz-sample';
};

interface Walked {
  method: string;
  url: string;
  label: string;
  op: Operation;
  params: Parameter[];
  query: Parameter[];
  body?: { schema: JsonSchema; example: Record<string, unknown> };
}

/** Every route of the app that the document describes, with its inputs. */
function walked(): Walked[] {
  return t.app.routeTable
    .filter((r) => !(key(r) in notWalked))
    .map((r) => {
      const op = operation(r);
      if (!op) throw new Error(`${key(r)} is not in /openapi.json: describe it, or list it in notWalked with a reason`);
      const json = op.requestBody?.content['application/json'];
      const schema = json && resolve(json.schema);
      const example = schema && (schema.example ?? schema.examples?.[0] ?? json?.schema.example);
      return {
        method: r.method,
        url: r.url,
        label: key(r),
        op,
        params: (op.parameters ?? []).filter((p) => p.in === 'path'),
        query: (op.parameters ?? []).filter((p) => p.in === 'query'),
        ...(schema ? { body: { schema, example: structuredClone((example ?? {}) as Record<string, unknown>) } } : {}),
      };
    });
}

const withBody = () => walked().filter((r): r is Walked & { body: NonNullable<Walked['body']> } => r.body !== undefined);

const urlOf = (r: Walked, overrides: Record<string, string> = {}, qs = '') =>
  fillPath(r.url, { ...Object.fromEntries(r.params.map((p) => [p.name, validParam(p)])), ...overrides }) + qs;

const send = (r: Walked, opts: { url?: string; payload?: unknown; raw?: string } = {}) =>
  t.app.inject({
    method: r.method as 'POST',
    url: opts.url ?? urlOf(r),
    headers: { ...bearer(tenant.token), ...(opts.raw !== undefined || opts.payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.raw !== undefined ? { payload: opts.raw } : opts.payload !== undefined ? { payload: JSON.stringify(opts.payload) } : {}),
  });

/**
 * What was wrong with an answer expected to be a problem (`status`, `code`, naming `field` among
 * its errors); null when it is right. Collected, so one run lists every route that fails.
 */
function mismatch(label: string, res: LightMyRequestResponse, status: number, code: string, field?: string): string | null {
  const body = (() => {
    try {
      return res.json() as { code?: string; status?: number; errors?: { field: string }[]; requestId?: string };
    } catch {
      return {};
    }
  })();
  const fields = (body.errors ?? []).map((e) => e.field);
  const ok =
    res.statusCode < 500 &&
    res.statusCode === status &&
    String(res.headers['content-type']).startsWith('application/problem+json') &&
    body.status === status &&
    body.code === code &&
    typeof body.requestId === 'string' &&
    (field === undefined || fields.includes(field));
  return ok ? null : `${label}: expected ${status} ${code}${field ? ` naming ${field}` : ''}, got ${res.statusCode} ${res.headers['content-type']} ${res.body.slice(0, 300)}`;
}

describe('every route is walked', () => {
  it('when a route is in the route table, then it is described in /openapi.json or listed in notWalked with a reason', () => {
    const routes = t.app.routeTable.map(key);
    const undescribed = t.app.routeTable.filter((r) => !(key(r) in notWalked) && !operation(r)).map(key);
    expect(undescribed).toEqual([]);
    // The table stays true: no stale entries, none for a route the suite could walk.
    expect(Object.keys(notWalked).filter((k) => !routes.includes(k))).toEqual([]);
    expect(Object.keys(notWalked).filter((k) => operation({ method: k.split(' ')[0]!, url: k.split(' ')[1]! }))).toEqual([]);
    for (const reason of Object.values(notWalked)) expect(reason.length).toBeGreaterThan(20);
  });

  it('when a route takes a request body, then it is JSON (anything else would need its own cases here)', () => {
    const other = walked().flatMap((r) => Object.keys(r.op.requestBody?.content ?? {}).filter((c) => c !== 'application/json').map((c) => `${r.label} ${c}`));
    expect(other).toEqual([]);
    expect(withBody().length).toBeGreaterThan(30);
  });

  it('when a body schema is walked, then it is an object with properties and an example to start from', () => {
    const bad = withBody()
      .filter((r) => jsonTypes(r.body.schema).size !== 1 || !jsonTypes(r.body.schema).has('object') || !r.body.schema.properties || (Object.keys(r.body.example).length === 0 && (r.body.schema.required ?? []).length > 0))
      .map((r) => r.label);
    expect(bad).toEqual([]);
  });
});

describe('JSON bodies, on every route that takes one', () => {
  it('when the body is the route’s own example plus an unknown property, then 400 validation_failed names exactly body.<that property>', async () => {
    const failures: string[] = [];
    for (const r of withBody()) {
      const res = await send(r, { payload: { ...r.body.example, zzUnknownField: 'x' } });
      const m = mismatch(r.label, res, 400, 'validation_failed', 'body.zzUnknownField');
      if (m) failures.push(m);
      // Only that property: the example it started from is valid, so the cases below change one thing each.
      else if (JSON.stringify(res.json().errors) !== JSON.stringify([{ field: 'body.zzUnknownField', message: 'Unknown field' }])) {
        failures.push(`${r.label}: more than the unknown field named: ${JSON.stringify(res.json().errors)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('when a required top-level property is left out, then 400 validation_failed names body.<that property>', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const r of withBody()) {
      for (const prop of r.body.schema.required ?? []) {
        const { [prop]: _left, ...rest } = r.body.example;
        cases++;
        const m = mismatch(`${r.label} without ${prop}`, await send(r, { payload: rest }), 400, 'validation_failed', `body.${prop}`);
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(30);
  });

  it('when a top-level property has a value of a JSON type its schema does not accept, then 400 validation_failed names body.<that property>', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const r of withBody()) {
      for (const [prop, schema] of Object.entries(r.body.schema.properties ?? {})) {
        const accepted = jsonTypes(schema);
        if (accepted.size === 0) {
          failures.push(`${r.label} body.${prop}: its schema names no JSON type, so no wrong type can be sent`);
          continue;
        }
        for (const [type, value] of Object.entries(sampleOfType)) {
          if (accepted.has(type)) continue;
          cases++;
          const m = mismatch(`${r.label} ${prop}=${JSON.stringify(value)}`, await send(r, { payload: { ...r.body.example, [prop]: value } }), 400, 'validation_failed', `body.${prop}`);
          if (m) failures.push(m);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(200);
  });

  it('when the body is not parseable JSON, then 400 malformed_body', async () => {
    const failures: string[] = [];
    for (const r of withBody()) {
      for (const raw of ['{"name": "x",', '{name: 1}', '']) {
        const m = mismatch(`${r.label} ${JSON.stringify(raw)}`, await send(r, { raw }), 400, 'malformed_body');
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
  });

  it('when the body is one byte over the app’s body limit, then 413 payload_too_large; at the limit it is read (and refused by its schema)', async () => {
    const limit = t.deps.config.BODY_LIMIT_BYTES;
    // The default the README promises (src/config.ts), as the tests run it.
    expect(limit).toBe(1024 * 1024);
    // {"zzPadding":"…"} is 16 bytes around the padding.
    const sized = (n: number) => JSON.stringify({ zzPadding: 'x'.repeat(n - 16) });
    const over = sized(limit + 1);
    const at = sized(limit);
    expect([over.length, at.length]).toEqual([limit + 1, limit]);
    const failures: string[] = [];
    for (const r of withBody()) {
      const big = mismatch(`${r.label} ${over.length} bytes`, await send(r, { raw: over }), 413, 'payload_too_large');
      if (big) failures.push(big);
      const ok = mismatch(`${r.label} ${at.length} bytes`, await send(r, { raw: at }), 400, 'validation_failed', 'body.zzPadding');
      if (ok) failures.push(ok);
    }
    expect(failures).toEqual([]);
  });
});

describe('query parameters, on every route that takes them', () => {
  const withQuery = () => walked().filter((r) => r.query.length > 0);
  const lists = () => withQuery().filter((r) => r.query.some((p) => p.name === 'limit'));

  it('when an unknown query parameter is sent to any /v1 route, with query parameters or without, then 400 validation_failed names query.<it>', async () => {
    const failures: string[] = [];
    for (const r of walked().filter((x) => x.url.startsWith('/v1/'))) {
      // A valid body where one is taken, so that only the query is wrong.
      const payload = r.body ? { payload: r.body.example } : {};
      const m = mismatch(r.label, await send(r, { url: urlOf(r, {}, '?zzUnknownParam=1'), ...payload }), 400, 'validation_failed', 'query.zzUnknownParam');
      if (m) failures.push(m);
    }
    expect(failures).toEqual([]);
    expect(withQuery().length).toBeGreaterThan(10);
  });

  it('when a typed query parameter gets a value outside its schema, then 400 validation_failed names query.<it>', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const r of withQuery()) {
      // limit and cursor have their own cases below.
      for (const p of r.query.filter((x) => x.name !== 'cursor' && x.name !== 'limit')) {
        const s = resolve(p.schema);
        // Something its schema refuses: a value outside the enum or the format, else too short or too long.
        const bad = s.enum || s.format ? 'zz-not-valid' : (s as { minLength?: number }).minLength ? '' : (s as { maxLength?: number }).maxLength ? 'x'.repeat((s as { maxLength: number }).maxLength + 1) : undefined;
        if (bad === undefined) {
          failures.push(`${r.label} query.${p.name}: its schema refuses nothing this suite can send`);
          continue;
        }
        cases++;
        const m = mismatch(`${r.label} ${p.name}=${bad.slice(0, 20)}`, await send(r, { url: urlOf(r, {}, `?${p.name}=${bad}`) }), 400, 'validation_failed', `query.${p.name}`);
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(40);
  });

  it('when a list gets limit=0, limit=101 or limit=abc, then 400 validation_failed names query.limit', async () => {
    const failures: string[] = [];
    for (const r of lists()) {
      for (const limit of ['0', '101', 'abc', '-1', '2.5']) {
        const m = mismatch(`${r.label} limit=${limit}`, await send(r, { url: urlOf(r, {}, `?limit=${limit}`) }), 400, 'validation_failed', 'query.limit');
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
    expect(lists().length).toBeGreaterThan(10);
  });

  it('when a list gets a cursor it never returned, then 400 validation_failed names query.cursor', async () => {
    const withCursor = withQuery().filter((r) => r.query.some((p) => p.name === 'cursor'));
    expect(withCursor.map((r) => r.label).sort()).toEqual(lists().map((r) => r.label).sort());
    const failures: string[] = [];
    // Garbage, valid base64url of something that is not a key, and a key of the wrong shape.
    const garbage = ['garbage!', Buffer.from('not json').toString('base64url'), Buffer.from('{"zz":1}').toString('base64url'), 'x'.repeat(600)];
    for (const r of withCursor) {
      for (const cursor of garbage) {
        const m = mismatch(`${r.label} cursor=${cursor.slice(0, 20)}`, await send(r, { url: urlOf(r, {}, `?cursor=${encodeURIComponent(cursor)}`) }), 400, 'validation_failed', 'query.cursor');
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('path parameters, on every route that takes them', () => {
  it('when a UUID path parameter is not a UUID, then 400 validation_failed names path.<it>, whatever the method', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const r of walked()) {
      for (const p of r.params.filter((x) => resolve(x.schema).format === 'uuid')) {
        for (const bad of ['not-a-uuid', '123', `${NIL}0`, "1' OR '1'='1"]) {
          cases++;
          const res = await send(r, { url: urlOf(r, { [p.name]: encodeURIComponent(bad) }), ...(r.body ? { payload: r.body.example } : {}) });
          const m = mismatch(`${r.label} ${p.name}=${bad}`, res, 400, 'validation_failed', `path.${p.name}`);
          if (m) failures.push(m);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(50);
  });

  it('when a path parameter that is not a UUID (a template id) names nothing, then 404 not_found, never 500', async () => {
    const failures: string[] = [];
    const others = walked().flatMap((r) => r.params.filter((x) => resolve(x.schema).format !== 'uuid').map((p) => [r, p] as const));
    expect(others.length).toBeGreaterThan(0);
    for (const [r, p] of others) {
      for (const bad of ['no.such.template', 'x'.repeat(100)]) {
        const res = await send(r, { url: urlOf(r, { [p.name]: bad }), ...(r.body ? { payload: r.body.example } : {}) });
        const m = mismatch(`${r.label} ${p.name}=${bad.slice(0, 20)}`, res, 404, 'not_found');
        if (m) failures.push(m);
      }
      // Past the router's 100-character parameter limit (Fastify's maxParamLength): refused before
      // the route's schema, as 400 validation_failed, or 404 route_not_found where GET /* (the web
      // client) matches instead; a problem either way, never a 500.
      const long = await send(r, { url: urlOf(r, { [p.name]: 'x'.repeat(101) }), ...(r.body ? { payload: r.body.example } : {}) });
      const m = [mismatch('', long, 400, 'validation_failed'), mismatch('', long, 404, 'route_not_found')].every(Boolean)
        ? `${r.label} ${p.name} of 101 characters: got ${long.statusCode} ${long.body.slice(0, 200)}`
        : null;
      if (m) failures.push(m);
    }
    expect(failures).toEqual([]);
  });
});
