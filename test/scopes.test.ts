import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { scopes } from '../src/lib/access.js';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';

let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

describe('API key scopes', () => {
  it('every scope a key can be given opens at least one route (a scope that opens none would be a promise nothing keeps)', () => {
    const used = new Set(t.app.routeTable.flatMap((r) => ('scope' in r.access && r.access.scope ? [r.access.scope] : [])));
    expect(scopes.filter((s) => !used.has(s))).toEqual([]);
  });

  it('users:write is not a scope: asking for it is 400 naming the field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(tenant.token), payload: { name: 'old habits', scopes: ['users:read', 'users:write'] } });
    expect(expectProblem(res, 400, 'validation_failed').errors?.map((e) => e.field)).toEqual(['body.scopes.1']);
  });

  it('a key that was given users:write before keeps working, and migration 0027 takes the scope off it', async () => {
    const key = await apiKey(t.app, tenant, ['users:read']);
    // As such a key was stored before the scope went.
    await adminPool().query(`UPDATE api_keys SET scopes = ARRAY['users:read', 'users:write'] WHERE id = $1`, [key.id]);
    expect((await t.app.inject({ url: '/v1/users', headers: bearer(key.secret) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/v1/api-keys/${key.id}`, headers: bearer(tenant.token) })).statusCode).toBe(200);

    const migration = readFileSync('drizzle/0027_drop_users_write_scope.sql', 'utf8');
    for (const statement of migration.split('--> statement-breakpoint')) await adminPool().query(statement);
    const listed = json<Schemas['ApiKey']>(await t.app.inject({ url: `/v1/api-keys/${key.id}`, headers: bearer(tenant.token) }));
    expect(listed.scopes).toEqual(['users:read']);
    expect((await t.app.inject({ url: '/v1/users', headers: bearer(key.secret) })).statusCode).toBe(200);
  });
});
