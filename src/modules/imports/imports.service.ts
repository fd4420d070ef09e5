import { and, asc, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import { candidates, importRows, imports, type ImportResults } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { createCandidate, emailHashOf, updateCandidate, type Candidate } from '../candidates/candidates.service.js';
import { readCandidateCsv, type CandidateRow, type RowError } from './imports.csv.js';
import { runImportJob } from './imports.jobs.js';
import type { createImportBody, importRowsQuery } from './imports.schemas.js';

type Import = typeof imports.$inferSelect;
type Action = 'create' | 'update' | 'skip';

/** Errors listed with an import; all of them are in its rows (GET /v1/imports/{id}/rows). */
const ERRORS_SHOWN = 200;
/** Rows written, and run, per statement or transaction. */
const CHUNK = 500;

const FIELDS = ['name', 'email', 'phone', 'linkedinUrl', 'timeZone', 'tags', 'relayConsent'] as const;

const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** What a row would change on the candidate with its email: the fields it sets to something else. */
export function changesFor(current: Pick<Candidate, (typeof FIELDS)[number]>, row: CandidateRow): Partial<CandidateRow> {
  const changes: Partial<CandidateRow> = {};
  for (const f of FIELDS) {
    const v = row[f];
    if (v === undefined) continue;
    if (f === 'tags' ? !sameTags(current.tags, v as string[]) : current[f] !== v) (changes as Record<string, unknown>)[f] = v;
  }
  return changes;
}

async function present(deps: Deps, tenantId: string, imp: Import) {
  const errorRows = await readTenant(deps.db, tenantId, (tx) =>
    tx
      .select({ row: importRows.rowNumber, errors: importRows.errors })
      .from(importRows)
      .where(and(eq(importRows.importId, imp.id), eq(importRows.action, 'error')))
      .orderBy(asc(importRows.rowNumber))
      .limit(ERRORS_SHOWN),
  );
  const { tenantId: _t, createdByKey: _k, ...rest } = imp;
  return { ...rest, errors: errorRows.flatMap((r) => r.errors.map((e) => ({ row: r.row, ...e }))) };
}

/** Reads and checks the file, matches its rows with the agency's candidates and keeps the plan: nothing is imported yet. */
export async function previewImport(deps: Deps, actor: Actor, body: z.output<typeof createImportBody>) {
  const { rows, ignoredColumns } = readCandidateCsv(body.csv);
  const emails = rows.flatMap((r) => (r.data?.email ? [r.data.email] : []));
  const now = deps.clock.now();
  const id = newId();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const existing = new Map<string, Candidate>();
    const erased = new Set<string>();
    for (let i = 0; i < emails.length; i += 5_000) {
      const part = emails.slice(i, i + 5_000);
      for (const c of await tx.select().from(candidates).where(inArray(candidates.email, part))) existing.set(c.email!, c);
      const hashes = part.map((e) => emailHashOf(actor.tenantId, e));
      const gone = await tx
        .select({ hash: candidates.emailHash })
        .from(candidates)
        .where(and(inArray(candidates.emailHash, hashes), isNotNull(candidates.erasedAt)));
      for (const g of gone) if (g.hash) erased.add(g.hash);
    }
    const counts = { create: 0, update: 0, skip: 0, error: 0 };
    const planned = rows.map((r) => {
      let errors: Omit<RowError, 'row'>[] = r.errors.map(({ column, message }) => ({ column, message }));
      let action: Action | 'error' = 'error';
      if (r.data) {
        const current = existing.get(r.data.email!);
        if (!current && erased.has(emailHashOf(actor.tenantId, r.data.email!))) {
          errors = [{ column: 'email', message: 'Belongs to a person erased at their request; add them by hand if they asked to come back' }];
        } else if (current?.erasedAt) {
          errors = [{ column: 'email', message: 'Belongs to an erased candidate' }];
        } else {
          action = !current ? 'create' : Object.keys(changesFor(current, r.data)).length > 0 ? 'update' : 'skip';
        }
      }
      counts[action]++;
      return { tenantId: actor.tenantId, importId: id, rowNumber: r.row, data: action === 'error' ? null : (r.data as Record<string, unknown>), action, errors };
    });
    const [imp] = await tx
      .insert(imports)
      .values({
        tenantId: actor.tenantId,
        id,
        kind: body.kind,
        fileName: body.fileName ?? null,
        createdBy: actor.userId,
        createdByKey: actor.apiKeyId,
        ignoredColumns,
        total: rows.length,
        preview: counts,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    for (let i = 0; i < planned.length; i += CHUNK) await tx.insert(importRows).values(planned.slice(i, i + CHUNK));
    return imp!;
  }).then((imp) => present(deps, actor.tenantId, imp));
}

async function findImport(deps: Deps, actor: Actor, id: string): Promise<Import> {
  const [imp] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(imports).where(eq(imports.id, id)));
  if (!imp) throw notFound('Import');
  return imp;
}

