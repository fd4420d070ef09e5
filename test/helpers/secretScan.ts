import type pg from 'pg';

/**
 * What a secret we issue looks like: API keys, inbound secrets, refresh tokens and the tokens of
 * invitation and reset links (`<prefix>_<tenant hex>_<random>`), and webhook signing secrets.
 */
export const SECRET_PATTERN = '(avk|ins|rt|inv|pwr)_[0-9a-f]{32}_[A-Za-z0-9_-]{20}|whsec_[A-Za-z0-9+/=]{20}';

/**
 * Where a secret must be kept as itself, each with why. Everything else holds hashes, prefixes
 * or sealed (encrypted) answers only.
 */
export const KEPT_IN_CLEAR: Record<string, string> = {
  'webhook_endpoints.secret': 'the signing key: each delivery is signed with it (HMAC), so it cannot be a hash (docs/webhooks.md)',
  'webhook_endpoints.previous_secret': 'the signing key being rotated out: it signs for 24 hours more',
};

/**
 * Every text, JSON and array column of every table in the public schema, searched for a secret:
 * `table.column` → how many rows hold one (only those with any), columns of KEPT_IN_CLEAR aside.
 */
export async function secretsAtRest(admin: pg.Pool, pattern = SECRET_PATTERN): Promise<Record<string, number>> {
  const { rows: columns } = await admin.query<{ table_name: string; column_name: string }>(`
    SELECT c.table_name, c.column_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = 'public' AND (c.data_type IN ('text', 'character varying', 'json', 'jsonb') OR c.data_type = 'ARRAY')
    ORDER BY 1, 2`);
  const scanned = columns.filter((c) => !(`${c.table_name}.${c.column_name}` in KEPT_IN_CLEAR));
  if (scanned.length === 0) return {};
  const sql = scanned
    .map((c) => `SELECT '${c.table_name}.${c.column_name}' AS at, count(*)::int AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text ~ $1`)
    .join(' UNION ALL ');
  const { rows } = await admin.query<{ at: string; n: number }>(sql, [pattern]);
  return Object.fromEntries(rows.filter((r) => r.n > 0).map((r) => [r.at, r.n]));
}
