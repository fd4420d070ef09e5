import { date, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy } from './common.js';

// Summaries the reports read instead of aggregating every fact (docs/reports.md#speed). Each is
// kept by triggers on its facts (drizzle 0041), so it is right whatever code path writes them,
// in the same transaction; app_private.*_from_facts() compute the same rows from the facts.

/**
 * Follow-ups per UTC day of `due_at`, recruiter (owner) and kind, cancelled ones aside: the
 * follow-ups report adds whole days from here and reads the facts only for the partial days at
 * the period's edges (it is cut at midnight in the agency's zone) and for today (overdue is as of now).
 */
export const followUpDayCounts = pgTable(
  'follow_up_day_counts',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    ownerId: uuid('owner_id').notNull(),
    kind: text('kind').notNull(),
    /** Not cancelled. */
    due: integer('due').notNull().default(0),
    sent: integer('sent').notNull().default(0),
    /** Sent within 5 minutes of `due_at`. */
    sentOnTime: integer('sent_on_time').notNull().default(0),
    /** Pending or queued: overdue once the day has passed. */
    unsent: integer('unsent').notNull().default(0),
    awaitingApproval: integer('awaiting_approval').notNull().default(0),
    /** Sent, with an `email_answers` row. */
    answered: integer('answered').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'follow_up_day_counts_pkey', columns: [t.tenantId, t.day, t.ownerId, t.kind] }), tenantPolicy()],
);

/**
 * The open applications (any stage but hired, rejected, withdrawn) now, per position, owner and
 * stage: the pipeline report's stages without reading every open application since the agency began.
 */
export const positionOpenCounts = pgTable(
  'position_open_counts',
  {
    tenantId: uuid('tenant_id').notNull(),
    positionId: uuid('position_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    stage: text('stage').notNull(),
    n: integer('n').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'position_open_counts_pkey', columns: [t.tenantId, t.positionId, t.ownerId, t.stage] }), tenantPolicy()],
);
