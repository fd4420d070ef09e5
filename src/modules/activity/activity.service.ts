import { eq } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { activities } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { listById } from '../../db/pages.js';

// A change's activity row and event are written by src/db/outbox.ts (recordChange, in the
// caller's transaction); this module reads the timeline.
export { changeRows, diff, recordChange, type ChangeRecord, type Changes } from '../../db/outbox.js';

/** The timeline, newest first: of the agency, or of a candidate, application, interview or record. */
export async function listActivity(
  deps: Deps,
  actor: Actor,
  q: { limit: number; cursor?: string | undefined; candidateId?: string; applicationId?: string; interviewId?: string; subjectId?: string },
) {
  const page = await listById(deps.db, actor.tenantId, activities, q, [
    q.candidateId ? eq(activities.candidateId, q.candidateId) : undefined,
    q.applicationId ? eq(activities.applicationId, q.applicationId) : undefined,
    q.interviewId ? eq(activities.interviewId, q.interviewId) : undefined,
    q.subjectId ? eq(activities.subjectId, q.subjectId) : undefined,
  ]);
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
