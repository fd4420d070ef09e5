import { eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { listChanged } from '../../db/sync.js';
import { positions } from '../../db/schema/index.js';
import { notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { containsPattern } from '../../lib/pagination.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import { checkEmployerRef } from '../employers/employers.service.js';
import type { createPositionBody, listEmployerPositionsQuery, listPositionsQuery, updatePositionBody } from './positions.schemas.js';
import { deleteOwned, listOfEmployer, updateOwned } from '../employers/employers.owned.js';
import { pageById, cursorAfter } from '../../db/pages.js';

type Position = typeof positions.$inferSelect;
const FIELDS = ['employerId', 'title', 'description', 'status', 'openings', 'targetFillDate'] as const;
const present = ({ tenantId: _t, ...p }: Position) => p;

async function findForUpdate(tx: Tx, id: string): Promise<Position> {
  const [row] = await tx.select().from(positions).where(eq(positions.id, id)).for('update');
  if (!row) throw notFound('Position');
  return row;
}

/** How the employer's shared update and delete (employers.owned.ts) reach positions. */
const owned = { table: positions, type: 'position' as const, fields: FIELDS, findForUpdate };

export async function createPosition(deps: Deps, actor: Actor, input: z.output<typeof createPositionBody>) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    await checkEmployerRef(tx, input.employerId);
    const [created] = await tx
      .insert(positions)
      .values({
        tenantId: actor.tenantId,
        id: newId(),
        employerId: input.employerId,
        title: input.title,
        description: input.description ?? null,
        status: input.status,
        openings: input.openings,
        targetFillDate: input.targetFillDate ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordChange(actor, now, {
      action: 'position.created',
      subject: { type: 'position', id: created!.id },
      changes: diff(null, created!, FIELDS),
      data: { employerId: created!.employerId },
    });
    return created!;
  });
  return present(row);
}

export async function getPosition(deps: Deps, actor: Actor, id: string) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(positions).where(eq(positions.id, id)));
  if (!row) throw notFound('Position');
  return present(row);
}

/** Newest first: ids are time-ordered (UUIDv7). */
export async function listPositions(deps: Deps, actor: Actor, q: z.output<typeof listPositionsQuery>) {
  if (q.updatedSince) {
    const page = await listChanged(deps.db, actor.tenantId, positions, { ...q, updatedSince: q.updatedSince });
    return { data: page.data.map(present), nextCursor: page.nextCursor };
  }
  const after = cursorAfter(q.cursor);
  const like = q.q ? containsPattern(q.q) : undefined;
  // A search goes through app_private.search_positions, which can use the trigram index (row-level
  // security keeps ILIKE from it); its ids are then read under RLS as usual.
  const searched = like
    ? inArray(
        positions.id,
        sql`(SELECT app_private.search_positions(${like}::text, ${q.status ?? null}::text, ${q.employerId ?? null}::uuid, ${after?.id ?? null}::uuid, ${q.limit + 1}))`,
      )
    : undefined;
  const page = await readTenant(deps.db, actor.tenantId, () =>
    pageById(positions, after, q.limit, [
      searched,
      q.status ? eq(positions.status, q.status) : undefined,
      q.employerId ? eq(positions.employerId, q.employerId) : undefined,
    ]),
  );
  return { data: page.data.map(present), nextCursor: page.nextCursor };
}

/** The positions of one employer; 404 when the employer is not the agency's. */
export function listEmployerPositions(deps: Deps, actor: Actor, employerId: string, q: z.output<typeof listEmployerPositionsQuery>) {
  return listOfEmployer(deps, actor, employerId, () => listPositions(deps, actor, { ...q, employerId }));
}

export async function updatePosition(deps: Deps, actor: Actor, id: string, input: z.output<typeof updatePositionBody>, ifMatch?: number) {
  const row = await updateOwned(deps, actor, id, input, ifMatch, owned);
  return present(row);
}

export function deletePosition(deps: Deps, actor: Actor, id: string, ifMatch?: number) {
  return deleteOwned(deps, actor, id, ifMatch, { ...owned, inUse: 'The position still has applications; remove those first' });
}
