import { and, count, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { pgError, readTenant, withTenant } from '../../db/client.js';
import { listChanged } from '../../db/sync.js';
import { applications, interviewParticipants, interviews, positions } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { decodeCursor, encodeCursor } from '../../lib/pagination.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import { changeStage, isClosed } from '../applications/applications.stages.js';
import { syncFollowUps } from '../followups/followups.sync.js';
import { recordPromise } from '../responses/responses.ledger.js';
import { findInterviews, loadInterview, type InterviewRow } from './interviews.repo.js';
import { planInvites } from './interviews.invites.js';
import type {
  cancelBody,
  completeBody,
  listInterviewsQuery,
  noShowBody,
  rescheduleBody,
  scheduleInterviewBody,
  timelineBody,
  updateInterviewBody,
} from './interviews.schemas.js';
import { applyChange, checkContacts, FIELDS, loadOrThrow, lockForAction, refsOf, replanAndLoad } from './interviews.change.js';

export { addParticipant, removeParticipant } from './interviews.participants.js';

/**
 * Deletes an interview entered by mistake, with its participants. A completed one is history (its
 * notes, follow-ups and replies hang on it): 409, as for one with follow-ups or replies.
 */
export async function deleteInterview(deps: Deps, actor: Actor, id: string, ifMatch?: number) {
  const now = deps.clock.now();
  try {
    await withTenant(deps.db, actor.tenantId, async (tx) => {
      const row = await lockForAction(tx, id, ['scheduled', 'cancelled', 'no_show'], 'deleted', ifMatch);
      const refs = await refsOf(tx, row);
      await tx.delete(interviews).where(eq(interviews.id, id));
      await recordChange(actor, now, { action: 'interview.deleted', subject: { type: 'interview', id }, refs, changes: diff(row, {}, FIELDS) });
    });
  } catch (err) {
    if (pgError(err)?.code === '23503') throw new AppError('conflict', 'The interview has follow-ups or employer replies: cancel it instead of deleting it');
    throw err;
  }
}

export async function scheduleInterview(deps: Deps, actor: Actor, input: z.output<typeof scheduleInterviewBody>) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const [app] = await tx.select().from(applications).where(eq(applications.id, input.applicationId)).for('update');
    if (!app) throw new AppError('validation_failed', 'Unknown application', [{ field: 'body.applicationId', message: 'No such application' }]);
    if (isClosed(app.stage)) {
      throw new AppError('conflict', `The application is closed (${app.stage})`, [{ field: 'body.applicationId', message: 'Closed' }]);
    }
    const [{ employerId }] = (await tx
      .select({ employerId: positions.employerId })
      .from(positions)
      .where(eq(positions.id, app.positionId))) as [{ employerId: string }];
    await checkContacts(tx, employerId, input.participants.map((p) => p.contactId), (i) => `body.participants.${i}.contactId`);
    const [{ n }] = (await tx.select({ n: count() }).from(interviews).where(eq(interviews.applicationId, app.id))) as [{ n: number }];
    const id = newId();
    const [row] = await tx
      .insert(interviews)
      .values({
        tenantId: actor.tenantId,
        id,
        applicationId: app.id,
        round: input.round ?? n + 1,
        format: input.format,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        timeZone: input.timeZone,
        arrangedVia: input.arrangedVia,
        location: input.location ?? null,
        meetingUrl: input.meetingUrl ?? null,
        notes: input.notes ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await tx.insert(interviewParticipants).values(
      input.participants.map((p) => ({
        tenantId: actor.tenantId,
        id: newId(),
        interviewId: id,
        contactId: p.contactId,
        role: p.role,
        highlight: p.highlight ?? null,
        createdAt: now,
      })),
    );
    await recordChange(actor, now, {
      action: 'interview.scheduled',
      subject: { type: 'interview', id },
      refs: { candidateId: app.candidateId, applicationId: app.id, interviewId: id },
      changes: diff(null, row!, FIELDS),
      data: { startsAt: input.startsAt.toISOString(), participantIds: input.participants.map((p) => p.contactId) },
    });
    if (app.stage === 'submitted' || app.stage === 'on_hold') {
      await changeStage(tx, actor, now, app, 'interviewing', 'Interview scheduled');
    }
    await planInvites(tx, actor.tenantId, now, id);
    return (await loadInterview(tx, id))!;
  });
}

export async function getInterview(deps: Deps, actor: Actor, id: string) {
  return readTenant(deps.db, actor.tenantId, (tx) => loadOrThrow(tx, id));
}

export async function listInterviews(deps: Deps, actor: Actor, q: z.output<typeof listInterviewsQuery>) {
  if (q.updatedSince) {
    const page = await listChanged(deps.db, actor.tenantId, interviews, { ...q, updatedSince: q.updatedSince });
    const data = await readTenant(deps.db, actor.tenantId, (tx) => Promise.all(page.data.map((r) => loadInterview(tx, r.id))));
    return { data: data.filter((i) => i !== null && i !== undefined), nextCursor: page.nextCursor };
  }
  const after = decodeCursor(q.cursor, z.object({ startsAt: z.iso.datetime(), id: z.uuid() }));
  const rows = await readTenant(deps.db, actor.tenantId, () => findInterviews({ ...q, after }));
  const data = rows.slice(0, q.limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > q.limit && last ? encodeCursor({ startsAt: last.startsAt.toISOString(), id: last.id }) : null };
}

