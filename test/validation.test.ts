import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createTestApp, newTenant, type TestApp, type TestTenant } from './helpers/app.js';
import { NIL, notWalked, ownBodyLimits, routeKey, routeWalker, type JsonSchema, type Walked } from './helpers/routes.js';

/**
 * Bad input on every route, read from the app itself (test/helpers/routes.ts): the route table
 * says which routes exist, the OpenAPI document the app serves says what each one takes (body,
 * query, path). A route added later is walked the same way; one the document does not describe
 * must be listed in `notWalked` there with its reason, or the first test fails.
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

const sampleOfType: Record<string, unknown> = { object: { zz: 1 }, array: [{ zz: 1 }], string: 'zz-not-valid', number: 42, boolean: true, null: null };

const resolve = (s: JsonSchema | undefined) => w.resolve(s);
const operation = (r: { method: string; url: string }) => w.operation(r);
const jsonTypes = (s: JsonSchema | undefined) => w.jsonTypes(s);
const walked = () => w.walked();
const withBody = () => w.withBody();
const urlOf = (r: Walked, overrides: Record<string, string> = {}, qs = '') => w.urlOf(r, overrides, qs);
const key = routeKey;

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

  it('when a top-level string is one character over its maxLength or a list one item over its maxItems, then 400 validation_failed names body.<that property> (the document’s limits are the schemas’)', async () => {
    const failures: string[] = [];
    let strings = 0;
    let lists = 0;
    // The property's own schema, or the branch of a nullable one that holds the limit.
    const limited = (s: JsonSchema, key: 'maxLength' | 'maxItems') =>
      [resolve(s), ...(resolve(s).anyOf ?? []).map(resolve)].find((b) => typeof b[key] === 'number');
    for (const r of withBody()) {
      for (const [prop, schema] of Object.entries(r.body.schema.properties ?? {})) {
        const text = limited(schema, 'maxLength');
        const list = limited(schema, 'maxItems');
        const sample = r.body.example[prop];
        let value: unknown;
        if (text) {
          strings++;
          value = 'x'.repeat(text.maxLength! + 1);
        } else if (list && Array.isArray(sample) && sample.length > 0) {
          // The example's own item, repeated: only the count is wrong.
          lists++;
          value = Array.from({ length: list.maxItems! + 1 }, (_, i) => (typeof sample[0] === 'string' && prop !== 'eventTypes' ? `${sample[0]}-${i}` : sample[0]));
        } else continue;
        const m = mismatch(`${r.label} ${prop} over its limit`, await send(r, { payload: { ...r.body.example, [prop]: value } }), 400, 'validation_failed', `body.${prop}`);
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
    expect(strings).toBeGreaterThan(60);
    expect(lists).toBeGreaterThan(3);
  });

  it('when every string, list and integer of a request is described, then each carries its bound (maxLength, maxItems, format) for generated clients and the OWASP lint', () => {
    const unbounded: string[] = [];
    const seen = new Set<JsonSchema>();
    const visit = (s: JsonSchema | undefined, at: string) => {
      if (!s || seen.has(s)) return;
      seen.add(s);
      const r = resolve(s);
      const types = [r.type ?? []].flat();
      if (types.includes('string') && r.maxLength === undefined && !r.enum && !('const' in r)) unbounded.push(`${at}: string without maxLength`);
      if (types.includes('array') && r.maxItems === undefined) unbounded.push(`${at}: array without maxItems`);
      if (types.includes('integer') && !r.format) unbounded.push(`${at}: integer without format`);
      for (const [k, v] of Object.entries(r.properties ?? {})) visit(v, `${at}.${k}`);
      for (const sub of [...(r.anyOf ?? []), ...(r.oneOf ?? []), ...(r.allOf ?? [])]) visit(sub, at);
      if (r.items) visit(r.items, `${at}[]`);
    };
    for (const r of walked()) {
      for (const p of r.op.parameters ?? []) visit(p.schema, `${r.label} ${p.in}.${p.name}`);
      if (r.body) visit(r.body.schema, `${r.label} body`);
    }
    expect(unbounded).toEqual([]);
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
    expect([sized(limit + 1).length, sized(limit).length]).toEqual([limit + 1, limit]);
    const failures: string[] = [];
    for (const r of withBody()) {
      // A route with a limit of its own (test/helpers/routes.ts ownBodyLimits) is held to it.
      const own = ownBodyLimits[key(r)]?.bytes ?? limit;
      const over = sized(own + 1);
      const at = sized(own);
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
        // Something its schema refuses: a value outside the enum or the format, past an integer's maximum, else too short or too long.
        const max = (s as { type?: string; maximum?: number }).type === 'integer' ? (s as { maximum?: number }).maximum : undefined;
        const bad = s.enum || s.format ? 'zz-not-valid' : max !== undefined ? String(max + 1) : (s as { minLength?: number }).minLength ? '' : (s as { maxLength?: number }).maxLength ? 'x'.repeat((s as { maxLength: number }).maxLength + 1) : undefined;
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

  it('when a list gets limit=0, one past its maximum or limit=abc, then 400 validation_failed names query.limit', async () => {
    const failures: string[] = [];
    for (const r of lists()) {
      // One past the list's own maximum (100 on pages; the event feed takes more).
      const max = (resolve(r.query.find((p) => p.name === 'limit')!.schema) as { maximum?: number }).maximum;
      expect(max, `${r.label} limit has a maximum`).toBeGreaterThan(0);
      for (const limit of ['0', String(max! + 1), 'abc', '-1', '2.5']) {
        const m = mismatch(`${r.label} limit=${limit}`, await send(r, { url: urlOf(r, {}, `?limit=${limit}`) }), 400, 'validation_failed', 'query.limit');
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
    expect(lists().length).toBeGreaterThan(10);
  });

  it('when a list gets a cursor it never returned, then 400 validation_failed names query.cursor (query.after on the event feed)', async () => {
    // A page's cursor is `cursor`; the event feed's position is `after`.
    const cursorOf = (r: ReturnType<typeof lists>[number]) => (r.query.some((p) => p.name === 'after') ? 'after' : 'cursor');
    const withCursor = withQuery().filter((r) => r.query.some((p) => p.name === cursorOf(r)));
    expect(withCursor.map((r) => r.label).sort()).toEqual(lists().map((r) => r.label).sort());
    const failures: string[] = [];
    // Garbage, valid base64url of something that is not a key, and a key of the wrong shape.
    const garbage = ['garbage!', Buffer.from('not json').toString('base64url'), Buffer.from('{"zz":1}').toString('base64url'), 'x'.repeat(600)];
    for (const r of withCursor) {
      for (const cursor of garbage) {
        const name = cursorOf(r);
        const m = mismatch(`${r.label} ${name}=${cursor.slice(0, 20)}`, await send(r, { url: urlOf(r, {}, `?${name}=${encodeURIComponent(cursor)}`) }), 400, 'validation_failed', `query.${name}`);
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
    // /v1/external-ids/{type}/{source}/{externalId} and /v1/<records>/by-external-id/{source}/{externalId}
    // hold another system's id, not a name of ours: test/external-ids.test.ts and
    // test/external-ids.upsert.test.ts check their refusals (a bad type or source, 400 naming it).
    const others = walked()
      .filter((r) => !r.url.startsWith('/v1/external-ids/') && !r.url.includes('/by-external-id/'))
      .flatMap((r) => r.params.filter((x) => resolve(x.schema).format !== 'uuid').map((p) => [r, p] as const));
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

describe('the limits integrators meet most (src/lib/limits.ts)', () => {
  const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(tenant.token), payload: payload as object });
  const fieldsOf = (res: LightMyRequestResponse) => (res.json() as { errors?: { field: string }[] }).errors?.map((e) => e.field) ?? [];

  it('when a candidate’s name is 201 characters or their notes 10,001, then 400 names that field; at the limit it is created', async () => {
    const tooLongName = await post('/v1/candidates', { name: 'n'.repeat(201) });
    expect(tooLongName.statusCode).toBe(400);
    expect(fieldsOf(tooLongName)).toEqual(['body.name']);
    const tooLongNotes = await post('/v1/candidates', { name: 'Jordan Lee', notes: 'x'.repeat(10_001) });
    expect(tooLongNotes.statusCode).toBe(400);
    expect(fieldsOf(tooLongNotes)).toEqual(['body.notes']);
    const atLimit = await post('/v1/candidates', { name: 'n'.repeat(200), notes: 'x'.repeat(10_000) });
    expect(atLimit.statusCode, atLimit.body).toBe(201);
  });

  it('when a contact’s email is 255 characters or a candidate has 31 tags, then 400 names that field', async () => {
    const employer = await post('/v1/employers', { name: 'Limits District' });
    expect(employer.statusCode).toBe(201);
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.org`;
    expect(email).toHaveLength(255);
    const contact = await post('/v1/contacts', { employerId: employer.json().id, name: 'Pat Doe', email });
    expect(contact.statusCode).toBe(400);
    expect(fieldsOf(contact)).toContain('body.email');
    const tags = await post('/v1/candidates', { name: 'Tagged', tags: Array.from({ length: 31 }, (_, i) => `t${i}`) });
    expect(tags.statusCode).toBe(400);
    expect(fieldsOf(tags)).toEqual(['body.tags']);
  });

  it('when an instant in a query is longer than 40 characters, then 400 names query.updatedSince', async () => {
    const res = await t.app.inject({ url: `/v1/candidates?updatedSince=2026-11-26T14:30:00.${'0'.repeat(30)}Z`, headers: bearer(tenant.token) });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(['query.updatedSince']);
  });
});
