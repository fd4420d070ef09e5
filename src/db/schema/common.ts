import { sql } from 'drizzle-orm';
import { integer, pgPolicy, timestamp } from 'drizzle-orm/pg-core';
import type { Holiday } from '../../core/businessTime.js';

export type { Holiday };

// The tenant context, its row-level security policy and the timestamps every table shares.

/** The tenant context set per transaction by `withTenant` (see docs/tenancy.md). */
export const currentTenant = sql`nullif(current_setting('app.tenant_id', true), '')::uuid`;

export const tenantPolicy = (column = sql`tenant_id`) =>
  pgPolicy('tenant_isolation', {
    as: 'permissive',
    for: 'all',
    to: 'public',
    using: sql`${column} = ${currentTenant}`,
    withCheck: sql`${column} = ${currentTenant}`,
  });

export const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

/** The optimistic-concurrency counter of records an ETag guards (If-Match). */
export const version = integer('version').notNull().default(1);
