import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { candidateFields } from '../candidates/candidates.schemas.js';

// Reading an import's file: CSV (csv-parse), its headers mapped to our fields, each row checked
// with the candidate's own field schemas. Pure: no I/O (docs/imports.md).

export const MAX_IMPORT_CHARS = 5_000_000;
export const MAX_IMPORT_ROWS = 50_000;

/** What a candidate row can set; only the columns the file has (and the row fills) are present. */
export interface CandidateRow {
  name?: string;
  email?: string;
  phone?: string;
  linkedinUrl?: string;
  timeZone?: string;
  tags?: string[];
  relayConsent?: boolean;
}

export interface RowError {
  row: number;
  column: string;
  message: string;
}

export interface ReadRow {
  /** The row in the file as a spreadsheet numbers it: the header is row 1. */
  row: number;
  data: CandidateRow | null;
  errors: RowError[];
}

type Field = keyof CandidateRow | 'firstName' | 'lastName';

/**
 * Headers we recognise, compared lower-case without spaces, dashes, dots and underscores: our own
 * names, and Bullhorn's candidate export (docs/imports.md). Other columns are ignored and listed.
 */
const HEADERS: Record<string, Field> = {
  name: 'name',
  fullname: 'name',
  candidatename: 'name',
  firstname: 'firstName',
  lastname: 'lastName',
  email: 'email',
  emailaddress: 'email',
  email1: 'email',
  phone: 'phone',
  mobile: 'phone',
  mobilephone: 'phone',
  cellphone: 'phone',
  linkedin: 'linkedinUrl',
  linkedinurl: 'linkedinUrl',
  linkedinprofile: 'linkedinUrl',
  timezone: 'timeZone',
  tags: 'tags',
  skills: 'tags',
  relayconsent: 'relayConsent',
};

const headerKey = (h: string) => h.toLowerCase().replace(/[\s_.\-]/g, '');

const YES = new Set(['true', 'yes', 'y', '1']);
const NO = new Set(['false', 'no', 'n', '0']);

const tagsCell = z
  .string()
  .transform((s) => s.split(';').map((t) => t.trim()).filter((t) => t.length > 0))
  .pipe(candidateFields.tags);

const checks: Record<Exclude<keyof CandidateRow, 'relayConsent'>, z.ZodType> = {
  name: candidateFields.name,
  email: candidateFields.email,
  phone: candidateFields.phone,
  linkedinUrl: candidateFields.linkedinUrl,
  timeZone: candidateFields.timeZone,
  tags: tagsCell,
};

function fileProblem(message: string): AppError {
  return new AppError('validation_failed', `The file cannot be read: ${message}`, [{ field: 'body.csv', message }]);
}

/** The file's rows, each checked; a file that is not CSV, has no header or too many rows is a 400 naming `body.csv`. */
export function readCandidateCsv(text: string): { rows: ReadRow[]; ignoredColumns: string[] } {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, max_record_size: 100_000 }) as string[][];
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw fileProblem(`${e.lines ? `line ${e.lines}: ` : ''}${(e.message ?? 'not CSV').replace(/^Invalid \w+ /, '').slice(0, 200)}`);
  }
  const [header, ...body] = records;
  if (!header || header.every((h) => h === '')) throw fileProblem('the first row must name the columns');
  if (body.length > MAX_IMPORT_ROWS) throw fileProblem(`more than ${MAX_IMPORT_ROWS} rows; split the file`);

  const columns = new Map<Field, { index: number; title: string }>();
  const ignoredColumns: string[] = [];
  header.forEach((title, index) => {
    const field = HEADERS[headerKey(title)];
    if (!field || columns.has(field)) ignoredColumns.push(title);
    else columns.set(field, { index, title });
  });
  if (!columns.has('email')) throw fileProblem('a column "email" is needed to match candidates (see docs/imports.md)');
  if (!columns.has('name') && !columns.has('firstName') && !columns.has('lastName')) throw fileProblem('a column "name" (or "First Name" and "Last Name") is needed');

  const seen = new Map<string, number>();
  const rows = body.map((cells, i): ReadRow => {
    const row = i + 2;
    const errors: RowError[] = [];
    const data: CandidateRow = {};
    const cell = (f: Field) => {
      const c = columns.get(f);
      return c ? (cells[c.index] ?? '') : '';
    };
    if (cells.length !== header.length) {
      errors.push({ row, column: '', message: `Has ${cells.length} fields where the header has ${header.length}` });
    }
    const name = columns.has('name') ? cell('name') : [cell('firstName'), cell('lastName')].filter((s) => s !== '').join(' ');
    const nameColumn = columns.get('name')?.title ?? columns.get('firstName')?.title ?? columns.get('lastName')!.title;
    for (const [field, value] of [['name', name], ...(['email', 'phone', 'linkedinUrl', 'timeZone', 'tags'] as const).map((f) => [f, cell(f)])] as [keyof typeof checks, string][]) {
      const column = field === 'name' ? nameColumn : columns.get(field)?.title;
      if (column === undefined) continue;
      if (value === '') {
        if (field === 'name' || field === 'email') errors.push({ row, column, message: field === 'email' ? 'Required: candidates are matched by email' : 'Required' });
        continue;
      }
      const parsed = checks[field].safeParse(value);
      if (parsed.success) (data as Record<string, unknown>)[field] = parsed.data;
      else errors.push({ row, column, message: parsed.error.issues[0]?.message ?? 'Not valid' });
    }
    const consent = columns.get('relayConsent');
    if (consent) {
      const v = cell('relayConsent').toLowerCase();
      if (YES.has(v)) data.relayConsent = true;
      else if (NO.has(v)) data.relayConsent = false;
      else if (v !== '') errors.push({ row, column: consent.title, message: 'Must be yes or no (true/false, 1/0)' });
    }
    if (data.email) {
      const first = seen.get(data.email);
      if (first) errors.push({ row, column: columns.get('email')!.title, message: `The same email as row ${first}` });
      else seen.set(data.email, row);
    }
    return { row, data: errors.length > 0 ? null : data, errors };
  });
  return { rows, ignoredColumns };
}
