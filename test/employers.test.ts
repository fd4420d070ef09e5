import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { timeline } from './helpers/db.js';

let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Employer = Schemas['Employer'];
const post = (payload: object, token = tenant.token, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/employers', headers: { ...bearer(token), ...headers }, payload });
const patch = (id: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'PATCH', url: `/v1/employers/${id}`, headers: { ...bearer(tenant.token), ...headers }, payload });
const get = (id: string) => t.app.inject({ url: `/v1/employers/${id}`, headers: bearer(tenant.token) });

describe('employers', () => {
  it('when a district and a school in it are added, then the school inherits the district’s zone and lists under it', async () => {
    const district = json<Employer>(await post({ name: 'Hudson Valley CSD', kind: 'district', timeZone: 'America/Chicago', website: 'https://hv.example.org' }));
    expect(district).toMatchObject({ kind: 'district', timeZone: 'America/Chicago', parentId: null, version: 1, holidays: [] });
    const res = await post({
      name: 'Lincoln Elementary',
      parentId: district.id,
      holidays: [{ start: '2026-12-24', end: '2027-01-01', name: 'Winter recess' }],
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe(`/v1/employers/${res.json().id}`);
    const school = json<Employer>(res);
    expect(school).toMatchObject({ kind: 'school', parentId: district.id, timeZone: 'America/Chicago' });
    const list = await t.app.inject({ url: `/v1/employers?parentId=${district.id}`, headers: bearer(tenant.token) });
    expect(list.json().data.map((e: Employer) => e.id)).toEqual([school.id]);
  });

  it('without a zone or parent, an employer takes the agency’s zone', async () => {
    expect(json<Employer>(await post({ name: 'Acme Tutoring', kind: 'company' })).timeZone).toBe('America/New_York');
  });

  it('when a time zone is written in another case, then it is kept in its IANA spelling; bare abbreviations are refused', async () => {
    expect(json<Employer>(await post({ name: 'Case Zone', kind: 'company', timeZone: 'america/los_angeles' })).timeZone).toBe('America/Los_Angeles');
    expect(json<Employer>(await post({ name: 'Utc Zone', kind: 'company', timeZone: 'utc' })).timeZone).toBe('UTC');
    for (const timeZone of ['EST', 'CET', 'EST5EDT', 'America/Atlantis', '+05:00']) {
      const problem = expectProblem(await post({ name: 'Bad Zone', kind: 'company', timeZone }), 400, 'validation_failed');
      expect(problem.errors?.[0]?.field, timeZone).toBe('body.timeZone');
    }
  });

  it('lists by name, page by page, and finds by part of the name', async () => {
    const own = await newTenant(t.app);
    for (const name of ['Delta School', 'alpha school', 'Charlie 100% School', 'Bravo School']) await post({ name }, own.token);
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const body: { data: Employer[]; nextCursor: string | null } = (
        await t.app.inject({ url: `/v1/employers?limit=3${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(own.token) })
      ).json();
      names.push(...body.data.map((e) => e.name));
      cursor = body.nextCursor;
    } while (cursor);
    expect(names).toEqual(['Bravo School', 'Charlie 100% School', 'Delta School', 'alpha school']);
    const found = (await t.app.inject({ url: '/v1/employers?q=100%25', headers: bearer(own.token) })).json().data;
    expect(found.map((e: Employer) => e.name)).toEqual(['Charlie 100% School']);
  });

  it('updates with If-Match: the right version wins, a stale one is 412, and the timeline shows before and after', async () => {
    const e = json<Employer>(await post({ name: 'Old Name', kind: 'school' }));
    const ok = await patch(e.id, { name: 'New Name' }, { 'if-match': '"1"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expectProblem(await patch(e.id, { name: 'Lost Update' }, { 'if-match': '"1"' }), 412, 'precondition_failed');
    expect(json<Employer>(await get(e.id)).name).toBe('New Name');
    const rows = await timeline(tenant.tenantId, e.id);
    expect(rows.map((r) => r.action)).toEqual(['employer.created', 'employer.updated']);
    expect(rows[1]!.changes).toEqual({ name: { before: 'Old Name', after: 'New Name' } });
    expect(rows.every((r) => r.event_type === r.action)).toBe(true);
  });

  it('refuses a parent that is itself or its own school (a cycle), and an unknown parent', async () => {
    const d = json<Employer>(await post({ name: 'D', kind: 'district' }));
    const s = json<Employer>(await post({ name: 'S', parentId: d.id }));
    expect(expectProblem(await patch(d.id, { parentId: s.id }), 409, 'conflict').errors?.[0]?.field).toBe('body.parentId');
    expectProblem(await patch(d.id, { parentId: d.id }), 409, 'conflict');
    const p = expectProblem(await post({ name: 'X', parentId: '00000000-0000-4000-8000-000000000000' }), 400);
    expect(p.errors?.[0]?.field).toBe('body.parentId');
  });

  it('deletes an employer without schools; one with schools is 409 and stays', async () => {
    const d = json<Employer>(await post({ name: 'D2', kind: 'district' }));
    const s = json<Employer>(await post({ name: 'S2', parentId: d.id }));
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/v1/employers/${d.id}`, headers: bearer(tenant.token) }), 409, 'conflict');
    expect((await get(d.id)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/employers/${s.id}`, headers: bearer(tenant.token) })).statusCode).toBe(204);
    expectProblem(await get(s.id), 404, 'not_found');
  });

  it.each([
    [{ name: '' }, 'body.name'],
    [{ name: 'X', kind: 'university' }, 'body.kind'],
    [{ name: 'X', timeZone: 'Eastern' }, 'body.timeZone'],
    [{ name: 'X', website: 'javascript:alert(1)' }, 'body.website'],
    [{ name: 'X', holidays: [{ start: '2026-12-24', end: '2026-12-01', name: 'Backwards' }] }, 'body.holidays.0.end'],
    [{ name: 'X', holidays: [{ start: '24/12/2026', end: '2026-12-31', name: 'Bad' }] }, 'body.holidays.0.start'],
    [{ name: 'X', parentId: 'district-1' }, 'body.parentId'],
    [{ name: 'X', id: '00000000-0000-4000-8000-000000000000' }, 'body.id'],
  ])('when the body is %j, then 400 names %s and nothing is written', async (payload, field) => {
    const before = (await t.app.inject({ url: '/v1/employers?limit=100', headers: bearer(tenant.token) })).json().data.length;
    const p = expectProblem(await post(payload), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual([field]);
    expect((await t.app.inject({ url: '/v1/employers?limit=100', headers: bearer(tenant.token) })).json().data.length).toBe(before);
  });

  it('a viewer reads but cannot write', async () => {
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    expect((await t.app.inject({ url: '/v1/employers', headers: bearer(viewer.token) })).statusCode).toBe(200);
    expectProblem(await post({ name: 'Nope' }, viewer.token), 403, 'forbidden');
  });
});

describe('Idempotency-Key on POST', () => {
  const key = () => `key-${Math.random().toString(36).slice(2)}`;

  it('same key and body: one employer, the same answer replayed', async () => {
    const k = key();
    const first = await post({ name: 'Once Only' }, tenant.token, { 'idempotency-key': k });
    const second = await post({ name: 'Once Only' }, tenant.token, { 'idempotency-key': `"${k}"` });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    const all = (await t.app.inject({ url: '/v1/employers?q=Once%20Only', headers: bearer(tenant.token) })).json().data;
    expect(all).toHaveLength(1);
    expect((await timeline(tenant.tenantId, first.json().id)).length).toBe(1);
  });

  it('same key, other body: 422 and nothing new', async () => {
    const k = key();
    await post({ name: 'First Body' }, tenant.token, { 'idempotency-key': k });
    const p = expectProblem(await post({ name: 'Second Body' }, tenant.token, { 'idempotency-key': k }), 422, 'idempotency_key_reused');
    expect(p.errors?.[0]?.field).toBe('header.idempotency-key');
    expect((await t.app.inject({ url: '/v1/employers?q=Second%20Body', headers: bearer(tenant.token) })).json().data).toHaveLength(0);
  });

  it('concurrent duplicates: one creates, the other is 409 or the replay, never two rows', async () => {
    const k = key();
    const [a, b] = await Promise.all([
      post({ name: 'Raced' }, tenant.token, { 'idempotency-key': k }),
      post({ name: 'Raced' }, tenant.token, { 'idempotency-key': k }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual(expect.arrayContaining([201]));
    for (const r of [a, b]) expect([201, 409]).toContain(r.statusCode);
    expect((await t.app.inject({ url: '/v1/employers?q=Raced', headers: bearer(tenant.token) })).json().data).toHaveLength(1);
  });

  it('when a duplicate arrives while the first request is still running, then it is 409 idempotency_in_progress; once the first finishes (201), the same request replays it', async () => {
    const { adminPool } = await import('./helpers/db.js');
    const k = key();
    const name = `Held ${k}`;
    const district = json<Employer>(await post({ name: `District for ${k}`, kind: 'district' }));
    const payload = { name, parentId: district.id };
    const keyState = async () =>
      (
        await adminPool().query<{ state: string }>(
          "SELECT state FROM idempotency_keys WHERE tenant_id = $1 AND principal = $2 AND route = 'POST /v1/employers' AND key = $3",
          [tenant.tenantId, tenant.ownerId, k],
        )
      ).rows[0]?.state;
    const rows = async () => (await adminPool().query('SELECT count(*)::int AS n FROM employers WHERE tenant_id = $1 AND name = $2', [tenant.tenantId, name])).rows[0].n as number;

    // The create's INSERT checks its parent's key (FOR KEY SHARE on the district's row): holding
    // that row FOR UPDATE from another transaction holds the request inside its transaction, after
    // it has claimed the key. Only this district's row is locked, so nothing else is held up.
    const lock = await adminPool().connect();
    let first: ReturnType<typeof post> | undefined;
    let second: ReturnType<typeof post> | undefined;
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM employers WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenant.tenantId, district.id]);
      const lockPid = (await lock.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const blockedByLock = async () =>
        (await adminPool().query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [lockPid])).rows[0]!.n;
      // Polls (no timers) until `cond` holds, `stop()` says to give up, or 10 s pass: never hangs.
      const until = async (cond: () => Promise<boolean>, stop = () => false) => {
        for (const deadline = Date.now() + 10_000; Date.now() < deadline && !stop(); ) if (await cond()) return true;
        return false;
      };

      first = post(payload, tenant.token, { 'idempotency-key': k });
      // The key is claimed and the request waits on the lock, inside its transaction.
      expect(await until(async () => (await blockedByLock()) === 1 && (await keyState()) === 'in_progress'), 'the first request holds its key and waits on the lock').toBe(true);

      // The duplicate must be answered at once. Were it let through to the handler, it would wait on
      // the lock too: that is seen and reported instead of waiting for it.
      let answered = false;
      second = post(payload, tenant.token, { 'idempotency-key': k });
      const outcome = await Promise.race([
        second.then((res) => ((answered = true), res)),
        until(async () => (await blockedByLock()) > 1, () => answered).then((both) => (both ? 'the duplicate ran too and waits on the lock' : 'no answer')),
      ]);
      expect(typeof outcome === 'string' ? outcome : 'answered').toBe('answered');
      const dup = expectProblem(await second, 409, 'idempotency_in_progress');
      expect(dup.detail).toBeTruthy();
      expect(await keyState()).toBe('in_progress');
      expect(await rows()).toBe(0);
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      lock.release();
      await Promise.allSettled([first, second]);
    }
    const done = await first!;
    expect(done.statusCode, done.body).toBe(201);
    expect(done.headers['idempotent-replayed']).toBeUndefined();
    expect(await keyState()).toBe('completed');

    const replay = await post(payload, tenant.token, { 'idempotency-key': k });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(done.json());
    expect(await rows()).toBe(1);
    expect((await timeline(tenant.tenantId, done.json().id)).map((r) => r.action)).toEqual(['employer.created']);
  });

  it('a rejected request (validation) is not stored: the corrected retry with the same key runs', async () => {
    const k = key();
    expectProblem(await post({ name: '' }, tenant.token, { 'idempotency-key': k }), 400);
    expect((await post({ name: 'Fixed' }, tenant.token, { 'idempotency-key': k })).statusCode).toBe(201);
  });

  it('keys are per agency: another agency with the same key gets its own result', async () => {
    const other = await newTenant(t.app);
    const k = key();
    const mine = await post({ name: 'Shared Key' }, tenant.token, { 'idempotency-key': k });
    const theirs = await post({ name: 'Shared Key' }, other.token, { 'idempotency-key': k });
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().id).not.toBe(mine.json().id);
  });

  it('a key left in progress by a request that died is free again after its lease', async () => {
    const { adminPool } = await import('./helpers/db.js');
    await adminPool().query(
      `INSERT INTO idempotency_keys (tenant_id, principal, route, key, fingerprint, state, created_at, expires_at)
       VALUES ($1, $2, 'POST /v1/employers', 'died-midway', 'x', 'in_progress', now() - interval '10 minutes', now() + interval '1 day')`,
      [tenant.tenantId, tenant.ownerId],
    );
    expect((await post({ name: 'After A Crash' }, tenant.token, { 'idempotency-key': 'died-midway' })).statusCode).toBe(201);
  });

  it('a key whose change committed but whose answer was lost is never run again', async () => {
    const { adminPool } = await import('./helpers/db.js');
    expect((await post({ name: 'Committed Once' }, tenant.token, { 'idempotency-key': 'died-after-commit' })).statusCode).toBe(201);
    // As a process that died between the commit and storing the answer leaves it, long ago.
    await adminPool().query(
      `UPDATE idempotency_keys SET state = 'committed', response_status = NULL, response_body = NULL, created_at = now() - interval '10 minutes'
       WHERE key = 'died-after-commit' AND principal = $1`,
      [tenant.ownerId],
    );
    const count = async () => (await adminPool().query("SELECT count(*)::int AS n FROM employers WHERE tenant_id = $1 AND name = 'Committed Once'", [tenant.tenantId])).rows[0].n;
    expect(await count()).toBe(1);
    expectProblem(await post({ name: 'Committed Once' }, tenant.token, { 'idempotency-key': 'died-after-commit' }), 409, 'idempotency_answer_lost');
    expect(await count()).toBe(1);
  });

  it('the key is marked committed by the change itself, before the answer is stored (a transaction, and the one-statement candidate create)', async () => {
    const { adminPool } = await import('./helpers/db.js');
    const { buildApp } = await import('../src/app.js');
    const { createDeps } = await import('../src/deps.js');
    const { testConfig } = await import('./helpers/env.js');
    const deps = createDeps(testConfig());
    const app = await buildApp(deps);
    // Runs after the handler's change and before the idempotency hook stores the answer: a
    // process that died here would have left exactly this row.
    const seen = new Map<string, string | undefined>();
    app.addHook('onSend', async (req, _reply, payload) => {
      const key = String(req.headers['idempotency-key'] ?? '');
      if (key.startsWith('mid-flight-')) {
        seen.set(key, (await adminPool().query('SELECT state FROM idempotency_keys WHERE key = $1 AND principal = $2', [key, tenant.ownerId])).rows[0]?.state);
      }
      return payload;
    });
    await app.ready();
    try {
      const cases = [
        { key: 'mid-flight-employer', url: '/v1/employers', payload: { name: 'Marked' } },
        { key: 'mid-flight-candidate', url: '/v1/candidates', payload: { name: 'Marked Person', email: `marked-${Date.now()}@example.org` } },
      ];
      for (const c of cases) {
        const res = await app.inject({ method: 'POST', url: c.url, headers: { ...bearer(tenant.token), 'idempotency-key': c.key }, payload: c.payload });
        expect(res.statusCode, res.body).toBe(201);
        expect(seen.get(c.key), c.url).toBe('committed');
        const stored = (await adminPool().query('SELECT state, response_status FROM idempotency_keys WHERE key = $1 AND principal = $2', [c.key, tenant.ownerId])).rows[0];
        expect(stored).toEqual({ state: 'completed', response_status: 201 });
      }
    } finally {
      await app.close();
      await deps.close();
    }
  });

  it('a malformed key is 400 naming the header', async () => {
    const p = expectProblem(await post({ name: 'X' }, tenant.token, { 'idempotency-key': 'x'.repeat(300) }), 400);
    expect(p.errors?.[0]?.field).toBe('header.idempotency-key');
  });
});
