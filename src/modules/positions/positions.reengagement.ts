import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant } from '../../db/client.js';
import { outcomeKinds } from '../../db/schema/index.js';
import { notFound } from '../../lib/errors.js';
import type { Actor } from '../../lib/access.js';
import { decodeCursor, pageQuery, toPage } from '../../lib/pagination.js';
import { instant } from '../../lib/schemas.js';
import { LIMITS } from '../../lib/limits.js';

/**
 * The talent pool for a position (DESIGN section 2): candidates an employer of the same family
 * (the district and its schools) turned down, or whose position went to someone else, listed for
 * re-engagement when that family opens a new position. docs/domain.md#re-engagement.
 */

/** The decisions that leave a candidate in the pool: a "no" about them, not about the job. */
export const POOL_OUTCOMES = ['rejected', 'filled_by_other'] as const satisfies readonly (typeof outcomeKinds)[number][];

export const reengagementQuery = z.strictObject({
  ...pageQuery,
  tag: z.string().trim().min(1).max(50).optional().describe('Only candidates with this tag'),
});

export const reengagementSchema = z
  .object({
    candidate: z.object({ id: z.uuid(), name: z.string().max(LIMITS.name), email: z.string().max(LIMITS.email).nullable(), tags: z.array(z.string().max(LIMITS.tag)).max(LIMITS.tags), timeZone: z.string().max(LIMITS.timeZone).nullable() }),
    lastDecision: z
      .object({
        applicationId: z.uuid(),
        positionId: z.uuid(),
        positionTitle: z.string().max(LIMITS.name),
        employerId: z.uuid(),
        outcome: z.enum(POOL_OUTCOMES),
        decidedAt: instant,
      })
      .describe('Their latest application in this employer family that ended with a "no"'),
  })
  .meta({
    id: 'ReengagementCandidate',
    example: {
      candidate: { id: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5', name: 'Jordan Lee', email: 'jordan.lee@example.org', tags: ['math'], timeZone: 'America/New_York' },
      lastDecision: {
        applicationId: '01938a91-4f5e-7a61-9c73-8d9e0f1a2b3c',
        positionId: '01938a90-3e4d-7f50-8b62-7c8d9e0f1a2b',
        positionTitle: 'Grade 3 Teacher',
        employerId: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f',
        outcome: 'filled_by_other',
        decidedAt: '2026-10-02T15:00:00.000Z',
      },
    },
  });

type Row = {
  candidate_id: string;
  name: string;
  email: string | null;
  tags: string[];
  time_zone: string | null;
  application_id: string;
  position_id: string;
  position_title: string;
  employer_id: string;
  outcome: (typeof POOL_OUTCOMES)[number];
  decided_at: Date;
};

/**
 * Candidates of the pool who fit the position: the latest outcome of one of their applications
 * at an employer of the position's family is in POOL_OUTCOMES; not erased; not applied to this
 * position already. Most recently turned down first (they remember the employer best).
 */
export async function listReengagement(deps: Deps, actor: Actor, positionId: string, q: z.output<typeof reengagementQuery>) {
  const after = decodeCursor(q.cursor, z.object({ decidedAt: z.iso.datetime(), candidateId: z.uuid() }));
  const rows = await readTenant(deps.db, actor.tenantId, async (tx) => {
    const found = await tx.execute<{ employer_id: string }>(sql`SELECT employer_id FROM positions WHERE id = ${positionId}`);
    if (found.rows.length === 0) throw notFound('Position');
    const res = await tx.execute<Row>(sql`
      WITH RECURSIVE up AS (
        SELECT e.id, e.parent_id, 0 AS depth FROM employers e WHERE e.id = ${found.rows[0]!.employer_id}
        UNION ALL
        SELECT e.id, e.parent_id, up.depth + 1 FROM employers e JOIN up ON e.id = up.parent_id WHERE up.depth < 10
      ), family AS (
        SELECT id, 0 AS depth FROM up WHERE parent_id IS NULL
        UNION ALL
        SELECT e.id, family.depth + 1 FROM employers e JOIN family ON e.parent_id = family.id WHERE family.depth < 10
      ), decided AS (
        SELECT DISTINCT ON (a.candidate_id)
               a.candidate_id, a.id AS application_id, p.id AS position_id, p.title AS position_title, p.employer_id,
               o.kind AS outcome, date_trunc('milliseconds', o.created_at) AS decided_at
        FROM applications a
        JOIN positions p ON p.id = a.position_id
        JOIN LATERAL (SELECT id, kind, created_at FROM outcomes WHERE application_id = a.id ORDER BY id DESC LIMIT 1) o ON true
        WHERE p.employer_id IN (SELECT id FROM family) AND p.id <> ${positionId}
        ORDER BY a.candidate_id, o.created_at DESC, o.id DESC
      )
      SELECT d.*, c.name, c.email, c.tags, c.time_zone
      FROM decided d
      JOIN candidates c ON c.id = d.candidate_id
      WHERE d.outcome IN ('rejected', 'filled_by_other')
        AND c.erased_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM applications x WHERE x.candidate_id = d.candidate_id AND x.position_id = ${positionId})
        ${q.tag ? sql`AND c.tags @> ARRAY[${q.tag}]::text[]` : sql``}
        ${after ? sql`AND (d.decided_at, d.candidate_id) < (${after.decidedAt}::timestamptz, ${after.candidateId}::uuid)` : sql``}
      ORDER BY d.decided_at DESC, d.candidate_id DESC
      LIMIT ${q.limit + 1}`);
    return res.rows;
  });
  const page = toPage(rows, q.limit, (r) => ({ decidedAt: new Date(r.decided_at).toISOString(), candidateId: r.candidate_id }));
  return {
    data: page.data.map((r) => ({
      candidate: { id: r.candidate_id, name: r.name, email: r.email, tags: r.tags, timeZone: r.time_zone },
      lastDecision: {
        applicationId: r.application_id,
        positionId: r.position_id,
        positionTitle: r.position_title,
        employerId: r.employer_id,
        outcome: r.outcome,
        decidedAt: new Date(r.decided_at),
      },
    })),
    nextCursor: page.nextCursor,
  };
}
