import { and, asc, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { isUniqueViolation, readTenant, tdb, withTenant, type Tx } from '../../db/client.js';
import { activities, candidates } from '../../db/schema.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { containsPattern, decodeCursor, toPage } from '../../lib/pagination.js';
import { assertVersion } from '../../lib/versioning.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import type { createCandidateBody, listCandidatesQuery, updateCandidateBody } from './candidates.schemas.js';

type Candidate = typeof candidates.$inferSelect;
const FIELDS = ['name', 'email', 'phone', 'linkedinUrl', 'timeZone', 'relayConsent', 'relayConsentAt', 'statusUpdatesOptIn', 'tags', 'notes'] as const;
const present = ({ tenantId: _t, emailHash: _h, ...c }: Candidate) => c;

/** Salted with the agency id: the same person in two agencies gives two hashes. */
export const emailHashOf = (tenantId: string, email: string) =>
  createHash('sha256').update(`${tenantId}:${email.trim().toLowerCase()}`).digest('base64url');

async function findForUpdate(tx: Tx, id: string): Promise<Candidate> {
  const [row] = await tx.select().from(candidates).where(eq(candidates.id, id)).for('update');
  if (!row) throw notFound('Candidate');
  return row;
}

async function duplicateOf(deps: Deps, actor: Actor, email: string): Promise<never> {
  const [existing] = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx.select({ id: candidates.id }).from(candidates).where(eq(candidates.email, email)),
  );
  throw new AppError('already_exists', 'A candidate with this email exists', [{ field: 'body.email', message: 'Already used' }], {
    existingId: existing?.id,
  });
}

// The create's statements, prepared once (see recordChange): the hot write of the bench.
const insertCandidate = tdb
  .insert(candidates)
  .values({
    tenantId: sql.placeholder('tenantId'),
    id: sql.placeholder('id'),
    name: sql.placeholder('name'),
    email: sql.placeholder('email'),
    phone: sql.placeholder('phone'),
    linkedinUrl: sql.placeholder('linkedinUrl'),
    timeZone: sql.placeholder('timeZone'),
    relayConsent: sql.placeholder('relayConsent'),
    // Inside sql``, not a bare placeholder: drizzle's timestamp encoder cannot take null.
    relayConsentAt: sql`${sql.placeholder('relayConsentAt')}::timestamptz`,
    statusUpdatesOptIn: sql.placeholder('statusUpdatesOptIn'),
    tags: sql.placeholder('tags'),
    notes: sql.placeholder('notes'),
    createdAt: sql.placeholder('createdAt'),
    updatedAt: sql.placeholder('updatedAt'),
  })
  .returning()
  .prepare('insert_candidate');
const erasedByHash = tdb
  .select({ id: candidates.id })
  .from(candidates)
  .where(and(eq(candidates.emailHash, sql.placeholder('hash')), sql`${candidates.erasedAt} IS NOT NULL`))
  .prepare('candidate_erased_by_hash');

export async function createCandidate(deps: Deps, actor: Actor, input: z.output<typeof createCandidateBody>) {
  const now = deps.clock.now();
  const { overrideErasure, ...fields } = input;
  const values = {
    tenantId: actor.tenantId,
    id: newId(),
    name: fields.name,
    email: fields.email ?? null,
    phone: fields.phone ?? null,
    linkedinUrl: fields.linkedinUrl ?? null,
    timeZone: fields.timeZone ?? null,
    relayConsent: fields.relayConsent,
    relayConsentAt: fields.relayConsent ? now : null,
    statusUpdatesOptIn: fields.statusUpdatesOptIn,
    tags: fields.tags,
    notes: fields.notes ?? null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
      // The erasure check, the insert, its activity and its event leave together (one round
      // trip); when the check finds an erased person, throwing rolls the insert back.
      const erasedCheck = values.email && !overrideErasure ? erasedByHash.execute({ hash: emailHashOf(actor.tenantId, values.email) }) : Promise.resolve([]);
      const [erased, [created]] = await Promise.all([
        erasedCheck,
        insertCandidate.execute(values),
        recordChange(tx, actor, now, {
          action: 'candidate.created',
          subject: { type: 'candidate', id: values.id },
          refs: { candidateId: values.id },
          changes: diff(null, values, FIELDS),
        }),
      ]);
      if (erased.length > 0) {
        throw new AppError('previously_erased', 'This person asked to be erased; send overrideErasure: true to add them again', [
          { field: 'body.email', message: 'Belongs to an erased person' },
        ]);
      }
      return created!;
    });
    return present(row);
  } catch (err) {
    if (isUniqueViolation(err, 'candidates_tenant_email_key')) return duplicateOf(deps, actor, fields.email!);
    throw err;
  }
}

// A hot read: prepared once (drizzle builds the statement once, PostgreSQL plans it once per connection).
const candidateById = tdb.select().from(candidates).where(eq(candidates.id, sql.placeholder('id'))).prepare('candidate_by_id');

export async function getCandidate(deps: Deps, actor: Actor, id: string) {
  const [row] = await readTenant(deps.db, actor.tenantId, () => candidateById.execute({ id }));
  if (!row) throw notFound('Candidate');
  return present(row);
}

