import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { candidates } from '../../db/schema/index.js';
import { notFound } from '../../lib/errors.js';
import { emailHashOf, findForUpdate, presentCandidate, type Candidate } from './candidates.service.js';

/** The candidate's record as the API shows it, for their data export (404 when there is none). */
export async function exportFor(tx: Tx, candidateId: string) {
  const [row] = await tx.select().from(candidates).where(eq(candidates.id, candidateId));
  if (!row) throw notFound('Candidate');
  return row;
}

/**
 * The record stays (applications and history keep their shape) with the name replaced, the
 * personal fields emptied, and a salted hash of the email so the person is not added again by
 * mistake. `erased` is null when it already was; `current` is the record as it was.
 */
export async function eraseFor(tx: Tx, tenantId: string, candidateId: string, now: Date): Promise<{ current: Candidate; erased: Candidate | null }> {
  const current = await findForUpdate(tx, candidateId);
  if (current.erasedAt) return { current, erased: null };
  const [erased] = await tx
    .update(candidates)
    .set({
      name: 'Erased candidate',
      email: null,
      phone: null,
      linkedinUrl: null,
      timeZone: null,
      notes: null,
      tags: [],
      relayConsent: false,
      relayConsentAt: null,
      statusUpdatesOptIn: false,
      emailHash: current.email ? emailHashOf(tenantId, current.email) : null,
      erasedAt: now,
      version: current.version + 1,
      updatedAt: now,
    })
    .where(eq(candidates.id, candidateId))
    .returning();
  return { current, erased: erased! };
}

export { presentCandidate };
