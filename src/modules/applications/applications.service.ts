import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { isUniqueViolation, pgError, readTenant, withTenant, type Tx } from '../../db/client.js';
import { listChanged } from '../../db/sync.js';
import { applications, candidates, inboundReplies, positions, users } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { assertVersion } from '../../lib/versioning.js';
import { roleAtLeast, type Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import { applicationDetail, findApplication, lockApplication, withNames, type ApplicationRow } from './applications.repo.js';
import { applicationChange, changeStage, logStageChange } from './applications.stages.js';
import type { createApplicationBody, listApplicationsQuery, moveStageBody, updateApplicationBody } from './applications.schemas.js';
import { pageById, cursorAfter } from '../../db/pages.js';

/** What other modules read an application with (inbound replies). */
export { findApplication } from './applications.repo.js';

const FIELDS = ['candidateId', 'positionId', 'ownerId', 'stage'] as const;

const invalid = (field: string, detail: string, message: string) =>
  new AppError('validation_failed', detail, [{ field: `body.${field}`, message }]);

/** The owner must be an active recruiter, admin or owner of the agency. */
async function checkOwner(tx: Tx, ownerId: string): Promise<void> {
  const [user] = await tx.select({ role: users.role, status: users.status }).from(users).where(eq(users.id, ownerId)).for('key share');
  if (!user) throw invalid('ownerId', 'The owner is not a user of the agency', 'Unknown user');
  if (user.status !== 'active') throw invalid('ownerId', 'The owner is deactivated', 'Deactivated user');
  if (!roleAtLeast(user.role, 'recruiter')) throw invalid('ownerId', 'The owner must be a recruiter, an admin or an owner', `A ${user.role} cannot own applications`);
}

/** The candidate must exist and not be erased; the position must exist and be open. */
async function checkRefs(tx: Tx, candidateId: string, positionId: string): Promise<void> {
  const [candidate] = await tx.select({ erasedAt: candidates.erasedAt }).from(candidates).where(eq(candidates.id, candidateId)).for('key share');
  if (!candidate) throw invalid('candidateId', 'The candidate does not exist', 'Unknown candidate');
  if (candidate.erasedAt) {
    throw new AppError('conflict', 'The candidate was erased at their request', [{ field: 'body.candidateId', message: 'Erased candidate' }]);
  }
  // `share` holds the status: the position cannot be closed under the new application.
  const [position] = await tx.select({ status: positions.status }).from(positions).where(eq(positions.id, positionId)).for('share');
  if (!position) throw invalid('positionId', 'The position does not exist', 'Unknown position');
  if (position.status !== 'open') {
    throw new AppError('conflict', `The position is ${position.status}, not open`, [{ field: 'body.positionId', message: `Position is ${position.status}` }], {
      positionStatus: position.status,
    });
  }
}

async function duplicateOf(deps: Deps, actor: Actor, candidateId: string, positionId: string): Promise<never> {
  const [existing] = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select({ id: applications.id })
      .from(applications)
      .where(and(eq(applications.candidateId, candidateId), eq(applications.positionId, positionId))),
  );
  throw new AppError(
    'already_exists',
    'The candidate was already put forward for this position',
    [{ field: 'body.positionId', message: 'Already applied' }],
    { existingId: existing?.id },
  );
}

export async function createApplication(deps: Deps, actor: Actor, input: z.output<typeof createApplicationBody>) {
  const now = deps.clock.now();
  const ownerId = input.ownerId ?? actor.userId;
  if (!ownerId) throw invalid('ownerId', 'An API key must name the owning recruiter', 'Required with an API key');
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      await checkOwner(tx, ownerId);
      await checkRefs(tx, input.candidateId, input.positionId);
      const [created] = await tx
        .insert(applications)
        .values({
          tenantId: actor.tenantId,
          id: newId(),
          candidateId: input.candidateId,
          positionId: input.positionId,
          ownerId,
          stage: 'submitted',
          stageChangedAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const app = created!;
      await logStageChange(tx, actor, now, app.id, null, 'submitted', null);
      await recordChange(actor, now, applicationChange('application.created', app, diff(null, app, FIELDS), { positionId: app.positionId }));
      return applicationDetail(tx, app);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'applications_candidate_position_key')) return duplicateOf(deps, actor, input.candidateId, input.positionId);
    throw err;
  }
}

