import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { readTenant } from '../../db/client.js';
import { employers } from '../../db/schema/index.js';
import { createEmployer, updateEmployer } from '../employers/employers.service.js';
import type { EmployerRow, ReadFile } from './imports.csv.js';
import { asOutcome, changedFields, failed, nameKey, type Outcome, type Planned, type RunContext } from './imports.plan.js';
import { groupBy } from '../../lib/groupBy.js';

// Employers: a school under its district (`parent`, by name: a row earlier in the file or an
// employer of the agency), matched by name within its parent (docs/imports.md).

type Employer = Pick<typeof employers.$inferSelect, 'id' | 'name' | 'parentId' | 'kind' | 'timeZone' | 'website' | 'notes'>;

/** What the preview keeps of a row: its cells, and its parent as an employer's id or as an earlier row of the file. */
export interface EmployerPlan extends EmployerRow {
  parentId?: string;
  parentRow?: number;
}

const FIELDS = ['name', 'kind', 'timeZone', 'website', 'notes'] as const;

const quoted = (s: string) => `“${s}”`;

/** Rows matched with the agency's employers by name and parent; a parent named in the file must come on an earlier row. */
export async function planEmployers(tx: Tx, file: ReadFile<EmployerRow>): Promise<Planned[]> {
  const all: Employer[] = await tx
    .select({ id: employers.id, name: employers.name, parentId: employers.parentId, kind: employers.kind, timeZone: employers.timeZone, website: employers.website, notes: employers.notes })
    .from(employers);
  const byName = groupBy(all, (e) => nameKey(e.name));
  /** Earlier rows by name: whether they can be a parent, and the employer they matched (null: to be created). */
  const earlier = new Map<string, { row: number; ok: boolean; id: string | null }[]>();
  /** Each employer planned so far (its id, or its name under its parent when new) and its row. */
  const taken = new Map<string, number>();
  const nameColumn = file.columns.get('name')!;
  const parentColumn = file.columns.get('parent') ?? '';

  return file.rows.map((r): Planned => {
    const errors = r.errors.map(({ column, message }) => ({ column, message }));
    const seen = (ok: boolean, id: string | null = null) => {
      if (!r.values.name) return;
      const k = nameKey(r.values.name);
      earlier.set(k, [...(earlier.get(k) ?? []), { row: r.row, ok, id }]);
    };
    const error = (column: string, message: string): Planned => {
      seen(false);
      return { row: r.row, action: 'error', data: null, errors: [...errors, { column, message }] };
    };
    if (!r.data) {
      seen(false);
      return { row: r.row, action: 'error', data: null, errors };
    }
    const d = r.data;
    const plan: EmployerPlan = { ...d };
    if (d.parent) {
      const inFile = earlier.get(nameKey(d.parent)) ?? [];
      const usable = inFile.filter((p) => p.ok);
      if (usable.length > 1) return error(parentColumn, `Rows ${usable.map((p) => p.row).join(' and ')} are both named ${quoted(d.parent)}`);
      if (usable.length === 1) {
        if (usable[0]!.id) plan.parentId = usable[0]!.id;
        else plan.parentRow = usable[0]!.row;
      } else if (inFile.length > 0) {
        return error(parentColumn, `Its parent, row ${inFile[0]!.row}, has errors`);
      } else {
        const found = byName.get(nameKey(d.parent)) ?? [];
        if (found.length === 0) return error(parentColumn, `No employer is named ${quoted(d.parent)}, in the agency or on an earlier row`);
        if (found.length > 1) return error(parentColumn, `${found.length} employers of the agency are named ${quoted(d.parent)}`);
        plan.parentId = found[0]!.id;
      }
    }
    // With a parent, the employer of that name under it; without, the one employer of that name.
    const named = byName.get(nameKey(d.name!)) ?? [];
    const matches = d.parent ? (plan.parentId ? named.filter((e) => e.parentId === plan.parentId) : []) : named;
    if (matches.length > 1) {
      return error(nameColumn, `${matches.length} employers of the agency are named ${quoted(d.name!)}${d.parent ? ` under ${quoted(d.parent)}` : ': give the parent in a column "parent" to tell them apart'}`);
    }
    const current = matches[0];
    const identity = current?.id ?? `${nameKey(d.name!)}\n${plan.parentId ?? plan.parentRow ?? ''}`;
    const first = taken.get(identity);
    if (first) return error(nameColumn, `The same employer as row ${first}`);
    taken.set(identity, r.row);
    seen(true, current?.id ?? null);
    const action = !current ? 'create' : Object.keys(changedFields(current, d, FIELDS)).length > 0 ? 'update' : 'skip';
    return { row: r.row, action, data: plan as Record<string, unknown>, errors };
  });
}

/** One row through the employers' service, matched again now; a parent from the file is the employer its row created or matched. */
export async function applyEmployerRow(ctx: RunContext, d: EmployerPlan): Promise<Outcome> {
  const { deps, actor } = ctx;
  let parentId = d.parentId;
  if (d.parentRow) {
    const parent = await ctx.outcomeOf(d.parentRow);
    if (!parent?.recordId || parent.outcome === 'failed') return failed(`Not imported: its parent, row ${d.parentRow}, was not imported`);
    parentId = parent.recordId;
  }
  const matches = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select()
      .from(employers)
      .where(and(sql`lower(${employers.name}) = ${nameKey(d.name!)}`, d.parent ? eq(employers.parentId, parentId!) : undefined))
      .limit(2),
  );
  if (matches.length > 1) return failed(`Several employers are named “${d.name}”`);
  const current = matches[0];
  return asOutcome(current?.id ?? null, async () => {
    if (!current) {
      const e = await createEmployer(deps, actor, {
        name: d.name!,
        kind: d.kind ?? 'school',
        parentId: parentId ?? null,
        holidays: [],
        ...(d.timeZone ? { timeZone: d.timeZone } : {}),
        ...(d.website ? { website: d.website } : {}),
        ...(d.notes ? { notes: d.notes } : {}),
      });
      return { outcome: 'created', recordId: e.id, message: null };
    }
    const changes = changedFields(current, d, FIELDS);
    if (Object.keys(changes).length === 0) return { outcome: 'skipped', recordId: current.id, message: 'Unchanged' };
    await updateEmployer(deps, actor, current.id, changes);
    return { outcome: 'updated', recordId: current.id, message: `Changed ${Object.keys(changes).join(', ')}` };
  });
}
