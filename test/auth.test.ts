import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSigner } from 'fast-jwt';
import { generateKeyPairSync } from 'node:crypto';
import { fixedClock } from '../src/lib/clock.js';
import { adminPool } from './helpers/db.js';
import { PASSWORD, bearer, createTestApp, expectProblem, json, newTenant, uniq, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';

let t: TestApp;
let tenant: TestTenant;
const secret = 'test-secret-that-is-long-enough-for-hs256-0123456789';

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

const login = (body: object) => t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: body });
const me = (token: string) => t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
const refresh = (refreshToken: string) => t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });

const claims = () => ({ sub: tenant.ownerId, tid: tenant.tenantId, role: 'owner', sid: tenant.ownerId, gen: 0, typ: 'access' });
/** The claims of an issued access token, as anyone holding it can read them. */
const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number; sid: string; gen: number };

describe('sign-up', () => {
  it('when an agency signs up, then its owner is signed in and sees the agency', async () => {
    const body = json<Schemas['Me']>(await me(tenant.token));
    expect(body.agency.slug).toBe(tenant.slug);
    expect(body.user).toMatchObject({ role: 'owner', email: tenant.ownerEmail, status: 'active' });
    expect(JSON.stringify(body)).not.toMatch(/password/i);
    // The agency's timeline starts with its owner; no password or hash in it.
    const activity = json<{ data: { action: string; subject: { type: string; id: string }; changes: Record<string, unknown> }[] }>(
      await t.app.inject({ url: '/v1/activity?limit=100', headers: bearer(tenant.token) }),
    ).data;
    const created = activity.filter((a) => a.action === 'user.created');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ subject: { type: 'user', id: tenant.ownerId }, changes: { role: { before: null, after: 'owner' } } });
    expect(JSON.stringify(created)).not.toMatch(/password|argon/i);
  });

  it('when the slug is taken, then 409 names body.slug', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/signup',
      payload: { agencyName: 'Again', slug: tenant.slug, owner: { name: 'X', email: 'x@example.org', password: PASSWORD } },
    });
    expect(expectProblem(res, 409, 'already_exists').errors).toEqual([{ field: 'body.slug', message: 'Already taken' }]);
  });

  it('when sign-up is turned off, then it answers 403 and creates nothing', async () => {
    const closed = await createTestApp({ env: { SIGNUP_ENABLED: 'false' } });
    try {
      const slug = uniq('closed');
      const res = await closed.app.inject({
        method: 'POST',
        url: '/v1/signup',
        payload: { agencyName: 'Closed', slug, owner: { name: 'X', email: 'x@example.org', password: PASSWORD } },
      });
      expectProblem(res, 403, 'signup_disabled');
      expectProblem(await closed.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: slug, email: 'x@example.org', password: PASSWORD } }), 401);
    } finally {
      await closed.close();
    }
  });
});

