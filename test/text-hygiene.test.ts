import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { bearer, createTestApp, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { NIL, routeWalker, type JsonSchema, type Walked, type WithBody } from './helpers/routes.js';

/**
 * Text that PostgreSQL cannot store (NUL) or that is not Unicode at all (a lone surrogate, which
 * JSON can spell as "\ud800") is refused wherever we accept a string, with a 400 naming the field,
 * on every route the OpenAPI document describes; never a 500. The inbound email is the exception:
 * a mail provider would retry a refusal forever, so it is stored cleaned.
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

const BAD = { nul: 'a\u0000b', surrogate: 'x\ud800', lowSurrogate: '\udc00y' } as const;
const INBOUND = 'POST /v1/inbound/email';

const send = (r: Walked, opts: { url?: string; payload?: unknown; headers?: Record<string, string> } = {}) =>
  t.app.inject({
    method: r.method as 'POST',
    url: opts.url ?? w.urlOf(r),
    headers: { ...bearer(tenant.token), ...(opts.payload !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(opts.payload !== undefined ? { payload: JSON.stringify(opts.payload) } : {}),
  });

/** Null when `res` is a 400 validation_failed problem naming exactly `field`; else what it was. */
function notRefused(label: string, res: LightMyRequestResponse, field: string): string | null {
  let body: { code?: string; errors?: { field: string }[] } = {};
  try {
    body = res.json();
  } catch {
    // not JSON: reported below
  }
  const fields = (body.errors ?? []).map((e) => e.field);
  const ok = res.statusCode === 400 && String(res.headers['content-type']).startsWith('application/problem+json') && body.code === 'validation_failed' && JSON.stringify(fields) === JSON.stringify([field]);
  return ok ? null : `${label}: expected 400 validation_failed naming only ${field}, got ${res.statusCode} ${res.body.slice(0, 300)}`;
}

/** Paths to every string in `value` (the route's example), and to each top-level string property it leaves out. */
function stringPaths(value: unknown, schema: JsonSchema, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, {}, [...path, i]));
  if (!value || typeof value !== 'object') return [];
  const out = Object.entries(value).flatMap(([k, v]) => stringPaths(v, {}, [...path, k]));
  for (const [prop, s] of Object.entries(schema.properties ?? {})) {
    if (!(prop in value) && w.jsonTypes(s).has('string')) out.push([...path, prop]);
  }
  return out;
}

const setAt = (root: Record<string, unknown>, path: (string | number)[], v: unknown) => {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = v;
  return copy;
};

describe('the requests the probe sent', () => {
  it('when a string holds a NUL or a lone surrogate, then 400 naming the field, never 500', async () => {
    const h = bearer(tenant.token);
    const contact = json<{ id: string }>(
      await t.app.inject({ method: 'POST', url: '/v1/employers', headers: h, payload: { name: 'Hygiene School', kind: 'school', timeZone: 'America/New_York' } }),
    );
    const c = json<{ id: string }>(await t.app.inject({ method: 'POST', url: '/v1/contacts', headers: h, payload: { employerId: contact.id, name: 'Pat Clean' } }));
    const raw = (method: 'POST' | 'PATCH', url: string, body: string) => t.app.inject({ method, url, headers: { ...h, 'content-type': 'application/json' }, payload: body });
    const cases: [string, LightMyRequestResponse, string][] = [
      ['GET ?q=%00', await t.app.inject({ url: '/v1/candidates?q=%00', headers: h }), 'query.q'],
      ['POST name a\\u0000b', await raw('POST', '/v1/candidates', '{"name":"a\\u0000b"}'), 'body.name'],
      ['POST name x\\ud800', await raw('POST', '/v1/candidates', '{"name":"x\\ud800"}'), 'body.name'],
      ['PATCH title \\ud800', await raw('PATCH', `/v1/contacts/${c.id}`, '{"title":"\\ud800"}'), 'body.title'],
      ['cursor with a NUL', await t.app.inject({ url: `/v1/contacts?cursor=${Buffer.from(JSON.stringify({ name: 'a\u0000', id: NIL })).toString('base64url')}`, headers: h }), 'query.cursor'],
    ];
    expect(cases.map(([label, res, field]) => notRefused(label, res, field)).filter(Boolean)).toEqual([]);
  });
});

