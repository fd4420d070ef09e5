import { sql } from 'drizzle-orm';
import { customType, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy, timestamps } from './common.js';
import { tenantFk } from './tenants.js';

// The timeline (activities), the outbox (events) and stored Idempotency-Key answers.

export const activities = pgTable(
  'activities',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id').notNull(),
    candidateId: uuid('candidate_id'),
    applicationId: uuid('application_id'),
    interviewId: uuid('interview_id'),
    changes: jsonb('changes').$type<Record<string, { before: unknown; after: unknown }>>().notNull().default({}),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    tenantFk('activities_tenant_fk', t.tenantId),
    index('activities_tenant_idx').on(t.tenantId, t.id),
    index('activities_subject_idx').on(t.tenantId, t.subjectId, t.id),
    index('activities_candidate_idx').on(t.tenantId, t.candidateId, t.id),
    index('activities_application_idx').on(t.tenantId, t.applicationId, t.id),
    index('activities_interview_idx').on(t.tenantId, t.interviewId, t.id),
    tenantPolicy(),
  ],
);

/** PostgreSQL's 64-bit transaction id, read and written as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/** The outbox: written in the transaction of the change it records, relayed afterwards. */
export const events = pgTable(
  'events',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamps.createdAt,
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
    /** The writing transaction's id: the event feed's order (GET /v1/events, docs/events.md). */
    txId: xid8('tx_id').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    tenantFk('events_tenant_fk', t.tenantId),
    index('events_feed_idx').on(t.tenantId, t.txId, t.id),
    index('events_unpublished_idx').on(t.createdAt).where(sql`published_at IS NULL`),
    unique('events_tenant_id_id_key').on(t.tenantId, t.id),
    tenantPolicy(),
  ],
);

/** Stored answers to POSTs sent with an Idempotency-Key, kept 24 hours (docs/idempotency.md). */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: uuid('tenant_id').notNull(),
    principal: text('principal').notNull(),
    route: text('route').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: ['in_progress', 'committed', 'completed'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseType: text('response_type'),
    createdAt: timestamps.createdAt,
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    uniqueIndex('idempotency_keys_key').on(t.tenantId, t.principal, t.route, t.key),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
    tenantFk('idempotency_keys_tenant_fk', t.tenantId),
    tenantPolicy(),
  ],
);
