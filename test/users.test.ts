import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, apiKey, bearer, createTestApp, expectProblem, json, newTenant, uniq, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, timeline } from './helpers/db.js';

let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

const create = (token: string, payload: object) => t.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(token), payload });
const patch = (token: string, id: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'PATCH', url: `/v1/users/${id}`, headers: { ...bearer(token), ...headers }, payload });

describe('managing users', () => {
  it('when an admin adds a recruiter, then the recruiter can sign in with that password', async () => {
    const email = `${uniq('r')}@example.org`;
    const res = await create(tenant.token, { email, name: 'Rita Recruiter', role: 'recruiter', password: PASSWORD, timeZone: 'America/Chicago' });
    expect(res.statusCode).toBe(201);
    const user = json<Schemas['CreatedUser']>(res);
    expect(user).toMatchObject({ email, role: 'recruiter', status: 'active', timeZone: 'America/Chicago', version: 1 });
    expect(user.initialPassword).toBeUndefined();
    expect(JSON.stringify(user)).not.toMatch(/argon2|passwordHash/);
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: tenant.slug, email, password: PASSWORD } });
    expect(login.statusCode).toBe(200);
  });

  it('when no password is given, then one is generated and shown once', async () => {
    const email = `${uniq('g')}@example.org`;
    const user = json<Schemas['CreatedUser']>(await create(tenant.token, { email, name: 'Gen', role: 'viewer' }));
    expect(user.initialPassword).toMatch(/^[\w-]{20,}$/);
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: tenant.slug, email, password: user.initialPassword } });
    expect(login.statusCode).toBe(200);
    const again = json<Schemas['User']>(await t.app.inject({ url: `/v1/users/${user.id}`, headers: bearer(tenant.token) }));
    expect(again).not.toHaveProperty('initialPassword');
  });

  it('when the email is already used in the agency, then 409 names the field and the existing user', async () => {
    const email = `${uniq('d')}@example.org`;
    const first = json<Schemas['CreatedUser']>(await create(tenant.token, { email, name: 'One', role: 'viewer', password: PASSWORD }));
    const p = expectProblem(await create(tenant.token, { email: email.toUpperCase(), name: 'Two', role: 'viewer', password: PASSWORD }), 409, 'already_exists');
    expect(p.errors).toEqual([{ field: 'body.email', message: 'Already used' }]);
    expect(p.existingId).toBe(first.id);
  });

  it('the same email may exist in two agencies', async () => {
    const other = await newTenant(t.app);
    const email = `${uniq('s')}@example.org`;
    expect((await create(tenant.token, { email, name: 'A', role: 'viewer', password: PASSWORD })).statusCode).toBe(201);
    expect((await create(other.token, { email, name: 'B', role: 'viewer', password: PASSWORD })).statusCode).toBe(201);
  });

  it.each([
    [{ email: 'nope', name: 'X', role: 'viewer' }, 'body.email'],
    [{ email: 'x@example.org', name: '', role: 'viewer' }, 'body.name'],
    [{ email: 'x@example.org', name: 'X', role: 'god' }, 'body.role'],
    [{ email: 'x@example.org', name: 'X', role: 'viewer', password: 'short' }, 'body.password'],
    [{ email: 'x@example.org', name: 'X', role: 'viewer', timeZone: 'Mars/Olympus' }, 'body.timeZone'],
    [{ email: 'x@example.org', name: 'X', role: 'viewer', tenantId: '00000000-0000-4000-8000-000000000000' }, 'body.tenantId'],
  ])('when the body is %j, then 400 names %s', async (payload, field) => {
    const p = expectProblem(await create(tenant.token, payload), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual([field]);
  });

  it('lists users page by page with a stable order', async () => {
    const own = await newTenant(t.app);
    for (let i = 0; i < 4; i++) await create(own.token, { email: `p${i}-${uniq()}@example.org`, name: `P${i}`, role: 'viewer', password: PASSWORD });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Schemas['User'][] = [];
      const res = await t.app.inject({ url: `/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(own.token) });
      const body = res.json() as { data: typeof page; nextCursor: string | null };
      seen.push(...body.data.map((u) => u.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual(seen);
    const viewers = (await t.app.inject({ url: '/v1/users?role=viewer', headers: bearer(own.token) })).json().data;
    expect(viewers).toHaveLength(4);
  });
});

describe('roles and owners', () => {
  it('an admin cannot make an owner, nor change one; an owner can', async () => {
    const admin = await userWithRole(t.app, tenant, 'admin');
    const p = expectProblem(await create(admin.token, { email: `${uniq()}@example.org`, name: 'O', role: 'owner', password: PASSWORD }), 403, 'forbidden');
    expect(p.errors?.[0]?.field).toBe('body.role');
    expectProblem(await patch(admin.token, tenant.ownerId, { name: 'Renamed by admin' }), 403, 'forbidden');
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const promoted = await patch(tenant.token, viewer.id, { role: 'admin' });
    expect(promoted.json()).toMatchObject({ role: 'admin', version: 2 });
  });

  it('the last active owner cannot be demoted or deactivated', async () => {
    const solo = await newTenant(t.app);
    const p = expectProblem(await patch(solo.token, solo.ownerId, { role: 'admin' }), 409, 'conflict');
    expect(p.errors?.[0]?.field).toBe('body.role');
    expectProblem(await patch(solo.token, solo.ownerId, { status: 'deactivated' }), 409, 'conflict');
    const me = await t.app.inject({ url: '/v1/me', headers: bearer(solo.token) });
    expect(me.json().user.role).toBe('owner');
  });

  it('If-Match with a stale version answers 412 and changes nothing; the right one succeeds', async () => {
    const u = await userWithRole(t.app, tenant, 'viewer');
    const got = await t.app.inject({ url: `/v1/users/${u.id}`, headers: bearer(tenant.token) });
    expect(got.headers.etag).toBe('"1"');
    expect((await patch(tenant.token, u.id, { name: 'First' }, { 'if-match': '"1"' })).statusCode).toBe(200);
    const stale = expectProblem(await patch(tenant.token, u.id, { name: 'Second' }, { 'if-match': '"1"' }), 412, 'precondition_failed');
    expect(stale.currentVersion).toBe(2);
    const now = json<Schemas['User']>(await t.app.inject({ url: `/v1/users/${u.id}`, headers: bearer(tenant.token) }));
    expect(now.name).toBe('First');
    const bad = expectProblem(await patch(tenant.token, u.id, { name: 'X' }, { 'if-match': 'yesterday' }), 400);
    expect(bad.errors?.[0]?.field).toBe('header.if-match');
  });

  it('an empty or unknown update is refused', async () => {
    const u = await userWithRole(t.app, tenant, 'viewer');
    expectProblem(await patch(tenant.token, u.id, {}), 400, 'validation_failed');
    const p = expectProblem(await patch(tenant.token, u.id, { email: 'new@example.org' }), 400);
    expect(p.errors?.[0]?.field).toBe('body.email');
  });

  it('anyone changes their own name, zone and digest with PATCH /v1/me, and nothing else', async () => {
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const h = bearer(viewer.token);
    const me = async () => (await t.app.inject({ url: '/v1/me', headers: h })).json().user as Schemas['User'];
    const before = await me();
    expect(before.dailyDigest).toBe(true);
    const res = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: { ...h, 'if-match': String(before.version) }, payload: { name: 'Vic Viewer', timeZone: 'America/Denver', dailyDigest: false } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers.etag).toBe(`"${before.version + 1}"`);
    expect(await me()).toMatchObject({ name: 'Vic Viewer', timeZone: 'America/Denver', dailyDigest: false, role: 'viewer', version: before.version + 1 });
    // Not the role or the status, not with a stale version, not as an API key.
    expect(expectProblem(await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: h, payload: { role: 'owner' } }), 400, 'validation_failed').errors?.[0]?.field).toBe('body.role');
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: h, payload: { status: 'deactivated' } }), 400, 'validation_failed');
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: { ...h, 'if-match': String(before.version) }, payload: { name: 'Stale' } }), 412, 'precondition_failed');
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: h, payload: {} }), 400, 'validation_failed');
    expect((await me()).name).toBe('Vic Viewer');
    const key = await apiKey(t.app, tenant, ['users:read']);
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(key.secret), payload: { name: 'Key' } }), 403, 'forbidden');
    // Deactivated, with an access token still within its lifetime: refused, nothing changed.
    const gone = await t.app.inject({ method: 'PATCH', url: `/v1/users/${viewer.id}`, headers: bearer(tenant.token), payload: { status: 'deactivated' } });
    expect(gone.statusCode, gone.body).toBe(200);
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: h, payload: { name: 'Still here' } }), 401, 'invalid_token');
    expect((await t.app.inject({ url: `/v1/users/${viewer.id}`, headers: bearer(tenant.token) })).json().name).toBe('Vic Viewer');
  });

  it('a missing user is 404', async () => {
    expectProblem(await t.app.inject({ url: '/v1/users/00000000-0000-4000-8000-000000000000', headers: bearer(tenant.token) }), 404, 'not_found');
  });
});

describe('the timeline and events of user changes', () => {
  /** Every activity row of the user, oldest first, and the events written with them. */
  const history = async (tenantId: string, userId: string) => {
    const rows = await timeline(tenantId, userId);
    const evts = await adminPool().query<{ type: string; payload: { data: Record<string, unknown> } }>(
      `SELECT type, payload FROM events WHERE tenant_id = $1 AND payload->'data'->>'userId' = $2 ORDER BY id`,
      [tenantId, userId],
    );
    return { rows, events: evts.rows };
  };
  /** Every activity row and event of the agency: a refused change adds none. */
  const counts = async (tenantId: string) =>
    (
      await adminPool().query<{ activities: number; events: number }>(
        `SELECT (SELECT count(*)::int FROM activities WHERE tenant_id = $1) AS activities, (SELECT count(*)::int FROM events WHERE tenant_id = $1) AS events`,
        [tenantId],
      )
    ).rows[0]!;

  it('adding a user writes user.created with the fields set, never the password or its hash', async () => {
    const own = await newTenant(t.app);
    const email = `${uniq('c')}@example.org`;
    const user = json<Schemas['CreatedUser']>(await create(own.token, { email, name: 'Cara', role: 'recruiter', password: PASSWORD }));
    const { rows, events } = await history(own.tenantId, user.id);
    expect(rows).toEqual([expect.objectContaining({ action: 'user.created', event_type: 'user.created' })]);
    expect(rows[0]!.changes).toMatchObject({ email: { before: null, after: email }, name: { before: null, after: 'Cara' }, role: { before: null, after: 'recruiter' } });
    expect(events).toHaveLength(1);
    expect(events[0]!.payload.data).toMatchObject({ userId: user.id, role: 'recruiter', actor: { type: 'user', id: own.ownerId } });
    expect(events[0]!.payload.data.changedFields).toEqual(expect.arrayContaining(['email', 'name', 'role', 'status']));
    const written = JSON.stringify([rows, events]);
    expect(written).not.toMatch(/password|scrypt|argon/i);
    expect(written).not.toContain(PASSWORD);
    // A generated password is not written either.
    const generated = json<Schemas['CreatedUser']>(await create(own.token, { email: `${uniq('g')}@example.org`, name: 'Gen', role: 'viewer' }));
    expect(JSON.stringify(await history(own.tenantId, generated.id))).not.toContain(generated.initialPassword!);
  });

  it('a role change is user.updated with the roles; deactivating and reactivating have events of their own', async () => {
    const own = await newTenant(t.app);
    const u = await userWithRole(t.app, own, 'viewer');
    expect((await patch(own.token, u.id, { role: 'recruiter', name: 'Rory' })).statusCode).toBe(200);
    expect((await patch(own.token, u.id, { status: 'deactivated' })).statusCode).toBe(200);
    expect((await patch(own.token, u.id, { status: 'active' })).statusCode).toBe(200);
    const { rows, events } = await history(own.tenantId, u.id);
    expect(rows.map((r) => [r.action, r.event_type])).toEqual([
      ['user.created', 'user.created'],
      ['user.updated', 'user.updated'],
      ['user.deactivated', 'user.deactivated'],
      ['user.reactivated', 'user.reactivated'],
    ]);
    expect(rows[1]!.changes).toEqual({ role: { before: 'viewer', after: 'recruiter' }, name: { before: 'viewer person', after: 'Rory' } });
    expect(rows[2]!.changes).toEqual({ status: { before: 'active', after: 'deactivated' } });
    expect(rows[3]!.changes).toEqual({ status: { before: 'deactivated', after: 'active' } });
    expect(events.map((e) => e.payload.data)).toEqual([
      expect.objectContaining({ role: 'viewer' }),
      expect.objectContaining({ role: 'recruiter', previousRole: 'viewer', changedFields: ['name', 'role'] }),
      expect.objectContaining({ role: 'recruiter', changedFields: ['status'] }),
      expect.objectContaining({ role: 'recruiter', changedFields: ['status'] }),
    ]);
  });

  it('a user changing themselves writes user.updated, with themselves as the actor', async () => {
    const own = await newTenant(t.app);
    const u = await userWithRole(t.app, own, 'viewer');
    const res = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(u.token), payload: { timeZone: 'Europe/London', dailyDigest: false } });
    expect(res.statusCode, res.body).toBe(200);
    const { rows, events } = await history(own.tenantId, u.id);
    expect(rows.at(-1)).toMatchObject({ action: 'user.updated', event_type: 'user.updated', changes: { timeZone: { before: null, after: 'Europe/London' }, dailyDigest: { before: true, after: false } } });
    expect(events.at(-1)!.payload.data).toMatchObject({ userId: u.id, actor: { type: 'user', id: u.id } });
  });

  it('a refused change (403, 409, 412, 404) writes no activity and no event', async () => {
    const own = await newTenant(t.app);
    const admin = await userWithRole(t.app, own, 'admin');
    const u = await userWithRole(t.app, own, 'viewer');
    const email = `${uniq('x')}@example.org`;
    expect((await create(own.token, { email, name: 'First', role: 'viewer', password: PASSWORD })).statusCode).toBe(201);
    const start = await counts(own.tenantId);
    expectProblem(await create(own.token, { email, name: 'Again', role: 'viewer', password: PASSWORD }), 409, 'already_exists');
    expectProblem(await create(admin.token, { email: `${uniq()}@example.org`, name: 'O', role: 'owner', password: PASSWORD }), 403, 'forbidden');
    expectProblem(await patch(admin.token, own.ownerId, { name: 'Renamed by admin' }), 403, 'forbidden');
    expectProblem(await patch(own.token, own.ownerId, { status: 'deactivated' }), 409, 'conflict');
    expectProblem(await patch(own.token, u.id, { name: 'Stale' }, { 'if-match': '"9"' }), 412, 'precondition_failed');
    expectProblem(await patch(own.token, '00000000-0000-4000-8000-000000000000', { name: 'Nobody' }), 404, 'not_found');
    expectProblem(await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: { ...bearer(u.token), 'if-match': '"9"' }, payload: { name: 'Stale' } }), 412, 'precondition_failed');
    expect(await counts(own.tenantId)).toEqual(start);
  });
});
