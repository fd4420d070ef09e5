import { and, eq, lt } from 'drizzle-orm';
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
export async function claim(db: Database, s: IdempotencyScope, fingerprint: string, now: Date, expiresAt: Date) {
  return readTenant(db, s.tenantId, async (tx) => {
    // An expired key is free again.
    await tx.delete(idempotencyKeys).where(and(where(s), lt(idempotencyKeys.expiresAt, now)));
    const inserted = await tx
      .insert(idempotencyKeys)
      .values({ ...s, fingerprint, state: 'in_progress', createdAt: now, expiresAt })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length > 0) return null;
    const [existing] = await tx.select().from(idempotencyKeys).where(where(s));
    return existing ?? null;
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

export async function release(db: Database, s: IdempotencyScope) {
  await readTenant(db, s.tenantId, (tx) => tx.delete(idempotencyKeys).where(where(s)));
}

export async function purgeExpired(db: Database, tenantId: string, now: Date): Promise<number> {
  const rows = await readTenant(db, tenantId, (tx) =>
    tx.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now)).returning({ key: idempotencyKeys.key }),
  );
  return rows.length;
}
