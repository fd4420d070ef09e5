import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeps, type Deps } from '../../src/deps.js';
import { startWorkers, type RunningWorkers } from '../../src/jobs/worker.js';
import { fixedClock } from '../../src/lib/clock.js';
import { CIRCUIT_BASE_MS, CIRCUIT_THRESHOLD } from '../../src/modules/webhooks/webhooks.circuit.js';
import { ENDPOINT_CONNECTIONS } from '../../src/modules/webhooks/webhooks.send.js';
import { bearer, createTestApp, newTenant, uniq, type Schemas, type TestApp, type TestTenant } from '../helpers/app.js';
import { testConfig } from '../helpers/env.js';
import { privateDatabase } from '../helpers/privateDb.js';
import { startReceiver, type Receiver } from './receiver.js';

/**
 * Issue 15, finding 2: one agency's failing webhook receiver must not delay another agency's
 * deliveries, and a failing endpoint is backed off by its circuit breaker. A database of this
 * file's own: the relay and the sweep work across every agency of a database, and the receiver
 * here hangs on purpose (test/webhooks/delivery.test.ts runs the shared database's relay).
 */
const realNow = () => new Date(Math.floor(Date.now() / 1000) * 1000);
const clock = fixedClock(realNow());
const TIMEOUT_MS = 5_000;
let db: Awaited<ReturnType<typeof privateDatabase>>;
let t: TestApp;
let receiver: Receiver;
let workerDeps: Deps;
let workers: RunningWorkers;

beforeAll(async () => {
  db = await privateDatabase('fair');
  const env = {
    ...db.env,
    QUEUE_PREFIX: `afterview-wh-fair-${process.pid}`,
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    WEBHOOK_POLL_MS: '100',
    SHUTDOWN_GRACE_MS: '1000',
  };
  t = await createTestApp({ clock, env });
  receiver = await startReceiver();
  workerDeps = createDeps(testConfig({ ...env, WEBHOOK_RELAY: '1' }), { clock });
  // As deployed: the webhook queue's own concurrency (4 jobs at a time).
  workers = await startWorkers(workerDeps, { relay: true });
}, 60_000);

afterAll(async () => {
  // The hanging requests end with the receiver, so the worker stops at once.
  await receiver?.close();
  await workers?.close();
  await workerDeps?.close();
  await t?.close();
  await db?.drop();
});

function client(tenant: TestTenant) {
  const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url, headers: bearer(tenant.token), ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json();
  };
  return {
    endpoint: async (path: string) => (await call('POST', '/v1/webhook-endpoints', { url: receiver.url(path), eventTypes: ['employer.created'] })) as Schemas['WebhookEndpoint'],
    event: () => call('POST', '/v1/employers', { name: uniq('School') }),
    get: async (id: string) => (await call('GET', `/v1/webhook-endpoints/${id}`)) as Schemas['WebhookEndpoint'],
    call,
  };
}

