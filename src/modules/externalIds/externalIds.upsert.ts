import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import { recordChange } from '../../db/outbox.js';
import { externalIds } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { createApplication, getApplication } from '../applications/applications.service.js';
import { createApplicationBody, upsertApplicationBody } from '../applications/applications.schemas.js';
import { createCandidate, getCandidate, updateCandidate } from '../candidates/candidates.service.js';
import { createCandidateBody, updateCandidateBody } from '../candidates/candidates.schemas.js';
import { createContact, getContact, updateContact } from '../contacts/contacts.service.js';
import { createContactBody, updateContactBody } from '../contacts/contacts.schemas.js';
import { createEmployer, getEmployer, updateEmployer } from '../employers/employers.service.js';
import { createEmployerBody, updateEmployerBody } from '../employers/employers.schemas.js';
import { getInterview, scheduleInterview } from '../interviews/interviews.service.js';
import { scheduleInterviewBody, upsertInterviewBody } from '../interviews/interviews.schemas.js';
import { createPosition, getPosition, updatePosition } from '../positions/positions.service.js';
import { createPositionBody, updatePositionBody } from '../positions/positions.schemas.js';
import { keyLock, recordExists } from './externalIds.service.js';
import { changeApplication, changeInterview } from './externalIds.upsertChanges.js';

/**
 * Upsert by another system's id (docs/api.md#sync): the record the id stands for is changed as
 * its PATCH would change it; an unknown id creates the record as its POST would and links the id,
 * in one transaction. The normal create and update services do the work, joined into that
 * transaction (withTenant's `joinable`), so the validation and the events are theirs.
 * Applications and interviews have a PUT body of their own (no PATCH covers it): their changes
 * are taken apart into the routes by id (externalIds.upsertChanges.ts). `codec`: the body holds
 * instants, turned back into what the create reads before it reads them.
 */
const kinds = {
  candidate: { create: createCandidateBody, update: updateCandidateBody, insert: createCandidate, change: updateCandidate, get: getCandidate },
  employer: { create: createEmployerBody, update: updateEmployerBody, insert: createEmployer, change: updateEmployer, get: getEmployer },
  contact: { create: createContactBody, update: updateContactBody, insert: createContact, change: updateContact, get: getContact },
  position: { create: createPositionBody, update: updatePositionBody, insert: createPosition, change: updatePosition, get: getPosition },
  application: { create: createApplicationBody, update: upsertApplicationBody, insert: createApplication, change: changeApplication, get: getApplication },
  interview: { create: scheduleInterviewBody, update: upsertInterviewBody, insert: scheduleInterview, change: changeInterview, get: getInterview, codec: true },
};
export type UpsertKind = keyof typeof kinds;
export const upsertKinds = Object.keys(kinds) as UpsertKind[];
export const upsertBodies = <K extends UpsertKind>(kind: K) => kinds[kind];

type Key = { source: string; externalId: string };
type Body<K extends UpsertKind> = z.output<(typeof kinds)[K]['update']>;

const byKey = (kind: UpsertKind, k: Key) =>
  and(eq(externalIds.type, kind), eq(externalIds.source, k.source), eq(externalIds.externalId, k.externalId));

/**
 * The body as the create takes it: what the PUT schema let through must also satisfy the POST's.
 * A null (none) is left out: a new record has nothing to clear.
 */
function forCreate<K extends UpsertKind>(kind: K, body: Body<K>): z.output<(typeof kinds)[K]['create']> {
  const def = kinds[kind];
  const wire = ('codec' in def ? z.encode(def.update as z.ZodType, body) : body) as Record<string, unknown>;
  const parsed = def.create.safeParse(Object.fromEntries(Object.entries(wire).filter(([, v]) => v !== null)));
  if (parsed.success) return parsed.data as z.output<(typeof kinds)[K]['create']>;
  const errors = parsed.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ field: ['body', ...i.path.map(String), k].join('.'), message: `Not taken when the ${kind} is created: send it once it exists` }))
      : [{ field: ['body', ...i.path.map(String)].join('.'), message: i.path.length === 1 && i.code === 'invalid_type' && i.input === undefined ? `Required to create the ${kind}` : i.message }],
  );
  throw new AppError('validation_failed', `To create the ${kind}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
}

/** The record another system's id stands for; 404 when the id is unknown (or its record is gone). */
export async function getByExternalId<K extends UpsertKind>(deps: Deps, actor: Actor, kind: K, k: Key) {
  const [link] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select({ recordId: externalIds.recordId }).from(externalIds).where(byKey(kind, k)));
  if (!link) throw notFound('External id');
  return kinds[kind].get(deps, actor, link.recordId) as Promise<Awaited<ReturnType<(typeof kinds)[K]['get']>>>;
}

/**
 * Creates (201) or updates (200) the record `source`'s `externalId` stands for. Two upserts of one
 * id at once: the second waits for the first's commit (the key's advisory lock, the same as a
 * link's) and then updates what it created, so one record comes of them.
 */
export async function upsertByExternalId<K extends UpsertKind>(deps: Deps, actor: Actor, kind: K, k: Key, body: Body<K>) {
  const now = deps.clock.now();
  const def = kinds[kind] as unknown as {
    insert: (d: Deps, a: Actor, input: unknown) => Promise<{ id: string; version: number }>;
    change: (d: Deps, a: Actor, id: string, input: unknown) => Promise<{ id: string; version: number }>;
  };
  const done = await withTenant(
    deps.db,
    actor.tenantId,
    async (tx) => {
      await keyLock(tx, actor.tenantId, kind, k);
      const [link] = await tx.select().from(externalIds).where(byKey(kind, k)).for('update');
      if (link && (await recordExists(tx, kind, link.recordId))) {
        return { record: await def.change(deps, actor, link.recordId, body), created: false };
      }
      // A link whose record was deleted gives way to the new record.
      if (link) await tx.delete(externalIds).where(eq(externalIds.id, link.id));
      const record = await def.insert(deps, actor, forCreate(kind, body));
      const id = newId();
      await tx
        .insert(externalIds)
        .values({ tenantId: actor.tenantId, id, type: kind, source: k.source, externalId: k.externalId, recordId: record.id, createdAt: now, updatedAt: now });
      await recordChange(actor, now, {
        action: 'external_id.linked',
        subject: { type: 'link', id },
        data: { type: kind, source: k.source, externalId: k.externalId, recordId: record.id },
      });
      return { record, created: true };
    },
    { joinable: true },
  );
  return done as { record: Awaited<ReturnType<(typeof kinds)[K]['get']>>; created: boolean };
}