describe('on every route the OpenAPI document describes', () => {
  it('when any string of the body (each one of the route’s example, each top-level string property) holds a NUL or a lone surrogate, then 400 naming body.<its path>', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const r of w.withBody().filter((x: WithBody) => x.label !== INBOUND)) {
      for (const path of stringPaths(r.body.example, r.body.schema)) {
        for (const [kind, bad] of Object.entries(BAD)) {
          cases++;
          const m = notRefused(`${r.label} ${path.join('.')} ${kind}`, await send(r, { payload: setAt(r.body.example, path, bad) }), `body.${path.join('.')}`);
          if (m) failures.push(m);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(150);
  });

  it('when a key of the body holds a NUL or a lone surrogate, then 400 naming it (a key is a string we accept too)', async () => {
    const failures: string[] = [];
    for (const r of w.withBody().filter((x: WithBody) => x.label !== INBOUND)) {
      const m = notRefused(`${r.label} key`, await send(r, { payload: { ...r.body.example, [`k${BAD.nul}`]: 1 } }), `body.ka\ufffdb`);
      if (m) failures.push(m);
    }
    expect(failures).toEqual([]);
  });

  it('when a query parameter holds a NUL, then 400 naming query.<it>, on every route that takes it', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const r of w.walked()) {
      for (const p of r.query) {
        cases++;
        const m = notRefused(`${r.label} ${p.name}`, await send(r, { url: w.urlOf(r, {}, `?${p.name}=a%00b`) }), `query.${p.name}`);
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(40);
  });

  it('when a path parameter holds a NUL, then 400 naming path.<it>, whatever the method', async () => {
    const failures: string[] = [];
    for (const r of w.walked()) {
      for (const p of r.params) {
        const m = notRefused(`${r.label} ${p.name}`, await send(r, { url: w.urlOf(r, { [p.name]: 'a%00b' }) }), `path.${p.name}`);
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
  });

  it('when a list gets a cursor whose content holds a NUL or a lone surrogate, then 400 naming query.cursor', async () => {
    const lists = w.walked().filter((r) => r.query.some((p) => p.name === 'cursor'));
    expect(lists.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const r of lists) {
      for (const bad of Object.values(BAD)) {
        // Every key any list's cursor has, so that each list finds its own shape, plus the bad text.
        const cursor = Buffer.from(JSON.stringify({ id: NIL, eventId: NIL, startsAt: '2026-12-01T00:00:00Z', name: bad, zz: bad })).toString('base64url');
        const m = notRefused(`${r.label} cursor`, await send(r, { url: w.urlOf(r, {}, `?cursor=${cursor}`) }), 'query.cursor');
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('the headers we read', () => {
  it('when Authorization, Idempotency-Key or If-Match holds a NUL or a lone surrogate, then 400 naming header.<it>', async () => {
    const patch = w.walked().find((r) => r.label === 'PATCH /v1/contacts/:id')!;
    const post = w.walked().find((r) => r.label === 'POST /v1/employers')!;
    const failures: string[] = [];
    for (const bad of Object.values(BAD)) {
      const cases: [string, LightMyRequestResponse, string][] = [
        ['authorization', await send(patch, { headers: { authorization: `Bearer ${bad}` }, payload: {} }), 'header.authorization'],
        ['idempotency-key', await send(post, { headers: { 'idempotency-key': bad }, payload: { name: 'x' } }), 'header.idempotency-key'],
        ['if-match', await send(patch, { headers: { 'if-match': `"1${bad}"` }, payload: {} }), 'header.if-match'],
      ];
      for (const [label, res, field] of cases) {
        const m = notRefused(`${label} ${JSON.stringify(bad)}`, res, field);
        if (m) failures.push(m);
      }
    }
    expect(failures).toEqual([]);
  });

  it('when a header sent over the wire holds a NUL (which Node refuses before routing), then the answer is still a problem naming it', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    expect(address).toContain(String(port));
    const socket = connect(port, '127.0.0.1');
    socket.write(Buffer.from(`PATCH /v1/contacts/${NIL} HTTP/1.1\r\nHost: x\r\nIf-Match: "1\u0000"\r\nContent-Length: 0\r\n\r\n`, 'latin1'));
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (c) => (got += c));
      socket.on('close', () => resolve(got));
    });
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(body!)).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field: 'header.if-match' }] });
  });
});

describe('an inbound email', () => {
  it('when its subject, text, from, to, references or headers hold NULs or lone surrogates, then it is stored cleaned (NUL removed, U+FFFD for a surrogate) and answered 2xx, and a retry is a duplicate', async () => {
    const other = await newTenant(t.app);
    const secret = json<Schemas['InboundSecret']>(await t.app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: bearer(other.token) })).secret;
    const email = {
      from: 'Pat \u0000Principal <pat@school.example.org>\u0000',
      to: 'replies@agency.example\u0000',
      subject: 'Re: Thank you\u0000 \ud800',
      text: 'We will decide\u0000 by Friday.\udc00',
      messageId: '<nul\u0000-1@school.example.org>',
      inReplyTo: '<x\u0000@mail.example>',
      references: '<a@mail.example>\u0000 <b\ud800@mail.example>',
      headers: { 'X-Mailer\u0000': 'Outlook\u0000', 'Auto-Submitted': 'no\ud800' },
    };
    const post = () => t.app.inject({ method: 'POST', url: '/v1/inbound/email', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, payload: JSON.stringify(email) });
    const first = await post();
    expect(first.statusCode, first.body).toBe(202);
    const stored = json<Schemas['InboundReply']>(first);
    expect(stored).toMatchObject({ status: 'unmatched', from: 'Pat Principal <pat@school.example.org>', subject: 'Re: Thank you \ufffd', text: 'We will decide by Friday.\ufffd' });
    const row = (await adminPool().query('SELECT from_address, to_address, subject, text, message_id, in_reply_to, "references" FROM inbound_replies WHERE id = $1', [stored.id])).rows[0];
    expect(row).toEqual({
      from_address: 'Pat Principal <pat@school.example.org>',
      to_address: 'replies@agency.example',
      subject: 'Re: Thank you \ufffd',
      text: 'We will decide by Friday.\ufffd',
      message_id: '<nul-1@school.example.org>',
      in_reply_to: '<x@mail.example>',
      references: '<a@mail.example> <b\ufffd@mail.example>',
    });
    const again = await post();
    expect(again.statusCode, again.body).toBe(200);
    expect(json<Schemas['InboundReply']>(again).id).toBe(stored.id);
  });
});

describe('cleaning a parsed body', () => {
  it('a key named __proto__ stays a key: the cleaned object keeps Object’s prototype and the key’s value', async () => {
    const { cleanTextDeep } = await import('../src/lib/text.js');
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "name": "A\\u0000B"}') as Record<string, unknown>;
    const out = cleanTextDeep(parsed);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__', 'name']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true });
  });
});
