import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import { events, tenants, users, webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { unixSeconds, webhookHeaders } from '../../lib/webhookSigning.js';
import { nextDelayMs, postWebhook } from './webhooks.send.js';

/**
 * The outbox relay and the delivery of one attempt (docs/webhooks.md). PostgreSQL is the truth:
 * events become delivery rows in the transaction that marks them published; a BullMQ job per try
 * (`wh-<delivery>-<try>`) only carries the work, and a sweep re-adds any job Redis lost.
 */

/** Events relayed per tenant transaction. */
const RELAY_BATCH = 200;
/** A job handed to Redis this long ago whose try has not started is presumed lost and re-added. */
export const REQUEUE_AFTER_MS = 60_000;
/** Five days of failures in a row disable an endpoint. */
export const DISABLE_AFTER_MS = 5 * 86_400_000;

export const attemptJobId = (deliveryId: string, attempt: number) => `wh-${deliveryId}-${attempt}`;

export interface QueuedAttempt {
  tenantId: string;
  deliveryId: string;
  attempt: number;
}

const matches = (types: readonly string[], type: string) => types.includes('*') || types.includes(type);

/**
 * Relays one batch of a tenant's unpublished events, oldest first: a delivery row per subscribed,
 * not disabled endpoint, and `published_at` set, in one transaction. `SKIP LOCKED` lets several
 * relays run at once, each event taken by one. Returns the tries to enqueue (active endpoints).
 */
export async function relayTenantBatch(deps: Deps, tenantId: string): Promise<{ events: number; attempts: QueuedAttempt[] }> {
  const now = deps.clock.now();
  return withTenant(deps.db, tenantId, async (tx) => {
    const batch = await tx
      .select({ id: events.id, type: events.type })
      .from(events)
      .where(sql`${events.publishedAt} IS NULL`)
      .orderBy(events.createdAt, events.id)
      .limit(RELAY_BATCH)
      .for('update', { skipLocked: true });
    if (batch.length === 0) return { events: 0, attempts: [] };
    const endpoints = await tx
      .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes, status: webhookEndpoints.status })
      .from(webhookEndpoints)
      .where(ne(webhookEndpoints.status, 'disabled'));
    const rows = batch.flatMap((e) =>
      endpoints
        .filter((ep) => matches(ep.eventTypes, e.type))
        .map((ep) => ({
          tenantId,
          id: newId(),
          endpointId: ep.id,
          eventId: e.id,
          eventType: e.type,
          nextAttemptAt: now,
          createdAt: now,
          updatedAt: now,
        })),
    );
    const created: { id: string; endpointId: string }[] = [];
    for (let i = 0; i < rows.length; i += 1000) {
      const part = await tx
        .insert(webhookDeliveries)
        .values(rows.slice(i, i + 1000))
        .onConflictDoNothing()
        .returning({ id: webhookDeliveries.id, endpointId: webhookDeliveries.endpointId });
      created.push(...part);
    }
    await tx.update(events).set({ publishedAt: now }).where(inArray(events.id, batch.map((e) => e.id)));
    const active = new Set(endpoints.filter((ep) => ep.status === 'active').map((ep) => ep.id));
    return {
      events: batch.length,
      attempts: created.filter((d) => active.has(d.endpointId)).map((d) => ({ tenantId, deliveryId: d.id, attempt: 1 })),
    };
  });
}

/**
 * Hands tries to Redis. `queued_at` is noted first, so a job that starts at once (its claim clears
 * it) is never followed by a stale mark; if Redis refuses, the mark is taken back so the next sweep
 * queues them (or, if that fails too, the sweep re-queues them after REQUEUE_AFTER_MS).
 */
