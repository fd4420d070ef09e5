import { z } from 'zod';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { allTenantIds, readTenant } from '../../db/client.js';
import { decodeCursor, encodeCursor } from '../../lib/pagination.js';
import type { Actor } from '../../lib/access.js';
import type { webhookEventSchema } from '../webhooks/webhooks.openapi.js';

type FeedEvent = z.infer<typeof webhookEventSchema>;

/** How long the feed keeps events (docs/events.md); the daily purge removes older ones. */
export const EVENTS_KEPT_DAYS = 30;

// x: a transaction id below 2^64 (at most 19 digits, no leading zero), so the cast cannot fail.
const cursorShape = z.strictObject({ x: z.string().regex(/^(0|[1-9]\d{0,18})$/), i: z.uuid() });
const START = { x: '0', i: '00000000-0000-0000-0000-000000000000' };

/**
 * The event log as a feed, in the order of the transactions that wrote it. Only events of
 * transactions older than every one still running are served (`pg_snapshot_xmin`), so an event
 * that commits late can never land behind a cursor already handed out: a reader that follows
 * nextCursor sees every event once, in commit-safe order, however writers interleave.
 */
export async function listEvents(deps: Deps, actor: Actor, q: { after?: string | undefined; types?: string | undefined; limit: number }) {
  const from = decodeCursor(q.after, cursorShape, 'query.after') ?? START;
  const types = q.types ? [...new Set(q.types.split(',').map((t) => t.trim()))] : null;
  const rows = await readTenant(deps.db, actor.tenantId, async (tx) => {
    const res = await tx.execute<{ tx: string; id: string; payload: FeedEvent }>(sql`
      SELECT tx_id::text AS tx, id, payload FROM events
       WHERE tenant_id = ${actor.tenantId}
         AND (tx_id, id) > (${from.x}::xid8, ${from.i}::uuid)
         AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
         ${types ? sql`AND type = ANY(${`{${types.join(',')}}`}::text[])` : sql``}
       ORDER BY tx_id, id
       LIMIT ${q.limit + 1}`);
    return res.rows;
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => r.payload),
    nextCursor: last ? encodeCursor({ x: last.tx, i: last.id }) : encodeCursor(from),
    hasMore: rows.length > q.limit,
  };
}

/** Deletes each agency's (or the `only` agencies') events older than EVENTS_KEPT_DAYS, oldest first, in bounded batches. */
export async function purgeOldEvents(deps: Deps, only?: readonly string[]): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - EVENTS_KEPT_DAYS * 86_400_000);
  let purged = 0;
  for (const tenantId of only ?? (await allTenantIds(deps.db))) {
    for (;;) {
      const n = await readTenant(deps.db, tenantId, async (tx) => {
        const res = await tx.execute(sql`
          DELETE FROM events WHERE tenant_id = ${tenantId} AND id IN (
            SELECT id FROM events WHERE tenant_id = ${tenantId} AND created_at < ${before.toISOString()}::timestamptz
             ORDER BY tx_id, id LIMIT 1000
          )`);
        return res.rowCount ?? 0;
      });
      purged += n;
      if (n < 1000) break;
    }
  }
  return purged;
}
