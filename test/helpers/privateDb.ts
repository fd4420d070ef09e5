import pg from 'pg';
import { migrateDatabase } from '../../src/db/migrate.js';

const host = process.env.TEST_PG_HOST ?? '127.0.0.1:5432';
const urlOf = (user: string, db: string) => `postgres://${user}@${host}/${db}`;

async function dropDatabase(name: string) {
  const server = new pg.Client({ connectionString: urlOf('postgres', 'postgres') });
  await server.connect();
  try {
    await server.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await server.end();
  }
}

/**
 * A database of a test file's own, migrated as the run's is, for tests whose relay and sweep must
 * see no other file's agencies (the relay and the sweep work across every agency of a database).
 * Its `env` goes to testConfig; `drop` removes it.
 */
export async function privateDatabase(suffix: string) {
  const name = `${process.env.AFTERVIEW_TEST_DB ?? 'afterview_test'}_${suffix}`;
  await dropDatabase(name);
  const adminUrl = urlOf('postgres', name);
  const appUrl = urlOf('afterview_app:afterview_app', name);
  // One migration at a time across test processes: each alters the cluster-wide app role, and two
  // at once fail with "tuple concurrently updated". The lock ends with its session.
  const lock = new pg.Client({ connectionString: urlOf('postgres', 'postgres') });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(1515)');
    await migrateDatabase(adminUrl, appUrl);
  } finally {
    await lock.end();
  }
  const admin = new pg.Pool({ connectionString: adminUrl, max: 2 });
  return {
    env: { DATABASE_URL: appUrl, DATABASE_ADMIN_URL: adminUrl },
    /** Bypasses RLS: to look at what was written. */
    admin,
    async drop() {
      await admin.end();
      await dropDatabase(name);
    },
  };
}
