import { sql } from 'drizzle-orm';
import { eventPayload, type EventType } from '../core/events.js';
import type { Actor } from '../lib/access.js';
import { newId } from '../lib/ids.js';
import { activities, events } from './schema/index.js';
import { inTransaction, tdb } from './scope.js';

/**
 * The outbox (docs/events.md): every change writes, in the transaction that makes it, one activity
 * row (who, what, when, the changed fields before and after) and one event, which the relay
 * publishes afterwards. This file is the only writer of both: `recordChange` inside a transaction,
 * `outboxCte` as members of a one-statement change.
 */

export type Changes = Record<string, { before: unknown; after: unknown }>;

export interface ChangeRecord {
  action: EventType;
  subject: { type: string; id: string };
  refs?: { candidateId?: string | null; applicationId?: string | null; interviewId?: string | null };
  changes?: Changes;
  /** Extra ids or facts for the event's data (the changed fields are added). */
  data?: Record<string, unknown>;
}

/** Who made a change: a user or an API key of the agency, or the system (the worker). */
export type ChangeActor = Pick<Actor, 'tenantId' | 'kind' | 'userId' | 'apiKeyId'> | { tenantId: string; kind: 'system' };

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

/** The activity row and the outbox event of a change. */
export function changeRows(actor: ChangeActor, now: Date, change: ChangeRecord) {
  const actorId = actor.kind === 'system' ? null : (actor.userId ?? actor.apiKeyId);
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
export type ChangeRows = ReturnType<typeof changeRows>;

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

/**
 * Writes the activity row and the outbox event of a change, in the caller's transaction: the
 * change, its history and its event commit or roll back together.
 */
export async function recordChange(actor: ChangeActor, now: Date, change: ChangeRecord): Promise<void> {
  // Outside a transaction the two rows would commit on their own, apart from the change.
  if (!inTransaction()) throw new Error('recordChange outside withTenant: the timeline row and event must commit with the change');
  const { activity, event } = changeRows(actor, now, change);
  // Both inserts go out together (the pool pipelines them): one round trip, not two. They run in
  // the caller's transaction: the prepared statements go to the connection of the current scope.
  await Promise.all([insertActivity.execute(activity), insertEvent.execute(event)]);
}

/**
 * The same two rows as members of a one-statement change's CTE (`WITH made AS (...), <this>`):
 * parameters $p..$p+13 (`outboxValues`); with `from`, the rows are written only when the CTE of
 * that name produced a row.
 */
export const outboxCte = (p: number, from?: string) => {
  const $ = (i: number) => `$${p + i}`;
  const src = from ? ` FROM ${from}` : '';
  return `outbox_activity AS (
      INSERT INTO activities (tenant_id, id, actor_type, actor_id, action, subject_type, subject_id, candidate_id, application_id, interview_id, changes, created_at)
      SELECT ${$(0)}::uuid, ${$(1)}::uuid, ${$(2)}::text, ${$(3)}::uuid, ${$(4)}::text, ${$(5)}::text, ${$(6)}::uuid, ${$(7)}::uuid, ${$(8)}::uuid, ${$(9)}::uuid, ${$(10)}::jsonb, ${$(11)}::timestamptz${src}
    ), outbox_event AS (
      INSERT INTO events (tenant_id, id, type, payload, created_at)
      SELECT ${$(0)}::uuid, ${$(12)}::uuid, ${$(4)}::text, ${$(13)}::jsonb, ${$(11)}::timestamptz${src}
    )`;
};

/** The parameters of `outboxCte`, in order. */
export const outboxValues = ({ activity: a, event: e }: ChangeRows): unknown[] => [
  a.tenantId, a.id, a.actorType, a.actorId, a.action, a.subjectType, a.subjectId, a.candidateId, a.applicationId, a.interviewId,
  JSON.stringify(a.changes), a.createdAt, e.id, JSON.stringify(e.payload),
];

/**
 * A change's activity row and event whose subject and references only the statement knows: a
 * one-statement change reached through a token (a response link's answer), where the link's
 * application, candidate and interview are found by the statement itself. The rows are made in JS
 * without them (`foundChangeRows`); the statement adds them from the CTE `from`, as SQL expressions
 * over its columns, and may override part of the changes and data (`changes`, `data`: jsonb
 * expressions merged last). Written only when `from` produced a row. Parameters $p..$p+9
 * (`foundOutboxValues`); `name` prefixes the two CTEs, so one statement may write several changes.
 */
export interface FoundRefs {
  subjectId: string;
  candidateId: string;
  applicationId: string;
  interviewId: string;
  changes?: string;
  data?: string;
}

export const foundOutboxCte = (name: string, p: number, from: string, subjectType: string, x: FoundRefs) => {
  const $ = (i: number) => `$${p + i}`;
  // The event's data as changeRows builds it: subject and references first, then the change's own data.
  const refs = `jsonb_build_object('${subjectType}Id', ${x.subjectId}, 'candidateId', ${x.candidateId}, 'applicationId', ${x.applicationId}, 'interviewId', ${x.interviewId})`;
  return `${name}_activity AS (
      INSERT INTO activities (tenant_id, id, actor_type, actor_id, action, subject_type, subject_id, candidate_id, application_id, interview_id, changes, created_at)
      SELECT ${$(0)}::uuid, ${$(1)}::uuid, ${$(2)}::text, ${$(3)}::uuid, ${$(4)}::text, ${$(5)}::text, ${x.subjectId}, ${x.candidateId}, ${x.applicationId}, ${x.interviewId},
             ${$(6)}::jsonb${x.changes ? ` || ${x.changes}` : ''}, ${$(7)}::timestamptz FROM ${from}
    ), ${name}_event AS (
      INSERT INTO events (tenant_id, id, type, payload, created_at)
      SELECT ${$(0)}::uuid, ${$(8)}::uuid, ${$(4)}::text,
             jsonb_set(${$(9)}::jsonb, '{data}', ${refs} || (${$(9)}::jsonb -> 'data')${x.data ? ` || ${x.data}` : ''}), ${$(7)}::timestamptz FROM ${from}
    )`;
};

/** The rows of a change for `foundOutboxCte`: as changeRows, without the subject and references the statement adds. */
export function foundChangeRows(actor: ChangeActor, now: Date, change: Omit<ChangeRecord, 'subject' | 'refs'> & { subjectType: string }) {
  const rows = changeRows(actor, now, { ...change, subject: { type: change.subjectType, id: '' } });
  const { [`${change.subjectType}Id`]: _subject, ...data } = rows.event.payload.data;
  return { activity: rows.activity, event: { ...rows.event, payload: { ...rows.event.payload, data } } };
}

/** The parameters of `foundOutboxCte`, in order. */
export const foundOutboxValues = ({ activity: a, event: e }: ChangeRows): unknown[] => [
  a.tenantId, a.id, a.actorType, a.actorId, a.action, a.subjectType, JSON.stringify(a.changes), a.createdAt, e.id, JSON.stringify(e.payload),
];
