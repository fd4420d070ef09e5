import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed, vi } from 'vitest';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { Webhook } from 'standardwebhooks';
import { SMTPServer } from 'smtp-server';
import { createDeps, type Deps } from '../../src/deps.js';
import { startWorkers, type RunningWorkers } from '../../src/jobs/worker.js';
import { fixedClock } from '../../src/lib/clock.js';
import { RETRY_SCHEDULE_MS } from '../../src/modules/webhooks/webhooks.send.js';
import { REQUEUE_AFTER_MS } from '../../src/modules/webhooks/webhooks.outbox.js';
import { ATTEMPT_JOB_OPTIONS, attemptJobId } from '../../src/modules/webhooks/webhooks.jobs.js';
import { bearer, createTestApp, newTenant, uniq, type Schemas, type TestApp, type TestTenant } from '../helpers/app.js';
import { testConfig } from '../helpers/env.js';
import { startReceiver, type Receiver } from './receiver.js';
import { adminPool } from '../helpers/db.js';
import { freePort, startRedis } from '../helpers/redisServer.js';

// Each test starts the clock at the real time, so that standardwebhooks (which checks the timestamp
// against the machine's clock, 5 minutes either way) verifies the first attempts; tests move it on.
const realNow = () => new Date(Math.floor(Date.now() / 1000) * 1000);
const clock = fixedClock(realNow());
beforeEach(() => clock.set(realNow()));
const prefix = `afterview-wh-${process.pid}`;
const mails: { to: string[]; body: string }[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body: Buffer.concat(chunks).toString('utf8') });
      callback();
    });
  },
});

let env: Record<string, string>;
let t: TestApp;
let receiver: Receiver;
let workers: { deps: Deps; running: RunningWorkers }[] = [];

async function startWorkerSet(overrides: Record<string, string> = {}) {
  const deps = createDeps(testConfig({ ...env, ...overrides }), { clock });
  // The worker as deployed: its own concurrency per queue.
  const running = await startWorkers(deps, { relay: true });
  const set = { deps, running };
  workers.push(set);
  return set;
}
async function stopWorkerSet(set: { deps: Deps; running: RunningWorkers }) {
  workers = workers.filter((w) => w !== set);
  await set.running.close();
  await set.deps.close();
}
/** The BullMQ job of a delivery's try, if one is queued (a job is named after its first try). */
const queuedTry = (deliveryId: string, attempt: number) => t.deps.queues.get('webhooks').getJob(attemptJobId(deliveryId, attempt));
/** The tries stored in webhook_attempts for a delivery (its latest is on the delivery row). */
const attemptRows = async (deliveryId: string) =>
  (await adminPool().query('SELECT attempt, status_code FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt', [deliveryId])).rows;
/** One relay and sweep pass of every running worker set. */
const kick = () => Promise.all(workers.map((w) => w.running.relay!.kick()));

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  env = {
    QUEUE_PREFIX: prefix,
    WEBHOOK_TIMEOUT_MS: '400',
    WEBHOOK_POLL_MS: '100',
    SHUTDOWN_GRACE_MS: '2000',
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
  };
  t = await createTestApp({ clock, env });
  receiver = await startReceiver();
  await startWorkerSet();
});