export async function enqueueAttempts(deps: Deps, attempts: QueuedAttempt[]): Promise<number> {
  if (attempts.length === 0) return 0;
  const byTenant = new Map<string, string[]>();
  for (const a of attempts) byTenant.set(a.tenantId, [...(byTenant.get(a.tenantId) ?? []), a.deliveryId]);
  const mark = async (at: Date | null) => {
    for (const [tenantId, ids] of byTenant) {
      await readTenant(deps.db, tenantId, (tx) =>
        tx.update(webhookDeliveries).set({ queuedAt: at }).where(and(inArray(webhookDeliveries.id, ids), eq(webhookDeliveries.status, 'pending'))),
      );
    }
  };
  await mark(deps.clock.now());
  try {
    await deps.queues.get('webhooks').addBulk(
      attempts.map((a) => ({
        name: 'webhooks.attempt',
        data: a,
        opts: { jobId: attemptJobId(a.deliveryId, a.attempt), attempts: 1, removeOnComplete: true, removeOnFail: { age: 86_400 } },
      })),
    );
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
    const res = await deps.db.pool.query<{ id: string }>('SELECT app_private.tenants_with_unpublished_events($1) AS id', [50]);
    if (res.rows.length === 0) return relayed;
    let progress = 0;
    for (const { id } of res.rows) {
      const batch = await relayTenantBatch(deps, id);
      progress += batch.events;
      await enqueueAttempts(deps, batch.attempts).catch((err: Error) =>
        deps.log.warn({ err: err.message, tenantId: id }, 'webhook attempts not queued: the sweep will queue them'),
      );
    }
    relayed += progress;
    // Other relays hold the rest (SKIP LOCKED): they relay them.
    if (progress === 0) return relayed;
  }
}

/** Queues every try that is due, not started and not queued (or queued and lost), across tenants. */
export async function sweepDeliveries(deps: Deps, limit = 1000): Promise<number> {
  const now = deps.clock.now();
  const res = await deps.db.pool.query<{ tenant_id: string; id: string; attempts: number }>(
    'SELECT tenant_id, id, attempts FROM app_private.due_webhook_deliveries($1, $2, $3)',
    [now, new Date(now.getTime() - REQUEUE_AFTER_MS), limit],
  );
  return enqueueAttempts(
    deps,
    res.rows.map((r) => ({ tenantId: r.tenant_id, deliveryId: r.id, attempt: r.attempts + 1 })),
  );
}

export type AttemptOutcome = 'stale' | 'succeeded' | 'retrying' | 'failed';

/**
 * Makes try `attempt` of a delivery. It is claimed first (status pending, `attempts` = attempt - 1,
 * due, not claimed, endpoint active), so a duplicate job, a second worker or a late job does
 * nothing; the claim lasts the timeout, after which a crashed worker's try is swept again.
 */
