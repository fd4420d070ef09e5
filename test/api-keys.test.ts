import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, timeline } from './helpers/db.js';
import { testAdminUrl } from './helpers/env.js';

let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

describe('API keys', () => {
  it('when created, the secret is shown once and works as a Bearer credential', async () => {
    const key = await apiKey(t.app, tenant, ['agency:read', 'users:read']);
    expect(key.secret).toMatch(/^avk_[0-9a-f]{32}_[\w-]{43}$/);
    expect(key.prefix).toBe(key.secret.slice(0, 12));
    const me = json<Schemas['Me']>(await t.app.inject({ url: '/v1/me', headers: bearer(key.secret) }));
    expect(me.user).toBeNull();
    expect(me.apiKey).toEqual({ id: key.id, name: key.name, scopes: ['agency:read', 'users:read'] });
    const listed = json<Schemas['ApiKey']>(await t.app.inject({ url: `/v1/api-keys/${key.id}`, headers: bearer(tenant.token) }));
    expect(listed).not.toHaveProperty('secret');
    expect(listed.lastUsedAt).not.toBeNull();
  });

  it('a scope allows its routes; a missing scope is 403 insufficient_scope', async () => {
    const reader = await apiKey(t.app, tenant, ['users:read']);
    expect((await t.app.inject({ url: '/v1/users', headers: bearer(reader.secret) })).statusCode).toBe(200);
    const p = expectProblem(await t.app.inject({ url: '/v1/me', headers: bearer(reader.secret) }), 403, 'insufficient_scope');
    expect(p.requiredScope).toBe('agency:read');
  });

  it('a key cannot manage users or keys, whatever its scopes', async () => {
    const key = await apiKey(t.app, tenant, ['users:read', 'agency:read']);
    expectProblem(await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(key.secret), payload: { name: 'x', scopes: ['users:read'] } }), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(key.secret), payload: { email: 'a@b.co', name: 'x', role: 'viewer' } }), 403);
  });

  it('when revoked, the key is refused and no longer listed by default', async () => {
    const key = await apiKey(t.app, tenant, ['agency:read']);
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: bearer(tenant.token) });
    expect(del.statusCode).toBe(204);
    expectProblem(await t.app.inject({ url: '/v1/me', headers: bearer(key.secret) }), 401, 'invalid_token');
    const active = json<{ data: Schemas['ApiKey'][] }>(await t.app.inject({ url: '/v1/api-keys', headers: bearer(tenant.token) }));
    expect(active.data.map((k) => k.id)).not.toContain(key.id);
    const all = json<{ data: Schemas['ApiKey'][] }>(await t.app.inject({ url: '/v1/api-keys?includeRevoked=true', headers: bearer(tenant.token) }));
    expect(all.data.find((k) => k.id === key.id)?.revokedAt).not.toBeNull();
  });

  it('an expired key is refused; an expiry in the past is refused at creation', async () => {
    const past = expectProblem(
      await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(tenant.token), payload: { name: 'old', scopes: ['agency:read'], expiresAt: '2020-01-01T00:00:00Z' } }),
      400,
    );
    expect(past.errors?.[0]?.field).toBe('body.expiresAt');
  });

  it('a forged key naming another tenant, or a made-up one, is 401', async () => {
    const other = await newTenant(t.app);
    const key = await apiKey(t.app, tenant, ['agency:read']);
    const forged = key.secret.replace(tenant.tenantId.replaceAll('-', ''), other.tenantId.replaceAll('-', ''));
    expectProblem(await t.app.inject({ url: '/v1/me', headers: bearer(forged) }), 401, 'invalid_token');
    expectProblem(await t.app.inject({ url: '/v1/me', headers: bearer('avk_nonsense') }), 401, 'invalid_token');
  });

  it('the secret is stored only as a hash', async () => {
    const key = await apiKey(t.app, tenant, ['agency:read']);
    const pool = new pg.Pool({ connectionString: testAdminUrl, max: 1 });
    try {
      const rows = await pool.query('SELECT row_to_json(k)::text AS j FROM api_keys k WHERE id = $1', [key.id]);
      expect(rows.rows).toHaveLength(1);
      const secretPart = key.secret.slice('avk_'.length + 32 + 1); // base64url may itself contain '_'
      expect(rows.rows[0].j).not.toContain(secretPart);
    } finally {
      await pool.end();
    }
  });
});

