import { expect, vi } from 'vitest';
import { bearer, newTenant, uniq, type TestTenant } from '../helpers/app.js';
import { dueEmails } from '../helpers/dueEmails.js';
import { systemClock } from '../../src/lib/clock.js';
import type { ChaosStack } from './stack.js';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../src/deps.js';
import { REQUEUE_AFTER_MS } from '../../src/modules/webhooks/webhooks.outbox.js';
import { reconcileFollowUps } from '../../src/modules/followups/followups.jobs.js';

/**
 * What every chaos scenario checks once the fault is over, counted where a user would see it: the
 * emails at the SMTP sink, the webhooks at the receiver, the follow-ups through the API's database.
 */

/** An agency of its own, signed up through the API, with an endpoint at the receiver for every event. */
export async function agency(stack: ChaosStack, api: FastifyInstance, path: string) {
  const tenant = await newTenant(api);
  const res = await api.inject({
    method: 'POST',
    url: '/v1/webhook-endpoints',
    headers: bearer(tenant.token),
    payload: { url: stack.receiver.url(path), eventTypes: ['*'] },
  });
  expect(res.statusCode, res.body).toBe(201);
  // The chaos runs on real time in processes of their own (no injected clock to move): a one-second
  // undo window keeps the scenarios within their bounds while every send still waits one.
  const pb = await api.inject({ method: 'PUT', url: '/v1/playbook', headers: bearer(tenant.token), payload: { undoSeconds: 1 } });
  expect(pb.statusCode, pb.body).toBe(200);
  return { tenant, endpointId: (res.json() as { id: string }).id, path };
}

/** `n` email follow-ups of the agency, pending, due a day from now: `sendNow` makes them due. */
export function laterEmails(stack: ChaosStack, api: FastifyInstance, tenant: TestTenant, n: number) {
  return dueEmails({ app: api, deps: { clock: systemClock } }, tenant, n, { db: stack.db.admin, dueAt: new Date(Date.now() + 86_400_000) });
}

/** The recruiter's "send now" on one follow-up: due at once, handed to the worker as it commits. */
export async function sendNow(api: FastifyInstance, tenant: TestTenant, id: string) {
  return api.inject({ method: 'POST', url: `/v1/follow-ups/${id}/send-now`, headers: { ...bearer(tenant.token), 'idempotency-key': uniq('now') }, payload: {} });
}

/** A write that makes an event (so a webhook): a new employer. */
export const newEmployer = (api: FastifyInstance, tenant: TestTenant) =>
  api.inject({ method: 'POST', url: '/v1/employers', headers: { ...bearer(tenant.token), 'idempotency-key': uniq('emp') }, payload: { name: uniq('School') } });

const statuses = async (stack: ChaosStack, ids: string[]) =>
  new Map((await stack.db.admin.query<{ id: string; status: string }>('SELECT id, status FROM follow_ups WHERE id = ANY($1::uuid[])', [ids])).rows.map((r) => [r.id, r.status]));

/**
 * Waits until none of the follow-ups is pending or queued (`poll` runs first each time: a sweep by
 * hand), then: each one `sent` arrived at the sink exactly once; each `uncertain` at most once;
 * nothing else arrived. Returns the uncertain ones.
 */
export async function everyEmailOnce(stack: ChaosStack, ids: string[], opts: { timeoutMs: number; poll?: () => Promise<unknown> }): Promise<string[]> {
  let last = new Map<string, string>();
  await vi.waitFor(
    async () => {
      await opts.poll?.();
      last = await statuses(stack, ids);
      expect([...last.values()].filter((s) => s === 'pending' || s === 'queued'), 'follow-ups still pending or queued').toEqual([]);
    },
    { timeout: opts.timeoutMs, interval: 250 },
  ).catch(async (err: Error) => {
    const open = await stack.db.admin.query('SELECT id, status, attempts, due_at, claimed_until, last_error, updated_at FROM follow_ups WHERE id = ANY($1::uuid[]) AND status IN ($2, $3)', [ids, 'pending', 'queued']);
    console.error(`follow-ups left:\n${JSON.stringify(open.rows, null, 1)}\n${stack.troubles().slice(-40).join('\n')}`);
    throw err;
  });
  const times = new Map<string, number>();
  for (const m of stack.sink.messageIds()) times.set(m!, (times.get(m!) ?? 0) + 1);
  const wanted = new Set(ids.map((id) => `<fu-${id}@afterview>`));
  expect([...times.keys()].filter((m) => !wanted.has(m)), 'emails nobody asked for').toEqual([]);
  const uncertain: string[] = [];
  for (const id of ids) {
    const n = times.get(`<fu-${id}@afterview>`) ?? 0;
    const status = last.get(id);
    if (status === 'uncertain') {
      uncertain.push(id);
      expect(n, `uncertain ${id} arrived`).toBeLessThanOrEqual(1);
    } else {
      expect({ id, status, arrived: n }).toEqual({ id, status: 'sent', arrived: 1 });
    }
  }
  return uncertain;
}