export async function attemptDelivery(deps: Deps, job: QueuedAttempt): Promise<AttemptOutcome> {
  const { config, clock } = deps;
  const now = clock.now();
  const claimed = await withTenant(deps.db, job.tenantId, async (tx) => {
    const [row] = await tx
      .update(webhookDeliveries)
      .set({
        attempts: job.attempt,
        claimedUntil: new Date(now.getTime() + config.WEBHOOK_TIMEOUT_MS + 30_000),
        queuedAt: null,
        updatedAt: now,
      })
      .where(
        and(
          eq(webhookDeliveries.id, job.deliveryId),
          eq(webhookDeliveries.status, 'pending'),
          eq(webhookDeliveries.attempts, job.attempt - 1),
          sql`${webhookDeliveries.nextAttemptAt} <= ${now}`,
          sql`(${webhookDeliveries.claimedUntil} IS NULL OR ${webhookDeliveries.claimedUntil} < ${now})`,
          sql`EXISTS (SELECT 1 FROM ${webhookEndpoints} e WHERE e.id = ${webhookDeliveries.endpointId} AND e.status = 'active')`,
        ),
      )
      .returning();
    if (!row) return null;
    const [endpoint] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, row.endpointId));
    const [event] = await tx.select({ payload: events.payload }).from(events).where(eq(events.id, row.eventId));
    return { delivery: row, endpoint: endpoint!, payload: event!.payload };
  });
  if (!claimed) return 'stale';

  const { delivery, endpoint, payload } = claimed;
  const body = JSON.stringify(payload);
  const secrets =
    endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now
      ? [endpoint.secret, endpoint.previousSecret]
      : [endpoint.secret];
  const messageId = String(payload.id);
  const headers = webhookHeaders({ id: messageId, timestamp: unixSeconds(clock.now()), body }, secrets);
  const result = await postWebhook(endpoint.url, { ...headers }, body, {
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK,
  });
  const at = clock.now();

  const gone = result.statusCode === 410;
  const delay = result.ok || gone ? null : nextDelayMs(delivery.step, result.retryAfterMs);
  // The schedule has MAX_ATTEMPTS tries per run (a redelivery starts a new run at step 0).
  const outcome: AttemptOutcome = result.ok ? 'succeeded' : delay === null ? 'failed' : 'retrying';
  const disableReason = await withTenant(deps.db, job.tenantId, async (tx) => {
    await tx.insert(webhookAttempts).values({
      tenantId: job.tenantId,
      id: newId(),
      deliveryId: delivery.id,
      attempt: job.attempt,
      attemptedAt: now,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      responseExcerpt: result.responseExcerpt,
      error: result.error,
    });
    await tx
      .update(webhookDeliveries)
      .set({
        status: outcome === 'retrying' ? 'pending' : outcome,
        step: outcome === 'retrying' ? delivery.step + 1 : delivery.step,
        nextAttemptAt: outcome === 'retrying' ? new Date(at.getTime() + delay!) : null,
        claimedUntil: null,
        lastStatusCode: result.statusCode,
        lastError: result.error,
        deliveredAt: result.ok ? at : null,
        updatedAt: at,
      })
      .where(eq(webhookDeliveries.id, delivery.id));
    if (result.ok) {
      if (endpoint.failingSince) {
        await tx.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpoint.id));
      }
      return null;
    }
    const failingSince = endpoint.failingSince ?? now;
    const reason = gone
      ? 'The receiver answered 410 Gone'
      : at.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS
        ? 'Every delivery failed for 5 days'
        : null;
    const changed = await tx
      .update(webhookEndpoints)
      .set(reason ? { status: 'disabled', disabledReason: reason, failingSince, updatedAt: at } : { failingSince })
      .where(and(eq(webhookEndpoints.id, endpoint.id), ne(webhookEndpoints.status, 'disabled')))
      .returning({ id: webhookEndpoints.id });
    // Only the try that disabled it tells the admins (another may have failed at the same time).
    return changed.length > 0 ? reason : null;
  });
  deps.log.info(
    { tenantId: job.tenantId, deliveryId: delivery.id, endpointId: endpoint.id, attempt: job.attempt, status: result.statusCode, outcome, ms: result.durationMs, err: result.error ?? undefined },
    'webhook attempt',
  );
  if (disableReason) await notifyAdmins(deps, job.tenantId, endpoint.url, disableReason);
  return outcome;
}

/** Emails the agency's owners and admins that an endpoint was disabled. A mail failure is logged. */
async function notifyAdmins(deps: Deps, tenantId: string, url: string, reason: string) {
  const [agency, admins] = await readTenant(deps.db, tenantId, async (tx) => [
    (await tx.select({ name: tenants.name }).from(tenants))[0],
    await tx
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(and(inArray(users.role, ['owner', 'admin']), eq(users.status, 'active'))),
  ] as const);
  for (const admin of admins) {
    try {
      await deps.mailer.send({
        from: { name: 'Afterview', address: deps.config.MAIL_FROM },
        to: { name: admin.name, address: admin.email },
        subject: `A webhook endpoint of ${agency?.name ?? 'your agency'} was disabled`,
        text: [
          `Hello ${admin.name},`,
          '',
          `We stopped sending events to ${url}.`,
          `Reason: ${reason}.`,
          '',
          'Events are still recorded. Once the receiver works again, resume the endpoint and recover the',
          'failed deliveries (POST /v1/webhook-endpoints/{id}/resume, then /recover with a since time).',
          '',
          'Afterview',
        ].join('\n'),
        messageId: `<wh-disabled-${newId()}@afterview>`,
        date: deps.clock.now(),
      });
    } catch (err) {
      deps.log.warn({ tenantId, err: (err as Error).message }, 'could not email an admin about a disabled endpoint');
    }
  }
}
