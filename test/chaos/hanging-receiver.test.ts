import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, type TestTenant } from '../helpers/app.js';
import { agency, everyWebhookDelivered, newEmployer, passDeadlines } from './invariants.js';
import { chaosStack, serverErrors, type AfterviewProcess, type ChaosStack } from './stack.js';

/**
 * Chaos (e): one agency's webhook receiver hangs (takes the connection, never answers) with a
 * backlog of events. Every other endpoint, the same agency's other one and another agency's, gets
 * all of its events while those tries still hang, each exactly once. The hanging endpoint's tries
 * time out (its circuit opens) and go again once it answers; each event reaches it as often as it
 * was tried, and is delivered in the end.
 */
const TIMEOUT_MS = 12_000;
let stack: ChaosStack;
let api: AfterviewProcess;
let worker: AfterviewProcess;

beforeAll(async () => {
  stack = await chaosStack('hang', { env: { WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) } });
  [api, worker] = await Promise.all([stack.startProcess('api'), stack.startProcess('worker')]);
}, 150_000);
afterAll(async () => stack?.close());

/** Tries of the endpoint that failed and were recorded. */
const failed = async (endpointId: string) =>
  (await stack.db.admin.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND last_attempt IS NOT NULL AND status <> 'succeeded'", [endpointId])).rows[0]!.n;

describe('chaos: a hanging webhook receiver', () => {
  it('others get theirs while it hangs, exactly once; its tries time out and go again once it answers', async () => {
    const http = stack.client(() => api.address);
    const s = await agency(stack, http, '/hang');
    // The second endpoint, of the same agency S.
    const second = await http.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: bearer(s.tenant.token), payload: { url: stack.receiver.url('/s-ok'), eventTypes: ['*'] } });
    expect(second.statusCode, second.body).toBe(201);
    const sOk = { tenant: s.tenant, endpointId: (second.json() as { id: string }).id, path: '/s-ok' };
    const f = await agency(stack, http, '/f');

    const burst = async (t: TestTenant, n: number) => {
      for (let i = 0; i < n; i += 10) for (const w of await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => newEmployer(http, t)))) expect(w.statusCode, w.body).toBe(201);
    };
    // S's backlog: 40 events relayed while its endpoint is paused, then all handed out at once on resume.
    const pause = (what: string) => http.inject({ method: 'POST', url: `/v1/webhook-endpoints/${s.endpointId}/${what}`, headers: { ...bearer(s.tenant.token), 'idempotency-key': `${what}-1` } });
    expect((await pause('pause')).statusCode).toBe(200);
    await burst(s.tenant, 40);
    await vi.waitFor(async () => expect((await stack.db.admin.query('SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1', [s.endpointId])).rowCount).toBeGreaterThanOrEqual(40), { timeout: 30_000, interval: 50 });
    // From now on S's receiver takes each request and never answers.
    stack.receiver.answer('/hang', Array.from({ length: 500 }, () => ({ status: 200, delayMs: 120_000 })));
    expect((await pause('resume')).statusCode).toBe(200);
    await vi.waitFor(() => expect(stack.receiver.at('/hang').length).toBeGreaterThanOrEqual(40), { timeout: 30_000, interval: 20 });
    await burst(f.tenant, 20);

    // While S's receiver still holds every try it got (none timed out, none recorded), F's
    // endpoint and S's other one get all of theirs, each once.
    await everyWebhookDelivered(stack, f, { timeoutMs: TIMEOUT_MS, exactlyOnce: true });
    await everyWebhookDelivered(stack, sOk, { timeoutMs: TIMEOUT_MS, exactlyOnce: true });
    expect(await failed(s.endpointId), 'the hanging tries were still hanging').toBe(0);

    // They time out, are recorded as such, and open the circuit.
    await vi.waitFor(async () => expect((await http.inject({ url: `/v1/webhook-endpoints/${s.endpointId}`, headers: bearer(s.tenant.token) })).json()).toMatchObject({ circuit: { state: 'open' } }), {
      timeout: 3 * TIMEOUT_MS,
      interval: 100,
    });
    const timedOut = await stack.db.admin.query<{ last_error: string | null; last_status_code: number | null }>(
      "SELECT last_error, last_status_code FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending' AND last_attempt = 1",
      [s.endpointId],
    );
    expect(timedOut.rows.length).toBeGreaterThan(0);
    // No answer: no status code, and the error says why.
    for (const r of timedOut.rows) expect(r).toMatchObject({ last_status_code: null, last_error: expect.any(String) });

    // The receiver answers again; the worker's clock passes the circuit's wait and the retries' time.
    stack.receiver.answer('/hang', []);
    const tries = await everyWebhookDelivered(stack, s, { timeoutMs: 60_000, exactlyOnce: false, poll: passDeadlines(stack, worker, { claimed: false }) });
    expect(tries).toBeGreaterThanOrEqual(40);
    const retried = await stack.db.admin.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND attempts >= 2', [s.endpointId]);
    expect(retried.rows[0]!.n, 'the tries that hung went again').toBeGreaterThanOrEqual(20);
    // Nothing else went again meanwhile.
    await everyWebhookDelivered(stack, f, { timeoutMs: 5_000, exactlyOnce: true });
    await everyWebhookDelivered(stack, sOk, { timeoutMs: 5_000, exactlyOnce: true });
    expect(serverErrors(stack.answers)).toEqual([]);
  }, 150_000);
});
