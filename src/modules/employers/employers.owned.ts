import { eq } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { pgError, readTenant, withTenant, type Tx } from '../../db/client.js';
import { contacts, positions } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { Actor } from '../../lib/access.js';
import { assertVersion } from '../../lib/versioning.js';
import { diff, type Changes } from '../activity/activity.service.js';
import { checkEmployerRef, employerExists } from './employers.repo.js';

/** What an employer owns and deletes the same way: its contacts and its positions. */
export interface Owned<R extends { version: number; employerId: string }> {
  table: typeof contacts | typeof positions;
  type: 'contact' | 'position';
  fields: readonly (keyof R & string)[];
  findForUpdate(tx: Tx, id: string): Promise<R>;
}

/**
 * Deletes a contact or a position at the version the caller read (If-Match), with its activity
 * and `<type>.deleted` event in the same transaction; one still referenced is a 409 saying why (`inUse`).
 */
export async function deleteOwned<R extends { version: number; employerId: string }>(
  deps: Deps,
  actor: Actor,
  id: string,
  ifMatch: number | undefined,
  o: Owned<R> & { inUse: string },
) {
  const now = deps.clock.now();
  try {
    await withTenant(deps.db, actor.tenantId, async (tx, work) => {
      const current = await o.findForUpdate(tx, id);
      assertVersion(current.version, ifMatch);
      await tx.delete(o.table).where(eq(o.table.id, id));
      await work.record(actor, now, {
        action: `${o.type}.deleted`,
        subject: { type: o.type, id },
        changes: diff<R>(current, {}, o.fields),
        data: { employerId: current.employerId },
      });
    });
  } catch (err) {
    if (pgError(err)?.code === '23503') throw new AppError('conflict', o.inUse);
    throw err;
  }
}

/**
 * Changes a contact or a position at the version the caller read (If-Match): a new employer must
 * be the agency's; nothing changed writes nothing; else the row, `then` (what else follows the
 * change, in the same transaction), and the activity and `<type>.updated` event.
 */
export async function updateOwned<R extends { version: number; employerId: string }, I extends Partial<R>>(
  deps: Deps,
  actor: Actor,
  id: string,
  input: I,
  ifMatch: number | undefined,
  o: Owned<R> & { then?: (tx: Tx, updated: R, changes: Changes) => Promise<void> },
): Promise<R> {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx, work) => {
    const current = await o.findForUpdate(tx, id);
    assertVersion(current.version, ifMatch);
    if (input.employerId !== undefined && input.employerId !== current.employerId) await checkEmployerRef(tx, input.employerId);
    const changes = diff<R>(current, { ...current, ...input }, o.fields);
    if (Object.keys(changes).length === 0) return current;
    const table = o.table as typeof contacts;
    const [updated] = (await tx
      .update(table)
      .set({ ...(input as object), version: current.version + 1, updatedAt: now })
      .where(eq(table.id, id))
      .returning()) as unknown as R[];
    await o.then?.(tx, updated!, changes);
    await work.record(actor, now, { action: `${o.type}.updated`, subject: { type: o.type, id }, changes, data: { employerId: updated!.employerId } });
    return updated!;
  });
}

/** The contacts or positions of one employer (`list` with its filter); 404 when the employer is not the agency's. */
export async function listOfEmployer<P>(deps: Deps, actor: Actor, employerId: string, list: () => Promise<P>): Promise<P> {
  const [exists, page] = await Promise.all([readTenant(deps.db, actor.tenantId, (tx) => employerExists(tx, employerId)), list()]);
  if (!exists) throw notFound('Employer');
  return page;
}
