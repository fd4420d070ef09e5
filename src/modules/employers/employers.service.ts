import { and, asc, eq, gt, ilike, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { pgError, readTenant, withTenant, type Tx } from '../../db/client.js';
import { listChanged } from '../../db/sync.js';
import { employers, tenants } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { containsPattern, decodeCursor, toPage } from '../../lib/pagination.js';
import { assertVersion } from '../../lib/versioning.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import type { createEmployerBody, listEmployersQuery, updateEmployerBody } from './employers.schemas.js';

/** What other modules check an employer with (contacts, positions). */
export { checkEmployerRef } from './employers.repo.js';

type Employer = typeof employers.$inferSelect;
const FIELDS = ['name', 'kind', 'parentId', 'timeZone', 'holidays', 'website', 'notes'] as const;
const present = ({ tenantId: _t, ...e }: Employer) => e;

async function findForUpdate(tx: Tx, id: string): Promise<Employer> {
  const [row] = await tx.select().from(employers).where(eq(employers.id, id)).for('update');
  if (!row) throw notFound('Employer');
  return row;
}

/** A parent must exist in the agency and must not be the employer or one of its descendants. */
async function checkParent(tx: Tx, id: string | null, parentId: string | null | undefined) {
  if (!parentId) return undefined;
  const res = await tx.execute<{ id: string; time_zone: string; depth: number }>(sql`
    WITH RECURSIVE up AS (
      SELECT id, parent_id, time_zone, 0 AS depth FROM employers WHERE id = ${parentId}
      UNION ALL
      SELECT e.id, e.parent_id, e.time_zone, up.depth + 1 FROM employers e JOIN up ON e.id = up.parent_id WHERE up.depth < 20
    ) SELECT id, time_zone, depth FROM up`);
  const chain = res.rows;
  if (chain.length === 0) {
    throw new AppError('validation_failed', 'The parent employer does not exist', [{ field: 'body.parentId', message: 'Unknown employer' }]);
  }
  if (id && chain.some((r) => r.id === id)) {
    throw new AppError('conflict', 'An employer cannot be inside itself', [{ field: 'body.parentId', message: 'Would make a cycle' }]);
  }
  return chain[0]!.time_zone;
}

export async function createEmployer(deps: Deps, actor: Actor, input: z.output<typeof createEmployerBody>) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const parentZone = await checkParent(tx, null, input.parentId);
    const timeZone =
      input.timeZone ?? parentZone ?? (await tx.select({ tz: tenants.timeZone }).from(tenants))[0]!.tz;
    const [created] = await tx
      .insert(employers)
      .values({
        tenantId: actor.tenantId,
        id: newId(),
        name: input.name,
        kind: input.kind,
        parentId: input.parentId ?? null,
        timeZone,
        holidays: input.holidays,
        website: input.website ?? null,
        notes: input.notes ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordChange(actor, now, {
      action: 'employer.created',
      subject: { type: 'employer', id: created!.id },
      changes: diff(null, created!, FIELDS),
    });
    return created!;
  });
  return present(row);
}

export async function getEmployer(deps: Deps, actor: Actor, id: string) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(employers).where(eq(employers.id, id)));
  if (!row) throw notFound('Employer');
  return present(row);
}

export async function listEmployers(deps: Deps, actor: Actor, q: z.output<typeof listEmployersQuery>) {
  if (q.updatedSince) {
    const page = await listChanged(deps.db, actor.tenantId, employers, { ...q, updatedSince: q.updatedSince });
    return { data: page.data.map(present), nextCursor: page.nextCursor };
  }
  const after = decodeCursor(q.cursor, z.object({ name: z.string(), id: z.uuid() }));
  const rows = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select()
      .from(employers)
      .where(
        and(
          q.q ? ilike(employers.name, containsPattern(q.q)) : undefined,
          q.kind ? eq(employers.kind, q.kind) : undefined,
          q.parentId ? eq(employers.parentId, q.parentId) : undefined,
          after ? or(gt(employers.name, after.name), and(eq(employers.name, after.name), gt(employers.id, after.id))) : undefined,
        ),
      )
      .orderBy(asc(employers.name), asc(employers.id))
      .limit(q.limit + 1),
  );
  const page = toPage(rows, q.limit, (r) => ({ name: r.name, id: r.id }));
  return { data: page.data.map(present), nextCursor: page.nextCursor };
}

export async function updateEmployer(
  deps: Deps,
  actor: Actor,
  id: string,
  input: z.output<typeof updateEmployerBody>,
  ifMatch?: number,
) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await findForUpdate(tx, id);
    assertVersion(current.version, ifMatch);
    if (input.parentId !== undefined) await checkParent(tx, id, input.parentId);
    const changes = diff(current, { ...current, ...input }, FIELDS);
    if (Object.keys(changes).length === 0) return current;
    const [updated] = await tx
      .update(employers)
      .set({ ...input, version: current.version + 1, updatedAt: now })
      .where(eq(employers.id, id))
      .returning();
    await recordChange(actor, now, { action: 'employer.updated', subject: { type: 'employer', id }, changes });
    return updated!;
  });
  return present(row);
}

export async function deleteEmployer(deps: Deps, actor: Actor, id: string, ifMatch?: number) {
  const now = deps.clock.now();
  try {
    await withTenant(deps.db, actor.tenantId, async (tx) => {
      const current = await findForUpdate(tx, id);
      assertVersion(current.version, ifMatch);
      await tx.delete(employers).where(eq(employers.id, id));
      await recordChange(actor, now, {
        action: 'employer.deleted',
        subject: { type: 'employer', id },
        changes: diff(current, {}, FIELDS),
      });
    });
  } catch (err) {
    if (pgError(err)?.code === '23503') {
      throw new AppError('conflict', 'The employer still has schools, contacts or positions; remove those first');
    }
    throw err;
  }
}