afterAll(async () => {
  for (const w of [...workers]) await stopWorkerSet(w);
  await t.deps.queues.get('webhooks').obliterate({ force: true });
  await t.close();
  await receiver.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

type Endpoint = Schemas['WebhookEndpointWithSecret'];
type Delivery = Schemas['WebhookDeliveryDetail'];

function client(tenant: TestTenant) {
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url, headers: bearer(tenant.token), ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.statusCode === 204 ? undefined : res.json();
  };
  return {
    endpoint: async (path: string, eventTypes: string[] = ['employer.created']) =>
      (await call('POST', '/v1/webhook-endpoints', { url: receiver.url(path), eventTypes })) as Endpoint,
    /** An employer.created event. */
    event: async (name = uniq('Employer')) => (await call('POST', '/v1/employers', { name })) as { id: string },
    deliveries: async (endpointId: string) =>
      ((await call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`)) as { data: Schemas['WebhookDelivery'][] }).data,
    delivery: async (endpointId: string, id: string) => (await call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries/${id}`)) as Delivery,
    get: async (endpointId: string) => (await call('GET', `/v1/webhook-endpoints/${endpointId}`)) as Schemas['WebhookEndpoint'],
    call,
  };
}

const waitFor = <T>(fn: () => Promise<T> | T, timeout = 8_000) => vi.waitFor(fn, { timeout, interval: 20 });

async function onlyDelivery(api: ReturnType<typeof client>, endpointId: string, check: (d: Delivery) => boolean) {
  return waitFor(async () => {
    const list = await api.deliveries(endpointId);
    expect(list).toHaveLength(1);
    const d = await api.delivery(endpointId, list[0]!.id);
    expect(check(d), JSON.stringify(d)).toBe(true);
    return d;
  });
}

describe('delivering events (Standard Webhooks)', () => {
  it('when an event commits, then the endpoint receives it signed, and an independent verifier accepts it', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    const ep = await api.endpoint('/signed');
    const employer = await api.event('Lincoln Elementary');
    await waitFor(() => expect(receiver.at('/signed')).toHaveLength(1));
    const got = receiver.at('/signed')[0]!;
    const payload = new Webhook(ep.secret).verify(got.body, got.headers as Record<string, string>) as Record<string, any>;
    expect(payload).toMatchObject({ type: 'employer.created', version: 1, tenantId: tenant.tenantId, data: { employerId: employer.id } });
    expect(got.headers['webhook-id']).toBe(payload.id);
    expect(got.headers['webhook-timestamp']).toBe(String(Math.floor(clock.now().getTime() / 1000)));
    expect(got.headers['content-type']).toBe('application/json');
    // A wrong secret does not verify.
    expect(() => new Webhook('whsec_' + Buffer.alloc(32, 7).toString('base64')).verify(got.body, got.headers as Record<string, string>)).toThrow();
    const d = await onlyDelivery(api, ep.id, (x) => x.status === 'succeeded');
    expect(d).toMatchObject({ attempts: 1, lastStatusCode: 200, eventType: 'employer.created', eventId: payload.id });
    expect(d.attemptLog).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, responseExcerpt: 'ok', error: null })]);
    // A delivery that succeeds at once keeps its one try on its own row: no attempt row is written.
    expect(await attemptRows(d.id)).toEqual([]);
  });

  it('when the receiver answers 500 three times then 200, then it gets the event four times with one webhook-id, at the schedule’s gaps', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    receiver.answer('/retry', [500, 500, 500, 200]);
    const ep = await api.endpoint('/retry');
    await api.event();
    for (let n = 1; n <= 3; n++) {
      const d = await onlyDelivery(api, ep.id, (x) => x.attemptLog.length === n && x.nextAttemptAt !== null);
      expect(d.status).toBe('pending');
      const last = d.attemptLog.at(-1)!;
      expect(last).toMatchObject({ attempt: n, statusCode: 500, error: 'HTTP 500' });
      // The gap is the schedule's, within its ±10 % jitter.
      const gap = Date.parse(d.nextAttemptAt!) - Date.parse(last.attemptedAt);
      const base = RETRY_SCHEDULE_MS[n - 1]!;
      expect(gap).toBeGreaterThanOrEqual(base * 0.9);
      expect(gap).toBeLessThanOrEqual(base * 1.1);
      // Just before the time, a pass sends nothing; at the time, the next try goes out.
      clock.set(new Date(Date.parse(d.nextAttemptAt!) - 1));
      await kick();
      expect(await queuedTry(d.id, n + 1), 'no try queued before its time').toBeUndefined();
      expect(receiver.at('/retry')).toHaveLength(n);
      clock.set(d.nextAttemptAt!);
      await kick();
      await waitFor(() => expect(receiver.at('/retry')).toHaveLength(n + 1));
    }
    const done = await onlyDelivery(api, ep.id, (x) => x.status === 'succeeded');
    expect(done.attempts).toBe(4);
    expect(done.attemptLog.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
    // The three failed tries moved to the attempt log as each next one was recorded; the last stays on the delivery.
    expect(await attemptRows(done.id)).toEqual([
      { attempt: 1, status_code: 500 },
      { attempt: 2, status_code: 500 },
      { attempt: 3, status_code: 500 },
    ]);
    const ids = new Set(receiver.at('/retry').map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBe(done.eventId);
  });

  it('when the receiver answers 429 with Retry-After, then the next try waits at least that long', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    receiver.answer('/busy', [{ status: 429, headers: { 'retry-after': '120' } }]);
    const ep = await api.endpoint('/busy');
    await api.event();
    const d = await onlyDelivery(api, ep.id, (x) => x.attemptLog.length === 1 && x.nextAttemptAt !== null);
    expect(Date.parse(d.nextAttemptAt!) - Date.parse(d.attemptLog[0]!.attemptedAt)).toBeGreaterThanOrEqual(120_000);
  });

  it('when the receiver answers 503 with Retry-After as an HTTP date, then the next try waits until then', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    const until = new Date(Math.floor(clock.now().getTime() / 1000) * 1000 + 3 * 3_600_000);
    receiver.answer('/unavailable', [{ status: 503, headers: { 'retry-after': until.toUTCString() } }]);
    const ep = await api.endpoint('/unavailable');
    await api.event();
    const d = await onlyDelivery(api, ep.id, (x) => x.attemptLog.length === 1 && x.nextAttemptAt !== null);
    // Three hours, not the schedule's 5 s.
    expect(Date.parse(d.nextAttemptAt!)).toBeGreaterThanOrEqual(until.getTime() - 1_000);
  });

  it('when every try fails, then after the 8th the delivery is failed and nothing more is queued', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    receiver.answer('/down', Array.from({ length: 9 }, () => 500));
    const ep = await api.endpoint('/down');
    await api.event();
    for (let n = 1; n < 8; n++) {
      const d = await onlyDelivery(api, ep.id, (x) => x.attemptLog.length === n && x.nextAttemptAt !== null);
      clock.set(d.nextAttemptAt!);
      await kick();
    }
    const d = await onlyDelivery(api, ep.id, (x) => x.status === 'failed');
    expect(d).toMatchObject({ attempts: 8, nextAttemptAt: null });
    expect(d.attemptLog.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    clock.set(new Date(clock.now().getTime() + 48 * 3_600_000));
    await kick();
    expect(await queuedTry(d.id, 9)).toBeUndefined();
    expect(receiver.at('/down')).toHaveLength(8);
  });

  it('when the receiver answers 410 Gone, then the endpoint is disabled and later events are not sent to it', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    receiver.answer('/gone', [410]);
    const ep = await api.endpoint('/gone');
    await api.event();
    await onlyDelivery(api, ep.id, (x) => x.status === 'failed' && x.lastStatusCode === 410);
    await waitFor(async () => expect(await api.get(ep.id)).toMatchObject({ status: 'disabled', disabledReason: 'The receiver answered 410 Gone' }));
    await api.event();
    await kick();
    await kick();
    expect(receiver.at('/gone')).toHaveLength(1);
    expect(await api.deliveries(ep.id)).toHaveLength(1);
  });

  it('when the receiver is slower than the timeout, then the try fails as a timeout and is retried', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    receiver.answer('/slow', [{ status: 200, delayMs: 2_000 }]);
    const ep = await api.endpoint('/slow');
    await api.event();
    const d = await onlyDelivery(api, ep.id, (x) => x.attempts === 1 && x.status === 'pending' && x.lastError !== null);
    expect(d.attemptLog[0]).toMatchObject({ statusCode: null, error: 'No answer within 400 ms' });
  });

  it('when more tries wait for one receiver than it has connections, then waiting for a connection is not counted in their timeout', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    // Over twice the 50 connections a worker keeps per endpoint, each answered in half the 400 ms
    // timeout: the last ones wait two answers' time for a connection, which a deadline counted
    // from the start of the batch charged to the receiver.
    const n = 110;
    receiver.answer('/crowded', Array.from({ length: n }, () => ({ status: 200, delayMs: 200 })));
    const ep = await api.endpoint('/crowded');
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/pause`);
    for (let i = 0; i < n; i++) await api.event();
    const counts = async () =>
      (
        await adminPool().query<{ all: number; ok: number; tries: number }>(
          "SELECT count(*)::int AS all, count(*) FILTER (WHERE status = 'succeeded')::int AS ok, sum(attempts)::int AS tries FROM webhook_deliveries WHERE endpoint_id = $1",
          [ep.id],
        )
      ).rows[0]!;
    await waitFor(async () => expect((await counts()).all).toBe(n));
    // Resuming sends what waited, all in one job.
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/resume`);
    await waitFor(async () => expect(await counts()).toEqual({ all: n, ok: n, tries: n }), 15_000);
    expect(receiver.at('/crowded')).toHaveLength(n);
  });

  it('when the receiver redirects, then the redirect is not followed and the try fails', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    receiver.answer('/moved', [{ status: 302, headers: { location: receiver.url('/target') } }]);
    const ep = await api.endpoint('/moved');
    await api.event();
    const d = await onlyDelivery(api, ep.id, (x) => x.attempts === 1 && x.lastStatusCode === 302);
    expect(d.attemptLog[0]).toMatchObject({ statusCode: 302, error: 'Redirect 302 not followed' });
    expect(receiver.at('/target')).toHaveLength(0);
  });

  it('when a stored URL points at a refused address, then the send is refused again before any connection', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    const ep = await api.endpoint('/ssrf');
    // As if the row had been written before the guard existed, or by hand.
    await adminPool().query("UPDATE webhook_endpoints SET url = 'http://10.0.0.1/internal' WHERE id = $1", [ep.id]);
    await api.event();
    const d = await onlyDelivery(api, ep.id, (x) => x.attempts === 1 && x.lastError !== null);
    expect(d.attemptLog[0]).toMatchObject({ statusCode: null, error: 'The endpoint resolves to an address that is not allowed' });
  });

  it('when the secret is rotated, then both secrets sign for 24 hours, then only the new one', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    const ep = await api.endpoint('/rotate');
    const rotated = (await api.call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`)) as Schemas['RotatedWebhookSecret'];
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(ep.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt) - clock.now().getTime()).toBe(24 * 3_600_000);
    await api.event();
    await waitFor(() => expect(receiver.at('/rotate')).toHaveLength(1));
    const got = receiver.at('/rotate')[0]!;
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [ep.secret, rotated.secret]) new Webhook(secret).verify(got.body, got.headers as Record<string, string>);

    clock.advance(24 * 3_600_000 + 1);
    await api.event();
    await waitFor(() => expect(receiver.at('/rotate')).toHaveLength(2));
    expect(String(receiver.at('/rotate')[1]!.headers['webhook-signature']).split(' ')).toHaveLength(1);

    // Two rotations within a day: the two latest sign, the first no longer does. (Back to the real
    // time, which standardwebhooks checks the timestamp against.)
    clock.set(realNow());
    const second = (await api.call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`)) as Schemas['RotatedWebhookSecret'];
    const third = (await api.call('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`)) as Schemas['RotatedWebhookSecret'];
    await api.event();
    await waitFor(() => expect(receiver.at('/rotate')).toHaveLength(3));
    const last = receiver.at('/rotate')[2]!;
    expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [second.secret, third.secret]) new Webhook(secret).verify(last.body, last.headers as Record<string, string>);
    expect(() => new Webhook(rotated.secret).verify(last.body, last.headers as Record<string, string>)).toThrow();
  });

  it('when a delivery failed, then redeliver and recover send it again with the same webhook-id', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    receiver.answer('/again', [410]);
    const ep = await api.endpoint('/again');
    await api.event();
    const failed = await onlyDelivery(api, ep.id, (x) => x.status === 'failed');
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/resume`);
    const again = (await api.call('POST', `/v1/webhook-endpoints/${ep.id}/deliveries/${failed.id}/redeliver`)) as Schemas['WebhookDelivery'];
    expect(again.status).toBe('pending');
    await onlyDelivery(api, ep.id, (x) => x.status === 'succeeded' && x.attempts === 2);

    // Recover: fail it again (410 disables), resume, recover everything since before it.
    receiver.answer('/again', [410]);
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/deliveries/${failed.id}/redeliver`);
    await onlyDelivery(api, ep.id, (x) => x.status === 'failed' && x.attempts === 3);
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/resume`);
    const recovered = await api.call('POST', `/v1/webhook-endpoints/${ep.id}/recover`, { since: new Date(clock.now().getTime() - 3_600_000).toISOString() });
    expect(recovered).toEqual({ redelivering: 1 });
    await onlyDelivery(api, ep.id, (x) => x.status === 'succeeded' && x.attempts === 4);
    expect(new Set(receiver.at('/again').map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(receiver.at('/again')).toHaveLength(4);
  });

  it('when a paused endpoint is resumed, then what waited goes out; the test event reaches only that endpoint', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    const ep = await api.endpoint('/paused');
    const other = await api.endpoint('/other', ['*']);
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/pause`);
    await api.event();
    await waitFor(() => expect(receiver.at('/other').filter((r) => r.body.includes('employer.created'))).toHaveLength(1));
    await kick();
    const [waiting] = await api.deliveries(ep.id);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await queuedTry(waiting!.id, 1), 'nothing queued for a paused endpoint').toBeUndefined();
    expect(receiver.at('/paused')).toHaveLength(0);
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/resume`);
    await waitFor(() => expect(receiver.at('/paused')).toHaveLength(1));

    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/test`);
    await waitFor(() => expect(receiver.at('/paused')).toHaveLength(2));
    expect(JSON.parse(receiver.at('/paused')[1]!.body)).toMatchObject({ type: 'webhook.test', data: { endpointId: ep.id } });
    await kick();
    expect(receiver.at('/other').filter((r) => r.body.includes('webhook.test'))).toHaveLength(0);
  });

  it('when a job of tries fails, then the sweep can queue the same tries again under the same job id', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    const ep = await api.endpoint('/after-failed-job');
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/pause`);
    await api.event();
    const waiting = await waitFor(async () => {
      const [d] = await api.deliveries(ep.id);
      expect(d).toBeDefined();
      return d!;
    });
    // A job under the id the sweep will use fails in the worker (here: a payload it refuses), with
    // the options every job of tries has.
    const queue = t.deps.queues.get('webhooks');
    const jobId = attemptJobId(waiting.id, 1);
    await queue.add('webhooks.attempt', { tenantId: tenant.tenantId, tries: [] }, { jobId, ...ATTEMPT_JOB_OPTIONS });
    await waitFor(async () => {
      const job = await queue.getJob(jobId);
      expect(job === undefined || (await job.getState()) === 'failed').toBe(true);
    });
    // Resuming hands the waiting try to the sweep, which queues it as wh-<delivery>-1 again.
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/resume`);
    await waitFor(() => expect(receiver.at('/after-failed-job')).toHaveLength(1));
  });

  it('when one job holds tries of different numbers, as the sweep queues them, then each is claimed and sent', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    receiver.answer('/mixed', [500]);
    const ep = await api.endpoint('/mixed');
    await api.event('First');
    const failed = await onlyDelivery(api, ep.id, (d) => d.attemptLog.length === 1 && d.status === 'pending');
    // A second event while the endpoint is paused: its delivery waits for its first try.
    await api.call('POST', `/v1/webhook-endpoints/${ep.id}/pause`);
    await api.event('Second');
    const waiting = await waitFor(async () => {
      const list = (await api.deliveries(ep.id)).filter((d) => d.id !== failed.id);
      expect(list).toHaveLength(1);
      return list[0]!;
    });
    // Try 1 of one delivery and try 2 of the other, both due and marked queued (the sweep leaves them).
    const now = clock.now();
    await adminPool().query("UPDATE webhook_endpoints SET status = 'active' WHERE id = $1", [ep.id]);
    await adminPool().query('UPDATE webhook_deliveries SET next_attempt_at = $2, queued_at = $3 WHERE id = ANY($1::uuid[])', [
      [waiting.id, failed.id],
      new Date(now.getTime() - 1_000),
      now,
    ]);
    await t.deps.queues.get('webhooks').add(
      'webhooks.attempt',
      { tenantId: tenant.tenantId, endpointId: ep.id, tries: [{ deliveryId: waiting.id, attempt: 1 }, { deliveryId: failed.id, attempt: 2 }] },
      // An id of its own: the relay's finished job wh-<delivery>-1 may still be kept a moment.
      { jobId: `wh-mixed-${waiting.id}`, ...ATTEMPT_JOB_OPTIONS },
    );
    await waitFor(() => expect(receiver.at('/mixed')).toHaveLength(3));
    // Recorded once the answers are in.
    await waitFor(async () => {
      expect((await api.delivery(ep.id, waiting.id)).status).toBe('succeeded');
      expect(await api.delivery(ep.id, failed.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    });
  });

  it('when an endpoint has failed for 5 days in a row, then it is disabled and the agency’s admins are emailed', async () => {
    const tenant = await newTenant(t.app);
    const api = client(tenant);
    receiver.answer('/down', Array.from({ length: 10 }, () => 500));
    const ep = await api.endpoint('/down');
    await api.event();
    await onlyDelivery(api, ep.id, (x) => x.attemptLog.length === 1);
    clock.advance(5 * 86_400_000);
    await api.event();
    await waitFor(async () => expect(await api.get(ep.id)).toMatchObject({ status: 'disabled', disabledReason: 'Every delivery failed for 5 days' }));
    await waitFor(() => expect(mails.filter((m) => m.to.includes(tenant.ownerEmail))).toHaveLength(1));
    // The body is quoted-printable: undo its soft line breaks.
    expect(mails.find((m) => m.to.includes(tenant.ownerEmail))!.body.replace(/=\r?\n/g, '')).toContain(receiver.url('/down'));
  });
});

