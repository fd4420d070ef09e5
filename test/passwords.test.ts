import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../src/lib/clock.js';
import { PASSWORD, bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, timeline } from './helpers/db.js';
import { linkTokenIn, readMail, smtpSink } from './helpers/smtpSink.js';
import { hashPassword } from '../src/lib/passwords.js';
import net from 'node:net';
import { RESET_QUEUE_MAX, requestPasswordReset, resetRequestsWaiting } from '../src/modules/auth/passwordReset.js';
import { sha256 } from '../src/lib/secrets.js';

const clock = fixedClock('2026-12-07T14:00:00Z');
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;
let smtp: string;

beforeAll(async () => {
  smtp = `smtp://127.0.0.1:${await sink.listen()}`;
  t = await createTestApp({ clock, env: { SMTP_URL: smtp, PUBLIC_URL: 'https://app.afterview.example' } });
  tenant = await newTenant(t.app);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const NEW_PASSWORD = 'a-brand-new-passphrase-2027';
const forgot = (email: string, agency = tenant.slug, app = t) => app.app.inject({ method: 'POST', url: '/v1/auth/forgot-password', payload: { agency, email } });
const reset = (token: string, password: string, opts: { app?: TestApp; ip?: string } = {}) =>
  (opts.app ?? t).app.inject({ method: 'POST', url: '/v1/auth/reset-password', payload: { token, password }, remoteAddress: opts.ip ?? '127.0.0.1' });
const login = (email: string, password: string, opts: { app?: TestApp; ip?: string; agency?: string } = {}) =>
  (opts.app ?? t).app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: opts.agency ?? tenant.slug, email, password }, remoteAddress: opts.ip ?? '127.0.0.1' });
const works = async (token: string) => (await t.app.inject({ url: '/v1/candidates', headers: bearer(token) })).statusCode;
const mailsTo = (email: string) => sink.received.filter((m) => m.to.includes(email.toLowerCase())).length;

/** Asks for a reset link for `email` and returns its token, from the n-th email it got. */
async function resetLink(email: string, n = 1) {
  expect((await forgot(email)).statusCode).toBe(202);
  return linkTokenIn(await sink.nth(email, n), 'reset-password');
}

describe('forgot password', () => {
  it('answers the same whether or not the agency and account exist; only an active account gets a link', async () => {
    const user = await userWithRole(t.app, tenant, 'recruiter');
    const leaver = await userWithRole(t.app, tenant, 'viewer');
    await t.app.inject({ method: 'PATCH', url: `/v1/users/${leaver.id}`, headers: bearer(tenant.token), payload: { status: 'deactivated' } });
    const answers = [];
    for (const [email, agency] of [
      ['nobody@example.org', tenant.slug],
      [user.email, 'no-such-agency'],
      [leaver.email, tenant.slug],
      [user.email, tenant.slug],
    ] as const) {
      const res = await forgot(email, agency);
      answers.push({ status: res.statusCode, body: res.body, type: res.headers['content-type'] });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.status).toBe(202);
    // Handled in order after the answers: once the real account's email is here, the others were decided.
    const mail = readMail(await sink.for(user.email));
    expect(mail.subject).toBe('Reset your Afterview password');
    expect(mail.text).toMatch(/https:\/\/app\.afterview\.example\/reset-password#token=pwr_[0-9a-f]{32}_[\w-]{43}\n/);
    expect(mail.text).toContain('The link works once, for 30 minutes');
    expect([mailsTo('nobody@example.org'), mailsTo(leaver.email), mailsTo(user.email)]).toEqual([0, 0, 1]);
  });

  it('sends at most 3 links per account an hour, with the same answer every time', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    const marker = await userWithRole(t.app, tenant, 'viewer');
    for (let i = 0; i < 5; i++) expect((await forgot(user.email)).statusCode).toBe(202);
    await forgot(marker.email);
    await sink.for(marker.email);
    expect(mailsTo(user.email)).toBe(3);
  });
});

