import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { events, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { checkUrl } from '../../lib/ssrf.js';
import { assertVersion } from '../../lib/versioning.js';
import { generateSecret } from '../../lib/webhookSigning.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import { eventPayload, publicEventId } from '../../core/events.js';
import { enqueueAttempts } from './webhooks.outbox.js';
import { present, presentDelivery } from './webhooks.present.js';
import type { createEndpointBody, listDeliveriesQuery, listEndpointsQuery, updateEndpointBody } from './webhooks.schemas.js';
import { listById } from '../../db/pages.js';

type Endpoint = typeof webhookEndpoints.$inferSelect;
const FIELDS = ['url', 'eventTypes', 'description', 'status'] as const;
/** How long the old secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** The URL must be https (http only with WEBHOOK_ALLOW_HTTP) and reach public addresses only. */
async function assertUrl(deps: Deps, url: string): Promise<string> {
  const check = await checkUrl(url, { allowLoopback: deps.config.WEBHOOK_ALLOW_LOOPBACK, allowHttp: deps.config.WEBHOOK_ALLOW_HTTP });
  if (!check.ok) {
    if (check.detail) deps.log.info({ url, reason: check.reason, detail: check.detail }, 'webhook URL refused');
    throw new AppError('unprocessable', check.message, [{ field: 'body.url', message: check.message }], { reason: check.reason });
  }
  return check.url.toString();
}

async function findForUpdate(tx: Tx, id: string): Promise<Endpoint> {
  const [row] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).for('update');
  if (!row) throw notFound('Webhook endpoint');
  return row;
}

const subject = (id: string) => ({ type: 'webhookEndpoint', id });

export async function createEndpoint(deps: Deps, actor: Actor, input: z.output<typeof createEndpointBody>) {
  const url = await assertUrl(deps, input.url);
  const now = deps.clock.now();
  const secret = generateSecret();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const [created] = await tx
      .insert(webhookEndpoints)
      .values({
        tenantId: actor.tenantId,
        id: newId(),
        url,
        description: input.description ?? null,
        eventTypes: [...new Set(input.eventTypes)],
        secret,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordChange(actor, now, { action: 'webhook_endpoint.created', subject: subject(created!.id), changes: diff(null, created!, FIELDS) });
    return created!;
  });
  return { ...present(row, now), secret };
}

export async function getEndpoint(deps: Deps, actor: Actor, id: string) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)));
  if (!row) throw notFound('Webhook endpoint');
  return present(row, deps.clock.now());
}

export async function listEndpoints(deps: Deps, actor: Actor, q: z.output<typeof listEndpointsQuery>) {
  const page = await listById(deps.db, actor.tenantId, webhookEndpoints, q, [q.status ? eq(webhookEndpoints.status, q.status) : undefined]);
  const now = deps.clock.now();
  return { data: page.data.map((r) => present(r, now)), nextCursor: page.nextCursor };
}

export async function updateEndpoint(deps: Deps, actor: Actor, id: string, input: z.output<typeof updateEndpointBody>, ifMatch?: number) {
  const url = input.url === undefined ? undefined : await assertUrl(deps, input.url);
  const now = deps.clock.now();
  const patch = {
    ...(url !== undefined ? { url } : {}),
    ...(input.eventTypes !== undefined ? { eventTypes: [...new Set(input.eventTypes)] } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await findForUpdate(tx, id);
    assertVersion(current.version, ifMatch);
    const changes = diff(current, { ...current, ...patch }, FIELDS);
    if (Object.keys(changes).length === 0) return current;
    const [updated] = await tx
      .update(webhookEndpoints)
      .set({ ...patch, version: current.version + 1, updatedAt: now })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    await recordChange(actor, now, { action: 'webhook_endpoint.updated', subject: subject(id), changes });
    return updated!;
  });
  return present(row, now);
}

export async function deleteEndpoint(deps: Deps, actor: Actor, id: string, ifMatch?: number) {
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    // Deliveries first, then the endpoint: the order a worker recording attempts locks them in,
    // so a delete racing a batch of attempts waits instead of deadlocking.
    await tx.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id));
    const current = await findForUpdate(tx, id);
    assertVersion(current.version, ifMatch);
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    await recordChange(actor, now, { action: 'webhook_endpoint.deleted', subject: subject(id), changes: diff(current, {}, FIELDS) });
  });
}

/**
 * Pause: deliveries keep being created and wait. Resume: paused or disabled back to active, its
 * circuit closed (resuming says the receiver works again: what waited goes out at once).
 */
