import { and, asc, gte, sql, type SQL } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { readTenant, type Database } from './client.js';
import { tdb } from './scope.js';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../lib/pagination.js';

/**
 * `?updatedSince=`: a list read as a sync (docs/api.md#sync): the records changed at or after an
 * instant, oldest change first, ordered by (updated_at, id) and served by each table's
 * `(tenant_id, updated_at, id)` index. The cursor holds the change time to the microsecond, so
 * records changed within one millisecond are neither repeated nor skipped.
 */
export interface SyncTable {
  id: PgColumn;
  updatedAt: PgColumn;
}

const cursorShape = z.strictObject({ u: z.string().regex(/^\d{1,17}$/), id: z.uuid() });

/** The filter and order of a sync read, and the key of each row's place in it. */
export function changedSince(t: SyncTable, since: Date, cursor: string | undefined) {
  const after = decodeCursor(cursor, cursorShape);
  return {
    where: and(
      gte(t.updatedAt, since),
      after
        ? sql`(${t.updatedAt}, ${t.id}) > (timestamptz 'epoch' + ${after.u}::bigint * interval '1 microsecond', ${after.id}::uuid)`
        : undefined,
    ) as SQL,
    orderBy: [asc(t.updatedAt), asc(t.id)] as const,
    /** Select it beside the row (as `syncKey`): the cursor is made of it. */
    key: sql<string>`(extract(epoch from ${t.updatedAt}) * 1000000)::bigint::text`,
  };
}

/** Given `limit + 1` rows of a sync read (each with its `syncKey`), the page and the next cursor. */
export function changedPage<R extends { id: string; syncKey: string }>(rows: R[], limit: number) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const data = page.map(({ syncKey: _k, ...row }) => row);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor({ u: last.syncKey, id: last.id }) : null };
}

/** A sync read of one table: the page of rows changed at or after `updatedSince`, oldest change first. */
export async function listChanged<T extends PgTable & SyncTable>(db: Database, tenantId: string, table: T, q: { updatedSince: Date; cursor?: string | undefined; limit: number }) {
  const read = changedSince(table, q.updatedSince, q.cursor);
  const rows = await readTenant(db, tenantId, () =>
    tdb
      .select({ ...getTableColumns(table), syncKey: read.key })
      .from(table as PgTable)
      .where(read.where)
      .orderBy(...read.orderBy)
      .limit(q.limit + 1),
  );
  return changedPage(rows as unknown as (T['$inferSelect'] & { id: string; syncKey: string })[], q.limit);
}