export async function getApplication(deps: Deps, actor: Actor, id: string) {
  return readTenant(deps.db, actor.tenantId, async (tx) => applicationDetail(tx, await findApplication(tx, id)));
}

/** A change at the version the caller read (If-Match): the application locked, its version checked (412 when it moved), then `change`. */
function atVersion<T>(deps: Deps, actor: Actor, id: string, ifMatch: number | undefined, change: (tx: Tx, current: ApplicationRow, now: Date) => Promise<T>) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await lockApplication(tx, id);
    assertVersion(current.version, ifMatch);
    return change(tx, current, now);
  });
}

/** Newest first: ids are time-ordered (UUIDv7); each row with the names a list shows. */
export async function listApplications(deps: Deps, actor: Actor, q: z.output<typeof listApplicationsQuery>) {
  if (q.updatedSince) {
    const page = await listChanged(deps.db, actor.tenantId, applications, { ...q, updatedSince: q.updatedSince });
    const data = await readTenant(deps.db, actor.tenantId, (tx) => withNames(tx, page.data));
    return { data, nextCursor: page.nextCursor };
  }
  const after = cursorAfter(q.cursor);
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    const page = await pageById(applications, after, q.limit, [
      q.stage ? eq(applications.stage, q.stage) : undefined,
      q.positionId ? eq(applications.positionId, q.positionId) : undefined,
      q.candidateId ? eq(applications.candidateId, q.candidateId) : undefined,
      q.ownerId ? eq(applications.ownerId, q.ownerId) : undefined,
    ]);
    return { data: await withNames(tx, page.data), nextCursor: page.nextCursor };
  });
}

/** Hands the application to another recruiter. */
export async function updateApplication(
  deps: Deps,
  actor: Actor,
  id: string,
  input: z.output<typeof updateApplicationBody>,
  ifMatch?: number,
) {
  return atVersion(deps, actor, id, ifMatch, async (tx, current, now) => {
    if (input.ownerId === current.ownerId) return applicationDetail(tx, current);
    await checkOwner(tx, input.ownerId);
    const [updated] = await tx
      .update(applications)
      .set({ ownerId: input.ownerId, version: current.version + 1, updatedAt: now })
      .where(eq(applications.id, id))
      .returning();
    await recordChange(actor, now, applicationChange('application.updated', current, diff(current, updated!, FIELDS)));
    return applicationDetail(tx, updated!);
  });
}

/**
 * Deletes an application made by mistake, with its stage history, outcomes and replies. One with
 * interviews is part of the record: it is withdrawn or closed instead (409). Employers' emails a
 * recruiter had assigned to it go back to the unmatched ones.
 */
export async function deleteApplication(deps: Deps, actor: Actor, id: string, ifMatch?: number) {
  try {
    await atVersion(deps, actor, id, ifMatch, async (tx, current, now) => {
      await tx
        .update(inboundReplies)
        .set({ status: 'unmatched', applicationId: null, replyId: null })
        .where(eq(inboundReplies.applicationId, id));
      await tx.delete(applications).where(eq(applications.id, id));
      await recordChange(actor, now, applicationChange('application.deleted', current, diff(current, {}, FIELDS), { positionId: current.positionId }));
    });
  } catch (err) {
    if (pgError(err)?.code === '23503') {
      throw new AppError('conflict', 'The application has interviews: withdraw it (an outcome) instead of deleting it');
    }
    throw err;
  }
}

export async function moveApplicationStage(
  deps: Deps,
  actor: Actor,
  id: string,
  input: z.output<typeof moveStageBody>,
  ifMatch?: number,
) {
  return atVersion(deps, actor, id, ifMatch, async (tx, current, now) =>
    applicationDetail(tx, await changeStage(tx, actor, now, current, input.stage, input.reason ?? null)),
  );
}
