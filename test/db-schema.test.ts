import { describe, expect, it } from 'vitest';
import { adminPool } from './helpers/db.js';

describe('the migrated schema', () => {
  it('has no index that repeats another on the same table (same columns, predicate and expressions)', async () => {
    const { rows } = await adminPool().query<{ tbl: string; idx: string; same_as: string }>(`
      SELECT a.indrelid::regclass::text AS tbl, a.indexrelid::regclass::text AS idx, b.indexrelid::regclass::text AS same_as
      FROM pg_index a
      JOIN pg_index b ON a.indrelid = b.indrelid AND a.indexrelid > b.indexrelid
        AND a.indkey::text = b.indkey::text AND a.indclass::text = b.indclass::text
        AND coalesce(a.indpred::text, '') = coalesce(b.indpred::text, '')
        AND coalesce(a.indexprs::text, '') = coalesce(b.indexprs::text, '')
      JOIN pg_class c ON c.oid = a.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'app_private')`);
    expect(rows).toEqual([]);
  });
});
