import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer } from '../helpers/app.js';
import { agency, everyEmailOnce, everyWebhookDelivered, laterEmails, passClaimLease, passDeadlines, sendNow } from './invariants.js';
import { chaosStack, serverErrors, type AfterviewProcess, type ChaosStack } from './stack.js';

/**
 * Chaos (c): the worker process is SIGKILLed in the middle of a burst of due emails, some of them
 * half sent (the SMTP server has their data and has not answered). A new worker process takes
 * over. Every email arrives at most once; each follow-up ends sent (its email arrived exactly
 * once) or `uncertain`, shown so by the API: never resent on its own, never left queued unseen.
 */
let stack: ChaosStack;
let api: AfterviewProcess;
let worker: AfterviewProcess;

beforeAll(async () => {
  stack = await chaosStack('kill');
  [api, worker] = await Promise.all([stack.startProcess('api'), stack.startProcess('worker')]);
}, 150_000);
afterAll(async () => stack?.close());

describe('chaos: worker SIGKILLed mid-burst', () => {
  it('after a new worker starts, every email is at the sink exactly once, except those the API shows uncertain', async () => {
    const http = stack.client(() => api.address);
    const a = await agency(stack, http, '/kill');
    const ids = await laterEmails(stack, http, a.tenant, 60);
    for (let i = 0; i < ids.length; i += 10) {
      const writes = await Promise.all(ids.slice(i, i + 10).map((id) => sendNow(http, a.tenant, id)));
      for (const w of writes) expect(w.statusCode, w.body).toBe(200);
    }
    // Mid-burst: once a quarter has arrived the sink stops answering, so sends are left in flight.
    await vi.waitFor(() => expect(stack.sink.received.length).toBeGreaterThanOrEqual(15), { timeout: 30_000, interval: 10 });
    stack.sink.hold(true);
    const before = stack.sink.received.length;
    await vi.waitFor(() => expect(stack.sink.held).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 5 });
    expect(await worker.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const cutOff = stack.sink.messageIds().slice(before);
    stack.sink.hold(false);
    stack.sink.release();

    const next = await stack.startProcess('worker');
    const lease = passClaimLease(stack, a.tenant.tenantId, ids);
    let uncertain: string[];
    try {
      // The dead worker's jobs come back to the new one once their BullMQ lock lapses (30 s, real time).
      uncertain = await everyEmailOnce(stack, ids, { timeoutMs: 100_000, poll: lease.poll });
    } finally {
      await lease.close();
    }
    // The sends cut off mid-flight are among the uncertain ones, and the API says so, with why.
    for (const m of cutOff) expect(uncertain).toContain(/^<fu-(.+)@afterview>$/.exec(m!)![1]);
    for (const id of uncertain) {
      const res = await http.inject({ url: `/v1/follow-ups/${id}`, headers: bearer(a.tenant.token) });
      expect(res.json()).toMatchObject({ status: 'uncertain', lastError: expect.stringMatching(/^The worker stopped while sending it/) });
    }
    await everyWebhookDelivered(stack, a, { timeoutMs: 60_000, exactlyOnce: false, poll: passDeadlines(stack, next, { claimed: true }) });
    expect(serverErrors(stack.answers)).toEqual([]);
  }, 180_000);
});
