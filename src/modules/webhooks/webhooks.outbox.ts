import { and, eq, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, tdb, withTenant } from '../../db/client.js';
import { batchColumn as column, pgArray } from '../../db/arrays.js';
import { webhookDeliveries } from '../../db/schema/index.js';
import { enqueueFair } from '../../jobs/define.js';
import { groupBy } from '../../lib/groupBy.js';
import { newId } from '../../lib/ids.js';
import { attemptJobId, TRIES_PER_JOB, webhookAttemptJob } from './webhooks.jobs.js';

/**
 * The outbox relay and the queue of tries (docs/webhooks.md). PostgreSQL is the truth: events
 * become delivery rows in the transaction that marks them published; a BullMQ job of tries
 * (`wh-<delivery>-<try>`, named after its first) only carries the work, and a sweep re-adds any
 * job Redis lost. The tries themselves: webhooks.delivery.ts.
 */

/** Events relayed per tenant transaction. */
const RELAY_BATCH = 200;
/** Agencies looked at per relay pass. */
const TENANTS_PER_PASS = 50;
/** Events marked published per statement for an agency without endpoints. */
const NO_ENDPOINT_BATCH = 5000;
/** A job handed to Redis this long ago whose try has not started is presumed lost and re-added. */
export const REQUEUE_AFTER_MS = 60_000;

export interface QueuedAttempt {
  tenantId: string;
  endpointId: string;
  deliveryId: string;
  attempt: number;
}

const matches = (types: readonly string[], type: string) => types.includes('*') || types.includes(type);

// The relay's statements, named: PostgreSQL parses and plans each once per connection. Arrays are
// one parameter each.

/** The deliveries of relayed events, written already queued. */
const RELAY_INSERT = {
  name: 'wh_relay_insert',
  text: `INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, next_attempt_at, queued_at, created_at, updated_at)
         SELECT $1, r.id, r.endpoint_id, r.event_id, r.event_type, $6, $6, $6, $6
         FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[]) AS r(id, endpoint_id, event_id, event_type)
         ON CONFLICT DO NOTHING
         RETURNING id, endpoint_id`,
};

/** An agency without active or paused endpoints: its events are only marked published, $2 at a time. */
const RELAY_SKIP = {
  name: 'wh_relay_skip',
  text: `UPDATE events SET published_at = $1
         WHERE id IN (SELECT id FROM events WHERE published_at IS NULL LIMIT $2)
           AND NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE status <> 'disabled')`,
};

