import { and, eq, lt, or } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { readTenant } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema.js';

export interface IdempotencyScope {
  tenantId: string;
  principal: string;
  route: string;
  key: string;
}

const where = (s: IdempotencyScope) =>
  and(eq(idempotencyKeys.principal, s.principal), eq(idempotencyKeys.route, s.route), eq(idempotencyKeys.key, s.key));

/** Claims the key; returns null when it was claimed (the row then tells what happened). */
export async function claim(
  db: Database,
  s: IdempotencyScope,
  fingerprint: string,
  now: Date,
  expiresAt: Date,
  opts: { staleBefore: Date },
) {
  return readTenant(db, s.tenantId, async (tx) => {
    // An expired key is free again, and so is one left in progress by a request that died
    // (its lease is twice the request timeout).
    await tx
      .delete(idempotencyKeys)
      .where(
        and(
          where(s),
          or(lt(idempotencyKeys.expiresAt, now), and(eq(idempotencyKeys.state, 'in_progress'), lt(idempotencyKeys.createdAt, opts.staleBefore))),
        ),
      );
    const inserted = await tx
      .insert(idempotencyKeys)
      .values({ ...s, fingerprint, state: 'in_progress', createdAt: now, expiresAt })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length > 0) return null;
    const [existing] = await tx.select().from(idempotencyKeys).where(where(s));
    // Claimed and freed again between our insert and this read: another request has it.
    return existing ?? { state: 'in_progress' as const, fingerprint, responseStatus: null, responseBody: null, responseType: null };
  });
}

export async function complete(db: Database, s: IdempotencyScope, status: number, body: string, type: string) {
  await readTenant(db, s.tenantId, (tx) =>
    tx
      .update(idempotencyKeys)
      .set({ state: 'completed', responseStatus: status, responseBody: body, responseType: type })
      .where(where(s)),
  );
}

/** Frees a key whose request failed; one whose change committed stays (a retry would repeat it). */
export async function release(db: Database, s: IdempotencyScope) {
  await readTenant(db, s.tenantId, (tx) => tx.delete(idempotencyKeys).where(and(where(s), eq(idempotencyKeys.state, 'in_progress'))));
}

export async function purgeExpired(db: Database, tenantId: string, now: Date): Promise<number> {
  const rows = await readTenant(db, tenantId, (tx) =>
    tx.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now)).returning({ key: idempotencyKeys.key }),
  );
  return rows.length;
}
