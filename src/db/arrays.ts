import { sql, type SQL } from 'drizzle-orm';

/**
 * One bound parameter holding a whole PostgreSQL array: `= ANY(${pgArray(ids, 'uuid')})` or
 * `unnest(...)`. drizzle expands a JS array into one parameter per element, which costs a lot at
 * a thousand ids; this sends the array literal once (nulls as NULL, strings quoted and escaped).
 */
export function pgArray(values: readonly unknown[], type: 'uuid' | 'int' | 'text' | 'timestamptz'): SQL {
  return sql`${arrayLiteral(values)}::${sql.raw(type)}[]`;
}

const SPECIAL = /["\\]/;

/**
 * The text of a PostgreSQL array literal, for a raw statement's `$n::type[]` parameter: nulls as
 * NULL, numbers bare, dates as ISO instants, everything else quoted (escaped only when it must be).
 * Cheaper than pg's own array encoding, which runs two regular expressions on every element and
 * formats dates by hand.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'number') out += String(v);
    else {
      const text = v instanceof Date ? v.toISOString() : String(v);
      out += `"${SPECIAL.test(text) ? text.replace(/["\\]/g, '\\$&') : text}"`;
    }
  }
  return `${out}}`;
}

/** One column of a batch as an array literal, the parameter of an `unnest($n::type[])` or `= ANY($n::type[])`. */
export const batchColumn = <T>(rows: readonly T[], value: (row: T) => unknown) => arrayLiteral(rows.map(value));
