import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { createLogger } from '../src/lib/logger.js';
import { withTenant } from '../src/db/client.js';
import { bearer, createTestApp, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { testAppUrl } from './helpers/env.js';

/**
 * Log lines carry the route, the status and the names of what was wrong, never what a person
 * sent: no query values, no bodies, no email text, no addresses. Requests that fail carrying
 * personal data are made against an app whose log (at every level) is captured, and the
 * captured text is searched for each piece of it.
 */

const lines: string[] = [];
const capture = new Writable({
  write(chunk, _enc, cb) {
    lines.push(String(chunk));
    cb();
  },
});
const log = createLogger({ level: 'trace', pretty: false }, capture);
const entries = () => lines.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Record<string, unknown>);

// What a person sent: none of it may reach a log line, in any case or spelling.
const PERSONAL = ['Quentin Query', 'quentin.query@example.org', 'Bodie Body', 'bodie.body@example.org', '+15555550199', 'Pat Private', 'pat.private@school.example.org', 'We chose another candidate', 'Confidential salary', 'drizzle.param@example.org', 'path.person@example.org'];

let t: TestApp;
let broken: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp({ log });
  broken = await createTestApp({ log, env: { DATABASE_URL: testAppUrl.replace(/:\d+\//, ':1/') } });
  tenant = await newTenant(t.app);
});
afterAll(async () => {
  await broken.close();
  await t.close();
});

describe('the log, after failing requests that carry personal data', () => {
  it('holds none of it, and says which route, which status and which fields', async () => {
    const h = bearer(tenant.token);
    const secret = json<Schemas['InboundSecret']>(await t.app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: h })).secret;
    lines.length = 0;
    const answers = [
      // A query value with a NUL (refused) and a valid one (answered).
      await t.app.inject({ url: `/v1/candidates?q=${encodeURIComponent('Quentin Query quentin.query@example.org')}%00`, headers: h }),
      await t.app.inject({ url: `/v1/candidates?q=${encodeURIComponent('Quentin Query')}&limit=5`, headers: h }),
      // Bodies refused for a NUL, for a bad email, for an unknown field.
      await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: h, payload: { name: 'Bodie Body\u0000', email: 'bodie.body@example.org', phone: '+15555550199' } }),
      await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: h, payload: { name: 'Bodie Body', email: 'bodie.body@example.org not an email' } }),
      await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: h, payload: { name: 'Bodie Body', 'bodie.body@example.org': 'Confidential salary' } }),
      // Personal data in the path, to a route and to no route.
      await t.app.inject({ url: '/v1/candidates/path.person@example.org', headers: h }),
      await t.app.inject({ url: '/v1/path.person@example.org?q=Quentin%20Query', headers: h }),
      // An inbound email with a wrong secret, and one stored cleaned.
      await t.app.inject({ method: 'POST', url: '/v1/inbound/email', headers: { authorization: 'Bearer ins_wrong' }, payload: { from: 'Pat Private <pat.private@school.example.org>', subject: 'Confidential salary', text: 'We chose another candidate' } }),
      await t.app.inject({ method: 'POST', url: '/v1/inbound/email', headers: { authorization: `Bearer ${secret}` }, payload: { from: 'Pat Private <pat.private@school.example.org>', to: 'quentin.query@example.org', subject: 'Confidential salary\u0000', text: 'We chose another candidate\ud800' } }),
      // The database unreachable: the error is logged in full, the body is not.
      await broken.app.inject({ method: 'POST', url: '/v1/candidates', headers: h, payload: { name: 'Bodie Body', email: 'bodie.body@example.org' } }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([400, 200, 400, 400, 400, 400, 404, 401, 202, 503]);
    // A failed statement: drizzle's error quotes the statement's parameters.
    const failed = await withTenant(t.deps.db, tenant.tenantId, (tx) => tx.execute(sql`select ${'drizzle.param@example.org'}::uuid`)).catch((err: unknown) => err);
    expect(String((failed as Error).message)).toContain('drizzle.param@example.org');
    log.error({ err: failed }, 'statement failed');

    const text = lines.join('').toLowerCase();
    // As sent and as a URL carries it (percent-encoded).
    const spellings = PERSONAL.flatMap((p) => [p, encodeURIComponent(p), p.replaceAll(' ', '+')]);
    expect(spellings.filter((p) => text.includes(p.toLowerCase()))).toEqual([]);

    // What the lines do say: route, status, the names of the query parameters and of the fields refused.
    const all = entries();
    const incoming = all.filter((e) => e.msg === 'incoming request').map((e) => e.req);
    expect(incoming).toContainEqual(expect.objectContaining({ method: 'GET', route: '/v1/candidates', query: ['q', 'limit'] }));
    expect(incoming).toContainEqual(expect.objectContaining({ method: 'GET', route: '/v1/candidates/:id' }));
    expect(all.filter((e) => e.msg === 'request completed').map((e) => (e.res as { statusCode: number }).statusCode)).toEqual(expect.arrayContaining([400, 200, 404, 401, 202, 503]));
    const refused = all.filter((e) => e.msg === 'request refused');
    expect(refused).toContainEqual(expect.objectContaining({ code: 'validation_failed', fields: ['query.q'] }));
    expect(refused).toContainEqual(expect.objectContaining({ code: 'validation_failed', fields: ['body.name'] }));
    expect(refused).toContainEqual(expect.objectContaining({ code: 'validation_failed', fields: ['body.email'] }));
    const failures = all.filter((e) => e.msg === 'request failed' || e.msg === 'statement failed');
    expect(failures).toHaveLength(2);
    for (const f of failures) expect(f.err).toMatchObject({ type: expect.any(String), message: expect.any(String), stack: expect.any(String) });
  });
});
