import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Logger } from 'pino';

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/**
 * Brings the database to the current schema: creates the database when missing, applies the
 * migrations as the admin (owner) role, and makes sure the runtime role from `appUrl` exists
 * with only the rights it needs: it owns nothing, is no superuser and cannot bypass RLS.
 */
export async function migrateDatabase(adminUrl: string, appUrl: string, log?: Logger): Promise<void> {
  await ensureDatabase(adminUrl, log);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Two processes starting together must not both migrate.
    const me = await client.query<{ ok: boolean }>('SELECT rolsuper OR rolbypassrls AS ok FROM pg_roles WHERE rolname = current_user');
    if (!me.rows[0]?.ok) {
      // The login and system-job lookups run as their owner, which must see every tenant.
      throw new Error('DATABASE_ADMIN_URL must name a superuser or a role with BYPASSRLS (docs/tenancy.md)');
    }
    await client.query('SELECT pg_advisory_lock(7415821)');
    await migrate(drizzle({ client }), { migrationsFolder });
    await ensureAppRole(client, appUrl, log);
  } finally {
    await client.query('SELECT pg_advisory_unlock(7415821)').catch(() => undefined);
    await client.end();
  }
}

async function ensureDatabase(adminUrl: string, log?: Logger): Promise<void> {
  const url = new URL(adminUrl);
  const dbName = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(dbName)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile by another process
      });
      log?.info({ database: dbName }, 'created database');
    }
  } finally {
    await client.end();
  }
}

async function ensureAppRole(client: pg.Client, appUrl: string, log?: Logger): Promise<void> {
  const url = new URL(appUrl);
  const role = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (!role) throw new Error('DATABASE_URL must name the runtime role (postgres://ROLE:PASSWORD@host/db)');
  const me = await client.query<{ current_user: string }>('SELECT current_user');
  if (me.rows[0]?.current_user === role) {
    throw new Error('DATABASE_URL and DATABASE_ADMIN_URL must use different roles: the app may not own its tables');
  }
  const ident = pg.escapeIdentifier(role);
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const pw = password ? ` PASSWORD ${pg.escapeLiteral(password)}` : '';
  if (exists.rowCount === 0) {
    await client.query(`CREATE ROLE ${ident} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE${pw}`);
    log?.info({ role }, 'created runtime database role');
  } else {
    await client.query(`ALTER ROLE ${ident} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE${pw}`);
  }
  await client.query(`GRANT USAGE ON SCHEMA public TO ${ident}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${ident}`);
  await client.query(`GRANT USAGE ON SCHEMA app_private TO ${ident}`);
  await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app_private TO ${ident}`);
}
