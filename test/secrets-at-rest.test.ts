import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, bearer, createTestApp, expectProblem, newTenant, uniq, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { secretsAtRest } from './helpers/secretScan.js';

/**
 * Answers that show a secret once are kept for their Idempotency-Key replay encrypted: a replay
 * returns the same secret, and no table holds one in clear. Every such route is called here with
 * an Idempotency-Key, then every table of the database is searched.
 */
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

/** The same POST twice with one Idempotency-Key: the first answer and its replay. */
async function twice(url: string, payload?: object) {
  const key = uniq('idem');
  const send = () => t.app.inject({ method: 'POST', url, headers: { ...bearer(tenant.token), 'idempotency-key': key }, ...(payload ? { payload } : {}) });
  const first = await send();
  expect(first.statusCode, first.body).toBeLessThan(300);
  const replay = await send();
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect([replay.statusCode, replay.body]).toEqual([first.statusCode, first.body]);
  return { key, body: first.json() as Record<string, unknown> };
}

const seen: string[] = [];

describe('answers that show a secret, replayed from encrypted storage', () => {
  it('POST /v1/api-keys: the replay returns the same key, which works', async () => {
    const { body } = await twice('/v1/api-keys', { name: 'Replayed key', scopes: ['agency:read'] });
    expect(body.secret).toMatch(/^avk_/);
    seen.push(body.secret as string);
    expect((await t.app.inject({ url: '/v1/me', headers: bearer(body.secret as string) })).statusCode).toBe(200);
    const keys = await adminPool().query('SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1 AND name = $2', [tenant.tenantId, 'Replayed key']);
    expect(keys.rows[0].n).toBe(1);
  });

  it('POST /v1/users with a generated password, POST /v1/webhook-endpoints, …/rotate-secret and POST /v1/inbound/secret', async () => {
    const user = await twice('/v1/users', { email: `${uniq('gen')}@example.org`, name: 'Generated', role: 'viewer' });
    expect(user.body.initialPassword).toEqual(expect.any(String));
    seen.push(user.body.initialPassword as string);
    const endpoint = await twice('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/secret-hook', eventTypes: ['candidate.created'] });
    const rotated = await twice(`/v1/webhook-endpoints/${endpoint.body.id as string}/rotate-secret`);
    const inbound = await twice('/v1/inbound/secret');
    expect([endpoint.body.secret, rotated.body.secret, inbound.body.secret]).toEqual([expect.stringMatching(/^whsec_/), expect.stringMatching(/^whsec_/), expect.stringMatching(/^ins_/)]);
    seen.push(inbound.body.secret as string);
  });

  it('POST /v1/invitations takes an Idempotency-Key too (its link is only in the email)', async () => {
    const { body } = await twice('/v1/invitations', { email: `${uniq('inv')}@example.org`, role: 'recruiter' });
    expect(body.status).toBe('pending');
    expect(JSON.stringify(body)).not.toMatch(/inv_/);
  });

  it('a replay whose answer cannot be opened (JWT_SECRET changed) is 409 idempotency_answer_lost, never a new key', async () => {
    const { key } = await twice('/v1/api-keys', { name: 'Sealed under the old secret', scopes: ['agency:read'] });
    const other = await createTestApp({ env: { JWT_SECRET: 'a-rotated-secret-that-is-long-enough-for-hs256-000' } });
    try {
      const login = await other.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: tenant.slug, email: tenant.ownerEmail, password: PASSWORD } });
      const res = await other.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: { ...bearer(login.json().accessToken), 'idempotency-key': key },
        payload: { name: 'Sealed under the old secret', scopes: ['agency:read'] },
      });
      expect(expectProblem(res, 409, 'idempotency_answer_lost').detail).toMatch(/secret/);
    } finally {
      await other.close();
    }
  });

  it('no table holds a secret in clear: not one of these, nor any API key, inbound secret, refresh token or link token', async () => {
    expect(seen.length).toBe(3);
    for (const secret of seen) expect(await secretsAtRest(adminPool(), secret.replace(/[^\w-]/g, '.'))).toEqual({});
    expect(await secretsAtRest(adminPool())).toEqual({});
    // The answers are kept (sealed), not dropped.
    const sealed = await adminPool().query("SELECT count(*)::int AS n FROM idempotency_keys WHERE tenant_id = $1 AND response_body LIKE 'sealed:v1:%'", [tenant.tenantId]);
    expect(sealed.rows[0].n).toBe(6);
  });
});
