import { expect, vi } from 'vitest';
import { bearer, newTenant, uniq, type TestTenant } from '../helpers/app.js';
import { dueEmails } from '../helpers/dueEmails.js';
import { systemClock } from '../../src/lib/clock.js';
import type { ChaosStack } from './stack.js';
import type { FastifyInstance } from 'fastify';

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
  );
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
 * then counts the arrivals at the receiver per webhook-id (the event id): each event arrived as
 * many times as its delivery was tried (a try whose answer was lost is tried again: webhooks are
 * at least once, docs/webhooks.md), and with `exactlyOnce`, once. Returns the events' count.
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
  for (const r of rows) expect({ webhookId: r.wid, arrived: arrivals.get(r.wid) ?? 0 }).toEqual({ webhookId: r.wid, arrived: opts.exactlyOnce ? 1 : r.attempts });
  return rows.length;
}

/**
 * A poll for everyWebhookDelivered after Redis lost jobs: a try handed to Redis and lost there
 * waits REQUEUE_AFTER_MS (by the worker's clock) before the sweep queues it again. When deliveries
 * are left pending, the same ones twice a second apart, and none of them is claimed (in flight,
 * where a moved clock would let its claim lapse and send it twice), the worker's clock is moved
 * past that deadline instead of waiting for it.
 */
export function passRequeueDeadline(stack: ChaosStack, worker: { advance(ms: number): Promise<void> }, requeueAfterMs: number) {
  const waiting = async () =>
    (
      await stack.db.admin.query<{ id: string; claimed: boolean }>(
        "SELECT id, claimed_until IS NOT NULL AS claimed FROM webhook_deliveries WHERE status = 'pending' ORDER BY id",
      )
    ).rows;
  return async () => {
    const before = await waiting();
    if (before.length === 0 || before.some((r) => r.claimed)) return;
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await waiting();
    if (after.some((r) => r.claimed) || after.map((r) => r.id).join() !== before.map((r) => r.id).join()) return;
    await worker.advance(requeueAfterMs + 1_000);
  };
}
