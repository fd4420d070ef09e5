import { sql } from 'drizzle-orm';
import { foreignKey, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy, timestamps } from './common.js';
import { tenantFk } from './tenants.js';

// CSV imports (docs/imports.md): a file checked once (the preview), then run as a job.

export const importKinds = ['candidates', 'employers', 'contacts'] as const;
export const importStatuses = ['previewed', 'queued', 'running', 'completed', 'failed'] as const;
export const importActions = ['create', 'update', 'skip', 'error'] as const;
export const importOutcomes = ['created', 'updated', 'skipped', 'failed'] as const;

export interface ImportCounts {
  create: number;
  update: number;
  skip: number;
  error: number;
}
export interface ImportResults {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export const imports = pgTable(
  'imports',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    kind: text('kind', { enum: importKinds }).notNull(),
    status: text('status', { enum: importStatuses }).notNull().default('previewed'),
    fileName: text('file_name'),
    /** The user who uploaded it; null for an API key. */
    createdBy: uuid('created_by'),
    /** The API key that uploaded it; null for a user. */
    createdByKey: uuid('created_by_key'),
    /** The file's columns that map to no field. */
    ignoredColumns: text('ignored_columns').array().notNull().default(sql`'{}'::text[]`),
    total: integer('total').notNull(),
    processed: integer('processed').notNull().default(0),
    /** What the preview found: rows to create, update, skip, and rows with errors. */
    preview: jsonb('preview').$type<ImportCounts>().notNull(),
    /** What the run did so far. */
    results: jsonb('results').$type<ImportResults>().notNull().default(sql`'{"created":0,"updated":0,"skipped":0,"failed":0}'::jsonb`),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    tenantFk('imports_tenant_fk', t.tenantId),
    unique('imports_tenant_id_id_key').on(t.tenantId, t.id),
    tenantPolicy(),
  ],
);

/** One data row of an import's file (row 2 is the first under the header), with its values and what became of it. */
export const importRows = pgTable(
  'import_rows',
  {
    tenantId: uuid('tenant_id').notNull(),
    importId: uuid('import_id').notNull(),
    rowNumber: integer('row_number').notNull(),
    /** The row's values, checked and normalised; null when it has errors. */
    data: jsonb('data').$type<Record<string, unknown>>(),
    action: text('action', { enum: importActions }).notNull(),
    errors: jsonb('errors').$type<{ column: string; message: string }[]>().notNull().default(sql`'[]'::jsonb`),
    outcome: text('outcome', { enum: importOutcomes }),
    recordId: uuid('record_id'),
    message: text('message'),
  },
  (t) => [
    primaryKey({ name: 'import_rows_pkey', columns: [t.tenantId, t.importId, t.rowNumber] }),
    tenantFk('import_rows_tenant_fk', t.tenantId),
    foreignKey({ name: 'import_rows_import_fk', columns: [t.tenantId, t.importId], foreignColumns: [imports.tenantId, imports.id] }).onDelete('cascade'),
    tenantPolicy(),
  ],
);
