import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { readTenant } from '../../db/client.js';
import { contacts, employers } from '../../db/schema/index.js';
import { createContact, updateContact } from '../contacts/contacts.service.js';
import type { ContactRow, ReadFile } from './imports.csv.js';
import { asOutcome, changedFields, failed, nameKey, type Outcome, type Planned, type RunContext } from './imports.plan.js';
import { groupBy } from '../../lib/groupBy.js';

// Contacts: attached to an employer of the agency by its name (and its district's, when two share
// a name), matched within it by email, else by name (docs/imports.md).

type Contact = typeof contacts.$inferSelect;

/** What the preview keeps of a row: its cells and the employer they were matched to. */
export interface ContactPlan extends ContactRow {
  employerId: string;
}

const FIELDS = ['name', 'title', 'email', 'phone', 'linkedinUrl', 'preferredChannel', 'timeZone', 'notes'] as const;

const quoted = (s: string) => `“${s}”`;

/** The employer's contacts a row is about: by its email; else (or when none has it) by its name among those without an email. */
function matching(list: readonly Contact[], d: ContactRow): Contact[] {
  if (d.email) {
    const byEmail = list.filter((c) => c.email === d.email);
    if (byEmail.length > 0) return byEmail;
    return list.filter((c) => c.email === null && nameKey(c.name) === nameKey(d.name!));
  }
  return list.filter((c) => nameKey(c.name) === nameKey(d.name!));
}

export async function planContacts(tx: Tx, file: ReadFile<ContactRow>): Promise<Planned[]> {
  const all = await tx.select({ id: employers.id, name: employers.name, parentId: employers.parentId }).from(employers);
  const byId = new Map(all.map((e) => [e.id, e]));
  const byName = groupBy(all, (e) => nameKey(e.name));
  // Each row's employer first, then the contacts of those employers only.
  const employerOf = file.rows.map((r) => {
    const d = r.data;
    if (!d) return null;
    let found = byName.get(nameKey(d.employer!)) ?? [];
    if (d.district) found = found.filter((e) => e.parentId && nameKey(byId.get(e.parentId)?.name ?? '') === nameKey(d.district!));
    return found;
  });
  const ids = [...new Set(employerOf.flatMap((f) => (f?.length === 1 ? [f[0]!.id] : [])))];
  const existing: Contact[] = [];
  for (let i = 0; i < ids.length; i += 5_000) existing.push(...(await tx.select().from(contacts).where(inArray(contacts.employerId, ids.slice(i, i + 5_000)))));
  const byEmployer = groupBy(existing, (c) => c.employerId);
  const taken = new Map<string, number>();
  const col = (f: string) => file.columns.get(f) ?? '';

  return file.rows.map((r, i): Planned => {
    const errors = r.errors.map(({ column, message }) => ({ column, message }));
    const error = (column: string, message: string): Planned => ({ row: r.row, action: 'error', data: null, errors: [...errors, { column, message }] });
    const d = r.data;
    if (!d) return { row: r.row, action: 'error', data: null, errors };
    const found = employerOf[i]!;
    const where = d.district ? ` in ${quoted(d.district)}` : '';
    if (found.length === 0) return error(col('employer'), `No employer is named ${quoted(d.employer!)}${where}: import or add it first`);
    if (found.length > 1) {
      return error(col('employer'), `${found.length} employers are named ${quoted(d.employer!)}${where}${d.district ? '' : ': give the district in a column "district" to tell them apart'}`);
    }
    const employerId = found[0]!.id;
    const matches = matching(byEmployer.get(employerId) ?? [], d);
    const keyColumn = d.email ? col('email') : col('name');
    if (matches.length > 1) return error(keyColumn, `${matches.length} contacts of ${quoted(d.employer!)} match this ${d.email ? 'email' : 'name'}`);
    const current = matches[0];
    const identity = current?.id ?? `${employerId}\n${d.email ?? `name:${nameKey(d.name!)}`}`;
    const first = taken.get(identity);
    if (first) return error(keyColumn, `The same contact as row ${first}`);
    taken.set(identity, r.row);
    const action = !current ? 'create' : Object.keys(changedFields(current, d, FIELDS)).length > 0 ? 'update' : 'skip';
    return { row: r.row, action, data: { ...d, employerId } satisfies ContactPlan, errors };
  });
}

/** One row through the contacts' service, matched again within its employer now. */
export async function applyContactRow({ deps, actor }: RunContext, d: ContactPlan): Promise<Outcome> {
  const list = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select()
      .from(contacts)
      .where(
        and(
          eq(contacts.employerId, d.employerId),
          d.email ? or(eq(contacts.email, d.email), and(isNull(contacts.email), sql`lower(${contacts.name}) = ${nameKey(d.name!)}`)) : sql`lower(${contacts.name}) = ${nameKey(d.name!)}`,
        ),
      ),
  );
  const matches = matching(list, d);
  if (matches.length > 1) return failed(`${matches.length} contacts of the employer match this ${d.email ? 'email' : 'name'}`);
  const current = matches[0];
  return asOutcome(current?.id ?? null, async () => {
    if (!current) {
      const c = await createContact(deps, actor, {
        employerId: d.employerId,
        name: d.name!,
        preferredChannel: d.preferredChannel ?? 'email',
        ...(d.title ? { title: d.title } : {}),
        ...(d.email ? { email: d.email } : {}),
        ...(d.phone ? { phone: d.phone } : {}),
        ...(d.linkedinUrl ? { linkedinUrl: d.linkedinUrl } : {}),
        ...(d.timeZone ? { timeZone: d.timeZone } : {}),
        ...(d.notes ? { notes: d.notes } : {}),
      });
      return { outcome: 'created', recordId: c.id, message: null };
    }
    const changes = changedFields(current, d, FIELDS);
    if (Object.keys(changes).length === 0) return { outcome: 'skipped', recordId: current.id, message: 'Unchanged' };
    await updateContact(deps, actor, current.id, changes);
    return { outcome: 'updated', recordId: current.id, message: `Changed ${Object.keys(changes).join(', ')}` };
  });
}
