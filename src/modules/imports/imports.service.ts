import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import { importRows, imports, type ImportResults } from '../../db/schema/index.js';
import { hasScope, type Actor } from '../../lib/access.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { applyCandidateRow, planCandidates } from './imports.candidates.js';
import { applyContactRow, planContacts, type ContactPlan } from './imports.contacts.js';
import { readCandidateCsv, readContactCsv, readEmployerCsv, type CandidateRow, type ContactRow, type EmployerRow, type ReadFile } from './imports.csv.js';
import { applyEmployerRow, planEmployers, type EmployerPlan } from './imports.employers.js';
import { runImportJob } from './imports.jobs.js';
import { failed, type Outcome, type RunContext } from './imports.plan.js';
import type { createImportBody, importRowsQuery } from './imports.schemas.js';

type Import = typeof imports.$inferSelect;

/** Errors listed with an import; all of them are in its rows (GET /v1/imports/{id}/rows). */
const ERRORS_SHOWN = 200;
/** Rows written, and run, per statement or transaction. */
const CHUNK = 500;

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

/**
 * Employers and contacts are written with `employers:write`: an API key importing them needs that
 * scope too (the route asks for `candidates:write`, what every import needs).
 */
function checkKindAccess(actor: Actor, kind: Import['kind']) {
  if (kind === 'candidates' || hasScope(actor, 'employers:write')) return;
  throw new AppError('insufficient_scope', 'The API key needs the employers:write scope to import employers or contacts', [], { requiredScope: 'employers:write' });
}

/** An employers or contacts import's rows hold those records' names and emails: a key reads them with employers:read. */
function checkKindRead(actor: Actor, kind: Import['kind']) {
  if (kind === 'candidates' || hasScope(actor, 'employers:read')) return;
  throw new AppError('insufficient_scope', 'The API key needs the employers:read scope to read the rows of an employers or contacts import', [], { requiredScope: 'employers:read' });
}

/** Reads and checks the file, matches its rows with the agency's records and keeps the plan: nothing is imported yet. */
export async function previewImport(deps: Deps, actor: Actor, body: z.output<typeof createImportBody>) {
  checkKindAccess(actor, body.kind);
  const mapping = body.mapping ?? {};
  const file = body.kind === 'candidates' ? readCandidateCsv(body.csv, mapping) : body.kind === 'employers' ? readEmployerCsv(body.csv, mapping) : readContactCsv(body.csv, mapping);
  const now = deps.clock.now();
  const id = newId();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const plan =
      body.kind === 'candidates'
        ? await planCandidates(tx, actor, file as ReadFile<CandidateRow>)
        : body.kind === 'employers'
          ? await planEmployers(tx, file as ReadFile<EmployerRow>)
          : await planContacts(tx, file as ReadFile<ContactRow>);
    const counts = { create: 0, update: 0, skip: 0, error: 0 };
    for (const p of plan) counts[p.action]++;
    const planned = plan.map((p) => ({ tenantId: actor.tenantId, importId: id, rowNumber: p.row, data: p.data, action: p.action, errors: p.errors }));
    const [imp] = await tx
      .insert(imports)
      .values({
        tenantId: actor.tenantId,
        id,
        kind: body.kind,
        fileName: body.fileName ?? null,
        createdBy: actor.userId,
        createdByKey: actor.apiKeyId,
        ignoredColumns: file.ignoredColumns,
        total: file.rows.length,
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
    checkKindAccess(actor, current.kind);
    if (current.status !== 'previewed') throw new AppError('conflict', `This import is already ${current.status}`, [], { status: current.status });
    const [queued] = await tx.update(imports).set({ status: 'queued', updatedAt: now }).where(eq(imports.id, id)).returning();
    work.afterCommit({ def: runImportJob, payload: { tenantId: actor.tenantId, importId: id }, opts: { jobId: `import-${id}` } });
    return queued!;
  });
  return present(deps, actor.tenantId, imp);
}

/** What a row of an import says: its outcome, and the name and email it was matched by. */
const rowColumns = {
  row: importRows.rowNumber,
  action: importRows.action,
  outcome: importRows.outcome,
  recordId: importRows.recordId,
  errors: importRows.errors,
  message: importRows.message,
  name: sql<string | null>`${importRows.data}->>'name'`,
  email: sql<string | null>`${importRows.data}->>'email'`,
};

export async function listImportRows(deps: Deps, actor: Actor, id: string, q: z.output<typeof importRowsQuery>) {
  const after = decodeCursor(q.cursor, z.object({ row: z.number().int() }));
  checkKindRead(actor, (await findImport(deps, actor, id)).kind);
  const rows = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select(rowColumns)
      .from(importRows)
      .where(and(eq(importRows.importId, id), after ? gt(importRows.rowNumber, after.row) : undefined))
      .orderBy(asc(importRows.rowNumber))
      .limit(q.limit + 1),
  );
  return toPage(rows, q.limit, (r) => ({ row: r.row }));
}

/** Every row of an import, for the CSV download. */
export async function allImportRows(deps: Deps, actor: Actor, id: string) {
  checkKindRead(actor, (await findImport(deps, actor, id)).kind);
  const rows = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .select(rowColumns)
      .from(importRows)
      .where(eq(importRows.importId, id))
      .orderBy(asc(importRows.rowNumber)),
  );
  return rows.map(({ errors, ...r }) => ({ ...r, errors: errors.map((e) => `${e.column}: ${e.message}`).join('; ') }));
}

/** One row, through the service of its kind (each record's activity row and event with it). */
function applyRow(ctx: RunContext, kind: Import['kind'], data: Record<string, unknown>): Promise<Outcome> {
  if (kind === 'employers') return applyEmployerRow(ctx, data as unknown as EmployerPlan);
  if (kind === 'contacts') return applyContactRow(ctx, data as unknown as ContactPlan);
  return applyCandidateRow(ctx, data as CandidateRow);
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
  // What became of each row so far: a school's row needs its district's (an earlier row, maybe of an earlier chunk or attempt).
  const seen = new Map<number, Pick<Outcome, 'outcome' | 'recordId'>>();
  const ctx: RunContext = {
    deps,
    actor,
    async outcomeOf(row) {
      if (seen.has(row)) return seen.get(row);
      const [r] = await readTenant(deps.db, tenantId, (tx) =>
        tx.select({ outcome: importRows.outcome, recordId: importRows.recordId }).from(importRows).where(and(eq(importRows.importId, importId), eq(importRows.rowNumber, row))),
      );
      return r?.outcome ? { outcome: r.outcome, recordId: r.recordId } : undefined;
    },
  };
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
      const o: Outcome = r.action === 'error' || !r.data ? failed('Not imported: the row has errors') : await applyRow(ctx, imp.kind, r.data);
      seen.set(r.row, o);
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

/**
 * The run's last attempt failed (a row kept throwing, the database went away): the import ends
 * `failed` with what it did so far, so nobody waits on it for ever; its rows say which were done.
 */
export async function markImportFailed(deps: Deps, tenantId: string, importId: string) {
  const now = deps.clock.now();
  await withTenant(deps.db, tenantId, (tx) =>
    tx
      .update(imports)
      .set({ status: 'failed', finishedAt: now, updatedAt: now })
      .where(and(eq(imports.id, importId), sql`${imports.status} IN ('queued', 'running')`)),
  );
}
