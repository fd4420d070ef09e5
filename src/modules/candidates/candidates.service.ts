import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { isUniqueViolation, readTenant, tdb, withTenant, type Tx } from '../../db/client.js';
import { listChanged } from '../../db/sync.js';
import { heldIdempotencyKey, heldKeyValues, markCommittedCte } from '../../db/idempotency.js';
import { outboxCte, outboxValues } from '../../db/outbox.js';
import { candidates, type applicationStages } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { containsPattern } from '../../lib/pagination.js';
import { assertVersion } from '../../lib/versioning.js';
import type { Actor } from '../../lib/access.js';
import { changeRows, diff, recordChange } from '../activity/activity.service.js';
import type { createCandidateBody, listCandidatesQuery, updateCandidateBody } from './candidates.schemas.js';
import { pageById, cursorAfter } from '../../db/pages.js';

export type Candidate = typeof candidates.$inferSelect;
const FIELDS = ['name', 'email', 'phone', 'linkedinUrl', 'timeZone', 'relayConsent', 'relayConsentAt', 'statusUpdatesOptIn', 'tags', 'notes'] as const;
export const presentCandidate = ({ tenantId: _t, emailHash: _h, ...c }: Candidate) => c;
const present = presentCandidate;

/** Salted with the agency id: the same person in two agencies gives two hashes. */
export const emailHashOf = (tenantId: string, email: string) =>
  createHash('sha256').update(`${tenantId}:${email.trim().toLowerCase()}`).digest('base64url');

export async function findForUpdate(tx: Tx, id: string): Promise<Candidate> {
  const [row] = await tx.select().from(candidates).where(eq(candidates.id, id)).for('update');
  if (!row) throw notFound('Candidate');
  return row;
}

const erasedEmail = () =>
  new AppError('previously_erased', 'This person asked to be erased; send overrideErasure: true to add them again', [
    { field: 'body.email', message: 'Belongs to an erased person' },
  ]);

async function duplicateOf(deps: Deps, actor: Actor, email: string): Promise<never> {
  const [existing] = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx.select({ id: candidates.id }).from(candidates).where(eq(candidates.email, email)),
  );
  throw new AppError('already_exists', 'A candidate with this email exists', [{ field: 'body.email', message: 'Already used' }], {
    existingId: existing?.id,
  });
}

/**
 * The create as one statement: the erasure check, the candidate, its activity row and its event
 * (src/db/outbox.ts, $15–$28), and the request's Idempotency-Key marked committed when it holds
 * one ($29–$31, else null).
 * One statement is atomic on its own, so it needs no BEGIN/COMMIT: it leaves with its tenant
 * context in one write and one round trip (readTenant), like a bare INSERT. An erased person's
 * email (and no override) inserts nothing, and so neither do the activity and event, which are
 * inserted from the candidate's row. Named: parsed and planned once per connection.
 */
const CREATE_CANDIDATE = {
  name: 'create_candidate',
  text: `
    WITH c AS (
      INSERT INTO candidates (tenant_id, id, name, email, phone, linkedin_url, time_zone, relay_consent, relay_consent_at,
                              status_updates_opt_in, tags, notes, created_at, updated_at)
      SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::text, $7::text, $8::boolean, $9::timestamptz,
             $10::boolean, $11::text[], $12::text, $13::timestamptz, $13::timestamptz
      WHERE $14::text IS NULL OR NOT EXISTS (SELECT 1 FROM candidates e WHERE e.email_hash = $14::text AND e.erased_at IS NOT NULL)
      RETURNING id, name, email, phone, linkedin_url AS "linkedinUrl", time_zone AS "timeZone", relay_consent AS "relayConsent",
                relay_consent_at AS "relayConsentAt", status_updates_opt_in AS "statusUpdatesOptIn", tags, notes,
                erased_at AS "erasedAt", version, created_at AS "createdAt", updated_at AS "updatedAt"
    ), ${outboxCte(15, 'c')}, k AS (
      ${markCommittedCte(29, 'c')}
    )
    SELECT * FROM c`,
};

