import { sql, type SQL } from 'drizzle-orm';

/**
 * One bound parameter holding a whole PostgreSQL array: `= ANY(${pgArray(ids, 'uuid')})` or
 * `unnest(...)`. drizzle expands a JS array into one parameter per element, which costs a lot at
 * a thousand ids; this sends the array literal once (nulls as NULL, strings quoted and escaped).
 */
export function pgArray(values: readonly unknown[], type: 'uuid' | 'int' | 'text' | 'timestamptz'): SQL {
  const literal = `{${values
    .map((v) =>
      v === null || v === undefined
        ? 'NULL'
        : typeof v === 'number'
          ? String(v)
          : `"${(v instanceof Date ? v.toISOString() : String(v)).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
    )
    .join(',')}}`;
  return sql`${literal}::${sql.raw(type)}[]`;
}