export async function listCandidates(deps: Deps, actor: Actor, q: z.output<typeof listCandidatesQuery>) {
  const after = decodeCursor(q.cursor, z.object({ id: z.uuid() }));
  const like = q.q ? containsPattern(q.q) : undefined;
  // A search goes through app_private.search_candidates, which can use the trigram and tag indexes
  // (row-level security keeps ILIKE and @> from them); its ids are then read under RLS as usual.
  const searched =
    like || q.tag
      ? inArray(
          candidates.id,
          sql`(SELECT app_private.search_candidates(${like ?? null}::text, ${q.tag ?? null}::text, ${q.includeErased}, ${after?.id ?? null}::uuid, ${q.limit + 1}))`,
        )
      : undefined;
  const rows = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select()
      .from(candidates)
      .where(
        and(
          searched,
          q.includeErased ? undefined : isNull(candidates.erasedAt),
          after ? lt(candidates.id, after.id) : undefined,
        ),
      )
      .orderBy(desc(candidates.id))
      .limit(q.limit + 1),
  );
  const page = toPage(rows, q.limit, (r) => ({ id: r.id }));
  return { data: page.data.map(present), nextCursor: page.nextCursor };
}

export async function updateCandidate(
  deps: Deps,
  actor: Actor,
  id: string,
  input: z.output<typeof updateCandidateBody>,
  ifMatch?: number,
) {
  const now = deps.clock.now();
  try {
    const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
      const current = await findForUpdate(tx, id);
      assertVersion(current.version, ifMatch);
      if (current.erasedAt) throw new AppError('conflict', 'This candidate was erased and cannot be changed');
      const next: Partial<Candidate> = { ...input };
      if (input.relayConsent !== undefined && input.relayConsent !== current.relayConsent) {
        next.relayConsentAt = input.relayConsent ? now : null;
      }
      const changes = diff(current, { ...current, ...next }, FIELDS);
      if (Object.keys(changes).length === 0) return current;
      const [updated] = await tx
        .update(candidates)
        .set({ ...next, version: current.version + 1, updatedAt: now })
        .where(eq(candidates.id, id))
        .returning();
      await recordChange(tx, actor, now, {
        action: 'candidate.updated',
        subject: { type: 'candidate', id },
        refs: { candidateId: id },
        changes,
      });
      return updated!;
    });
    return present(row);
  } catch (err) {
    if (isUniqueViolation(err, 'candidates_tenant_email_key')) return duplicateOf(deps, actor, input.email!);
    throw err;
  }
}

/** Everything held on the candidate, as JSON (a data subject access request). */
export async function exportCandidate(deps: Deps, actor: Actor, id: string) {
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    const [row] = await tx.select().from(candidates).where(eq(candidates.id, id));
    if (!row) throw notFound('Candidate');
    const history = await tx
      .select({ id: activities.id, action: activities.action, createdAt: activities.createdAt, changes: activities.changes })
      .from(activities)
      .where(eq(activities.candidateId, id))
      .orderBy(asc(activities.id));
    return { exportedAt: deps.clock.now(), candidate: present(row), activity: history };
  });
}

/**
 * Erases the candidate's personal data. The record stays (applications and history keep their
 * shape) with the name replaced, the personal fields emptied, and a salted hash of the email so
 * the person is not added again by mistake. Personal values are also wiped from the timeline.
 */
export async function eraseCandidate(deps: Deps, actor: Actor, id: string) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await findForUpdate(tx, id);
    if (current.erasedAt) return current;
    const [erased] = await tx
      .update(candidates)
      .set({
        name: 'Erased candidate',
        email: null,
        phone: null,
        linkedinUrl: null,
        timeZone: null,
        notes: null,
        tags: [],
        relayConsent: false,
        relayConsentAt: null,
        statusUpdatesOptIn: false,
        emailHash: current.email ? emailHashOf(actor.tenantId, current.email) : null,
        erasedAt: now,
        version: current.version + 1,
        updatedAt: now,
      })
      .where(eq(candidates.id, id))
      .returning();
    // The timeline keeps what happened and when, not the values.
    await tx.execute(sql`
      UPDATE activities
      SET changes = (SELECT coalesce(jsonb_object_agg(k, jsonb_build_object('before', null, 'after', null)), '{}'::jsonb)
                     FROM jsonb_object_keys(changes) AS k)
      WHERE candidate_id = ${id} AND subject_id = ${id}`);
    // Free text written about the person on their applications goes too.
    await tx.execute(sql`
      UPDATE outcomes SET notes = NULL, reason = NULL
      WHERE application_id IN (SELECT id FROM applications WHERE candidate_id = ${id})`);
    await tx.execute(sql`
      UPDATE employer_replies SET summary = '[erased]'
      WHERE application_id IN (SELECT id FROM applications WHERE candidate_id = ${id})`);
    await tx.execute(sql`
      UPDATE interview_participants SET notes = NULL
      WHERE interview_id IN (SELECT i.id FROM interviews i JOIN applications a ON a.id = i.application_id WHERE a.candidate_id = ${id})`);
    // Follow-ups still open are called off; their texts, variables and reasons quote the person.
    await tx.execute(sql`
      UPDATE follow_ups SET
        subject = NULL, body = NULL, notes = NULL, vars = '{}'::jsonb, reason = '[erased]',
        recipient = CASE WHEN recipient->>'type' = 'candidate'
                    THEN jsonb_build_object('type', 'candidate', 'name', 'Erased candidate', 'email', NULL)
                    ELSE recipient END,
        cancel_reason = CASE WHEN status IN ('pending', 'queued') THEN 'the candidate was erased' ELSE cancel_reason END,
        cancelled_by = CASE WHEN status IN ('pending', 'queued') THEN 'user' ELSE cancelled_by END,
        status = CASE WHEN status IN ('pending', 'queued') THEN 'cancelled' ELSE status END,
        version = version + 1, updated_at = ${now}
      WHERE candidate_id = ${id}`);
    await recordChange(tx, actor, now, {
      action: 'candidate.erased',
      subject: { type: 'candidate', id },
      refs: { candidateId: id },
    });
    return erased!;
  });
  deps.log.info({ candidateId: id }, 'candidate erased');
  return present(row);
}