describe('the timeline and events of API keys', () => {
  const keyEvents = async (tenantId: string, apiKeyId: string) =>
    (
      await adminPool().query<{ type: string; payload: { data: Record<string, unknown> } }>(
        `SELECT type, payload FROM events WHERE tenant_id = $1 AND payload->'data'->>'apiKeyId' = $2 ORDER BY id`,
        [tenantId, apiKeyId],
      )
    ).rows;
  const counts = async (tenantId: string) =>
    (
      await adminPool().query<{ activities: number; events: number }>(
        `SELECT (SELECT count(*)::int FROM activities WHERE tenant_id = $1) AS activities, (SELECT count(*)::int FROM events WHERE tenant_id = $1) AS events`,
        [tenantId],
      )
    ).rows[0]!;
  const keyHash = async (id: string) => (await adminPool().query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [id])).rows[0]!.key_hash;

  it('creating and revoking write api_key.created and api_key.revoked, with the name and prefix but never the secret or its hash', async () => {
    const own = await newTenant(t.app);
    const key = await apiKey(t.app, own, ['candidates:read']);
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: bearer(own.token) });
    expect(del.statusCode).toBe(204);
    const rows = await timeline(own.tenantId, key.id);
    expect(rows.map((r) => [r.action, r.event_type])).toEqual([
      ['api_key.created', 'api_key.created'],
      ['api_key.revoked', 'api_key.revoked'],
    ]);
    expect(rows[0]!.changes).toMatchObject({ name: { before: null, after: key.name }, prefix: { before: null, after: key.prefix }, scopes: { before: null, after: ['candidates:read'] } });
    expect(Object.keys(rows[1]!.changes)).toEqual(['revokedAt']);
    const events = await keyEvents(own.tenantId, key.id);
    expect(events.map((e) => e.payload.data)).toEqual([
      expect.objectContaining({ apiKeyId: key.id, name: key.name, prefix: key.prefix, scopes: ['candidates:read'], expiresAt: null, actor: { type: 'user', id: own.ownerId } }),
      expect.objectContaining({ apiKeyId: key.id, name: key.name, prefix: key.prefix, changedFields: ['revokedAt'] }),
    ]);
    const written = JSON.stringify([rows, events]);
    expect(written).not.toContain(key.secret.slice('avk_'.length + 32 + 1));
    expect(written).not.toContain(await keyHash(key.id));
    expect(written).not.toMatch(/keyHash|key_hash/);
    // Revoking again changes nothing and records nothing.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: bearer(own.token) })).statusCode).toBe(204);
    expect(await timeline(own.tenantId, key.id)).toHaveLength(2);
  });

  it('a refused create or revoke (400, 403, 404) writes no activity and no event', async () => {
    const own = await newTenant(t.app);
    const recruiter = await userWithRole(t.app, own, 'recruiter');
    const key = await apiKey(t.app, own, ['agency:read']);
    const start = await counts(own.tenantId);
    const post = (token: string, payload: object) => t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(token), payload });
    expectProblem(await post(recruiter.token, { name: 'mine', scopes: ['agency:read'] }), 403, 'forbidden');
    expectProblem(await post(key.secret, { name: 'minted', scopes: ['agency:read'] }), 403, 'forbidden');
    expectProblem(await post(own.token, { name: 'old', scopes: ['agency:read'], expiresAt: '2020-01-01T00:00:00Z' }), 400);
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: bearer(recruiter.token) }), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/v1/api-keys/00000000-0000-4000-8000-000000000000', headers: bearer(own.token) }), 404, 'not_found');
    const other = await newTenant(t.app);
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: bearer(other.token) }), 404, 'not_found');
    expect(await counts(own.tenantId)).toEqual(start);
    expect(json<Schemas['ApiKey']>(await t.app.inject({ url: `/v1/api-keys/${key.id}`, headers: bearer(own.token) })).revokedAt).toBeNull();
  });
});