describe('exactly once, across relays and Redis outages', () => {
  it('when no poll is due, then LISTEN/NOTIFY alone wakes the relay as an event commits', async () => {
    for (const w of [...workers]) await stopWorkerSet(w);
    // Polling once a minute (the most allowed): only the notification brings the event out within
    // the 5 s waited below.
    const quiet = await startWorkerSet({ WEBHOOK_POLL_MS: '60000' });
    try {
      await quiet.running.relay!.kick();
      await waitFor(() => expect(quiet.running.relay!.listening).toBe(true));
      const tenant = await newTenant(t.app);
      const api = client(tenant);
      await api.endpoint('/notified');
      await api.event('Notified Elementary');
      await waitFor(() => expect(receiver.at('/notified')).toHaveLength(1), 5_000);
    } finally {
      await stopWorkerSet(quiet);
      await startWorkerSet();
    }
  });

  it('when two relays and two workers run at once, then each event reaches each endpoint exactly once', async () => {
    const second = await startWorkerSet();
    try {
      const tenant = await newTenant(t.app);
      const api = client(tenant);
      await api.endpoint('/twice-a');
      await api.endpoint('/twice-b');
      const n = 30;
      await Promise.all(Array.from({ length: n }, (_, i) => api.event(`School ${i}`)));
      await waitFor(() => {
        expect(receiver.at('/twice-a')).toHaveLength(n);
        expect(receiver.at('/twice-b')).toHaveLength(n);
      }, 15_000);
      await kick();
      for (const path of ['/twice-a', '/twice-b']) {
        expect(new Set(receiver.at(path).map((r) => r.headers['webhook-id'])).size).toBe(n);
        expect(receiver.at(path)).toHaveLength(n);
      }
    } finally {
      await stopWorkerSet(second);
    }
  });

  it('when Redis is stopped while events are created and then restarted, then every event is delivered once per endpoint', async () => {
    // Our own Redis, so the shared one is never stopped; the other worker set stops first.
    // Where it got to, printed only if the test fails (it runs beside the whole suite in CI).
    const steps: string[] = [];
    const step = (what: string) => steps.push(`${new Date().toISOString()} ${what}`);
    onTestFailed(() => console.error(`Redis outage test steps:\n${steps.join('\n')}`));
    step('stopping the shared worker set');
    for (const w of [...workers]) await stopWorkerSet(w);
    step('stopped');
    const port = await freePort();
    let redis = await startRedis(port);
    const set = await startWorkerSet({ REDIS_URL: `redis://127.0.0.1:${port}`, QUEUE_PREFIX: `${prefix}-own` });
    try {
      const tenant = await newTenant(t.app);
      const api = client(tenant);
      await api.endpoint('/outage-a');
      await api.endpoint('/outage-b');
      await api.event('Before the outage');
      await waitFor(() => expect(receiver.at('/outage-a')).toHaveLength(1));

      step('killing redis');
      redis.kill('SIGKILL');
      await once(redis, 'exit');
      step('killed');
      const n = 10;
      for (let i = 0; i < n; i++) await api.event(`During the outage ${i}`);
      await set.running.relay!.kick();
      expect(receiver.at('/outage-a')).toHaveLength(1);

      step('restarting redis');
      redis = await startRedis(port);
      step('restarted');
      // A try handed to the old Redis just before it died is lost with it: the sweep queues it
      // again once it has waited REQUEUE_AFTER_MS. Time passes.
      clock.advance(REQUEUE_AFTER_MS + 1);
      await waitFor(() => {
        expect(receiver.at('/outage-a')).toHaveLength(n + 1);
        expect(receiver.at('/outage-b')).toHaveLength(n + 1);
      }, 30_000);
      for (const path of ['/outage-a', '/outage-b']) {
        expect(new Set(receiver.at(path).map((r) => r.headers['webhook-id'])).size).toBe(n + 1);
      }
      step('all delivered');
    } finally {
      step('stopping the private worker set');
      await stopWorkerSet(set);
      step('stopped it');
      redis.kill('SIGKILL');
    }
  }, 60_000);
});