export async function setEndpointStatus(deps: Deps, actor: Actor, id: string, to: 'paused' | 'active') {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await findForUpdate(tx, id);
    if (to === 'paused' && current.status !== 'active') {
      throw new AppError('conflict', `The endpoint is ${current.status}: only an active one can be paused`);
    }
    if (to === 'active' && current.status === 'active') throw new AppError('conflict', 'The endpoint is already active');
    const health = to === 'active' ? { failingSince: null, circuitFailures: 0, circuitOpenedAt: null, circuitRetryAt: null, circuitOpens: 0 } : {};
    const [updated] = await tx
      .update(webhookEndpoints)
      .set({ status: to, disabledReason: null, ...health, version: current.version + 1, updatedAt: now })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    if (to === 'active') {
      // What waited while paused goes out now, not after the sweep's lost-job delay.
      await tx
        .update(webhookDeliveries)
        .set({ queuedAt: null })
        .where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.status, 'pending')));
    }
    await recordChange(actor, now, {
      action: to === 'paused' ? 'webhook_endpoint.paused' : 'webhook_endpoint.resumed',
      subject: subject(id),
      changes: diff(current, updated!, ['status', 'disabledReason']),
    });
    return updated!;
  });
  return present(row, now);
}

export async function rotateSecret(deps: Deps, actor: Actor, id: string) {
  const now = deps.clock.now();
  const secret = generateSecret();
  const previousSecretExpiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await findForUpdate(tx, id);
    await tx
      .update(webhookEndpoints)
      .set({ secret, previousSecret: current.secret, previousSecretExpiresAt, version: current.version + 1, updatedAt: now })
      .where(eq(webhookEndpoints.id, id));
    await recordChange(actor, now, { action: 'webhook_endpoint.secret_rotated', subject: subject(id), data: { previousSecretExpiresAt: previousSecretExpiresAt.toISOString() } });
  });
  return { secret, previousSecretExpiresAt };
}

/** A `webhook.test` event for this endpoint only: published at once, so the relay leaves it alone. */
export async function sendTestEvent(deps: Deps, actor: Actor, id: string) {
  const now = deps.clock.now();
  const delivery = await withTenant(deps.db, actor.tenantId, async (tx) => {
    await findForUpdate(tx, id);
    const eventId = newId();
    await tx.insert(events).values({
      tenantId: actor.tenantId,
      id: eventId,
      type: 'webhook.test',
      payload: eventPayload(eventId, 'webhook.test', actor.tenantId, now, {
        endpointId: id,
        message: 'A test event from Afterview: your endpoint receives and verifies our webhooks.',
      }),
      createdAt: now,
      publishedAt: now,
    });
    const [row] = await tx
      .insert(webhookDeliveries)
      .values({ tenantId: actor.tenantId, id: newId(), endpointId: id, eventId, eventType: 'webhook.test', nextAttemptAt: now, createdAt: now, updatedAt: now })
      .returning();
    return row!;
  });
  await queueOrLeave(deps, [{ tenantId: actor.tenantId, endpointId: id, deliveryId: delivery.id, attempt: delivery.attempts + 1 }]);
  return presentDelivery(delivery, publicEventId(delivery.eventId));
}

/** Redis down: the tries stay in PostgreSQL and the relay's sweep queues them when it is back. */
async function queueOrLeave(deps: Deps, attempts: Parameters<typeof enqueueAttempts>[1]) {
  await enqueueAttempts(deps, attempts).catch((err: Error) =>
    deps.log.warn({ err: err.message }, 'webhook attempts not queued now: the sweep will queue them'),
  );
}

/** An endpoint's deliveries, newest event first (one per event, so the event id is the cursor). */
export async function listDeliveries(deps: Deps, actor: Actor, endpointId: string, q: z.output<typeof listDeliveriesQuery>) {
  const after = decodeCursor(q.cursor, z.object({ eventId: z.uuid() }));
  const rows = await readTenant(deps.db, actor.tenantId, async (tx) => {
    const [endpoint] = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
    if (!endpoint) throw notFound('Webhook endpoint');
    return tx
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.endpointId, endpointId),
          q.status ? eq(webhookDeliveries.status, q.status) : undefined,
          q.eventType ? eq(webhookDeliveries.eventType, q.eventType) : undefined,
          after ? lt(webhookDeliveries.eventId, after.eventId) : undefined,
        ),
      )
      .orderBy(desc(webhookDeliveries.eventId))
      .limit(q.limit + 1);
  });
  const page = toPage(rows, q.limit, (r) => ({ eventId: r.eventId }));
  return { data: page.data.map((d) => presentDelivery(d, publicEventId(d.eventId))), nextCursor: page.nextCursor };
}

