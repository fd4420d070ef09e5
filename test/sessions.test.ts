import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/lib/clock.js';
import { PASSWORD, bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, timeline } from './helpers/db.js';

const clock = fixedClock('2026-12-07T09:00:00Z');
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp({ clock });
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Page = { data: Schemas['Session'][]; nextCursor: string | null };
const signIn = async (email: string, ip: string, userAgent: string) =>
  json<Schemas['TokenResponse']>(
    await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: tenant.slug, email, password: PASSWORD }, remoteAddress: ip, headers: { 'user-agent': userAgent } }),
  );
const list = async (token: string) => json<Page>(await t.app.inject({ url: '/v1/me/sessions', headers: bearer(token) }));
const sidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
const refresh = (refreshToken: string, ip = '127.0.0.1') => t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken }, remoteAddress: ip });
const eventsOf = async (userId: string) =>
  (await adminPool().query<{ type: string; data: Record<string, unknown> }>("SELECT type, payload->'data' AS data FROM events WHERE tenant_id = $1 AND payload->'data'->>'userId' = $2 ORDER BY id", [tenant.tenantId, userId])).rows;

describe('your sessions', () => {
  it('lists where you are signed in: created, last used, browser, address, and which one is this', async () => {
    const user = await userWithRole(t.app, tenant, 'recruiter');
    const laptop = await signIn(user.email, '203.0.113.24', 'Mozilla/5.0 (Macintosh) Chrome/131.0');
    clock.advance(60_000);
    const phone = await signIn(user.email, '198.51.100.7', 'Mozilla/5.0 (iPhone) Safari/17.0');
    const page = await list(laptop.accessToken);
    expect(page.data.map((s) => [s.userAgent, s.ipAddress, s.current])).toEqual([
      ['Mozilla/5.0 (iPhone) Safari/17.0', '198.51.100.7', false],
      ['Mozilla/5.0 (Macintosh) Chrome/131.0', '203.0.113.24', true],
      // userWithRole's own sign-in
      ['lightMyRequest', '127.0.0.1', false],
    ]);
    expect(page.data[1]).toMatchObject({ id: sidOf(laptop.accessToken), createdAt: '2026-12-07T09:00:00.000Z', lastUsedAt: '2026-12-07T09:00:00.000Z', expiresAt: '2027-01-06T09:00:00.000Z' });
    // A refresh is a use: from where, when, and the session lives on from then.
    clock.advance(3_600_000);
    expect((await refresh(phone.refreshToken, '198.51.100.99')).statusCode).toBe(200);
    const after = (await list(laptop.accessToken)).data.find((s) => s.id === sidOf(phone.accessToken))!;
    expect(after).toMatchObject({ ipAddress: '198.51.100.99', lastUsedAt: '2026-12-07T10:01:00.000Z', expiresAt: '2027-01-06T10:01:00.000Z' });
    // Pages, newest first.
    const first = json<Page>(await t.app.inject({ url: '/v1/me/sessions?limit=2', headers: bearer(laptop.accessToken) }));
    const second = json<Page>(await t.app.inject({ url: `/v1/me/sessions?limit=2&cursor=${first.nextCursor}`, headers: bearer(laptop.accessToken) }));
    expect([...first.data, ...second.data].map((s) => s.id)).toEqual(page.data.map((s) => s.id));
  });

  it('ends one session: it leaves the list, its refresh token and access token stop working; the timeline says so', async () => {
    const user = await userWithRole(t.app, tenant, 'recruiter');
    const other = await signIn(user.email, '203.0.113.5', 'Other browser');
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${sidOf(other.accessToken)}`, headers: bearer(user.token) });
    expect(res.statusCode).toBe(204);
    expect((await list(user.token)).data.map((s) => s.id)).toEqual([sidOf(user.token)]);
    expectProblem(await refresh(other.refreshToken), 401, 'invalid_token');
    expectProblem(await t.app.inject({ url: '/v1/candidates', headers: bearer(other.accessToken) }), 401, 'invalid_token');
    expect((await timeline(tenant.tenantId, user.id)).map((r) => [r.action, r.event_type])).toContainEqual(['session.ended', 'session.ended']);
    expect(await eventsOf(user.id)).toContainEqual({ type: 'session.ended', data: expect.objectContaining({ sessionId: sidOf(other.accessToken), userId: user.id }) });
    // Ended already, someone else's, or no such session: 404, nothing changes.
    const colleague = await userWithRole(t.app, tenant, 'recruiter');
    for (const id of [sidOf(other.accessToken), sidOf(colleague.token), '00000000-0000-4000-8000-000000000000']) {
      expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${id}`, headers: bearer(user.token) }), 404, 'not_found');
    }
    expect((await t.app.inject({ url: '/v1/candidates', headers: bearer(colleague.token) })).statusCode).toBe(200);
  });

  it('signs out everywhere else: every other session ends, this one stays', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    const others = [await signIn(user.email, '203.0.113.6', 'A'), await signIn(user.email, '203.0.113.7', 'B')];
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/me/sessions', headers: bearer(user.token) });
    expect(res.json()).toEqual({ ended: 2 });
    expect((await list(user.token)).data.map((s) => [s.id, s.current])).toEqual([[sidOf(user.token), true]]);
    for (const s of others) expectProblem(await refresh(s.refreshToken), 401, 'invalid_token');
    expect((await refresh(user.refreshToken)).statusCode).toBe(200);
    expect((await eventsOf(user.id)).filter((e) => e.type === 'user.sessions_ended')).toEqual([
      { type: 'user.sessions_ended', data: expect.objectContaining({ reason: 'signed_out_elsewhere', count: 2 }) },
    ]);
  });
});

describe('an admin ends a user’s sessions', () => {
  it('every session of the user ends; they sign in again; the timeline says who did it', async () => {
    const admin = await userWithRole(t.app, tenant, 'admin');
    const user = await userWithRole(t.app, tenant, 'recruiter');
    const other = await signIn(user.email, '203.0.113.8', 'Other');
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/users/${user.id}/sessions`, headers: bearer(admin.token) });
    expect(res.json()).toEqual({ ended: 2 });
    for (const s of [user, { accessToken: other.accessToken, refreshToken: other.refreshToken }]) {
      expectProblem(await refresh(s.refreshToken), 401, 'invalid_token');
    }
    expectProblem(await t.app.inject({ url: '/v1/candidates', headers: bearer(user.token) }), 401, 'invalid_token');
    const rows = await adminPool().query("SELECT actor_id, changes FROM activities WHERE tenant_id = $1 AND subject_id = $2 AND action = 'user.sessions_ended'", [tenant.tenantId, user.id]);
    expect(rows.rows).toEqual([{ actor_id: admin.id, changes: {} }]);
    expect((await eventsOf(user.id)).filter((e) => e.type === 'user.sessions_ended')).toEqual([
      { type: 'user.sessions_ended', data: expect.objectContaining({ reason: 'ended_by_admin', count: 2 }) },
    ]);
    expect((await signIn(user.email, '203.0.113.8', 'Other')).accessToken).toEqual(expect.any(String));
  });

  it('only an owner ends an owner’s sessions; an unknown user is 404', async () => {
    const admin = await userWithRole(t.app, tenant, 'admin');
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/users/${tenant.ownerId}/sessions`, headers: bearer(admin.token) }), 403, 'forbidden');
    expect((await t.app.inject({ url: '/v1/candidates', headers: bearer(tenant.token) })).statusCode).toBe(200);
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/v1/users/00000000-0000-4000-8000-000000000000/sessions', headers: bearer(admin.token) }), 404, 'not_found');
  });
});
