import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';

/** Subjects may quote the candidate (a template naming them): the threads keep their shape, not the words. */
export async function eraseFor(tx: Tx, candidateId: string) {
  await tx.execute(sql`
    UPDATE email_threads SET subject = '[erased]'
    WHERE application_id IN (SELECT id FROM applications WHERE candidate_id = ${candidateId})`);
  await tx.execute(sql`
    UPDATE email_messages SET subject = '[erased]'
    WHERE follow_up_id IN (SELECT id FROM follow_ups WHERE candidate_id = ${candidateId})`);
}