describe('resetting the password with the link', () => {
  it('sets the password, ends every session, signs in here; the link works once', async () => {
    const user = await userWithRole(t.app, tenant, 'recruiter');
    const other = json<Schemas['TokenResponse']>(await login(user.email, PASSWORD));
    const token = await resetLink(user.email);
    const res = await reset(token, NEW_PASSWORD);
    expect(res.statusCode, res.body).toBe(200);
    const fresh = json<Schemas['TokenResponse']>(res);
    expect([await works(user.token), await works(other.accessToken), await works(fresh.accessToken)]).toEqual([401, 401, 200]);
    for (const r of [user.refreshToken, other.refreshToken]) expectProblem(await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: r } }), 401, 'invalid_token');
    expectProblem(await login(user.email, PASSWORD), 401, 'invalid_credentials');
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200);
    expect((await timeline(tenant.tenantId, user.id)).map((r) => [r.action, r.event_type])).toContainEqual(['user.password_reset', 'user.password_reset']);
    const event = await adminPool().query("SELECT payload->'data' AS data FROM events WHERE tenant_id = $1 AND type = 'user.password_reset' AND payload->'data'->>'userId' = $2", [tenant.tenantId, user.id]);
    expect(event.rows[0].data).toMatchObject({ sessionsEnded: 2, actor: { type: 'user', id: user.id } });
    const used = expectProblem(await reset(token, 'yet-another-passphrase-2028'), 410, 'link_used');
    expect(used.errors).toEqual([{ field: 'body.token', message: 'Already used' }]);
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('using one link spends the older ones too', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    const older = await resetLink(user.email, 1);
    const newer = await resetLink(user.email, 2);
    expect((await reset(newer, NEW_PASSWORD)).statusCode).toBe(200);
    expectProblem(await reset(older, 'yet-another-passphrase-2028'), 410, 'link_used');
  });

  it('a link past its 30 minutes is 410 link_expired, and the password stays', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    const token = await resetLink(user.email);
    clock.advance(30 * 60_000);
    expect(expectProblem(await reset(token, NEW_PASSWORD), 410, 'link_expired').errors).toEqual([{ field: 'body.token', message: 'Expired' }]);
    expect((await login(user.email, PASSWORD)).statusCode).toBe(200);
    expect(await works(user.token)).toBe(200);
  });

  it('a weak password says what is required and changes nothing; the link stays usable', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    const token = await resetLink(user.email);
    for (const password of ['short', 'zzzzzzzzzzzzzzzz', 'qwerty123456', user.email]) {
      const p = expectProblem(await reset(token, password), 400, 'validation_failed');
      expect(p.errors?.map((e) => e.field)).toEqual(['body.password']);
    }
    expect((await login(user.email, PASSWORD)).statusCode).toBe(200);
    expect((await reset(token, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('an altered, foreign or made-up link is 400 link_invalid naming body.token; nothing changes', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    const token = await resetLink(user.email);
    const other = await newTenant(t.app);
    for (const bad of [`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, token.replace(/^pwr_[0-9a-f]{32}_/, `pwr_${other.tenantId.replaceAll('-', '')}_`), `inv_${token.slice(4)}`, 'pwr_made_up']) {
      expect(expectProblem(await reset(bad, NEW_PASSWORD), 400, 'link_invalid').errors).toEqual([{ field: 'body.token', message: 'Not a valid link' }]);
    }
    expect((await login(user.email, PASSWORD)).statusCode).toBe(200);
  });
});

describe('a user locked out by someone else’s guesses', () => {
  it('gets in with a reset link, from a new address, and signs in from there afterwards', async () => {
    const limited = await createTestApp({ env: { SMTP_URL: smtp, LOGIN_RATE_LIMIT_MAX: '3', QUEUE_PREFIX: `pw-lockout-${process.pid}-${Date.now()}` } });
    try {
      const owner = await newTenant(limited.app);
      for (let i = 0; i < 6; i++) await login(owner.ownerEmail, `guess-number-${i}`, { app: limited, ip: `10.9.1.${i}`, agency: owner.slug });
      expect((await login(owner.ownerEmail, PASSWORD, { app: limited, ip: '10.9.0.1', agency: owner.slug })).statusCode).toBe(429);
      expect((await forgot(owner.ownerEmail, owner.slug, limited)).statusCode).toBe(202);
      const token = linkTokenIn(await sink.for(owner.ownerEmail), 'reset-password');
      expect((await reset(token, NEW_PASSWORD, { app: limited, ip: '10.9.0.1' })).statusCode).toBe(200);
      const signedIn = await login(owner.ownerEmail, NEW_PASSWORD, { app: limited, ip: '10.9.0.1', agency: owner.slug });
      expect(signedIn.statusCode).toBe(200);
      // Changing a password is limited like signing in: guessing the current one gets 429.
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const payload = { currentPassword: `guess-${i}`, newPassword: 'another-new-passphrase' };
        statuses.push((await limited.app.inject({ method: 'PATCH', url: '/v1/me/password', headers: bearer(signedIn.json().accessToken), payload })).statusCode);
      }
      expect(statuses).toEqual([400, 400, 400, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('changing your password', () => {
  const change = (token: string, payload: object) => t.app.inject({ method: 'PATCH', url: '/v1/me/password', headers: bearer(token), payload });

  it('with the current password: the other sessions end, this one stays, and an email says so', async () => {
    const user = await userWithRole(t.app, tenant, 'recruiter');
    const other = json<Schemas['TokenResponse']>(await login(user.email, PASSWORD));
    const res = await change(user.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.json()).toEqual({ sessionsEnded: 1 });
    expect([await works(user.token), await works(other.accessToken)]).toEqual([200, 401]);
    expect((await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: user.refreshToken } })).statusCode).toBe(200);
    expectProblem(await login(user.email, PASSWORD), 401, 'invalid_credentials');
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200);
    const notice = readMail(await sink.for(user.email));
    expect(notice.subject).toBe('Your Afterview password was changed');
    expect(notice.text).toContain('and your other sessions were signed out');
    expect((await timeline(tenant.tenantId, user.id)).map((r) => r.action)).toContain('user.password_changed');
  });

  it('a wrong current password, the same one again or a weak one: 400 naming the field, nothing changes', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    const other = json<Schemas['TokenResponse']>(await login(user.email, PASSWORD));
    const cases: [object, string][] = [
      [{ currentPassword: 'not-my-password', newPassword: NEW_PASSWORD }, 'body.currentPassword'],
      [{ currentPassword: PASSWORD, newPassword: PASSWORD }, 'body.newPassword'],
      [{ currentPassword: PASSWORD, newPassword: '121212121212121' }, 'body.newPassword'],
      [{ currentPassword: PASSWORD, newPassword: `${user.email}` }, 'body.newPassword'],
      [{ currentPassword: PASSWORD, newPassword: 'short' }, 'body.newPassword'],
    ];
    for (const [payload, field] of cases) expect(expectProblem(await change(user.token, payload), 400, 'validation_failed').errors?.map((e) => e.field)).toEqual([field]);
    expect([await works(other.accessToken), (await login(user.email, PASSWORD)).statusCode]).toEqual([200, 200]);
    expect(mailsTo(user.email)).toBe(0);
  });
});

describe('a sign-in racing a password change', () => {
  const refresh = (refreshToken: string) => t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });

  it('a sign-in that checked the old password while the change was committing gets no session', async () => {
    const user = await userWithRole(t.app, tenant, 'recruiter');
    const change = await adminPool().connect();
    try {
      // The change's transaction, as PATCH /v1/me/password runs it, held open at the row's update.
      await change.query('BEGIN');
      await change.query('UPDATE users SET password_hash = $1 WHERE id = $2', [await hashPassword(NEW_PASSWORD), user.id]);
      let settled: number | null = null;
      const signIn = login(user.email, PASSWORD).then((res) => ((settled = res.statusCode), res));
      // The sign-in checked the old password (the committed one) and now waits for the row.
      const deadline = Date.now() + 15_000;
      for (;;) {
        if (settled !== null) throw new Error(`the sign-in answered ${settled} without waiting for the change to commit`);
        const waiting = await adminPool().query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%for share%'`);
        if (waiting.rowCount) break;
        if (Date.now() > deadline) throw new Error('the sign-in never reached the row lock');
        await new Promise((r) => setTimeout(r, 20));
      }
      await change.query(`UPDATE sessions SET ended_at = now(), ended_reason = 'password_changed' WHERE user_id = $1 AND ended_at IS NULL`, [user.id]);
      await change.query('COMMIT');
      expectProblem(await signIn, 401, 'invalid_credentials');
    } finally {
      change.release();
    }
    const open = await adminPool().query('SELECT id FROM sessions WHERE user_id = $1 AND ended_at IS NULL', [user.id]);
    expect(open.rowCount).toBe(0);
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('a refresh token of an ended session refreshes nothing, even if it was not revoked with it', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    const other = json<Schemas['TokenResponse']>(await login(user.email, PASSWORD));
    await adminPool().query(`UPDATE sessions SET ended_at = now(), ended_reason = 'signed_out' WHERE user_id = $1 AND id <> (SELECT family_id FROM refresh_tokens WHERE token_hash = $2)`, [
      user.id,
      sha256(user.refreshToken),
    ]);
    expectProblem(await refresh(other.refreshToken), 401, 'invalid_token');
    expect((await refresh(user.refreshToken)).statusCode).toBe(200);
  });
});

describe('a flood of “forgot password”', () => {
  it('holds at most RESET_QUEUE_MAX requests per process while the mail server hangs; the rest are dropped with the same answer, and the queue drains once the mail server is gone', async () => {
    // A mail server that accepts connections and never says a word.
    const silent = new Set<net.Socket>();
    const server = net.createServer((s) => silent.add(s.on('error', () => undefined)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stuck = await createTestApp({ clock, env: { SMTP_URL: `smtp://127.0.0.1:${(server.address() as net.AddressInfo).port}` } });
    try {
      const user = await userWithRole(stuck.app, tenant, 'viewer');
      requestPasswordReset(stuck.deps, { agency: tenant.slug, email: user.email }); // waits on the silent server
      for (let i = 0; i < RESET_QUEUE_MAX + 50; i++) requestPasswordReset(stuck.deps, { agency: 'no-such-agency', email: `nobody-${i}@example.org` });
      expect(resetRequestsWaiting(stuck.deps)).toBe(RESET_QUEUE_MAX);
      // The route still answers at once, the same as ever.
      expect((await forgot(user.email, tenant.slug, stuck)).statusCode).toBe(202);
      await vi.waitFor(() => expect(silent.size).toBeGreaterThan(0), { timeout: 5_000 });
      // The mail server goes away: the held request fails (the user would ask again), and the queue drains.
      server.close();
      for (const s of silent) s.destroy();
      await vi.waitFor(() => expect(resetRequestsWaiting(stuck.deps)).toBe(0), { timeout: 15_000, interval: 50 });
    } finally {
      await stuck.close();
      server.close();
    }
  });
});
