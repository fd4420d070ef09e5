import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, newTenant, userWithRole, type TestApp, type TestTenant } from './helpers/app.js';

/**
 * The per-account sign-in limit (LOGIN_RATE_LIMIT_MAX = 10 here): counted atomically before the
 * password is checked, so guesses sent at once are limited like guesses sent one by one, and an
 * address the account signed in from before is counted apart (docs/auth.md#sign-in-attempts).
 */
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_RATE_LIMIT_MAX: '10', QUEUE_PREFIX: `login-limit-${process.pid}-${Date.now()}` } });
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

const attempt = (email: string, password: string, ip: string, agency = tenant.slug) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency, email, password }, remoteAddress: ip });
const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
const atOnce = async (n: number, send: (i: number) => ReturnType<typeof attempt>) => (await Promise.all(Array.from({ length: n }, (_, i) => send(i)))).map((r) => r.statusCode);

describe('sign-in attempts per account', () => {
  it('40 wrong passwords sent at once from one address: 10 are checked (401), 30 refused unchecked (429)', async () => {
    const user = await userWithRole(t.app, tenant, 'recruiter');
    expect(tally(await atOnce(40, () => attempt(user.email, 'wrong-password-1', '10.1.0.1')))).toEqual({ 401: 10, 429: 30 });
    // The right password too, now: the account is closed to this address for the window.
    const res = await attempt(user.email, PASSWORD, '10.1.0.1');
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'] ?? res.json().retryAfterSeconds)).toBeGreaterThan(0);
  });

  it('four addresses, 15 guesses each, all at once: still 10 checked in all', async () => {
    const user = await userWithRole(t.app, tenant, 'recruiter');
    const statuses = await atOnce(60, (i) => attempt(user.email, `wrong-password-${i}`, `10.2.0.${1 + (i % 4)}`));
    expect(tally(statuses)).toEqual({ 401: 10, 429: 50 });
  });

  it('an account that does not exist is counted the same way (the answers tell nothing)', async () => {
    expect(tally(await atOnce(15, () => attempt('nobody@example.org', 'wrong-password-1', '10.3.0.1')))).toEqual({ 401: 10, 429: 5 });
    expect(tally(await atOnce(15, () => attempt('nobody@example.org', 'wrong-password-1', '10.3.0.2', 'no-such-agency')))).toEqual({ 401: 10, 429: 5 });
  });

  it('the real user, at an address they signed in from before, is not locked out by guesses from elsewhere', async () => {
    const user = await userWithRole(t.app, tenant, 'recruiter');
    expect((await attempt(user.email, PASSWORD, '10.4.0.1')).statusCode).toBe(200);
    // An attacker spreads guesses over five other addresses until the account is closed to them.
    const statuses = await atOnce(25, (i) => attempt(user.email, `guess-${i}-long-enough`, `10.4.1.${i % 5}`));
    expect(tally(statuses)).toEqual({ 401: 10, 429: 15 });
    expect((await attempt(user.email, 'guess-from-new-place', '10.4.2.1')).statusCode).toBe(429);
    // The user's own address still has its own count.
    expect((await attempt(user.email, PASSWORD, '10.4.0.1')).statusCode).toBe(200);
    // From a new address, the user is refused like the attacker: a password reset is their way in.
    const refused = await attempt(user.email, PASSWORD, '10.4.3.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().detail).toMatch(/reset your password/);
  });

  it('a sign-in with the right password gives its attempt back: signing in 15 times in a row is never refused', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    const statuses = [];
    for (let i = 0; i < 15; i++) statuses.push((await attempt(user.email, PASSWORD, '10.5.0.1')).statusCode);
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('no account or address is written to Redis in clear', async () => {
    const user = await userWithRole(t.app, tenant, 'viewer');
    await attempt(user.email, PASSWORD, '10.6.0.1');
    const keys = await t.deps.redis.keys(`${t.deps.config.QUEUE_PREFIX}:login:*`);
    expect(keys.length).toBeGreaterThan(0);
    const values = await Promise.all(keys.map(async (k) => ((await t.deps.redis.type(k)) === 'zset' ? (await t.deps.redis.zrange(k, '0', '-1')).join() : '')));
    expect(`${keys.join()} ${values.join()}`).not.toMatch(/@|10\.6\.0\.1|agency-/);
  });
});
