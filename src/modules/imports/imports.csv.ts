import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { candidateFields } from '../candidates/candidates.schemas.js';
import { contactFields } from '../contacts/contacts.schemas.js';
import { employerFields } from '../employers/employers.schemas.js';

// Reading an import's file: CSV (csv-parse), its headers mapped to our fields (by the request's
// `mapping`, else by the names we know), each cell checked with the record's own field schemas
// (candidateFields, employerFields, contactFields). Pure: no I/O (docs/imports.md).

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

/** An employer row: `parent` is the name of its district (or other parent), matched by the service. */
export interface EmployerRow {
  name?: string;
  kind?: z.output<typeof employerFields.kind>;
  parent?: string;
  timeZone?: string;
  website?: string;
  notes?: string;
}

/** A contact row: `employer` is the employer's name, matched by the service. */
export interface ContactRow {
  employer?: string;
  /** The employer's parent (a school's district), when two employers share a name. */
  district?: string;
  name?: string;
  title?: string;
  email?: string;
  phone?: string;
  linkedinUrl?: string;
  preferredChannel?: z.output<typeof contactFields.preferredChannel>;
  timeZone?: string;
  notes?: string;
}

export interface RowError {
  row: number;
  column: string;
  message: string;
}

export interface ReadRow<T = CandidateRow> {
  /** The row in the file as a spreadsheet numbers it: the header is row 1. */
  row: number;
  data: T | null;
  /** The cells that passed their checks, also when others did not. */
  values: T;
  errors: RowError[];
}

export interface ReadFile<T> {
  rows: ReadRow<T>[];
  ignoredColumns: string[];
  /** Each field the file fills, with the column's title as the file writes it (what errors name). */
  columns: Map<string, string>;
}

/** How a kind's columns are read. `firstName`/`lastName` are joined into `name` where `name` is missing. */
interface Spec {
  /** Each field: the header spellings it is known by (compared by `headerKey`) and its check. */
  fields: Record<string, { headers: string[]; check?: z.ZodType; yesNo?: true }>;
  /** Fields a row must fill, with what to say when it does not. */
  required: Record<string, string>;
  /** Columns the file must have, with what to say when it has none of them. */
  needed: [string[], string][];
}

const headerKey = (h: string) => h.toLowerCase().replace(/[\s_.\-]/g, '');

/** A cell of a closed list (`District`, ` Phone `) compared as the API spells it. */
const lowerCell = (schema: z.ZodType<unknown, string>) => z.string().transform((s) => s.toLowerCase()).pipe(schema);

const tagsCell = z
  .string()
  .transform((s) => s.split(';').map((t) => t.trim()).filter((t) => t.length > 0))
  .pipe(candidateFields.tags);