export async function getImport(deps: Deps, actor: Actor, id: string) {
  return present(deps, actor.tenantId, await findImport(deps, actor, id));
}

/** Queues the import's run; once started, it runs to the end (a second call is 409). */
export async function runImport(deps: Deps, actor: Actor, id: string) {
  const now = deps.clock.now();
  const imp = await withTenant(deps.db, actor.tenantId, async (tx, work) => {
    const [current] = await tx.select().from(imports).where(eq(imports.id, id)).for('update');
    if (!current) throw notFound('Import');
    if (current.status !== 'previewed') throw new AppError('conflict', `This import is already ${current.status}`, [], { status: current.status });
    const [queued] = await tx.update(imports).set({ status: 'queued', updatedAt: now }).where(eq(imports.id, id)).returning();
    work.afterCommit({ def: runImportJob, payload: { tenantId: actor.tenantId, importId: id }, opts: { jobId: `import-${id}` } });
    return queued!;
  });
  return present(deps, actor.tenantId, imp);
}

export async function listImportRows(deps: Deps, actor: Actor, id: string, q: z.output<typeof importRowsQuery>) {
  const after = decodeCursor(q.cursor, z.object({ row: z.number().int() }));
  await findImport(deps, actor, id);
  const rows = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select({ row: importRows.rowNumber, action: importRows.action, outcome: importRows.outcome, recordId: importRows.recordId, errors: importRows.errors, message: importRows.message, email: sql<string | null>`${importRows.data}->>'email'` })
      .from(importRows)
      .where(and(eq(importRows.importId, id), after ? gt(importRows.rowNumber, after.row) : undefined))
      .orderBy(asc(importRows.rowNumber))
      .limit(q.limit + 1),
  );
  return toPage(rows, q.limit, (r) => ({ row: r.row }));
}

/** Every row of an import, for the CSV download. */
export async function allImportRows(deps: Deps, actor: Actor, id: string) {
  await findImport(deps, actor, id);
  const rows = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select({ row: importRows.rowNumber, action: importRows.action, outcome: importRows.outcome, recordId: importRows.recordId, errors: importRows.errors, message: importRows.message, email: sql<string | null>`${importRows.data}->>'email'` })
      .from(importRows)
      .where(eq(importRows.importId, id))
      .orderBy(asc(importRows.rowNumber)),
  );
  return rows.map(({ errors, ...r }) => ({ ...r, errors: errors.map((e) => `${e.column}: ${e.message}`).join('; ') }));
}

type Outcome = { outcome: 'created' | 'updated' | 'skipped' | 'failed'; recordId: string | null; message: string | null };

