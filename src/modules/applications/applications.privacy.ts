import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { applications, employerReplies, outcomes } from '../../db/schema/index.js';
import { applicationDetail, presentOutcome, presentReply } from './applications.repo.js';

/** The candidate's applications with their stage history, outcomes and employers' replies, for their data export. */
export async function exportFor(tx: Tx, candidateId: string) {
  const apps = await tx.select().from(applications).where(eq(applications.candidateId, candidateId)).orderBy(asc(applications.id));
  const ids = apps.map((a) => a.id);
  const [detailed, outcomeRows, replyRows] = await Promise.all([
    Promise.all(apps.map((a) => applicationDetail(tx, a))),
    ids.length ? tx.select().from(outcomes).where(inArray(outcomes.applicationId, ids)).orderBy(asc(outcomes.id)) : [],
    ids.length ? tx.select().from(employerReplies).where(inArray(employerReplies.applicationId, ids)).orderBy(asc(employerReplies.id)) : [],
  ]);
  return { ids, applications: detailed, outcomes: outcomeRows.map(presentOutcome), employerReplies: replyRows.map(presentReply) };
}

/** Free text written about the person on their applications: outcome notes and reasons, replies, stage reasons. */
export async function eraseFor(tx: Tx, candidateId: string) {
  const id = candidateId;
  await tx.execute(sql`
    UPDATE outcomes SET notes = NULL, reason = NULL
    WHERE application_id IN (SELECT id FROM applications WHERE candidate_id = ${id})`);
  await tx.execute(sql`
    UPDATE employer_replies SET summary = '[erased]'
    WHERE application_id IN (SELECT id FROM applications WHERE candidate_id = ${id})`);
  await tx.execute(sql`
    UPDATE application_stage_changes SET reason = NULL
    WHERE application_id IN (SELECT id FROM applications WHERE candidate_id = ${id})`);
}

/** The ids of the candidate's applications and their interviews: what stored answers may quote. */
export async function quotedIdsOf(tx: Tx, candidateId: string): Promise<string[]> {
  const related = await tx.execute<{ id: string }>(sql`
    SELECT id::text FROM applications WHERE candidate_id = ${candidateId}
    UNION ALL SELECT i.id::text FROM interviews i JOIN applications a ON a.id = i.application_id WHERE a.candidate_id = ${candidateId}`);
  return related.rows.map((r) => r.id);
}
