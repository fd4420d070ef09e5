import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import net from 'node:net';
import { revocationListenerOf } from '../src/modules/auth/revocations.js';
import { PASSWORD, bearer, createTestApp, expectProblem, json, newTenant, uniq, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { testAppUrl, testConfig } from './helpers/env.js';

/**
 * "Revocation within one second on every API process": two API processes (apps with their own
 * verified-token caches, revocation lists and LISTEN connections) share PostgreSQL and Redis. A
 * token is used on both first, so each has it cached; then it is revoked through one, and the
 * other must refuse it within a second (the one that revoked, at once). The last test does the
 * same with a real second process (`src/server.ts`).
 */
let a: TestApp;
let b: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  [a, b] = await Promise.all([createTestApp(), createTestApp()]);
  tenant = await newTenant(a.app);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

const WITHIN = { timeout: 1_000, interval: 20 };
const candidates = (t: TestApp, token: string) => t.app.inject({ url: '/v1/candidates', headers: bearer(token) });
const addCandidate = (t: TestApp, token: string) =>
  t.app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(token), payload: { name: 'Late Candidate', email: `${uniq('late')}@example.org` } });
const login = (t: TestApp, email: string, password = PASSWORD) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: tenant.slug, email, password } });

/** Works on both processes now (so both have it cached). */
async function workingEverywhere(token: string) {
  for (const t of [a, b]) expect((await candidates(t, token)).statusCode).toBe(200);
}
/** Refused by `t` within a second, on a route other than /v1/me (which read the user anyway). */
async function refusedWithinASecond(t: TestApp, token: string) {
  await vi.waitFor(async () => expectProblem(await candidates(t, token), 401, 'invalid_token'), WITHIN);
  expectProblem(await addCandidate(t, token), 401, 'invalid_token');
}

