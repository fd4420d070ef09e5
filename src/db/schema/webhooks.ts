import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { events } from './activity.js';
import { tenantPolicy, timestamps, version } from './common.js';
import { tenantFk } from './tenants.js';

// Webhook endpoints, their deliveries and attempts.

export const webhookEndpointStatuses = ['active', 'paused', 'disabled'] as const;

/**
 * A customer's webhook receiver. The secrets sign, so they are kept (not hashed); during a
 * rotation `previous_secret` signs too until `previous_secret_expires_at` (docs/webhooks.md).
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    url: text('url').notNull(),
    description: text('description'),
    /** Catalogue event types, or `*` for all. */
    eventTypes: text('event_types').array().notNull(),
    status: text('status', { enum: webhookEndpointStatuses }).notNull().default('active'),
    disabledReason: text('disabled_reason'),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    /** The first failure since the last success: five days of failures disable the endpoint. */
    failingSince: timestamp('failing_since', { withTimezone: true, mode: 'date' }),
    // The circuit breaker (docs/webhooks.md#fairness-and-the-circuit-breaker): closed while
    // circuit_retry_at is null; open until then; half-open (one probe) once it has passed.
    circuitFailures: integer('circuit_failures').notNull().default(0),
    circuitOpenedAt: timestamp('circuit_opened_at', { withTimezone: true, mode: 'date' }),
    circuitRetryAt: timestamp('circuit_retry_at', { withTimezone: true, mode: 'date' }),
    circuitOpens: integer('circuit_opens').notNull().default(0),
    version,
    ...timestamps,
  },
  (t) => [
    tenantFk('webhook_endpoints_tenant_fk', t.tenantId),
    unique('webhook_endpoints_tenant_id_id_key').on(t.tenantId, t.id),
    tenantPolicy(),
  ],
);

export const webhookDeliveryStatuses = ['pending', 'succeeded', 'failed'] as const;

/**
 * One event for one endpoint: created by the outbox relay, attempted by the worker. `attempts`
 * counts every try (the BullMQ job of try n is `wh-<id>-<n>`); `step` is the place in the retry
 * schedule, back to 0 on a redelivery. `queued_at` is when a job was last handed to Redis.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    endpointId: uuid('endpoint_id').notNull(),
    eventId: uuid('event_id').notNull(),
    eventType: text('event_type').notNull(),
    status: text('status', { enum: webhookDeliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    step: integer('step').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    claimedUntil: timestamp('claimed_until', { withTimezone: true, mode: 'date' }),
    queuedAt: timestamp('queued_at', { withTimezone: true, mode: 'date' }),
    // The latest try, kept here (docs/webhooks.md#the-attempt-log): webhook_attempts gets a try
    // only when the next one is recorded, so a delivery that succeeds at once writes no attempt row.
    lastAttempt: integer('last_attempt'),
    lastAttemptedAt: timestamp('last_attempted_at', { withTimezone: true, mode: 'date' }),
    lastStatusCode: integer('last_status_code'),
    lastDurationMs: integer('last_duration_ms'),
    lastResponseExcerpt: text('last_response_excerpt'),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    // (tenant_id, id) is the key itself, not a second index beside an id key: the busiest insert
    // of the outbox, and each of its non-HOT updates, write one index entry fewer.
    primaryKey({ name: 'webhook_deliveries_pkey', columns: [t.tenantId, t.id] }),
    foreignKey({ name: 'webhook_deliveries_endpoint_fk', columns: [t.tenantId, t.endpointId], foreignColumns: [webhookEndpoints.tenantId, webhookEndpoints.id] }).onDelete('cascade'),
    foreignKey({ name: 'webhook_deliveries_event_fk', columns: [t.tenantId, t.eventId], foreignColumns: [events.tenantId, events.id] }).onDelete('cascade'),
    // Also lists an endpoint's deliveries, newest event first (event ids are time-ordered).
    uniqueIndex('webhook_deliveries_endpoint_event_key').on(t.tenantId, t.endpointId, t.eventId),
    // For the worker's sweep, across tenants: what is waiting for an attempt.
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    tenantPolicy(),
  ],
);

/** Every HTTP try of a delivery but its latest (which the delivery row holds), with what the receiver answered. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    deliveryId: uuid('delivery_id').notNull(),
    attempt: integer('attempt').notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true, mode: 'date' }).notNull(),
    statusCode: integer('status_code'),
    durationMs: integer('duration_ms').notNull(),
    responseExcerpt: text('response_excerpt'),
    error: text('error'),
  },
  (t) => [
    foreignKey({ name: 'webhook_attempts_delivery_fk', columns: [t.tenantId, t.deliveryId], foreignColumns: [webhookDeliveries.tenantId, webhookDeliveries.id] }).onDelete('cascade'),
    // A try is logged once, even if a late record races the next claim (RECORD's ON CONFLICT).
    uniqueIndex('webhook_attempts_delivery_attempt_key').on(t.tenantId, t.deliveryId, t.attempt),
    tenantPolicy(),
  ],
);
