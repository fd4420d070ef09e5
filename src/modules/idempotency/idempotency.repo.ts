import { and, eq, lt, or, sql } from 'drizzle-orm';
import { pgArray } from '../../db/arrays.js';
import type { Database } from '../../db/client.js';
import { readTenant, type Tx } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema/index.js';

import type { IdempotencyScope } from '../../lib/requestContext.js';

export type { IdempotencyScope };

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

/** The store the edge's Idempotency-Key handling is given (src/http/idempotency.ts IdempotencyStore). */
export const idempotencyStore = (db: Database) => ({
  claim: (s: IdempotencyScope, fingerprint: string, now: Date, expiresAt: Date, opts: { staleBefore: Date }) => claim(db, s, fingerprint, now, expiresAt, opts),
  complete: (s: IdempotencyScope, status: number, body: string, type: string) => complete(db, s, status, body, type),
  release: (s: IdempotencyScope) => release(db, s),
});

export async function purgeExpired(db: Database, tenantId: string, now: Date): Promise<number> {
  const rows = await readTenant(db, tenantId, (tx) =>
    tx.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now)).returning({ key: idempotencyKeys.key }),
  );
  return rows.length;
}

/**
 * Drops the stored answers that quote any of `needles` (ids, an email; compared lower-case), in the
 * caller's transaction: an erased person's data must not come back as a replay. The keys stay, as
 * committed, so a retry is not run again; it answers idempotency_answer_lost. `response_status`
 * stays, which tells this case from an answer that was never stored.
 */
export async function forgetAnswersQuoting(tx: Tx, needles: readonly string[]) {
  if (needles.length === 0) return;
  await tx.execute(sql`
    UPDATE idempotency_keys SET state = 'committed', response_body = NULL, response_type = NULL
    WHERE state = 'completed'
      AND EXISTS (SELECT 1 FROM unnest(${pgArray(needles.map((n) => n.toLowerCase()), 'text')}) AS n(v) WHERE strpos(lower(response_body), n.v) > 0)`);
}
