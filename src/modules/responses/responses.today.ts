import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant } from '../../db/client.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import type { Actor } from '../../lib/access.js';
import type { suggestedOutcomesQuery } from './responses.schemas.js';

interface Row {
  replyId: string;
  applicationId: string;
  candidateId: string;
  candidateName: string;
  positionTitle: string;
  employerName: string;
  ownerId: string;
  suggestedOutcome: 'offer';
  source: 'link';
  contactId: string | null;
  contactName: string | null;
  summary: string;
  receivedAt: Date;
}

/**
 * Replies that suggest an outcome nobody has confirmed yet: the application is still open and no
 * outcome was logged on it since the reply. Oldest first (the longest waiting on top of Today).
 */
export async function listSuggestedOutcomes(deps: Deps, actor: Actor, q: z.output<typeof suggestedOutcomesQuery>) {
  const after = decodeCursor(q.cursor, z.object({ at: z.string(), id: z.uuid() }));
  const res = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx.execute<Row & Record<string, unknown>>(sql`
      SELECT r.id AS "replyId", r.application_id AS "applicationId", a.candidate_id AS "candidateId", c.name AS "candidateName",
             p.title AS "positionTitle", e.name AS "employerName", a.owner_id AS "ownerId", r.suggested_outcome AS "suggestedOutcome",
             r.source, r.contact_id AS "contactId", ct.name AS "contactName", r.summary, r.received_at AS "receivedAt"
      FROM employer_replies r
      JOIN applications a ON a.id = r.application_id
      JOIN candidates c ON c.id = a.candidate_id
      JOIN positions p ON p.id = a.position_id
      JOIN employers e ON e.id = p.employer_id
      LEFT JOIN contacts ct ON ct.id = r.contact_id
      WHERE r.suggested_outcome IS NOT NULL
        AND a.stage NOT IN ('hired', 'rejected', 'withdrawn')
        AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.application_id = r.application_id AND o.created_at >= r.created_at)
        ${after ? sql`AND (r.received_at, r.id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
      ORDER BY r.received_at, r.id
      LIMIT ${q.limit + 1}`),
  );
  const rows = res.rows.map((r) => ({ ...r, receivedAt: new Date(r.receivedAt) }));
  return toPage(rows, q.limit, (r) => ({ at: r.receivedAt.toISOString(), id: r.replyId }));
}
