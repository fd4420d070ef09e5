import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, json, PASSWORD, uniq, type Schemas } from '../helpers/app.js';
import { agency, everyEmailOnce, everyWebhookDelivered, laterEmails, newEmployer, sendNow } from './invariants.js';
import { chaosStack, serverErrors, type AfterviewProcess, type ChaosStack } from './stack.js';

/**
 * Scale-out (issue 20 item 6): two API processes and two worker processes, as `docker compose up
 * --scale api=2 --scale worker=2` runs them, on one PostgreSQL and one Redis. No fault: what must
 * hold is what one process gives — a credential's rate limit is one limit across the APIs, a
 * revocation through one API is refused by the other within a second, and every due email and
 * webhook goes out once, whichever worker takes it.
 */
const LIMIT = 300;
let stack: ChaosStack;
let apis: AfterviewProcess[];

beforeAll(async () => {
  stack = await chaosStack('scale', { env: { RATE_LIMIT_MAX: String(LIMIT) } });
  const started = await Promise.all([stack.startProcess('api'), stack.startProcess('api'), stack.startProcess('worker'), stack.startProcess('worker')]);
  apis = started.slice(0, 2);
}, 150_000);
afterAll(async () => stack?.close());

describe('two API and two worker processes on one PostgreSQL and Redis', () => {
  it('one rate limit across the APIs, revocation seen by both, every email and webhook once', async () => {
    const [a, b] = apis.map((p) => stack.client(() => p.address));
    const ag = await agency(stack, a!, '/scale');

    // A user's allowance is one, whichever API answers: alternate between them.
    const created = await a!.inject({ method: 'POST', url: '/v1/users', headers: bearer(ag.tenant.token), payload: { email: `${uniq('r')}@scale.test`, name: 'Robin Recruiter', role: 'recruiter', password: PASSWORD } });
    expect(created.statusCode, created.body).toBe(201);
    const email = (JSON.parse(created.body) as { email: string }).email;
    const signIn = await b!.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: ag.tenant.slug, email, password: PASSWORD } });
    const user = json<Schemas['TokenResponse']>(signIn as never);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 20; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => ((i + j) % 2 ? a! : b!).inject({ url: '/v1/me', headers: bearer(user.accessToken) })));
      statuses.push(...batch.map((r) => r.statusCode));
    }
    const ok = statuses.filter((s) => s === 200).length;
    // Never more than the limit; slots leased by a process and unused may refuse a few early.
    expect(ok).toBeLessThanOrEqual(LIMIT);
    expect(ok).toBeGreaterThan(LIMIT * 0.9);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(statuses.at(-1)).toBe(429);

    // A sign-out through one API is refused by the other within a second.
    const other = json<Schemas['TokenResponse']>((await a!.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: ag.tenant.slug, email, password: PASSWORD } })) as never);
    expect((await b!.inject({ url: '/v1/candidates', headers: bearer(ag.tenant.token) })).statusCode).toBe(200);
    expect((await a!.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: other.refreshToken } })).statusCode).toBe(204);
    await vi.waitFor(async () => expect((await b!.inject({ url: '/v1/employers', headers: bearer(other.accessToken) })).statusCode).toBe(401), { timeout: 1_000, interval: 20 });

    // Due emails and events through both APIs; two workers take them.
    const ids = await laterEmails(stack, a!, ag.tenant, 30);
    const writes = await Promise.all([...ids.map((id, i) => sendNow(i % 2 ? a! : b!, ag.tenant, id)), ...Array.from({ length: 10 }, (_, i) => newEmployer(i % 2 ? a! : b!, ag.tenant))]);
    for (const w of writes) expect(w.statusCode, w.body).toBeLessThan(300);
    expect(await everyEmailOnce(stack, ids, { timeoutMs: 60_000 }), 'no worker died: nothing is uncertain').toEqual([]);
    expect(await everyWebhookDelivered(stack, ag, { timeoutMs: 60_000, exactlyOnce: true })).toBeGreaterThan(10);
    expect(serverErrors(stack.answers)).toEqual([]);
  }, 150_000);
});
