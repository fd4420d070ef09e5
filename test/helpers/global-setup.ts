import pg from 'pg';
import { migrateDatabase } from '../../src/db/migrate.js';
import { buildWeb } from '../../scripts/web-build.js';
import { buildServer } from '../../scripts/server-build.js';
import { secretsAtRest } from './secretScan.js';

const adminUrlFor = (db: string) => `postgres://postgres@${process.env.TEST_PG_HOST ?? '127.0.0.1:5432'}/${db}`;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrlFor('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Once per run: a fresh database of this run's own (so two runs on one machine do not drop
 * each other's), migrated exactly as `npm start` migrates, and dropped at the end.
 */
export default async function setup() {
  // Once, before any test file: the browser tests need web/dist (built only when stale).
  buildWeb();
  // test/production-build.test.ts runs dist/ as the image does (built only when stale).
  buildServer();
  const name = `afterview_test_${process.pid}`;
  process.env.AFTERVIEW_TEST_DB = name;
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
  await migrateDatabase(adminUrlFor(name), `postgres://afterview_app:afterview_app@127.0.0.1:5432/${name}`);
  return async () => {
    // After every test file: no table may hold an issued secret in clear (test/secrets-at-rest.test.ts).
    const pool = new pg.Pool({ connectionString: adminUrlFor(name), max: 1 });
    const leaks = await secretsAtRest(pool).finally(() => pool.end());
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
    if (Object.keys(leaks).length > 0) {
      // Vitest logs an error thrown here and still exits 0: the exit code is what fails CI.
      console.error(`\nFAIL secrets stored in clear after the run (table.column: rows): ${JSON.stringify(leaks)}\n`);
      process.exitCode = 1;
    }
  };
}
