import { z } from 'zod';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { importActions, importKinds, importOutcomes, importStatuses } from '../../db/schema/imports.js';
import { MAX_IMPORT_CHARS, mappableFields } from './imports.csv.js';
import { LIMITS } from '../../lib/limits.js';

const allFields = [...new Set(Object.values(mappableFields).flat())] as [string, ...string[]];

export const createImportBody = z
  .strictObject({
    kind: z.enum(importKinds).describe('What the file holds: `candidates`, `employers` (schools under their district) or `contacts` (people at employers)'),
    fileName: z.string().trim().min(1).max(200).optional().describe('The file’s name, shown with the import'),
    csv: z
      .string()
      .min(1)
      .max(MAX_IMPORT_CHARS, `The file is larger than ${MAX_IMPORT_CHARS / 1_000_000} MB; split it`)
      .describe('The file’s text: CSV with a header row (docs/imports.md lists the columns and the Bullhorn mapping)'),
    mapping: z
      .record(z.string().min(1).max(200), z.enum(allFields).nullable())
      .optional()
      .describe(
        'Which field each column of the file fills, by the column’s title (`{ "Given name": "firstName", "Owner": null }`); `null` ignores the column. ' +
          'Columns not named here are read by the names docs/imports.md lists.',
      ),
  })
  .superRefine((b, ctx) => {
    const fields = mappableFields[b.kind];
    const keys = Object.keys(b.mapping ?? {});
    if (keys.length > 200) ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'At most 200 columns' });
    for (const [title, field] of Object.entries(b.mapping ?? {})) {
      if (field !== null && !fields.includes(field)) ctx.addIssue({ code: 'custom', path: ['mapping', title], message: `Not a field of ${b.kind}: one of ${fields.join(', ')}` });
    }
  })
  .meta({
    id: 'CreateImportRequest',
    example: {
      kind: 'candidates',
      fileName: 'candidates.csv',
      csv: 'name,email,phone,tags,relayConsent\nJordan Lee,jordan.lee@example.org,(212) 555-0123,math;grade-5,yes\n',
    },
  });

const counts = z.object({ create: z.number().int(), update: z.number().int(), skip: z.number().int(), error: z.number().int() });
const results = z.object({ created: z.number().int(), updated: z.number().int(), skipped: z.number().int(), failed: z.number().int() });
const rowError = z.object({
  row: z.number().int().describe('The row in the file, the header being row 1'),
  column: z.string().max(LIMITS.name).describe('The column as the file names it; empty for the row as a whole'),
  message: z.string().max(LIMITS.text),
});

export const importSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(importKinds),
    status: z.enum(importStatuses).describe('`previewed` (nothing imported yet), `queued`, `running`, `completed`'),
    fileName: z.string().max(LIMITS.name).nullable(),
    createdBy: z.uuid().nullable().describe('The user who uploaded it; null for an API key'),
    ignoredColumns: z.array(z.string().max(LIMITS.name)).max(LIMITS.list).describe('Columns of the file that map to no field'),
    total: z.number().int().describe('Data rows in the file'),
    processed: z.number().int().describe('Rows the run has done'),
    preview: counts.describe('What the preview found: rows to create, update, skip (unchanged) and rows with errors'),
    results: results.describe('What the run did so far'),
    errors: z.array(rowError).max(LIMITS.list).describe('The first 200 errors by row and column; every row is in GET /v1/imports/{id}/rows'),
    startedAt: instant.nullable(),
    finishedAt: instant.nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'Import',
    example: {
      id: '01938a8e-2a3b-7c4d-9e5f-60718293a4c1',
      kind: 'candidates',
      status: 'previewed',
      fileName: 'candidates.csv',
      createdBy: '01938a8e-2a3b-7c4d-9e5f-60718293a4c2',
      ignoredColumns: ['Owner'],
      total: 3,
      processed: 0,
      preview: { create: 1, update: 1, skip: 0, error: 1 },
      results: { created: 0, updated: 0, skipped: 0, failed: 0 },
      errors: [{ row: 4, column: 'phone', message: 'Not a number that can be dialled' }],
      startedAt: null,
      finishedAt: null,
      createdAt: '2026-12-07T15:00:00.000Z',
      updatedAt: '2026-12-07T15:00:00.000Z',
    },
  });

export const importRowSchema = z
  .object({
    row: z.number().int(),
    name: z.string().max(LIMITS.name).nullable().describe('The row’s name, once checked'),
    email: z.string().max(LIMITS.email).nullable().describe('The row’s email, once checked'),
    action: z.enum(importActions).describe('What the preview planned'),
    outcome: z.enum(importOutcomes).nullable().describe('What the run did; null until it reaches the row'),
    recordId: z.uuid().nullable().describe('The candidate, employer or contact created, updated or left as it was'),
    errors: z.array(z.object({ column: z.string().max(LIMITS.name), message: z.string().max(LIMITS.text) })).max(LIMITS.list),
    message: z.string().max(LIMITS.text).nullable(),
  })
  .meta({
    id: 'ImportRow',
    example: {
      row: 2,
      name: 'Jordan Lee',
      email: 'jordan.lee@example.org',
      action: 'create',
      outcome: 'created',
      recordId: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
      errors: [],
      message: null,
    },
  });

export const importRowsQuery = z.strictObject({ ...pageQuery });
