// CSV (RFC 4180) for the reports: one header row, CRLF, fields quoted when they need it; a text
// field a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with a quote.

const FORMULA = /^[=+\-@\t\r]/;

function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  let s = String(v);
  if (FORMULA.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV, nested objects flattened (`stages.offer`). */
export function toCsv(rows: Record<string, unknown>[], columns?: string[]): string {
  const flat = rows.map((r) => flatten(r));
  const cols = columns ?? (flat[0] ? Object.keys(flat[0]) : []);
  return [cols.join(','), ...flat.map((r) => cols.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n';
}

function flatten(r: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (v && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

/** Whether the client asked for CSV over JSON (`Accept: text/csv`). */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  let csv = -1;
  let json = -1;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    if (type === 'text/csv') csv = Math.max(csv, q);
    if (type === 'application/json' || type === 'application/*' || type === '*/*') json = Math.max(json, q);
  }
  return csv > 0 && csv >= json;
}
