import pg from 'pg';
import { migrateDatabase } from '../../src/db/migrate.js';
import { testAdminUrl, testAppUrl } from './env.js';

/** Once per run: a fresh test database, migrated exactly as `npm start` migrates. */
export default async function setup() {
  const url = new URL(testAdminUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await client.end();
  await migrateDatabase(testAdminUrl, testAppUrl);
}
