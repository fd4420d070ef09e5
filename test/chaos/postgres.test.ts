import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { agency, everyEmailOnce, everyWebhookDelivered, laterEmails, passClaimLease, passDeadlines, recruitersAtWork } from './invariants.js';
import { chaosStack, serverErrors, type AfterviewProcess, type ChaosStack } from './stack.js';

/**
 * Chaos (b): PostgreSQL drops every connection of the app (pg_terminate_backend, as a failover or
 * an admin does), three times, while recruiters work and a burst of due emails and webhooks goes
 * out. Requests caught by it answer 503 problems a client retries (with its Idempotency-Key);
 * nothing answers 500, and every email and webhook still arrives.
 */
let stack: ChaosStack;
let api: AfterviewProcess;
let worker: AfterviewProcess;

beforeAll(async () => {
  // A write caught by the fault keeps its Idempotency-Key in progress for twice the request
  // timeout (it may have committed): shorter here, so the clients' retries run within seconds.
  stack = await chaosStack('pg', { env: { REQUEST_TIMEOUT_MS: '3000' } });
  [api, worker] = await Promise.all([stack.startProcess('api'), stack.startProcess('worker')]);
}, 150_000);
afterAll(async () => stack?.close());

const terminateAppConnections = async () =>
  (
    await stack.db.admin.query<{ n: number }>(
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'afterview_app'",
    )
  ).rows[0]!.n;

describe('chaos: PostgreSQL backends terminated mid-burst', () => {
  it('no 500 (a 503 problem to retry at most), every email exactly once or shown uncertain, every webhook delivered', async () => {
    const http = stack.client(() => api.address);
    const a = await agency(stack, http, '/pg');
    const ids = await laterEmails(stack, http, a.tenant, 60);
    const work = recruitersAtWork(http, a.tenant, ids);
    await vi.waitFor(() => expect(stack.sink.received.length).toBeGreaterThanOrEqual(10), { timeout: 30_000, interval: 20 });
    let terminated = 0;
    for (let i = 0; i < 3; i++) {
      terminated += await terminateAppConnections();
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(terminated, 'the app had connections to lose').toBeGreaterThan(0);
    await work.allAsked();
    await work.stop();
    expect(serverErrors(stack.answers)).toEqual([]);
    for (const x of stack.answers.filter((r) => r.status === 503)) expect(x.retryAfter, `${x.method} ${x.url}: ${x.body}`).not.toBeNull();
    // Every request, retried as a client retries a 503, ended in a success (a send-now whose first
    // try committed ends in 409 idempotency_answer_lost: it was made).
    expect(work.refused.filter((r) => !r.includes('idempotency_answer_lost'))).toEqual([]);

    const lease = passClaimLease(stack, a.tenant.tenantId, ids);
    try {
      // A send whose claim was cut off waits for its job's retry (a minute on: BullMQ's timer, real time).
      await everyEmailOnce(stack, ids, { timeoutMs: 100_000, poll: lease.poll });
    } finally {
      await lease.close();
    }
    await everyWebhookDelivered(stack, a, { timeoutMs: 60_000, exactlyOnce: false, poll: passDeadlines(stack, worker, { claimed: true }) });
    expect(serverErrors(stack.answers)).toEqual([]);
  }, 180_000);
});
