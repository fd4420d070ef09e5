import pg from 'pg';
import { testAdminUrl, testAppUrl } from './env.js';

let pool: pg.Pool | undefined;
/** The admin connection, to look at what the API wrote (it bypasses RLS: tests only). */
// An idle client's error is ignored: the run's end drops the database WITH (FORCE), which ends the
// connections of test processes still alive, and an unhandled 'error' would crash the run after it passed.
export const adminPool = () => (pool ??= new pg.Pool({ connectionString: testAdminUrl, max: 2 }).on('error', () => undefined));

/** The activity rows of a subject, oldest first, each with the type of the event written with it. */
export async function timeline(tenantId: string, subjectId: string) {
  const res = await adminPool().query<{ action: string; changes: Record<string, unknown>; event_type: string | null }>(
    `SELECT a.action, a.changes,
            (SELECT e.type FROM events e WHERE e.tenant_id = a.tenant_id AND e.payload->'data'->>(a.subject_type || 'Id') = a.subject_id::text AND e.created_at = a.created_at AND e.type = a.action LIMIT 1) AS event_type
     FROM activities a WHERE a.tenant_id = $1 AND a.subject_id = $2 ORDER BY a.id`,
    [tenantId, subjectId],
  );
  return res.rows;
}

/**
 * Runs one statement as the app's runtime role on a connection of its own, in a transaction whose
 * tenant context is `tenantId` (none when null), rolled back after: what a definer function sees.
 */
export async function asAppRole<R extends pg.QueryResultRow = pg.QueryResultRow>(tenantId: string | null, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: testAppUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    if (tenantId) await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}