export async function getDelivery(deps: Deps, actor: Actor, endpointId: string, deliveryId: string) {
  // One statement, so the delivery and its attempt log are read from the same snapshot. The log is
  // the earlier tries (webhook_attempts) and the latest, which the delivery row holds.
  const d = webhookDeliveries;
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select({
        delivery: webhookDeliveries,
        payload: events.payload,
        attempts: sql<AttemptJson[]>`(
          SELECT coalesce(json_agg(json_build_object(
            'attempt', a.attempt, 'attemptedAt', a.attempted_at, 'statusCode', a.status_code, 'durationMs', a.duration_ms,
            'responseExcerpt', a.response_excerpt, 'error', a.error) ORDER BY a.attempt), '[]'::json)
          FROM (
            SELECT attempt, attempted_at, status_code, duration_ms, response_excerpt, error FROM webhook_attempts WHERE delivery_id = ${d.id}
            UNION ALL
            SELECT ${d.lastAttempt}, ${d.lastAttemptedAt}, ${d.lastStatusCode}, ${d.lastDurationMs}, ${d.lastResponseExcerpt}, ${d.lastError}
            WHERE ${d.lastAttempt} IS NOT NULL
          ) a)`,
      })
      .from(webhookDeliveries)
      .innerJoin(events, eq(events.id, webhookDeliveries.eventId))
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId))),
  );
  if (!row) throw notFound('Webhook delivery');
  return {
    ...presentDelivery(row.delivery, publicEventId(row.delivery.eventId)),
    payload: row.payload,
    attemptLog: row.attempts.map((a) => ({ ...a, attemptedAt: new Date(a.attemptedAt) })),
  };
}

interface AttemptJson {
  attempt: number;
  attemptedAt: string;
  statusCode: number | null;
  durationMs: number;
  responseExcerpt: string | null;
  error: string | null;
}

/** Sends a delivery again now, with the same webhook-id, starting the retry schedule afresh. */
export async function redeliver(deps: Deps, actor: Actor, endpointId: string, deliveryId: string) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const [current] = await tx
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)))
      .for('update');
    if (!current) throw notFound('Webhook delivery');
    if (current.claimedUntil && current.claimedUntil > now) throw new AppError('conflict', 'The delivery is being attempted right now');
    const [updated] = await tx
      .update(webhookDeliveries)
      .set({ status: 'pending', step: 0, nextAttemptAt: now, queuedAt: null, updatedAt: now })
      .where(eq(webhookDeliveries.id, deliveryId))
      .returning();
    await recordChange(actor, now, {
      action: 'webhook_delivery.redelivered',
      subject: { type: 'webhookDelivery', id: deliveryId },
      changes: diff(current, updated!, ['status', 'nextAttemptAt']),
      data: { endpointId, eventId: publicEventId(current.eventId), eventType: current.eventType },
    });
    return updated!;
  });
  await queueOrLeave(deps, [{ tenantId: actor.tenantId, endpointId, deliveryId, attempt: row.attempts + 1 }]);
  return presentDelivery(row, publicEventId(row.eventId));
}

/** Every failed delivery of the endpoint created since `since` goes out again. */
export async function recoverDeliveries(deps: Deps, actor: Actor, endpointId: string, since: Date) {
  const now = deps.clock.now();
  const rows = await withTenant(deps.db, actor.tenantId, async (tx) => {
    await findForUpdate(tx, endpointId);
    const recovered = await tx
      .update(webhookDeliveries)
      .set({ status: 'pending', step: 0, nextAttemptAt: now, queuedAt: null, updatedAt: now })
      .where(
        and(
          eq(webhookDeliveries.endpointId, endpointId),
          eq(webhookDeliveries.status, 'failed'),
          gte(webhookDeliveries.createdAt, since),
        ),
      )
      .returning({ id: webhookDeliveries.id, attempts: webhookDeliveries.attempts });
    // One row for the whole recovery (the count, not every delivery's id); none when nothing failed.
    if (recovered.length > 0) {
      await recordChange(actor, now, {
        action: 'webhook_endpoint.recovered',
        subject: subject(endpointId),
        data: { since: since.toISOString(), redelivering: recovered.length },
      });
    }
    return recovered;
  });
  await queueOrLeave(deps, rows.map((r) => ({ tenantId: actor.tenantId, endpointId, deliveryId: r.id, attempt: r.attempts + 1 })));
  return { redelivering: rows.length };
}