const kick = () => workers.relay!.kick();
/** Tries of the endpoint that ended and were recorded (the latest is on the delivery row). */
const recorded = async (endpointId: string) =>
  (await db.admin.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND last_attempt IS NOT NULL', [endpointId])).rows[0]!.n;

describe('one agency’s receiver hangs', () => {
  it('another agency’s event, committed after a backlog of hanging ones, arrives while they all still hang', async () => {
    const s = client(await newTenant(t.app));
    const f = client(await newTenant(t.app));
    const hanging = await s.endpoint('/hang');
    receiver.answer('/hang', Array.from({ length: 200 }, () => ({ status: 200, delayMs: 120_000 })));
    // A backlog of more tries than the endpoint has connections, all in one job ...
    await s.call('POST', `/v1/webhook-endpoints/${hanging.id}/pause`);
    for (let i = 0; i < ENDPOINT_CONNECTIONS + 10; i++) await s.event();
    // Relayed while paused; the resume hands them all to one job.
    await kick();
    await s.call('POST', `/v1/webhook-endpoints/${hanging.id}/resume`);
    await kick();
    // ... then events one by one, each its own job, more than the worker runs at once.
    for (let i = 0; i < 8; i++) {
      await s.event();
      await kick();
    }
    await vi.waitFor(() => expect(receiver.at('/hang').length).toBeGreaterThanOrEqual(ENDPOINT_CONNECTIONS), { timeout: 20_000, interval: 20 });

    const fast = await f.endpoint('/fast');
    await f.event();
    // Bounded by the hang: once the first hanging tries time out (5 s) they are recorded.
    await vi.waitFor(() => expect(receiver.at('/fast')).toHaveLength(1), { timeout: 30_000, interval: 20 });
    expect(await recorded(hanging.id), 'F’s event waited for S’s tries to time out').toBe(0);
    await vi.waitFor(async () => expect(await recorded(fast.id)).toBe(1), { timeout: 5_000, interval: 20 });
  }, 60_000);
});

describe('the circuit breaker', () => {
  it(`opens after ${CIRCUIT_THRESHOLD} failed tries in a row: nothing goes until a single probe, which closes it once answered`, async () => {
    const s = client(await newTenant(t.app));
    const flaky = await s.endpoint('/flaky');
    const n = CIRCUIT_THRESHOLD + 2;
    // Every try fails until the second probe.
    receiver.answer('/flaky', Array.from({ length: n + 1 }, () => 500));
    await s.call('POST', `/v1/webhook-endpoints/${flaky.id}/pause`);
    for (let i = 0; i < n; i++) await s.event();
    await kick();
    await s.call('POST', `/v1/webhook-endpoints/${flaky.id}/resume`);
    await kick();
    await vi.waitFor(async () => expect(await recorded(flaky.id)).toBe(n), { timeout: 10_000, interval: 20 });
    const open = (await s.get(flaky.id)).circuit;
    expect(open).toMatchObject({ consecutiveFailures: n, openedAt: clock.now().toISOString() });
    expect(Date.parse(open.retryAt!) - clock.now().getTime()).toBe(CIRCUIT_BASE_MS);
    expect(receiver.at('/flaky')).toHaveLength(n);

    // The deliveries' own retries fall due (5 s), and a new event comes: while open, nothing goes.
    clock.advance(10_000);
    await s.event();
    await kick();
    await kick();
    expect(receiver.at('/flaky')).toHaveLength(n);

    // Half-open: one probe, which fails: open again, for twice as long.
    clock.set(open.retryAt!);
    await kick();
    await vi.waitFor(async () => expect((await s.get(flaky.id)).circuit.consecutiveFailures).toBe(n + 1), { timeout: 10_000, interval: 20 });
    await kick();
    expect(receiver.at('/flaky')).toHaveLength(n + 1);
    const reopened = (await s.get(flaky.id)).circuit;
    expect(reopened.state).toBe('open');
    expect(Date.parse(reopened.retryAt!) - clock.now().getTime()).toBe(2 * CIRCUIT_BASE_MS);

    // The next probe is answered: closed, and everything that waited goes out, each event once.
    clock.set(reopened.retryAt!);
    await kick();
    await vi.waitFor(async () => expect((await s.get(flaky.id)).circuit).toMatchObject({ state: 'closed', consecutiveFailures: 0, retryAt: null }), {
      timeout: 10_000,
      interval: 20,
    });
    // The failed probe's delivery keeps its own schedule (its third try is 5 minutes on).
    clock.advance(6 * 60_000);
    await kick();
    const events = n + 1;
    await vi.waitFor(async () => {
      const ok = await db.admin.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'succeeded'", [flaky.id]);
      expect(ok.rows[0]!.n).toBe(events);
    }, { timeout: 10_000, interval: 50 });
    const answered = receiver.at('/flaky').slice(n + 1);
    expect(new Set(answered.map((r) => r.headers['webhook-id'])).size).toBe(answered.length);
  }, 60_000);
});
