import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Deps } from '../../deps.js';
import { withTenant } from '../../db/client.js';
import { interviews } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { AppError } from '../../lib/errors.js';
import { getApplication, updateApplication } from '../applications/applications.service.js';
import type { upsertApplicationBody } from '../applications/applications.schemas.js';
import { addParticipant, getInterview, removeParticipant, rescheduleInterview, updateInterview } from '../interviews/interviews.service.js';
import type { upsertInterviewBody } from '../interviews/interviews.schemas.js';

/**
 * An upsert by external id of an application or an interview that exists (externalIds.upsert.ts):
 * neither has one PATCH that covers its PUT body, so the body is taken apart and each change made
 * by the service of the route by id that makes it, joined into the upsert's transaction. What is
 * the same as stored is left alone: the same body again changes nothing, plans nothing.
 */

type ApplicationBody = z.output<typeof upsertApplicationBody>;
type InterviewBody = z.output<typeof upsertInterviewBody>;

/** A field that names what the record was made for: it does not change (409, naming it). */
function fixed(kind: string, field: string, given: string | undefined, current: string) {
  if (given === undefined || given.toLowerCase() === current) return;
  throw new AppError('conflict', `The ${kind}’s ${field} does not change`, [{ field: `body.${field}`, message: `Differs from the ${kind}’s: it does not change` }], {
    [field]: current,
  });
}

/** Its candidate and position stay; a new owner hands it over as PATCH /v1/applications/{id} does. */
export async function changeApplication(deps: Deps, actor: Actor, id: string, body: ApplicationBody) {
  const current = await getApplication(deps, actor, id);
  fixed('application', 'candidateId', body.candidateId, current.candidateId);
  fixed('application', 'positionId', body.positionId, current.positionId);
  // The same owner (in any letter case) again changes nothing, so a repeated PUT stays a no-op.
  return body.ownerId && body.ownerId.toLowerCase() !== current.ownerId.toLowerCase() ? updateApplication(deps, actor, id, { ownerId: body.ownerId }) : current;
}

const PATCHED = ['round', 'format', 'arrangedVia', 'location', 'meetingUrl', 'notes', 'highlights'] as const;

/** A service's refusal about `body.x` is about `body.participants.<i>.x` here. */
async function asParticipant<T>(i: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof AppError) || err.errors.length === 0) throw err;
    const errors = err.errors.map((e) => ({ ...e, field: e.field.replace(/^body\./, `body.participants.${i}.`) }));
    throw new AppError(err.code, err.message, errors, err.extra);
  }
}

/**
 * The PATCH fields as PATCH /v1/interviews/{id} changes them; other times as
 * POST …/reschedule moves them (a scheduled interview only: 409 otherwise); participants as
 * POST …/participants adds and DELETE …/participants/{contactId} removes them (the new first, so
 * one always stays). Each plans the invites and follow-ups its route plans.
 */
export async function changeInterview(deps: Deps, actor: Actor, id: string, body: InterviewBody) {
  // Locked first (the services lock it again in the same transaction): what is compared below is what they change.
  await withTenant(deps.db, actor.tenantId, (tx) => tx.select({ id: interviews.id }).from(interviews).where(eq(interviews.id, id)).for('update'));
  const current = await getInterview(deps, actor, id);

  // The whole body is checked before anything changes.
  fixed('interview', 'applicationId', body.applicationId, current.applicationId);
  const patch = Object.fromEntries(PATCHED.filter((f) => body[f] !== undefined && body[f] !== current[f]).map((f) => [f, body[f]]));
  const times = { startsAt: body.startsAt ?? current.startsAt, endsAt: body.endsAt ?? current.endsAt, timeZone: body.timeZone ?? current.timeZone };
  const moved = times.startsAt.getTime() !== current.startsAt.getTime() || times.endsAt.getTime() !== current.endsAt.getTime() || times.timeZone !== current.timeZone;
  if (moved && times.endsAt <= times.startsAt) {
    const [field, message] = body.endsAt ? ['body.endsAt', 'Must be after startsAt'] : ['body.startsAt', 'Must be before the interview’s endsAt'];
    throw new AppError('validation_failed', 'endsAt must be after startsAt', [{ field, message }]);
  }
  const wanted = body.participants?.map((p) => ({ ...p, contactId: p.contactId.toLowerCase() }));
  const twice = wanted?.findIndex((p, i) => wanted.findIndex((q) => q.contactId === p.contactId) !== i) ?? -1;
  if (twice >= 0) throw new AppError('validation_failed', 'A contact is listed twice', [{ field: `body.participants.${twice}.contactId`, message: 'Listed twice' }]);

  let result = current;
  if (Object.keys(patch).length > 0) result = await updateInterview(deps, actor, id, patch as Parameters<typeof updateInterview>[3]);
  if (moved) result = await rescheduleInterview(deps, actor, id, times);
  if (wanted) {
    const taking = new Set(current.participants.map((p) => p.contactId));
    for (const [i, p] of wanted.entries()) {
      if (!taking.has(p.contactId)) result = await asParticipant(i, () => addParticipant(deps, actor, id, p));
    }
    for (const p of current.participants) {
      if (!wanted.some((w) => w.contactId === p.contactId)) result = await removeParticipant(deps, actor, id, p.contactId);
    }
  }
  return result;
}
