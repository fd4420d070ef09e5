import type { Tx } from '../../db/client.js';
import { revokeLinksOfCandidate } from './responses.revoke.js';

/** Erasure: the candidate's response links are revoked (their page names the candidate). */
export async function eraseFor(tx: Tx, candidateId: string, now: Date): Promise<void> {
  await revokeLinksOfCandidate(tx, candidateId, now);
}
