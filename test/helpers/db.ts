import pg from 'pg';
import { testAdminUrl } from './env.js';

let pool: pg.Pool | undefined;
/** The admin connection, to look at what the API wrote (it bypasses RLS: tests only). */
export const adminPool = () => (pool ??= new pg.Pool({ connectionString: testAdminUrl, max: 2 }));

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