/**
 * Waits until every event of the agency is relayed to the endpoint and its delivery succeeded,
 * then counts the arrivals at the receiver per webhook-id (the event id): with `exactlyOnce`, each
 * arrived once; without, at least once and at most as often as its delivery was tried (a try whose
 * answer could not be recorded goes again: webhooks are at least once, docs/webhooks.md).
 * Returns the events' count.
 */
export async function everyWebhookDelivered(
  stack: ChaosStack,
  a: { tenant: TestTenant; endpointId: string; path: string },
  opts: { timeoutMs: number; exactlyOnce: boolean; poll?: () => Promise<unknown> },
): Promise<number> {
  type Row = { wid: string; status: string; attempts: number };
  let rows: Row[] = [];
  await vi.waitFor(
    async () => {
      await opts.poll?.();
      const unrelayed = await stack.db.admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events e JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.id = $1
         WHERE e.created_at >= w.created_at AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.endpoint_id = w.id)`,
        [a.endpointId],
      );
      expect(unrelayed.rows[0]!.n, 'events not relayed').toBe(0);
      rows = (
        await stack.db.admin.query<Row>(
          `SELECT e.payload->>'id' AS wid, d.status, d.attempts FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.endpoint_id = $1`,
          [a.endpointId],
        )
      ).rows;
      expect(rows.filter((r) => r.status !== 'succeeded').map((r) => `${r.wid} ${r.status}`), 'deliveries not succeeded').toEqual([]);
    },
    { timeout: opts.timeoutMs, interval: 250 },
  );
  const arrivals = new Map<string, number>();
  for (const r of stack.receiver.at(a.path)) {
    const id = String(r.headers['webhook-id']);
    arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
  }
  const known = new Set(rows.map((r) => r.wid));
  expect([...arrivals.keys()].filter((id) => !known.has(id)), 'webhooks of no delivery').toEqual([]);
  for (const r of rows) {
    const arrived = arrivals.get(r.wid) ?? 0;
    if (opts.exactlyOnce) expect({ webhookId: r.wid, arrived }).toEqual({ webhookId: r.wid, arrived: 1 });
    // A try whose claim committed but whose connection went before the request was sent never arrived.
    else expect({ webhookId: r.wid, arrived, inTries: arrived >= 1 && arrived <= r.attempts }).toEqual({ webhookId: r.wid, arrived, inTries: true });
  }
  return rows.length;
}

/**
 * A poll for everyWebhookDelivered after a fault that leaves tries waiting on a deadline: a try
 * handed to Redis and lost there waits REQUEUE_AFTER_MS (by the worker's clock) before the sweep
 * queues it again; a try whose answer could not be recorded (PostgreSQL dropped the connection)
 * keeps its claim until it lapses. When deliveries are left pending, the same ones a second apart
 * and (unless `claimed`) none of them claimed, the worker's clock is moved past those deadlines
 * instead of waiting for them. A claimed try still in flight then would lapse and go again, so
 * `claimed` only where the receiver answers at once and a try may legitimately go twice.
 */
export function passDeadlines(stack: ChaosStack, worker: { advance(ms: number): Promise<void> }, opts: { claimed: boolean }) {
  const waiting = async () =>
    (
      await stack.db.admin.query<{ id: string; claimed: boolean }>(
        "SELECT id, claimed_until IS NOT NULL AS claimed FROM webhook_deliveries WHERE status = 'pending' ORDER BY id",
      )
    ).rows;
  return async () => {
    const before = await waiting();
    if (before.length === 0 || (!opts.claimed && before.some((r) => r.claimed))) return;
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await waiting();
    if ((!opts.claimed && after.some((r) => r.claimed)) || after.map((r) => r.id).join() !== before.map((r) => r.id).join()) return;
    await worker.advance(Math.max(REQUEUE_AFTER_MS, Number(stack.env.WEBHOOK_TIMEOUT_MS) + 30_000) + 1_000);
  };
}

/**
 * A poll for everyEmailOnce after a fault that can cut a send off after its claim (a worker
 * killed, a connection dropped before the result was written): when follow-ups are left queued,
 * the same ones a second apart (a send takes milliseconds), the every-minute sweep runs here by
 * hand on a clock past their claim lease, as it would once the lease ran out.
 */
export function passClaimLease(stack: ChaosStack, tenantId: string, ids: string[]) {
  const queued = async () =>
    (await stack.db.admin.query<{ id: string }>("SELECT id FROM follow_ups WHERE id = ANY($1::uuid[]) AND status = 'queued' ORDER BY id", [ids])).rows.map((r) => r.id).join();
  let deps: Deps | undefined;
  return {
    poll: async () => {
      const before = await queued();
      if (before === '') return;
      await new Promise((r) => setTimeout(r, 1_000));
      if ((await queued()) !== before) return;
      deps ??= stack.harnessDeps({ now: () => new Date(Date.now() + stack.harnessConfig.FOLLOWUP_CLAIM_LEASE_MS + 1_000) });
      await reconcileFollowUps(deps, { tenantId });
    },
    close: async () => deps?.close(),
  };
}

/**
 * Recruiters at work: `users` loops at once, each round a send-now of the next follow-up (while
 * any is left), a new employer, a page of follow-ups and /v1/me, until `stop()`. As a client
 * does, a request answered 503, or 409 `idempotency_in_progress` (the first try of a write may
 * have committed: docs/idempotency.md), is sent again with the same Idempotency-Key after its
 * Retry-After; `refused` keeps any other answer that is not a success.
 */
export function recruitersAtWork(api: FastifyInstance, tenant: TestTenant, ids: string[], users = 4) {
  let stopped = false;
  const queue = [...ids];
  const refused: string[] = [];
  const h = bearer(tenant.token);
  const retried = async (o: { method: 'GET' | 'POST'; url: string; payload?: object }) => {
    const key = uniq('k');
    const until = Date.now() + 60_000;
    for (;;) {
      const res = await api.inject({ ...o, headers: { ...h, ...(o.method === 'POST' ? { 'idempotency-key': key } : {}) } });
      const again = res.statusCode === 503 || (res.statusCode === 409 && (res.json() as { code?: string }).code === 'idempotency_in_progress');
      if (!again) {
        if (res.statusCode >= 300) refused.push(`${o.method} ${o.url}: ${res.statusCode} ${res.body}`);
        return res;
      }
      if (Date.now() > until) throw new Error(`${o.method} ${o.url}: still ${res.statusCode} after a minute of retries`);
      await new Promise((r) => setTimeout(r, 1_000 * Number(res.headers['retry-after'] ?? 1)));
    }
  };
  const user = async () => {
    while (!stopped) {
      const id = queue.shift();
      if (id) await retried({ method: 'POST', url: `/v1/follow-ups/${id}/send-now`, payload: {} });
      await retried({ method: 'POST', url: '/v1/employers', payload: { name: uniq('School') } });
      await retried({ method: 'GET', url: '/v1/follow-ups?limit=20' });
      await retried({ method: 'GET', url: '/v1/me' });
    }
  };
  const running = Promise.all(Array.from({ length: users }, user));
  return {
    refused,
    async stop() {
      stopped = true;
      await running;
    },
    /** Resolves once every follow-up has been asked to go. */
    allAsked: () => vi.waitFor(() => expect(queue).toEqual([]), { timeout: 60_000, interval: 50 }),
  };
}
