import type { FieldError } from './errors.js';

/**
 * Text we cannot keep: a NUL (PostgreSQL's text and jsonb refuse it) or a lone UTF-16 surrogate
 * (JSON can spell one, `"\ud800"`, but it is no character: jsonb refuses it and UTF-8 cannot carry
 * it). Checked on every string a request brings (src/http/textHygiene.ts).
 */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'Must not contain NUL characters';
  if (!s.isWellFormed()) return 'Must not contain unpaired surrogates (not valid Unicode)';
  return null;
}

/** The text with NULs removed and each lone surrogate replaced by U+FFFD. */
export const cleanText = (s: string): string => s.replaceAll('\u0000', '').toWellFormed();

/** A key as it can be named in a problem: its bad characters shown as U+FFFD. */
const shown = (key: string) => key.replaceAll('\u0000', '\ufffd').toWellFormed();

/** Stops a hostile body from making a huge problem: the first few are enough to fix a request. */
const MAX_ERRORS = 20;

/**
 * The strings (values and keys) of a parsed request part that hold text we cannot keep, as field
 * errors under `prefix` (`body.owner.name`, `query.q`). Iterative: the depth of the value does
 * not matter. Empty when everything is clean, which is nearly always: the common case costs one
 * `includes` and one `isWellFormed` per string.
 */
export function badTextFields(value: unknown, prefix: string): FieldError[] {
  const out: FieldError[] = [];
  const stack: [unknown, string][] = [[value, prefix]];
  while (stack.length > 0 && out.length < MAX_ERRORS) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) out.push({ field: path, message: problem });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}.${i}`]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i]!;
        const problem = textProblem(k);
        if (problem) out.push({ field: `${path}.${shown(k)}`, message: problem });
        else stack.push([child, `${path}.${k}`]);
      }
    }
  }
  return out;
}

/** A copy of a parsed JSON value with every string and key cleaned (`cleanText`). */
export function cleanTextDeep<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map(cleanTextDeep) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  // Defined, not assigned: a key `__proto__` stays a key (assigning it would set the prototype).
  for (const [k, v] of Object.entries(value)) Object.defineProperty(out, cleanText(k), { value: cleanTextDeep(v), enumerable: true, writable: true, configurable: true });
  return out as T;
}
