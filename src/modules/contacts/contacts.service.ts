import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { pgError, readTenant, withTenant, type Tx } from '../../db/client.js';
import { contacts } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { containsPattern, decodeCursor, toPage } from '../../lib/pagination.js';
import { assertVersion } from '../../lib/versioning.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import { checkEmployerRef, employerExists } from '../employers/employers.service.js';
import type { createContactBody, listContactsQuery, listEmployerContactsQuery, updateContactBody } from './contacts.schemas.js';

type Contact = typeof contacts.$inferSelect;
const FIELDS = ['employerId', 'name', 'title', 'email', 'phone', 'linkedinUrl', 'preferredChannel', 'timeZone', 'notes'] as const;
const present = ({ tenantId: _t, ...c }: Contact) => c;

async function findForUpdate(tx: Tx, id: string): Promise<Contact> {
  const [row] = await tx.select().from(contacts).where(eq(contacts.id, id)).for('update');
  if (!row) throw notFound('Contact');
  return row;
}

export async function createContact(deps: Deps, actor: Actor, input: z.output<typeof createContactBody>) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    await checkEmployerRef(tx, input.employerId);
    const [created] = await tx
      .insert(contacts)
      .values({
        tenantId: actor.tenantId,
        id: newId(),
        employerId: input.employerId,
        name: input.name,
        title: input.title ?? null,
        email: input.email ?? null,
        phone: input.phone ?? null,
        linkedinUrl: input.linkedinUrl ?? null,
        preferredChannel: input.preferredChannel,
        timeZone: input.timeZone ?? null,
        notes: input.notes ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordChange(actor, now, {
      action: 'contact.created',
      subject: { type: 'contact', id: created!.id },
      changes: diff(null, created!, FIELDS),
      data: { employerId: created!.employerId },
    });
    return created!;
  });
  return present(row);
}

export async function getContact(deps: Deps, actor: Actor, id: string) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(contacts).where(eq(contacts.id, id)));
  if (!row) throw notFound('Contact');
  return present(row);
}

export async function listContacts(deps: Deps, actor: Actor, q: z.output<typeof listContactsQuery>) {
  const after = decodeCursor(q.cursor, z.object({ name: z.string(), id: z.uuid() }));
  const like = q.q ? containsPattern(q.q) : undefined;
  // A search goes through app_private.search_contacts, which can use the trigram indexes (row-level
  // security keeps ILIKE from them) and returns the ids of the page in (name, id) order after the
  // cursor; they are then read under RLS as usual.
  const searched = like
    ? inArray(
        contacts.id,
        sql`(SELECT app_private.search_contacts(${like}::text, ${q.employerId ?? null}::uuid, ${after?.name ?? null}::text, ${after?.id ?? null}::uuid, ${q.limit + 1}))`,
      )
    : undefined;
  const rows = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select()
      .from(contacts)
      .where(
        and(
          searched,
          q.employerId ? eq(contacts.employerId, q.employerId) : undefined,
          after ? or(gt(contacts.name, after.name), and(eq(contacts.name, after.name), gt(contacts.id, after.id))) : undefined,
        ),
      )
      .orderBy(asc(contacts.name), asc(contacts.id))
      .limit(q.limit + 1),
  );
  const page = toPage(rows, q.limit, (r) => ({ name: r.name, id: r.id }));
  return { data: page.data.map(present), nextCursor: page.nextCursor };
}

/** The contacts of one employer; 404 when the employer is not the agency's. */
export async function listEmployerContacts(deps: Deps, actor: Actor, employerId: string, q: z.output<typeof listEmployerContactsQuery>) {
  const [exists, page] = await Promise.all([
    readTenant(deps.db, actor.tenantId, (tx) => employerExists(tx, employerId)),
    listContacts(deps, actor, { ...q, employerId }),
  ]);
  if (!exists) throw notFound('Employer');
  return page;
}

export async function updateContact(deps: Deps, actor: Actor, id: string, input: z.output<typeof updateContactBody>, ifMatch?: number) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await findForUpdate(tx, id);
    assertVersion(current.version, ifMatch);
    if (input.employerId !== undefined && input.employerId !== current.employerId) await checkEmployerRef(tx, input.employerId);
    const changes = diff(current, { ...current, ...input }, FIELDS);
    if (Object.keys(changes).length === 0) return current;
    const [updated] = await tx
      .update(contacts)
      .set({ ...input, version: current.version + 1, updatedAt: now })
      .where(eq(contacts.id, id))
      .returning();
    // Follow-ups not sent yet (or maybe not: uncertain ones may be resent) show the contact as they
    // are now (the worker writes to the address the contact has when it sends, whatever was stored
    // at planning).
    if (changes.email || changes.name) {
      await tx.execute(sql`
        UPDATE follow_ups SET recipient = recipient || jsonb_build_object('name', ${updated!.name}::text, 'email', ${updated!.email}::text)
        WHERE contact_id = ${id} AND recipient->>'type' = 'contact' AND status IN ('pending', 'queued', 'uncertain')`);
    }
    await recordChange(actor, now, {
      action: 'contact.updated',
      subject: { type: 'contact', id },
      changes,
      data: { employerId: updated!.employerId },
    });
    return updated!;
  });
  return present(row);
}

export async function deleteContact(deps: Deps, actor: Actor, id: string, ifMatch?: number) {
  const now = deps.clock.now();
  try {
    await withTenant(deps.db, actor.tenantId, async (tx) => {
      const current = await findForUpdate(tx, id);
      assertVersion(current.version, ifMatch);
      await tx.delete(contacts).where(eq(contacts.id, id));
      await recordChange(actor, now, {
        action: 'contact.deleted',
        subject: { type: 'contact', id },
        changes: diff(current, {}, FIELDS),
        data: { employerId: current.employerId },
      });
    });
  } catch (err) {
    if (pgError(err)?.code === '23503') throw new AppError('conflict', 'The contact still takes part in interviews; remove them from those first');
    throw err;
  }
}