export async function updateInterview(deps: Deps, actor: Actor, id: string, input: z.output<typeof updateInterviewBody>, ifMatch?: number) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockForAction(tx, id, ['scheduled', 'completed', 'no_show', 'cancelled'], 'changed', ifMatch);
    const changes = diff(row, { ...row, ...input }, FIELDS);
    if (Object.keys(changes).length > 0) await applyChange(tx, actor, now, row, input, 'interview.updated');
    // What the calendar event shows changed: the invites are sent again.
    if (changes.location || changes.meetingUrl || changes.format || changes.round) await planInvites(tx, actor.tenantId, now, id);
    // After completion the plan follows its facts: the channel it was arranged by routes the status
    // checks, the highlights go into the thank-yous not sent yet.
    if (row.status === 'completed' && (changes.arrangedVia || changes.highlights)) await syncFollowUps(tx, actor, now, id);
    return loadOrThrow(tx, id);
  });
}

export async function rescheduleInterview(deps: Deps, actor: Actor, id: string, input: z.output<typeof rescheduleBody>, ifMatch?: number) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockForAction(tx, id, ['scheduled'], 'rescheduled', ifMatch);
    const { reason, ...times } = input;
    await applyChange(tx, actor, now, row, times, 'interview.rescheduled', {
      previousStartsAt: row.startsAt.toISOString(),
      startsAt: input.startsAt.toISOString(),
      reason: reason ?? null,
    });
    return replanAndLoad(tx, actor, now, id);
  });
}

export async function cancelInterview(deps: Deps, actor: Actor, id: string, input: z.output<typeof cancelBody>, ifMatch?: number) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockForAction(tx, id, ['scheduled'], 'cancelled', ifMatch);
    await applyChange(tx, actor, now, row, { status: 'cancelled', cancelReason: input.reason }, 'interview.cancelled', { reason: input.reason });
    // Calls off whatever is still open: a cancelled interview has nothing to follow up.
    return replanAndLoad(tx, actor, now, id);
  });
}

export async function markNoShow(deps: Deps, actor: Actor, id: string, input: z.output<typeof noShowBody>, ifMatch?: number) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockForAction(tx, id, ['scheduled'], 'marked as a no-show', ifMatch);
    if (row.startsAt > now) throw new AppError('conflict', 'The interview has not started yet');
    const set: Partial<InterviewRow> = { status: 'no_show', ...(input.notes ? { notes: [row.notes, input.notes].filter(Boolean).join('\n') } : {}) };
    await applyChange(tx, actor, now, row, set, 'interview.no_show');
    return loadOrThrow(tx, id);
  });
}

/**
 * Completes an interview: highlights, per-participant notes and, when the employer gave one, the
 * projected decision date. The follow-up plan is made from this (the follow-up engine).
 */
export async function completeInterview(deps: Deps, actor: Actor, id: string, input: z.output<typeof completeBody>, ifMatch?: number) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockForAction(tx, id, ['scheduled'], 'completed', ifMatch);
    if (row.startsAt > now) throw new AppError('conflict', 'The interview has not started yet', [], { startsAt: row.startsAt.toISOString() });
    const people = await tx
      .select({ id: interviewParticipants.id, contactId: interviewParticipants.contactId })
      .from(interviewParticipants)
      .where(eq(interviewParticipants.interviewId, id));
    input.participants.forEach((p, i) => {
      if (!people.some((x) => x.contactId === p.contactId)) {
        throw new AppError('validation_failed', 'Not a participant of this interview', [
          { field: `body.participants.${i}.contactId`, message: 'Not a participant' },
        ]);
      }
    });
    for (const p of input.participants) {
      const set = { ...(p.highlight ? { highlight: p.highlight } : {}), ...(p.notes ? { notes: p.notes } : {}) };
      // A participant listed with nothing to add changes nothing (an empty SET would be a 500).
      if (Object.keys(set).length === 0) continue;
      await tx
        .update(interviewParticipants)
        .set(set)
        .where(and(eq(interviewParticipants.interviewId, id), eq(interviewParticipants.contactId, p.contactId)));
    }
    await applyChange(
      tx,
      actor,
      now,
      row,
      {
        status: 'completed',
        completedAt: now,
        ...(input.highlights !== undefined ? { highlights: input.highlights } : {}),
        ...(input.decisionExpectedBy !== undefined ? { decisionExpectedBy: input.decisionExpectedBy } : {}),
      },
      'interview.completed',
      { decisionExpectedBy: input.decisionExpectedBy ?? row.decisionExpectedBy, participantIds: people.map((p) => p.contactId) },
    );
    const promised = input.decisionExpectedBy ?? row.decisionExpectedBy;
    if (promised) await recordPromise(tx, actor, now, { applicationId: row.applicationId, interviewId: id, date: promised, source: 'interview' });
    await syncFollowUps(tx, actor, now, id);
    return loadOrThrow(tx, id);
  });
}

export async function setTimeline(deps: Deps, actor: Actor, id: string, input: z.output<typeof timelineBody>, ifMatch?: number) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockForAction(tx, id, ['scheduled', 'completed'], 'given a timeline', ifMatch);
    if (row.decisionExpectedBy !== input.decisionExpectedBy) {
      await applyChange(tx, actor, now, row, { decisionExpectedBy: input.decisionExpectedBy }, 'interview.timeline_set', {
        decisionExpectedBy: input.decisionExpectedBy,
        previous: row.decisionExpectedBy,
      });
      if (input.decisionExpectedBy) {
        await recordPromise(tx, actor, now, { applicationId: row.applicationId, interviewId: id, date: input.decisionExpectedBy, source: 'interview' });
      }
      await syncFollowUps(tx, actor, now, id);
    }
    return loadOrThrow(tx, id);
  });
}

