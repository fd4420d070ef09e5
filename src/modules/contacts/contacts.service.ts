import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { listChanged } from '../../db/sync.js';
import { contacts } from '../../db/schema/index.js';
import { notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { containsPattern, decodeCursor, toPage } from '../../lib/pagination.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import { checkEmployerRef } from '../employers/employers.service.js';
import type { createContactBody, listContactsQuery, listEmployerContactsQuery, updateContactBody } from './contacts.schemas.js';
import { deleteOwned, listOfEmployer, updateOwned } from '../employers/employers.owned.js';

type Contact = typeof contacts.$inferSelect;
const FIELDS = ['employerId', 'name', 'title', 'email', 'phone', 'linkedinUrl', 'preferredChannel', 'timeZone', 'notes'] as const;
const present = ({ tenantId: _t, ...c }: Contact) => c;

async function findForUpdate(tx: Tx, id: string): Promise<Contact> {
  const [row] = await tx.select().from(contacts).where(eq(contacts.id, id)).for('update');
  if (!row) throw notFound('Contact');
  return row;
}

/** How the employer's shared update and delete (employers.owned.ts) reach contacts. */
const owned = { table: contacts, type: 'contact' as const, fields: FIELDS, findForUpdate };

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
  if (q.updatedSince) {
    const page = await listChanged(deps.db, actor.tenantId, contacts, { ...q, updatedSince: q.updatedSince });
    return { data: page.data.map(present), nextCursor: page.nextCursor };
  }
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
export function listEmployerContacts(deps: Deps, actor: Actor, employerId: string, q: z.output<typeof listEmployerContactsQuery>) {
  return listOfEmployer(deps, actor, employerId, () => listContacts(deps, actor, { ...q, employerId }));
}

export async function updateContact(deps: Deps, actor: Actor, id: string, input: z.output<typeof updateContactBody>, ifMatch?: number) {
  const row = await updateOwned(deps, actor, id, input, ifMatch, {
    ...owned,
    // Follow-ups not sent yet (or maybe not: uncertain ones may be resent) show the contact as they
    // are now (the worker writes to the address the contact has when it sends, whatever was stored
    // at planning).
    then: async (tx, updated, changes) => {
      if (!changes.email && !changes.name) return;
      await tx.execute(sql`
        UPDATE follow_ups SET recipient = recipient || jsonb_build_object('name', ${updated.name}::text, 'email', ${updated.email}::text)
        WHERE contact_id = ${id} AND recipient->>'type' = 'contact' AND status IN ('pending', 'queued', 'uncertain', 'stale', 'awaiting_approval', 'paused')`);
    },
  });
  return present(row);
}

export function deleteContact(deps: Deps, actor: Actor, id: string, ifMatch?: number) {
  return deleteOwned(deps, actor, id, ifMatch, { ...owned, inUse: 'The contact still takes part in interviews; remove them from those first' });
}
