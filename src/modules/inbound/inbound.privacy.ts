import { asc, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { inboundReplies } from '../../db/schema/index.js';
import { presentInbound } from './inbound.service.js';

/** The emails about the person (matched or assigned), or from their own address, as received. */
export async function exportFor(tx: Tx, c: { email: string | null; applicationIds: string[]; followUpIds: string[] }) {
  const fromThem = c.email ? sql`strpos(lower(${inboundReplies.fromAddress}), lower(${c.email})) > 0` : undefined;
  if (!c.applicationIds.length && !c.followUpIds.length && !fromThem) return [];
  const rows = await tx
    .select()
    .from(inboundReplies)
    .where(
      or(
        c.applicationIds.length ? inArray(inboundReplies.applicationId, c.applicationIds) : undefined,
        c.followUpIds.length ? inArray(inboundReplies.followUpId, c.followUpIds) : undefined,
        fromThem,
      ),
    )
    .orderBy(asc(inboundReplies.id));
  return rows.map(presentInbound);
}

/** Those emails' subject and text, and who sent them where it was the person. */
export async function eraseFor(tx: Tx, candidateId: string, email: string | null) {
  await tx.execute(sql`
    UPDATE inbound_replies SET subject = '[erased]', text = '[erased]',
      from_address = CASE WHEN ${email}::text IS NOT NULL AND strpos(lower(from_address), lower(${email}::text)) > 0
                          THEN '[erased]' ELSE from_address END
    WHERE application_id IN (SELECT id FROM applications WHERE candidate_id = ${candidateId})
       OR follow_up_id IN (SELECT id FROM follow_ups WHERE candidate_id = ${candidateId})
       OR (${email}::text IS NOT NULL AND strpos(lower(from_address), lower(${email}::text)) > 0)`);
}