/** The oldest unpublished events, locked; another relay skips them. */
const RELAY_EVENTS = {
  name: 'wh_relay_events',
  text: `SELECT id, type FROM events WHERE published_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
};

const RELAY_ENDPOINTS = {
  name: 'wh_relay_endpoints',
  text: `SELECT id, event_types, status FROM webhook_endpoints WHERE status <> 'disabled'`,
};

const RELAY_PUBLISHED = {
  name: 'wh_relay_published',
  text: `UPDATE events SET published_at = $1 WHERE id = ANY($2::uuid[])`,
};

/**
 * Relays one batch of a tenant's unpublished events, oldest first: a delivery row per subscribed,
 * not disabled endpoint, and `published_at` set, in one transaction. `SKIP LOCKED` lets several
 * relays run at once, each event taken by one. Returns the tries to enqueue (active endpoints).
 */
export async function relayTenantBatch(
  deps: Deps,
  tenantId: string,
): Promise<{ events: number; full: boolean; attempts: QueuedAttempt[] }> {
  const now = deps.clock.now();
  // An agency without endpoints: its events are only marked published, many at once. One
  // statement, so the endpoints it sees and the events it marks come from the same snapshot.
  const skipped = await readTenant(deps.db, tenantId, () => tdb.$client.query({ ...RELAY_SKIP, values: [now, NO_ENDPOINT_BATCH] }));
  if ((skipped.rowCount ?? 0) > 0) return { events: skipped.rowCount ?? 0, full: skipped.rowCount === NO_ENDPOINT_BATCH, attempts: [] };
  return withTenant(deps.db, tenantId, async () => {
    const batch = (await tdb.$client.query<{ id: string; type: string }>({ ...RELAY_EVENTS, values: [RELAY_BATCH] })).rows;
    if (batch.length === 0) return { events: 0, full: false, attempts: [] };
    const endpoints = (await tdb.$client.query<{ id: string; event_types: string[]; status: string }>(RELAY_ENDPOINTS)).rows;
    const rows = batch.flatMap((e) => endpoints.filter((ep) => matches(ep.event_types, e.type)).map((ep) => ({ id: newId(), endpointId: ep.id, eventId: e.id, eventType: e.type })));
    const created =
      rows.length === 0
        ? []
        : (
            await tdb.$client.query<{ id: string; endpoint_id: string }>({
              ...RELAY_INSERT,
              values: [tenantId, column(rows, (r) => r.id), column(rows, (r) => r.endpointId), column(rows, (r) => r.eventId), column(rows, (r) => r.eventType), now],
            })
          ).rows.map((r) => ({ id: r.id, endpointId: r.endpoint_id }));
    await tdb.$client.query({ ...RELAY_PUBLISHED, values: [now, batch.map((e) => e.id)] });
    const active = new Set(endpoints.filter((ep) => ep.status === 'active').map((ep) => ep.id));
    return {
      events: batch.length,
      full: batch.length === RELAY_BATCH,
      attempts: created.filter((d) => active.has(d.endpointId)).map((d) => ({ tenantId, endpointId: d.endpointId, deliveryId: d.id, attempt: 1 })),
    };
  });
}

/**
 * Tries handed to one job: one claim and one record statement for all of them. With
 * WEBHOOK_JOBS_AT_ONCE jobs per worker, 1,000 tries are in flight; fewer, larger jobs than 10 of
 * 100 cost less per try (BullMQ's and the statements' work per job is fixed; docs/performance.md).
 */
export const WEBHOOK_JOBS_AT_ONCE = 4;

/**
 * Hands tries to Redis, in jobs of up to TRIES_PER_JOB of one endpoint, so that a worker can hold
 * back a slow endpoint's jobs without holding back anyone else's (webhooks.lanes.ts). Each job's
 * priority is its place among its agency's waiting jobs (src/jobs/fairness.ts): agencies take turns.
 * `queued_at` is noted first, so a job that starts at once (its claim clears it) is never followed
 * by a stale mark; if Redis refuses, the mark is taken back so the next sweep queues them (or, if
 * that fails too, the sweep re-queues them after REQUEUE_AFTER_MS).
 */
export async function enqueueAttempts(deps: Deps, attempts: QueuedAttempt[], opts: { marked?: boolean } = {}): Promise<number> {
  if (attempts.length === 0) return 0;
  const byTenant = groupBy(attempts, (a) => a.tenantId);
  const mark = async (at: Date | null) => {
    for (const [tenantId, list] of byTenant) {
      const ids = list.map((a) => a.deliveryId);
      await readTenant(deps.db, tenantId, (tx) =>
        tx.update(webhookDeliveries).set({ queuedAt: at }).where(and(sql`${webhookDeliveries.id} = ANY(${pgArray(ids, 'uuid')})`, eq(webhookDeliveries.status, 'pending'))),
      );
    }
  };
  const jobs = [...groupBy(attempts, (a) => `${a.tenantId} ${a.endpointId}`).values()].flatMap((list) =>
    Array.from({ length: Math.ceil(list.length / TRIES_PER_JOB) }, (_, i) => {
      const tries = list.slice(i * TRIES_PER_JOB, (i + 1) * TRIES_PER_JOB).map((a) => ({ deliveryId: a.deliveryId, attempt: a.attempt }));
      return {
        payload: { tenantId: list[0]!.tenantId, endpointId: list[0]!.endpointId, tries },
        // The id names the first try: the same batch queued twice is one job; any other overlap is
        // harmless, the claim lets each try run once.
        opts: { jobId: attemptJobId(tries[0]!.deliveryId, tries[0]!.attempt) },
      };
    }),
  );
  // The relay writes new deliveries already marked (one statement fewer per batch).
  if (!opts.marked) await mark(deps.clock.now());
  try {
    await enqueueFair(deps, webhookAttemptJob, jobs);
  } catch (err) {
    await mark(null).catch(() => undefined);
    throw err;
  }
  return attempts.length;
}

/** Relays every tenant's pending events, batch after batch, until none is left. */
export async function relayEvents(deps: Deps): Promise<number> {
  let relayed = 0;
  for (;;) {
    const res = await deps.db.pool.query<{ id: string }>('SELECT app_private.tenants_with_unpublished_events($1) AS id', [TENANTS_PER_PASS]);
    if (res.rows.length === 0) return relayed;
    let backlog = res.rows.length === TENANTS_PER_PASS;
    for (const { id } of res.rows) {
      const batch = await relayTenantBatch(deps, id);
      relayed += batch.events;
      backlog ||= batch.full;
      await enqueueAttempts(deps, batch.attempts, { marked: true }).catch((err: Error) =>
        deps.log.warn({ err: err.message, tenantId: id }, 'webhook attempts not queued: the sweep will queue them'),
      );
    }
    // Caught up: what commits from now on wakes the relay again (NOTIFY, or the next poll). Looping
    // on while events trickle in would keep the relay querying back to back (the follow-up
    // pipeline lost a fifth of its rate to that).
    if (!backlog) return relayed;
  }
}

/** Queues every try that is due, not started and not queued (or queued and lost), across tenants. */
export async function sweepDeliveries(deps: Deps, limit = 1000): Promise<number> {
  const now = deps.clock.now();
  const res = await deps.db.pool.query<{ tenant_id: string; endpoint_id: string; id: string; attempts: number }>(
    'SELECT tenant_id, endpoint_id, id, attempts FROM app_private.due_webhook_deliveries($1, $2, $3)',
    [now, new Date(now.getTime() - REQUEUE_AFTER_MS), limit],
  );
  return enqueueAttempts(
    deps,
    res.rows.map((r) => ({ tenantId: r.tenant_id, endpointId: r.endpoint_id, deliveryId: r.id, attempt: r.attempts + 1 })),
  );
}

