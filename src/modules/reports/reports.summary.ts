import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';

/** Outcomes that are the employer's decision. */
export const EMPLOYER_DECISIONS = ['offer', 'hired', 'rejected', 'filled_by_other'] as const;

/**
 * Keeps the application's first employer decision for the pipeline report, in the transaction that
 * logs it: when, and the end of the last completed interview before it.
 */
export async function recordDecision(tx: Tx, applicationId: string, kind: string, decidedAt: Date): Promise<void> {
  if (!(EMPLOYER_DECISIONS as readonly string[]).includes(kind)) return;
  await tx.execute(sql`
    INSERT INTO application_decisions (tenant_id, application_id, position_id, owner_id, kind, decided_at, interview_ended_at)
    SELECT a.tenant_id, a.id, a.position_id, a.owner_id, ${kind}, ${decidedAt},
           (SELECT max(iv.ends_at) FROM interviews iv WHERE iv.application_id = a.id AND iv.status = 'completed' AND iv.ends_at <= ${decidedAt})
    FROM applications a WHERE a.id = ${applicationId}
    ON CONFLICT (application_id) DO NOTHING`);
}
