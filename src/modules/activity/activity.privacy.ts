import { asc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { activities } from '../../db/schema/index.js';

/** Free-text fields of the timeline entries of a person's applications and interviews. */
const ERASED_TEXT_FIELDS = `{${['highlights', 'highlight', 'notes', 'reason', 'summary', 'cancelReason', 'participants', 'subject', 'body'].join(',')}}`;

/** The candidate's timeline, oldest first, for their data export. */
export const exportFor = (tx: Tx, candidateId: string) =>
  tx
    .select({ id: activities.id, action: activities.action, createdAt: activities.createdAt, changes: activities.changes })
    .from(activities)
    .where(eq(activities.candidateId, candidateId))
    .orderBy(asc(activities.id));

/** Wipes the candidate's values from the timeline and from the events written for them. */
export async function eraseFor(tx: Tx, candidateId: string) {
  const id = candidateId;
  // The timeline keeps what happened and when, not the values: all of the person's own entries,
  // and the free text of their applications' and interviews' (highlights, notes, reasons).
  await tx.execute(sql`
    UPDATE activities
    SET changes = (SELECT coalesce(jsonb_object_agg(k, CASE WHEN subject_id = ${id} OR k = ANY(${ERASED_TEXT_FIELDS}::text[])
                                                           THEN jsonb_build_object('before', null, 'after', null) ELSE v END), '{}'::jsonb)
                   FROM jsonb_each(changes) AS e(k, v))
    WHERE candidate_id = ${id}`);
  // The events written for them carry ids and kinds, and some free text: the reason of an
  // outcome or a stage move, the address a follow-up went to, a mail server's error (which may
  // quote it). Those go (webhooks already sent cannot be called back).
  await tx.execute(sql`
    UPDATE events SET payload = jsonb_set(jsonb_set(jsonb_set(payload,
      '{data,reason}', 'null'::jsonb, false), '{data,to}', 'null'::jsonb, false), '{data,error}', 'null'::jsonb, false)
    WHERE payload->'data'->>'candidateId' = ${id}::text
      AND (payload->'data'->>'reason' IS NOT NULL OR payload->'data'->>'to' IS NOT NULL OR payload->'data'->>'error' IS NOT NULL)`);
}