/** A website as spreadsheets hold it (`hvcsd.example.org`): https:// is assumed when no scheme is written. */
const websiteCell = z
  .string()
  .transform((s) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`))
  .pipe(employerFields.website.unwrap());

const nameParts = { firstName: { headers: ['firstname', 'first'] }, lastName: { headers: ['lastname', 'last', 'surname'] } };

// Our own names first, then other spellings: Bullhorn's candidate, client corporation and client
// contact exports among them (docs/imports.md).
const specs = {
  candidates: {
    fields: {
      name: { headers: ['name', 'fullname', 'candidatename'], check: candidateFields.name },
      ...nameParts,
      email: { headers: ['email', 'emailaddress', 'email1'], check: candidateFields.email },
      phone: { headers: ['phone', 'mobile', 'mobilephone', 'cellphone'], check: candidateFields.phone },
      linkedinUrl: { headers: ['linkedinurl', 'linkedin', 'linkedinprofile'], check: candidateFields.linkedinUrl },
      timeZone: { headers: ['timezone'], check: candidateFields.timeZone },
      tags: { headers: ['tags', 'skills'], check: tagsCell },
      relayConsent: { headers: ['relayconsent'], yesNo: true },
    },
    required: { name: 'Required', email: 'Required: candidates are matched by email' },
    needed: [
      [['email'], 'a column "email" is needed to match candidates (see docs/imports.md)'],
      [['name', 'firstName', 'lastName'], 'a column "name" (or "First Name" and "Last Name") is needed'],
    ],
  },
  employers: {
    fields: {
      name: { headers: ['name', 'employer', 'employername', 'companyname', 'company', 'organization', 'organisation'], check: employerFields.name },
      kind: { headers: ['kind', 'type', 'employertype'], check: lowerCell(employerFields.kind) },
      parent: { headers: ['parent', 'district', 'parentdistrict', 'parentname', 'parentemployer', 'parentcompany'], check: employerFields.name },
      timeZone: { headers: ['timezone'], check: employerFields.timeZone },
      website: { headers: ['website', 'web', 'url', 'companyurl'], check: websiteCell },
      notes: { headers: ['notes', 'comments'], check: employerFields.notes.unwrap() },
    },
    required: { name: 'Required' },
    needed: [[['name'], 'a column "name" is needed (see docs/imports.md)']],
  },
  contacts: {
    fields: {
      employer: { headers: ['employer', 'employername', 'company', 'companyname', 'clientcorporation', 'school'], check: employerFields.name },
      district: { headers: ['district', 'employerdistrict', 'employerparent', 'parent'], check: employerFields.name },
      name: { headers: ['name', 'fullname', 'contactname'], check: contactFields.name },
      ...nameParts,
      title: { headers: ['title', 'jobtitle', 'role'], check: contactFields.title.unwrap() },
      email: { headers: ['email', 'emailaddress', 'email1', 'workemail'], check: contactFields.email.unwrap() },
      phone: { headers: ['phone', 'directphone', 'workphone', 'officephone', 'mobile', 'mobilephone'], check: contactFields.phone.unwrap() },
      linkedinUrl: { headers: ['linkedinurl', 'linkedin', 'linkedinprofile'], check: contactFields.linkedinUrl.unwrap() },
      preferredChannel: { headers: ['preferredchannel', 'channel'], check: lowerCell(contactFields.preferredChannel) },
      timeZone: { headers: ['timezone'], check: contactFields.timeZone.unwrap() },
      notes: { headers: ['notes', 'comments'], check: contactFields.notes.unwrap() },
    },
    required: { employer: 'Required: contacts are attached to an employer by its name', name: 'Required' },
    needed: [
      [['employer'], 'a column "employer" (the employer’s name) is needed (see docs/imports.md)'],
      [['name', 'firstName', 'lastName'], 'a column "name" (or "First Name" and "Last Name") is needed'],
    ],
  },
} satisfies Record<string, Spec>;

export type ImportKind = keyof typeof specs;

/** The field names a `mapping` may point a column at, per kind. */
export const mappableFields = Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, Object.keys(s.fields)])) as Record<ImportKind, string[]>;

/** A column's field by its title: the request's mapping (`null`: ignore it), else the names we know. */
export type Mapping = Record<string, string | null>;

const YES = new Set(['true', 'yes', 'y', '1']);
const NO = new Set(['false', 'no', 'n', '0']);

/** What is wrong with a cell: the field's own message, a closed list said as its values. */
function cellMessage(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'Not valid';
  if (issue.code === 'invalid_value') return `Must be one of ${issue.values.map(String).join(', ')}`;
  return issue.message;
}

function fileProblem(message: string, field = 'body.csv'): AppError {
  return new AppError('validation_failed', `The file cannot be read: ${message}`, [{ field, message }]);
}

/** The file's rows, each checked; a file that is not CSV, has no header or too many rows is a 400 naming `body.csv`. */
function readCsv(text: string, spec: Spec, mapping: Mapping = {}): ReadFile<Record<string, unknown>> {
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

  // The mapping first (by the title as written, else compared like the known names), then the known names.
  const mapped = new Map<string, string | null>();
  for (const [title, field] of Object.entries(mapping)) mapped.set(title, field);
  const mappedByKey = new Map([...mapped].map(([title, field]) => [headerKey(title), field]));
  for (const title of mapped.keys()) {
    if (!header.includes(title) && !header.some((h) => headerKey(h) === headerKey(title))) {
      throw fileProblem(`no column of the file is named "${title}"`, `body.mapping.${title}`);
    }
  }
  const known = new Map<string, string>();
  for (const [field, f] of Object.entries(spec.fields)) for (const h of f.headers) known.set(h, field);
  const fieldOf = (title: string): string | null | undefined =>
    mapped.has(title) ? mapped.get(title) : mappedByKey.has(headerKey(title)) ? mappedByKey.get(headerKey(title)) : undefined;

  const indexes = new Map<string, number>();
  const columns = new Map<string, string>();
  const ignoredColumns: string[] = [];
  const claim = (index: number, field: string | null | undefined) => {
    if (!field || indexes.has(field)) return false;
    indexes.set(field, index);
    columns.set(field, header[index]!);
    return true;
  };
  const taken = header.map((title, index) => claim(index, fieldOf(title)));
  header.forEach((title, index) => {
    if (taken[index]) return;
    if (fieldOf(title) !== undefined || !claim(index, known.get(headerKey(title)))) ignoredColumns.push(title);
  });
  for (const [fields, message] of spec.needed) if (!fields.some((f) => indexes.has(f))) throw fileProblem(message);

  const joinName = 'firstName' in spec.fields && !indexes.has('name') && (indexes.has('firstName') || indexes.has('lastName'));
  const nameColumn = joinName ? (columns.get('firstName') ?? columns.get('lastName')!) : columns.get('name');
  if (nameColumn !== undefined) columns.set('name', nameColumn);

  const rows = body.map((cells, i): ReadRow<Record<string, unknown>> => {
    const row = i + 2;
    const errors: RowError[] = [];
    const data: Record<string, unknown> = {};
    const cell = (f: string) => {
      const index = indexes.get(f);
      return index === undefined ? '' : (cells[index] ?? '');
    };
    if (cells.length !== header.length) {
      errors.push({ row, column: '', message: `Has ${cells.length} fields where the header has ${header.length}` });
    }
    for (const [field, f] of Object.entries(spec.fields)) {
      if (field === 'firstName' || field === 'lastName') continue;
      const column = columns.get(field);
      if (column === undefined) continue;
      const value = field === 'name' && joinName ? [cell('firstName'), cell('lastName')].filter((s) => s !== '').join(' ') : cell(field);
      if (value === '') {
        const required = (spec.required as Record<string, string>)[field];
        if (required) errors.push({ row, column, message: required });
        continue;
      }
      if (f.yesNo) {
        const v = value.toLowerCase();
        if (YES.has(v)) data[field] = true;
        else if (NO.has(v)) data[field] = false;
        else errors.push({ row, column, message: 'Must be yes or no (true/false, 1/0)' });
        continue;
      }
      const parsed = f.check!.safeParse(value);
      if (parsed.success) data[field] = parsed.data;
      else errors.push({ row, column, message: cellMessage(parsed.error.issues[0]) });
    }
    return { row, data: errors.length > 0 ? null : data, values: data, errors };
  });
  return { rows, ignoredColumns, columns };
}

/** A candidate file: each row checked, and the same email twice an error on the later row. */
export function readCandidateCsv(text: string, mapping?: Mapping): ReadFile<CandidateRow> {
  const file = readCsv(text, specs.candidates, mapping) as ReadFile<CandidateRow>;
  const seen = new Map<string, number>();
  for (const r of file.rows) {
    const email = r.values.email;
    if (!email) continue;
    const first = seen.get(email);
    if (first) {
      r.errors.push({ row: r.row, column: file.columns.get('email')!, message: `The same email as row ${first}` });
      r.data = null;
    } else seen.set(email, r.row);
  }
  return file;
}

export const readEmployerCsv = (text: string, mapping?: Mapping) => readCsv(text, specs.employers, mapping) as ReadFile<EmployerRow>;
export const readContactCsv = (text: string, mapping?: Mapping) => readCsv(text, specs.contacts, mapping) as ReadFile<ContactRow>;