/** One row, through the candidates' own service (its activity row and event with it). Matched again by email now: the agency may have changed since the preview. */
async function applyRow(deps: Deps, actor: Actor, data: CandidateRow): Promise<Outcome> {
  const [current] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(candidates).where(eq(candidates.email, data.email!)));
  try {
    if (!current) {
      const c = await createCandidate(deps, actor, { ...data, name: data.name!, relayConsent: data.relayConsent ?? false, statusUpdatesOptIn: true, tags: data.tags ?? [], overrideErasure: false });
      return { outcome: 'created', recordId: c.id, message: null };
    }
    const changes = changesFor(current, data);
    if (Object.keys(changes).length === 0) return { outcome: 'skipped', recordId: current.id, message: 'Unchanged' };
    await updateCandidate(deps, actor, current.id, changes);
    return { outcome: 'updated', recordId: current.id, message: `Changed ${Object.keys(changes).join(', ')}` };
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return { outcome: 'failed', recordId: current?.id ?? null, message: err.message };
    throw err;
  }
}

/**
 * The job (imports.jobs.ts): the rows without an outcome, in order, a chunk at a time; each
 * chunk's outcomes and the progress are written together, so a retried job goes on where it
 * stopped. Rows with errors in the preview are counted failed without being tried.
 */
export async function runImportRows(deps: Deps, tenantId: string, importId: string): Promise<ImportResults | null> {
  const [imp] = await readTenant(deps.db, tenantId, (tx) => tx.select().from(imports).where(eq(imports.id, importId)));
  if (!imp || imp.status === 'completed' || imp.status === 'previewed') return null;
  const actor: Actor = { tenantId, kind: imp.createdByKey ? 'api_key' : imp.createdBy ? 'user' : 'system', userId: imp.createdBy, apiKeyId: imp.createdByKey, role: null, scopes: [] };
  if (imp.status === 'queued') {
    await withTenant(deps.db, tenantId, (tx) => tx.update(imports).set({ status: 'running', startedAt: deps.clock.now(), updatedAt: deps.clock.now() }).where(eq(imports.id, importId)));
  }
  for (;;) {
    const chunk = await readTenant(deps.db, tenantId, (tx) =>
      tx
        .select({ row: importRows.rowNumber, data: importRows.data, action: importRows.action })
        .from(importRows)
        .where(and(eq(importRows.importId, importId), isNull(importRows.outcome)))
        .orderBy(asc(importRows.rowNumber))
        .limit(CHUNK),
    );
    if (chunk.length === 0) break;
    const outcomes: (Outcome & { row: number })[] = [];
    for (const r of chunk) {
      const o: Outcome = r.action === 'error' || !r.data ? { outcome: 'failed', recordId: null, message: 'Not imported: the row has errors' } : await applyRow(deps, actor, r.data as CandidateRow);
      outcomes.push({ row: r.row, ...o });
    }
    const add: ImportResults = { created: 0, updated: 0, skipped: 0, failed: 0 };
    for (const o of outcomes) add[o.outcome]++;
    await withTenant(deps.db, tenantId, async (tx) => {
      await tx.execute(sql`
        UPDATE import_rows r SET outcome = o.outcome, record_id = o.record_id, message = o.message
        FROM unnest(${sql.param(outcomes.map((o) => o.row))}::int[], ${sql.param(outcomes.map((o) => o.outcome))}::text[],
                    ${sql.param(outcomes.map((o) => o.recordId))}::uuid[], ${sql.param(outcomes.map((o) => o.message))}::text[])
          AS o(row_number, outcome, record_id, message)
        WHERE r.import_id = ${importId} AND r.row_number = o.row_number`);
      await tx
        .update(imports)
        .set({
          processed: sql`${imports.processed} + ${outcomes.length}`,
          results: sql`jsonb_build_object(
            'created', (${imports.results}->>'created')::int + ${add.created}::int,
            'updated', (${imports.results}->>'updated')::int + ${add.updated}::int,
            'skipped', (${imports.results}->>'skipped')::int + ${add.skipped}::int,
            'failed', (${imports.results}->>'failed')::int + ${add.failed}::int)`,
          updatedAt: deps.clock.now(),
        })
        .where(eq(imports.id, importId));
    });
  }
  const [done] = await withTenant(deps.db, tenantId, (tx) =>
    tx.update(imports).set({ status: 'completed', finishedAt: deps.clock.now(), updatedAt: deps.clock.now() }).where(eq(imports.id, importId)).returning(),
  );
  return done!.results;
}
