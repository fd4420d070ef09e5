import { and, asc, desc, gt, lt, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { decodeCursor, toPage } from '../lib/pagination.js';
import { readTenant, type Database } from './client.js';
import { tdb } from './scope.js';

/**
 * A list by id (ids are UUIDv7: time-ordered), paged by keyset: `?cursor=` holds the id of the
 * page's last row. Newest first (`desc`, the lists of things that happen) or oldest first (`asc`,
 * the settings-like lists: users, external ids).
 */
export type IdOrder = 'asc' | 'desc';

const idCursor = z.object({ id: z.uuid() });

/** The row a list's `?cursor=` points after; a 400 naming `query.cursor` when it is not one of ours. */
export const cursorAfter = (cursor: string | undefined) => decodeCursor(cursor, idCursor);

/**
 * One page of `table`'s rows that match every filter (an undefined one is left out), after the
 * cursor's row, in the order of their ids; with the cursor of the next page. It runs in the
 * caller's readTenant or withTenant.
 */
export async function pageById<T extends PgTable & { id: PgColumn }>(
  table: T,
  after: { id: string } | undefined,
  limit: number,
  filters: (SQL | undefined)[],
  order: IdOrder = 'desc',
) {
  const rows = await tdb
    .select()
    .from(table as PgTable)
    .where(and(...filters, after ? (order === 'asc' ? gt : lt)(table.id, after.id) : undefined))
    .orderBy(order === 'asc' ? asc(table.id) : desc(table.id))
    .limit(limit + 1);
  return toPage(rows as T['$inferSelect'][], limit, (r) => ({ id: (r as { id: string }).id }));
}

/** `pageById` as a read of its own: the list routes' `?limit=&cursor=` of one table. */
export async function listById<T extends PgTable & { id: PgColumn }>(
  db: Database,
  tenantId: string,
  table: T,
  q: { limit: number; cursor?: string | undefined },
  filters: (SQL | undefined)[],
  order: IdOrder = 'desc',
) {
  const after = cursorAfter(q.cursor);
  return readTenant(db, tenantId, () => pageById(table, after, q.limit, filters, order));
}
