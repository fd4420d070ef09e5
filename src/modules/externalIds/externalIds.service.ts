import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { recordChange } from '../../db/outbox.js';
import { applications, candidates, contacts, employers, externalIds, interviews, positions } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { externalIdParams, linkExternalIdBody, listExternalIdsQuery } from './externalIds.schemas.js';
import { listById } from '../../db/pages.js';

type Key = z.output<typeof externalIdParams>;
type Row = typeof externalIds.$inferSelect;

const TABLES = { candidate: candidates, employer: employers, contact: contacts, position: positions, application: applications, interview: interviews } as const;
const PATHS = { candidate: 'candidates', employer: 'employers', contact: 'contacts', position: 'positions', application: 'applications', interview: 'interviews' } as const;

const present = (r: Row) => ({
  type: r.type,
  source: r.source,
  externalId: r.externalId,
  id: r.recordId,
  path: `/v1/${PATHS[r.type]}/${r.recordId}`,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const byKey = (k: Key) => and(eq(externalIds.type, k.type), eq(externalIds.source, k.source), eq(externalIds.externalId, k.externalId));

export async function recordExists(tx: Tx, type: Key['type'], id: string): Promise<boolean> {
  const table = TABLES[type];
  const rows = await tx.select({ id: table.id }).from(table).where(eq(table.id, id)).limit(1);
  return rows.length > 0;
}

/**
 * One writer per (type, source, externalId) at a time, until the transaction ends: two links, two
 * upserts, or a link and an upsert of one id take turns (externalIds.upsert.ts).
 */
export async function keyLock(tx: Tx, tenantId: string, type: Key['type'], k: { source: string; externalId: string }) {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}:${type}:${k.source}:${k.externalId}`}, 0))`);
}

/** The record another system's id stands for; 404 when none (or when the record is gone). */
export async function lookupExternalId(deps: Deps, actor: Actor, k: Key) {
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    const [row] = await tx.select().from(externalIds).where(byKey(k));
    if (!row || !(await recordExists(tx, row.type, row.recordId))) throw notFound('External id');
    return present(row);
  });
}

/**
 * Says which record another system's id stands for. The record must be this agency's; an id that
 * already stands for another record is 409; a record's earlier id from the same source is replaced
 * (the other system re-keyed it).
 */
export async function linkExternalId(deps: Deps, actor: Actor, k: Key, body: z.output<typeof linkExternalIdBody>) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    if (!(await recordExists(tx, k.type, body.id))) {
      throw new AppError('validation_failed', `No ${k.type} with this id`, [{ field: 'body.id', message: `Not a ${k.type} of this agency` }]);
    }
    // One writer per (type, source, externalId) at a time: two links of one id race to the same row.
    // and two ids of one source for one record likewise (the key's lock first, always).
    await keyLock(tx, actor.tenantId, k.type, k);
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${actor.tenantId}:${k.type}:${body.id}:${k.source}`}, 0))`);
    const [existing] = await tx.select().from(externalIds).where(byKey(k)).for('update');
    if (existing && existing.recordId === body.id) return { link: present(existing), created: false };
    if (existing && (await recordExists(tx, existing.type, existing.recordId))) {
      throw new AppError('conflict', `${k.source} id ${k.externalId} already stands for another ${k.type}`, [], { id: existing.recordId });
    }
    if (existing) await tx.delete(externalIds).where(eq(externalIds.id, existing.id));
    // The record's earlier id from this source, if any, gives way.
    await tx
      .delete(externalIds)
      .where(and(eq(externalIds.type, k.type), eq(externalIds.source, k.source), eq(externalIds.recordId, body.id)));
    const [row] = await tx
      .insert(externalIds)
      .values({ tenantId: actor.tenantId, id: newId(), type: k.type, source: k.source, externalId: k.externalId, recordId: body.id, createdAt: now, updatedAt: now })
      .returning();
    await recordChange(actor, now, {
      action: 'external_id.linked',
      subject: { type: 'link', id: row!.id },
      data: { type: k.type, source: k.source, externalId: k.externalId, recordId: body.id },
    });
    return { link: present(row!), created: true };
  });
}

export async function unlinkExternalId(deps: Deps, actor: Actor, k: Key) {
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const [row] = await tx.delete(externalIds).where(byKey(k)).returning();
    if (!row) throw notFound('External id');
    await recordChange(actor, now, {
      action: 'external_id.unlinked',
      subject: { type: 'link', id: row.id },
      data: { type: k.type, source: k.source, externalId: k.externalId, recordId: row.recordId },
    });
  });
}

/** The links, by type, source and external id; or those of one record. */
export async function listExternalIds(deps: Deps, actor: Actor, q: z.output<typeof listExternalIdsQuery>) {
  const filters = [
    q.type ? eq(externalIds.type, q.type) : undefined,
    q.source ? eq(externalIds.source, q.source) : undefined,
    q.id ? eq(externalIds.recordId, q.id) : undefined,
  ];
  const page = await listById(deps.db, actor.tenantId, externalIds, q, filters, 'asc');
  return { data: page.data.map(present), nextCursor: page.nextCursor };
}

/** Erasure: a candidate's ids in other systems go with their personal data. */
export async function eraseFor(tx: Tx, candidateId: string) {
  await tx.delete(externalIds).where(and(eq(externalIds.type, 'candidate'), eq(externalIds.recordId, candidateId)));
  // Their link events named the other system's id for them: the stored events (the feed) forget it.
  await tx.execute(sql`
    UPDATE events SET payload = jsonb_set(payload, '{data,externalId}', 'null'::jsonb)
     WHERE type IN ('external_id.linked', 'external_id.unlinked')
       AND payload->'data'->>'type' = 'candidate' AND payload->'data'->>'recordId' = ${candidateId}`);
}
