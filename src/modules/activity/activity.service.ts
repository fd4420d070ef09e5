import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { inTransaction, readTenant, tdb } from '../../db/client.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { activities, events } from '../../db/schema/index.js';
import { newId } from '../../lib/ids.js';
import type { Actor } from '../../lib/access.js';
import { eventPayload, type EventType } from './events.catalogue.js';

export type Changes = Record<string, { before: unknown; after: unknown }>;

export interface ChangeRecord {
  action: EventType;
  subject: { type: string; id: string };
  refs?: { candidateId?: string | null; applicationId?: string | null; interviewId?: string | null };
  changes?: Changes;
  /** Extra ids or facts for the event's data (the changed fields are added). */
  data?: Record<string, unknown>;
}

const toJson = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/** The fields of `after` that differ from `before`, with both values. */
export function diff<T extends Record<string, unknown>>(before: Partial<T> | null, after: Partial<T>, fields: readonly (keyof T & string)[]): Changes {
  const out: Changes = {};
  for (const f of fields) {
    const a = toJson(before?.[f] ?? null);
    const b = toJson(after[f] ?? null);
    if (JSON.stringify(a) !== JSON.stringify(b)) out[f] = { before: a, after: b };
  }
  return out;
}

/**
 * Writes the activity row and the outbox event of a change, in the caller's transaction: the
 * change, its history and its event commit or roll back together.
 */
// Every change writes these two rows: prepared once, so neither drizzle nor PostgreSQL builds or
// plans them again (named statements, prepared per connection on first use).
const p = sql.placeholder;
const insertActivity = tdb
  .insert(activities)
  .values({
    tenantId: p('tenantId'),
    id: p('id'),
    actorType: p('actorType'),
    actorId: p('actorId'),
    action: p('action'),
    subjectType: p('subjectType'),
    subjectId: p('subjectId'),
    candidateId: p('candidateId'),
    applicationId: p('applicationId'),
    interviewId: p('interviewId'),
    changes: p('changes'),
    createdAt: p('createdAt'),
  })
  .prepare('insert_activity');
const insertEvent = tdb
  .insert(events)
  .values({ tenantId: p('tenantId'), id: p('id'), type: p('type'), payload: p('payload'), createdAt: p('createdAt') })
  .prepare('insert_event');

/** The activity row and the outbox event of a change (what recordChange writes). */
export function changeRows(actor: Actor, now: Date, change: ChangeRecord) {
  const actorId = actor.userId ?? actor.apiKeyId;
  const changes = change.changes ?? {};
  const activity = {
    tenantId: actor.tenantId,
    id: newId(),
    actorType: actor.kind,
    actorId,
    action: change.action,
    subjectType: change.subject.type,
    subjectId: change.subject.id,
    candidateId: change.refs?.candidateId ?? null,
    applicationId: change.refs?.applicationId ?? null,
    interviewId: change.refs?.interviewId ?? null,
    changes,
    createdAt: now,
  };
  const eventId = newId();
  const event = {
    tenantId: actor.tenantId,
    id: eventId,
    type: change.action,
    payload: eventPayload(eventId, change.action, actor.tenantId, now, {
      [`${change.subject.type}Id`]: change.subject.id,
      ...change.refs,
      ...change.data,
      changedFields: Object.keys(changes),
      actor: { type: actor.kind, id: actorId },
    }),
    createdAt: now,
  };
  return { activity, event };
}

export async function recordChange(actor: Actor, now: Date, change: ChangeRecord): Promise<void> {
  // Outside a transaction the two rows would commit on their own, apart from the change.
  if (!inTransaction()) throw new Error('recordChange outside withTenant: the timeline row and event must commit with the change');
  const { activity, event } = changeRows(actor, now, change);
  // Both inserts go out together (the pool pipelines them): one round trip, not two. They run in
  // the caller's transaction: the prepared statements go to the connection of the current scope.
  await Promise.all([insertActivity.execute(activity), insertEvent.execute(event)]);
}

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