export async function createCandidate(deps: Deps, actor: Actor, input: z.output<typeof createCandidateBody>) {
  const id = newId();
  const now = deps.clock.now();
  const { overrideErasure, ...fields } = input;
  const values = {
    tenantId: actor.tenantId,
    id,
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
  const outbox = changeRows(actor, now, {
    action: 'candidate.created',
    subject: { type: 'candidate', id: values.id },
    refs: { candidateId: values.id },
    changes: diff(null, values, FIELDS),
  });
  const v = values;
  const held = heldIdempotencyKey(actor.tenantId);
  try {
    const res = await readTenant(deps.db, actor.tenantId, () =>
      tdb.$client.query<Omit<Candidate, 'tenantId' | 'emailHash'>>({
        ...CREATE_CANDIDATE,
        values: [
          v.tenantId, v.id, v.name, v.email, v.phone, v.linkedinUrl, v.timeZone, v.relayConsent, v.relayConsentAt,
          v.statusUpdatesOptIn, v.tags, v.notes, now,
          v.email && !overrideErasure ? emailHashOf(actor.tenantId, v.email) : null,
          ...outboxValues(outbox),
          ...heldKeyValues(held),
        ],
      }),
    );
    const row = res.rows[0];
    if (row && held) held.marked = true;
    if (!row) throw erasedEmail();
    return row;
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
  if (q.updatedSince) {
    const page = await listChanged(deps.db, actor.tenantId, candidates, { ...q, updatedSince: q.updatedSince });
    const data = await readTenant(deps.db, actor.tenantId, (tx) => withStanding(tx, page.data));
    return { data, nextCursor: page.nextCursor };
  }
  const after = cursorAfter(q.cursor);
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
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    const page = await pageById(candidates, after, q.limit, [searched, q.includeErased ? undefined : isNull(candidates.erasedAt)]);
    return { data: await withStanding(tx, page.data), nextCursor: page.nextCursor };
  });
}

type Standing = {
  id: string;
  openApplications: number;
  latestApplication: { id: string; stage: (typeof applicationStages)[number]; stageChangedAt: Date; positionId: string; positionTitle: string; employerName: string } | null;
  lastActivityAt: Date | null;
};

/**
 * Where each candidate of a page stands, in one query by the page's ids: the number of open
 * applications, the open one whose stage moved last (else the last closed one), and the newest
 * timeline entry (activities by candidate, newest id first: ids are time-ordered).
 */
async function withStanding(tx: Tx, rows: Candidate[]) {
  if (rows.length === 0) return [];
  const res = await tx.execute<Standing & Record<string, unknown>>(sql`
    SELECT c.id,
      (SELECT count(*) FROM applications a WHERE a.candidate_id = c.id AND a.stage NOT IN ('hired', 'rejected', 'withdrawn'))::int AS "openApplications",
      (SELECT json_build_object('id', a.id, 'stage', a.stage, 'stageChangedAt', a.stage_changed_at, 'positionId', a.position_id,
                                'positionTitle', p.title, 'employerName', e.name)
         FROM applications a JOIN positions p ON p.id = a.position_id JOIN employers e ON e.id = p.employer_id
        WHERE a.candidate_id = c.id
        ORDER BY a.stage IN ('hired', 'rejected', 'withdrawn'), a.stage_changed_at DESC, a.id DESC
        LIMIT 1) AS "latestApplication",
      (SELECT x.created_at FROM activities x WHERE x.candidate_id = c.id ORDER BY x.id DESC LIMIT 1) AS "lastActivityAt"
    FROM unnest(${sql.param(rows.map((r) => r.id))}::uuid[]) AS c(id)`);
  const byId = new Map(res.rows.map((r) => [r.id, r]));
  return rows.map((r) => {
    const s = byId.get(r.id)!;
    const latest = s.latestApplication;
    return {
      ...present(r),
      openApplications: s.openApplications,
      latestApplication: latest ? { ...latest, stageChangedAt: new Date(latest.stageChangedAt) } : null,
      lastActivityAt: s.lastActivityAt ? new Date(s.lastActivityAt) : null,
    };
  });
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
      const { overrideErasure, ...fields } = input;
      // The same guard as the create: an erased person is not brought back by an edit either.
      if (fields.email && fields.email !== current.email && !overrideErasure) {
        const hash = emailHashOf(actor.tenantId, fields.email);
        const [erased] = await tx
          .select({ id: candidates.id })
          .from(candidates)
          .where(and(eq(candidates.emailHash, hash), sql`${candidates.erasedAt} IS NOT NULL`))
          .limit(1);
        if (erased) throw erasedEmail();
      }
      const next: Partial<Candidate> = { ...fields };
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
      await recordChange(actor, now, {
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
