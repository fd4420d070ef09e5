import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { interviewsOfCandidate } from './interviews.repo.js';

/** The candidate's interviews with the interviewers' notes, for their data export. */
export const exportFor = (tx: Tx, candidateId: string) => interviewsOfCandidate(tx, candidateId);

/** The highlights, notes and reasons written about the person on their interviews. */
export async function eraseFor(tx: Tx, candidateId: string) {
  const id = candidateId;
  await tx.execute(sql`
    UPDATE interviews SET highlights = NULL, notes = NULL, cancel_reason = NULL
    WHERE application_id IN (SELECT id FROM applications WHERE candidate_id = ${id})`);
  await tx.execute(sql`
    UPDATE interview_participants SET notes = NULL, highlight = NULL
    WHERE interview_id IN (SELECT i.id FROM interviews i JOIN applications a ON a.id = i.application_id WHERE a.candidate_id = ${id})`);
  // The invites sent to them keep that they went, not where; one not sent yet never goes.
  await tx.execute(sql`
    UPDATE calendar_invites SET to_address = NULL, last_error = NULL,
      status = CASE WHEN status = 'pending' THEN 'superseded' ELSE status END
    WHERE attendee = 'candidate'
      AND interview_id IN (SELECT i.id FROM interviews i JOIN applications a ON a.id = i.application_id WHERE a.candidate_id = ${id})`);
}
