import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { agency, everyEmailOnce, everyWebhookDelivered, laterEmails, newEmployer, passDeadlines, sendNow } from './invariants.js';
import { chaosStack, serverErrors, type AfterviewProcess, type ChaosStack } from './stack.js';

/**
 * Chaos (a): Redis loses everything while recruiters work, twice: a FLUSHALL in the middle of a
 * burst of due emails and webhooks, then Redis stopped and, after a while of writes without it,
 * started again empty. The API and the worker are processes of their own, never restarted.
 */
let stack: ChaosStack;
let api: AfterviewProcess;
let worker: AfterviewProcess;

beforeAll(async () => {
  stack = await chaosStack('redis');
  [api, worker] = await Promise.all([stack.startProcess('api'), stack.startProcess('worker')]);
}, 150_000);
afterAll(async () => stack?.close());

describe('chaos: Redis flushed, then stopped and started empty', () => {
  it('writes keep succeeding, every due email and webhook arrives exactly once, no request gets a 500', async () => {
    const http = stack.client(() => api.address);
    const a = await agency(stack, http, '/redis');
    const ids = await laterEmails(stack, http, a.tenant, 40);
    const phase = async (from: number) => {
      const writes = await Promise.all([...ids.slice(from, from + 10).map((id) => sendNow(http, a.tenant, id)), ...[1, 2, 3].map(() => newEmployer(http, a.tenant))]);
      // Writes succeed whatever Redis is doing: PostgreSQL is the truth.
      for (const w of writes) expect(w.statusCode, w.body).toBeLessThan(300);
    };
    const arrived = (from: number) => ids.slice(from, from + 10).filter((id) => stack.sink.messageIds().includes(`<fu-${id}@afterview>`)).length;

    // 1. A burst, and FLUSHALL in the middle of it.
    await phase(0);
    await vi.waitFor(() => expect(arrived(0)).toBeGreaterThanOrEqual(3), { timeout: 30_000, interval: 20 });
    const client = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1 });
    await client.flushall();
    client.disconnect();
    // 2. Redis empty: the next burst.
    await phase(10);
    // 3. Redis stopped: writes still succeed, and what falls due still goes out, from PostgreSQL.
    await stack.stopRedis();
    await phase(20);
    await vi.waitFor(() => expect(arrived(20)).toBe(10), { timeout: 30_000, interval: 50 });
    // 4. Redis back, empty.
    await stack.startRedis();
    await phase(30);

    expect(await everyEmailOnce(stack, ids, { timeoutMs: 60_000 }), 'no worker died: nothing is uncertain').toEqual([]);
    await everyWebhookDelivered(stack, a, { timeoutMs: 60_000, exactlyOnce: true, poll: passDeadlines(stack, worker, { claimed: false }) });
    expect(serverErrors(stack.answers)).toEqual([]);
    expect(stack.answers.filter((x) => x.status >= 500)).toEqual([]);
  }, 150_000);
});