describe('revocation reaches every API process within a second', () => {
  it('logout on one process ends the session’s access token on both', async () => {
    const user = await userWithRole(a.app, tenant, 'recruiter');
    await workingEverywhere(user.token);
    expect((await b.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: user.refreshToken } })).statusCode).toBe(204);
    expectProblem(await candidates(b, user.token), 401, 'invalid_token');
    await refusedWithinASecond(a, user.token);
  });

  it('a deactivated recruiter can no longer create a candidate, on either process', async () => {
    const user = await userWithRole(a.app, tenant, 'recruiter');
    await workingEverywhere(user.token);
    const res = await a.app.inject({ method: 'PATCH', url: `/v1/users/${user.id}`, headers: bearer(tenant.token), payload: { status: 'deactivated' } });
    expect(res.statusCode).toBe(200);
    expectProblem(await addCandidate(a, user.token), 401, 'invalid_token');
    await refusedWithinASecond(b, user.token);
    expectProblem(await b.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: user.refreshToken } }), 401, 'invalid_token');
  });

  it('an admin demoted to viewer cannot create an API key with the old token; a refresh gives a viewer’s token', async () => {
    const admin = await userWithRole(a.app, tenant, 'admin');
    await workingEverywhere(admin.token);
    expect((await a.app.inject({ method: 'PATCH', url: `/v1/users/${admin.id}`, headers: bearer(tenant.token), payload: { role: 'viewer' } })).statusCode).toBe(200);
    const createKey = (t: TestApp, token: string) => t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(token), payload: { name: 'Not any more', scopes: ['agency:read'] } });
    // Waited for with a read (an admin's), then the write is tried.
    await vi.waitFor(async () => expectProblem(await b.app.inject({ url: '/v1/api-keys', headers: bearer(admin.token) }), 401, 'invalid_token'), WITHIN);
    expectProblem(await createKey(b, admin.token), 401, 'invalid_token');
    expectProblem(await createKey(a, admin.token), 401, 'invalid_token');
    // The session itself lives on: a refresh carries the new role.
    const refreshed = json<Schemas['TokenResponse']>(await b.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: admin.refreshToken } }));
    expectProblem(await createKey(b, refreshed.accessToken), 403, 'forbidden');
    expect((await candidates(a, refreshed.accessToken)).statusCode).toBe(200);
    const keys = await adminPool().query('SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1 AND created_by = $2', [tenant.tenantId, admin.id]);
    expect(keys.rows[0].n).toBe(0);
  });

  it('a password change ends the other sessions everywhere, and keeps the one that changed it', async () => {
    const user = await userWithRole(a.app, tenant, 'recruiter');
    const other = json<Schemas['TokenResponse']>(await login(b, user.email));
    await workingEverywhere(user.token);
    await workingEverywhere(other.accessToken);
    const res = await a.app.inject({ method: 'PATCH', url: '/v1/me/password', headers: bearer(user.token), payload: { currentPassword: PASSWORD, newPassword: 'another-long-passphrase-2027' } });
    expect(res.json()).toEqual({ sessionsEnded: 1 });
    await refusedWithinASecond(b, other.accessToken);
    await refusedWithinASecond(a, other.accessToken);
    await workingEverywhere(user.token);
    expectProblem(await a.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: other.refreshToken } }), 401, 'invalid_token');
  });

  it('“sign out everywhere else”, ending one session, and an admin ending a user’s sessions reach the other process', async () => {
    const user = await userWithRole(a.app, tenant, 'recruiter');
    const [s2, s3, s4] = await Promise.all([1, 2, 3].map(async () => json<Schemas['TokenResponse']>(await login(a, user.email))));
    for (const s of [s2!, s3!, s4!]) await workingEverywhere(s.accessToken);
    // One session, ended from the list of another.
    const list = json<{ data: Schemas['Session'][] }>(await a.app.inject({ url: '/v1/me/sessions', headers: bearer(user.token) }));
    const s2Id = list.data.find((s) => !s.current && s.id === JSON.parse(Buffer.from(s2!.accessToken.split('.')[1]!, 'base64url').toString()).sid)!.id;
    expect((await a.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${s2Id}`, headers: bearer(user.token) })).statusCode).toBe(204);
    await refusedWithinASecond(b, s2!.accessToken);
    // Everywhere else: s3 and s4 end, this one stays.
    expect((await a.app.inject({ method: 'DELETE', url: '/v1/me/sessions', headers: bearer(user.token) })).json()).toEqual({ ended: 2 });
    await refusedWithinASecond(b, s3!.accessToken);
    await refusedWithinASecond(b, s4!.accessToken);
    await workingEverywhere(user.token);
    // An admin ends them all, this one too.
    expect((await a.app.inject({ method: 'DELETE', url: `/v1/users/${user.id}/sessions`, headers: bearer(tenant.token) })).json()).toEqual({ ended: 1 });
    await refusedWithinASecond(b, user.token);
    expect((await login(b, user.email)).statusCode).toBe(200);
  });
});

describe('processes that were not listening', () => {
  it('a process started after the revocation refuses the token from its first request', async () => {
    const user = await userWithRole(a.app, tenant, 'recruiter');
    await a.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: user.refreshToken } });
    const late = await createTestApp();
    try {
      expectProblem(await candidates(late, user.token), 401, 'invalid_token');
      expect((await candidates(late, tenant.token)).statusCode).toBe(200);
    } finally {
      await late.close();
    }
  });

  it('while its LISTEN connection is down, a process asks the database and still refuses within a second; then it listens again', async () => {
    const user = await userWithRole(a.app, tenant, 'recruiter');
    await workingEverywhere(user.token);
    const listener = revocationListenerOf(b.deps)!;
    expect(listener.listening).toBe(true);
    await adminPool().query('SELECT pg_terminate_backend($1)', [listener.backendPid]);
    await vi.waitFor(() => expect(listener.listening).toBe(false), WITHIN);
    await a.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: user.refreshToken } });
    await refusedWithinASecond(b, user.token);
    await vi.waitFor(() => expect(listener.listening).toBe(true), { timeout: 10_000, interval: 50 });
    const next = await userWithRole(a.app, tenant, 'viewer');
    await workingEverywhere(next.token);
    await a.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: next.refreshToken } });
    await refusedWithinASecond(b, next.token);
  });

  it('a LISTEN connection that goes silent without closing is found out by its heartbeat; revocation then holds by asking the database', async () => {
    const target = new URL(testAppUrl);
    const proxy = await freezableProxy(Number(target.port || 5432));
    target.host = `127.0.0.1:${proxy.port}`;
    const c = await createTestApp({ env: { DATABASE_URL: target.toString() } });
    try {
      const user = await userWithRole(a.app, tenant, 'recruiter');
      expect((await candidates(c, user.token)).statusCode).toBe(200);
      const listener = revocationListenerOf(c.deps)!;
      expect(listener.listening).toBe(true);
      // The route drops every packet of the LISTEN connection, both ways, and closes nothing.
      proxy.freezeListeners();
      await vi.waitFor(() => expect(listener.listening).toBe(false), { timeout: 12_000, interval: 50 });
      await a.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: user.refreshToken } });
      await refusedWithinASecond(c, user.token);
      // It listens again on a new connection, and /readyz says so.
      await vi.waitFor(() => expect(listener.listening).toBe(true), { timeout: 10_000, interval: 50 });
      expect((await c.app.inject({ url: '/readyz' })).json()).toMatchObject({ revocations: 'listening' });
    } finally {
      await c.close();
      await proxy.close();
    }
  });

  it('Redis plays no part: with Redis unreachable, a logout on one process is refused on the other within a second', async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:1' };
    const [x, y] = await Promise.all([createTestApp({ env }), createTestApp({ env })]);
    try {
      const owner = await newTenant(x.app);
      for (const t of [x, y]) expect((await candidates(t, owner.token)).statusCode).toBe(200);
      await x.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: owner.refreshToken } });
      await refusedWithinASecond(y, owner.token);
      // /readyz says Redis is down (rate limits fail open meanwhile; revocation does not) and keeps the process in rotation.
      expect((await y.app.inject({ url: '/readyz' })).json()).toMatchObject({ status: 'degraded', redis: 'unreachable', revocations: 'listening' });
    } finally {
      await Promise.all([x.close(), y.close()]);
    }
  });
});

describe('a separate operating-system process', () => {
  it('an API started with `src/server.ts` refuses a token within a second of its logout here', async () => {
    const config = testConfig();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'info', MIGRATE_ON_START: '0', SEED_DEMO: '0' };
    for (const k of ['DATABASE_URL', 'DATABASE_ADMIN_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'JWT_SECRET', 'WEBHOOK_RELAY'] as const) env[k] = String(config[k] ?? '');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the API process did not start')), 30_000);
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const entry = (line.startsWith('{') ? JSON.parse(line) : {}) as { msg?: string; address?: string };
          if (entry.msg === 'API listening') {
            clearTimeout(timer);
            resolve(entry.address!);
          }
        });
        child.on('exit', (code) => reject(new Error(`the API process exited with ${code}`)));
      });
      const user = await userWithRole(a.app, tenant, 'recruiter');
      const get = () => fetch(`${address}/v1/candidates`, { headers: bearer(user.token) });
      expect((await get()).status).toBe(200);
      await a.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: user.refreshToken } });
      await vi.waitFor(async () => expect((await get()).status).toBe(401), WITHIN);
    } finally {
      const exited = new Promise((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});

/**
 * A TCP proxy to PostgreSQL on 127.0.0.1 that can make the revocation feed's connections (told
 * by the application name in their startup packet) go silent: nothing forwarded, nothing closed.
 */
async function freezableProxy(pgPort: number) {
  const listeners: { frozen: boolean }[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(pgPort, '127.0.0.1');
    const link = { frozen: false };
    let first = true;
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    down.on('data', (chunk) => {
      if (first && chunk.includes('afterview-revocations')) listeners.push(link);
      first = false;
      if (!link.frozen) up.write(chunk);
    });
    up.on('data', (chunk) => !link.frozen && down.write(chunk));
    down.on('end', () => !link.frozen && up.end());
    up.on('end', () => !link.frozen && down.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freezeListeners: () => listeners.forEach((l) => (l.frozen = true)),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
