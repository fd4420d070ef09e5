import { and, desc, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant } from '../../db/client.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { activities } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';

// A change's activity row and event are written by src/db/outbox.ts (recordChange, in the
// caller's transaction); this module reads the timeline.
export { changeRows, diff, recordChange, type ChangeRecord, type Changes } from '../../db/outbox.js';

/** The timeline, newest first: of the agency, or of a candidate, application, interview or record. */
export async function listActivity(
  deps: Deps,
  actor: Actor,
  q: { limit: number; cursor?: string | undefined; candidateId?: string; applicationId?: string; interviewId?: string; subjectId?: string },
) {
  const after = decodeCursor(q.cursor, z.object({ id: z.uuid() }));
  const rows = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select()
      .from(activities)
      .where(
        and(
          q.candidateId ? eq(activities.candidateId, q.candidateId) : undefined,
          q.applicationId ? eq(activities.applicationId, q.applicationId) : undefined,
          q.interviewId ? eq(activities.interviewId, q.interviewId) : undefined,
          q.subjectId ? eq(activities.subjectId, q.subjectId) : undefined,
          after ? lt(activities.id, after.id) : undefined,
        ),
      )
      .orderBy(desc(activities.id))
      .limit(q.limit + 1),
  );
  const page = toPage(rows, q.limit, (r) => ({ id: r.id }));
  return {
    data: page.data.map((r) => ({
      id: r.id,
      action: r.action,
      actor: { type: r.actorType, id: r.actorId },
      subject: { type: r.subjectType, id: r.subjectId },
      candidateId: r.candidateId,
      applicationId: r.applicationId,
      interviewId: r.interviewId,
      changes: r.changes,
      createdAt: r.createdAt,
    })),
    nextCursor: page.nextCursor,
  };
}
