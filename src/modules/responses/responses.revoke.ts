import { and, inArray, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { responseLinks } from '../../db/schema/index.js';

/** Revokes the live response links of applications (closed, or their candidate erased), in the caller's transaction. */
export async function revokeLinks(tx: Tx, applicationIds: string[], now: Date, reason: string): Promise<void> {
  if (applicationIds.length === 0) return;
  await tx
    .update(responseLinks)
    .set({ revokedAt: now, revokeReason: reason })
    .where(and(inArray(responseLinks.applicationId, applicationIds), isNull(responseLinks.revokedAt)));
}

/** Erasure: every link about the candidate stops working (the page would name them). */
export async function revokeLinksOfCandidate(tx: Tx, candidateId: string, now: Date): Promise<void> {
  await tx
    .update(responseLinks)
    .set({ revokedAt: now, revokeReason: 'candidate erased' })
    .where(and(isNull(responseLinks.revokedAt), sql`${responseLinks.applicationId} IN (SELECT id FROM applications WHERE candidate_id = ${candidateId})`));
}
