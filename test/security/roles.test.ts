import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAtLeast, roles, scopes, type Role } from '../../src/lib/access.js';
import { apiKey, bearer, createTestApp, newTenant, userWithRole, type TestApp, type TestTenant } from '../helpers/app.js';
import { fillPath } from '../helpers/isolation.js';

let t: TestApp;
let tenant: TestTenant;
const tokens = {} as Record<Role, string>;
const NIL = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
  tokens.owner = tenant.token;
  for (const role of ['admin', 'recruiter', 'viewer'] as const) tokens[role] = (await userWithRole(t.app, tenant, role)).token;
});
afterAll(() => t.close());

const guarded = () =>
  t.app.routeTable.filter((r): r is typeof r & { access: { role: Role; scope: string | null } } => !('public' in r.access));

// The request reaches the role check before any validation, so an empty body and a nil id do.
const call = (method: string, url: string, token?: string) =>
  t.app.inject({
    method: method as 'GET',
    url: fillPath(url, new Proxy({}, { get: () => NIL })),
    headers: token ? bearer(token) : {},
    ...(['POST', 'PATCH', 'PUT'].includes(method) ? { payload: {} } : {}),
  });

describe('the role matrix, over every route', () => {
  it('every route declares its access (checked at start-up, listed here)', () => {
    expect(guarded().length).toBeGreaterThan(5);
  });

  it('without credentials every guarded route answers 401 problem+json', async () => {
    for (const r of guarded()) {
      const res = await call(r.method, r.url);
      expect({ route: `${r.method} ${r.url}`, status: res.statusCode, type: res.headers['content-type'] }).toEqual({
        route: `${r.method} ${r.url}`,
        status: 401,
        type: 'application/problem+json; charset=utf-8',
      });
    }
  });

  for (const role of roles) {
    it(`a ${role} is refused exactly the routes above their role`, async () => {
      for (const r of guarded()) {
        const res = await call(r.method, r.url, tokens[role]);
        const allowed = roleAtLeast(role, r.access.role);
        const label = `${role} ${r.method} ${r.url} -> ${res.statusCode}`;
        if (allowed) expect([401, 403], label).not.toContain(res.statusCode);
        else expect(res.statusCode, label).toBe(403);
        expect(res.statusCode, label).toBeLessThan(500);
      }
    });
  }
});

describe('API key scopes, over every route', () => {
  it('a key is allowed a route only with its scope, and never the user-only routes', async () => {
    const all = await apiKey(t.app, tenant, [...scopes]);
    const none = await apiKey(t.app, tenant, ['agency:read']);
    for (const r of guarded()) {
      const withAll = await call(r.method, r.url, all.secret);
      const withNone = await call(r.method, r.url, none.secret);
      const label = `${r.method} ${r.url}`;
      if (r.access.scope === null) {
        expect(withAll.statusCode, label).toBe(403);
      } else {
        expect([401, 403], `${label} with every scope`).not.toContain(withAll.statusCode);
        if (r.access.scope !== 'agency:read') {
          expect(withNone.statusCode, label).toBe(403);
          expect(withNone.json().code, label).toBe('insufficient_scope');
        }
      }
    }
  });
});