describe('login', () => {
  it('when the password is right, then it returns a short-lived JWT and a refresh token', async () => {
    const res = await login({ agency: tenant.slug, email: tenant.ownerEmail.toUpperCase(), password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const body = json<Schemas['TokenResponse']>(res);
    expect(body.tokenType).toBe('Bearer');
    expect(body.expiresIn).toBe(600);
    expect(body.refreshToken).toMatch(/^rt_[0-9a-f]{32}_/);
    expect((await me(body.accessToken)).statusCode).toBe(200);
  });

  it('when the password is wrong, the agency unknown or the user unknown, then the same 401 answers', async () => {
    const bodies = [];
    for (const attempt of [
      { agency: tenant.slug, email: tenant.ownerEmail, password: 'wrong-password-123' },
      { agency: 'no-such-agency', email: tenant.ownerEmail, password: PASSWORD },
      { agency: tenant.slug, email: 'nobody@example.org', password: PASSWORD },
    ]) {
      const p = expectProblem(await login(attempt), 401, 'invalid_credentials');
      bodies.push({ ...p, requestId: undefined });
    }
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  it('when the login body is malformed, then 400 names the field', async () => {
    const p = expectProblem(await login({ agency: tenant.slug, email: 'not-an-email', password: PASSWORD }), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual(['body.email']);
  });
});

describe('token lifetimes, read from the tokens themselves', () => {
  it('an access token lives ACCESS_TOKEN_TTL_SECONDS: its own exp - iat is 600 by default, 120 when set so', async () => {
    const body = json<Schemas['TokenResponse']>(await login({ agency: tenant.slug, email: tenant.ownerEmail, password: PASSWORD }));
    const claims = decode(body.accessToken);
    expect(claims.exp - claims.iat).toBe(600);
    expect(body.expiresIn).toBe(600);
    const short = await createTestApp({ env: { ACCESS_TOKEN_TTL_SECONDS: '120' } });
    try {
      const owner = await newTenant(short.app);
      const c = decode(owner.token);
      expect(c.exp - c.iat).toBe(120);
      const refreshed = json<Schemas['TokenResponse']>(await short.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: owner.refreshToken } }));
      const r = decode(refreshed.accessToken);
      expect([r.exp - r.iat, refreshed.expiresIn]).toEqual([120, 120]);
    } finally {
      await short.close();
    }
  });

  it('a refresh token lives REFRESH_TOKEN_TTL_DAYS from its issue: accepted a minute before, refused a minute after', async () => {
    const clock = fixedClock('2026-12-01T09:00:00Z');
    const timed = await createTestApp({ clock, env: { REFRESH_TOKEN_TTL_DAYS: '3' } });
    try {
      const owner = await newTenant(timed.app);
      const row = await adminPool().query('SELECT created_at, expires_at FROM refresh_tokens WHERE tenant_id = $1', [owner.tenantId]);
      expect(row.rows[0].expires_at.getTime() - row.rows[0].created_at.getTime()).toBe(3 * 86_400_000);
      const use = (refreshToken: string) => timed.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
      clock.set('2026-12-04T08:59:00Z');
      const next = await use(owner.refreshToken);
      expect(next.statusCode).toBe(200);
      // Each refresh token counts its 3 days from its own issue.
      clock.set('2026-12-07T09:00:00Z');
      expectProblem(await use(next.json().refreshToken), 401, 'invalid_token');
    } finally {
      await timed.close();
    }
  });
});

describe('access tokens', () => {
  it('when a token is expired, then 401', async () => {
    const sign = createSigner({ key: secret, algorithm: 'HS256', iss: 'afterview', aud: 'afterview-api', expiresIn: 1000, clockTimestamp: Date.now() - 60_000 });
    expectProblem(await me(sign(claims())), 401, 'invalid_token');
  });

  it('a token accepted (and remembered) before its expiry is refused after it', async () => {
    const sign = createSigner({ key: secret, algorithm: 'HS256', iss: 'afterview', aud: 'afterview-api', expiresIn: 60_000 });
    const token = sign(claims());
    expect((await me(token)).statusCode).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    try {
      expectProblem(await me(token), 401, 'invalid_token');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a token one app verified (and remembers) means nothing to an app with another secret in the same process', async () => {
    expect((await me(tenant.token)).statusCode).toBe(200);
    const other = await createTestApp({ env: { JWT_SECRET: 'another-secret-that-is-long-enough-for-hs256-9876543210' } });
    try {
      expectProblem(await other.app.inject({ url: '/v1/me', headers: bearer(tenant.token) }), 401, 'invalid_token');
    } finally {
      await other.close();
    }
  });

  it('when a token is tampered with, then 401', async () => {
    const [h, p, s] = tenant.token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, role: 'owner', tid: '00000000-0000-4000-8000-000000000000' })).toString('base64url');
    expectProblem(await me(`${h}.${forged}.${s}`), 401, 'invalid_token');
    expectProblem(await me(`${h}.${p}.${s.slice(0, -2)}xx`), 401, 'invalid_token');
  });

  it('when a token says alg none, then 401', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const body = Buffer.from(JSON.stringify({ ...claims(), iss: 'afterview', aud: 'afterview-api', iat: now, exp: now + 600 })).toString('base64url');
    expectProblem(await me(`${header}.${body}.`), 401, 'invalid_token');
  });

  it('when a token is signed with another algorithm (RS256, or HS384 with our secret), then 401', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs = createSigner({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, algorithm: 'RS256', iss: 'afterview', aud: 'afterview-api', expiresIn: 60_000 });
    expectProblem(await me(rs(claims())), 401, 'invalid_token');
    const hs384 = createSigner({ key: secret, algorithm: 'HS384', iss: 'afterview', aud: 'afterview-api', expiresIn: 60_000 });
    expectProblem(await me(hs384(claims())), 401, 'invalid_token');
  });

  it('when issuer or audience differ, then 401', async () => {
    for (const opts of [{ iss: 'someone-else', aud: 'afterview-api' }, { iss: 'afterview', aud: 'other-api' }]) {
      const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: 60_000, ...opts });
      expectProblem(await me(sign(claims())), 401, 'invalid_token');
    }
    const good = createSigner({ key: secret, algorithm: 'HS256', iss: 'afterview', aud: 'afterview-api', expiresIn: 60_000 });
    expect((await me(good(claims()))).statusCode).toBe(200);
  });

  it('when a refresh token is sent as an access token, then 401', async () => {
    expectProblem(await me(tenant.refreshToken), 401, 'invalid_token');
  });

  it('when the Authorization header is not Bearer, then 401 says how', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Basic ${tenant.token}` } });
    expect(expectProblem(res, 401, 'unauthenticated').detail).toMatch(/Bearer/);
  });
});

describe('refresh tokens', () => {
  it('when a refresh token is used, then it rotates: new tokens, the old one is spent', async () => {
    const first = json<Schemas['TokenResponse']>(await login({ agency: tenant.slug, email: tenant.ownerEmail, password: PASSWORD }));
    const second = await refresh(first.refreshToken);
    expect(second.statusCode).toBe(200);
    const next = json<Schemas['TokenResponse']>(second);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect((await me(next.accessToken)).statusCode).toBe(200);
    const third = await refresh(next.refreshToken);
    expect(third.statusCode).toBe(200);
  });

  it('when a used refresh token comes back, then the whole family is revoked', async () => {
    const first = json<Schemas['TokenResponse']>(await login({ agency: tenant.slug, email: tenant.ownerEmail, password: PASSWORD }));
    const second = json<Schemas['TokenResponse']>(await refresh(first.refreshToken));
    expectProblem(await refresh(first.refreshToken), 401, 'invalid_token');
    // The legitimate holder's newer token dies with the family.
    expectProblem(await refresh(second.refreshToken), 401, 'invalid_token');
  });

  it('when a refresh token is garbage or from a tenant that does not exist, then 401', async () => {
    expectProblem(await refresh('nonsense'), 401, 'invalid_token');
    expectProblem(await refresh(`rt_${'0'.repeat(32)}_abc`), 401, 'invalid_token');
  });

  it('when the user logs out, then the refresh token no longer works', async () => {
    const s = json<Schemas['TokenResponse']>(await login({ agency: tenant.slug, email: tenant.ownerEmail, password: PASSWORD }));
    const out = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: s.refreshToken } });
    expect(out.statusCode).toBe(204);
    expectProblem(await refresh(s.refreshToken), 401, 'invalid_token');
    // Logging out twice is fine.
    expect((await t.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: s.refreshToken } })).statusCode).toBe(204);
  });

  it('refresh tokens are stored hashed, never in clear', async () => {
    const s = json<Schemas['TokenResponse']>(await login({ agency: tenant.slug, email: tenant.ownerEmail, password: PASSWORD }));
    const rows = await t.deps.db.pool.query('SELECT app_private.tenant_ids()');
    expect(rows.rowCount).toBeGreaterThan(0);
    const admin = await import('pg');
    const pool = new admin.default.Pool({ connectionString: t.deps.config.DATABASE_ADMIN_URL, max: 1 });
    try {
      const found = await pool.query('SELECT count(*)::int AS n FROM refresh_tokens WHERE token_hash = $1 OR token_hash LIKE $2', [
        s.refreshToken,
        `%${s.refreshToken.slice(-20)}%`,
      ]);
      expect(found.rows[0].n).toBe(0);
    } finally {
      await pool.end();
    }
  });
});

describe('deactivated users', () => {
  it('when a user is deactivated, then they cannot log in or refresh, and /v1/me refuses them', async () => {
    const email = `leaver-${uniq()}@${tenant.slug}.test`;
    const created = await t.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(tenant.token), payload: { email, name: 'Leaver', role: 'recruiter', password: PASSWORD } });
    const id = created.json().id as string;
    const s = json<Schemas['TokenResponse']>(await login({ agency: tenant.slug, email, password: PASSWORD }));
    const patch = await t.app.inject({ method: 'PATCH', url: `/v1/users/${id}`, headers: bearer(tenant.token), payload: { status: 'deactivated' } });
    expect(patch.statusCode).toBe(200);
    expectProblem(await login({ agency: tenant.slug, email, password: PASSWORD }), 401, 'invalid_credentials');
    expectProblem(await refresh(s.refreshToken), 401, 'invalid_token');
    expectProblem(await me(s.accessToken), 401, 'invalid_token');
  });
});
