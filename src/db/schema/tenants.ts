import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy, timestamps, type Holiday } from './common.js';


// Agencies, their users and API keys.

export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    timeZone: text('time_zone').notNull(),
    /** The agency's days off, skipped by every follow-up (employers add their own). */
    holidays: jsonb('holidays').$type<Holiday[]>().notNull().default([]),
    /** The follow-up playbook (docs/followups.md); null means the defaults. */
    playbook: jsonb('playbook').$type<Record<string, unknown>>(),
    /** SHA-256 of the secret the mail provider's inbound webhook presents (docs/webhooks.md). */
    inboundSecretHash: text('inbound_secret_hash'),
    /** The agency's own follow-up templates by template id (docs/followups.md); absent ids use the shipped defaults. */
    /** Bumped by PATCH /v1/agency (If-Match). */
    version: integer('version').notNull().default(1),
    templates: jsonb('templates').$type<Record<string, { subject: string; body: string; updatedAt: string; updatedBy: string | null }>>(),
    ...timestamps,
  },
  (t) => [uniqueIndex('tenants_slug_key').on(t.slug), tenantPolicy(sql`id`)],
);

export const users = pgTable(
  'users',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['owner', 'admin', 'recruiter', 'viewer'] }).notNull(),
    status: text('status', { enum: ['active', 'deactivated'] })
      .notNull()
      .default('active'),
    timeZone: text('time_zone'),
    passwordHash: text('password_hash').notNull(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true, mode: 'date' }),
    /** The 07:30 email of the day's follow-ups (recruiters and above); the user can turn it off. */
    dailyDigest: boolean('daily_digest').notNull().default(true),
    version: integer('version').notNull().default(1),
    /** In every access token (`gen`): raising it ends them all at once (docs/auth.md#revocation). */
    sessionGeneration: integer('session_generation').notNull().default(0),
    /** When it was last raised: what a process catching up on revocations asks for. */
    sessionsRevokedAt: timestamp('sessions_revoked_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    unique('users_tenant_id_id_key').on(t.tenantId, t.id),
    uniqueIndex('users_tenant_email_key').on(t.tenantId, t.email),
    index('users_sessions_revoked_idx').on(t.sessionsRevokedAt).where(sql`sessions_revoked_at IS NOT NULL`),
    tenantPolicy(),
  ],
);

// refresh_tokens, sessions, invitations and password_resets: src/db/schema/accounts.ts.

export const apiKeys = pgTable(
  'api_keys',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    createdBy: uuid('created_by').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({
      name: 'api_keys_created_by_fk',
      columns: [t.tenantId, t.createdBy],
      foreignColumns: [users.tenantId, users.id],
    }),
    foreignKey({
      name: 'api_keys_tenant_fk',
      columns: [t.tenantId],
      foreignColumns: [tenants.id],
    }).onDelete('cascade'),
    uniqueIndex('api_keys_hash_key').on(t.tenantId, t.keyHash),
    tenantPolicy(),
  ],
);

export const tenantFk = (name: string, column: Parameters<typeof foreignKey>[0]['columns'][0]) =>
  foreignKey({ name, columns: [column], foreignColumns: [tenants.id] }).onDelete('cascade');

/**
 * The agency's own outgoing mail server and sender (docs/email.md). The password and the DKIM
 * private key are sealed with SECRETS_KEY (src/lib/secretBox.ts), never stored or returned as such.
 */
export const agencyMailSettings = pgTable(
  'agency_mail_settings',
  {
    tenantId: uuid('tenant_id').primaryKey(),
    host: text('host').notNull(),
    port: integer('port').notNull(),
    tls: text('tls', { enum: ['tls', 'starttls', 'none'] }).notNull(),
    username: text('username'),
    passwordSealed: text('password_sealed'),
    domain: text('domain').notNull(),
    fromAddress: text('from_address').notNull(),
    fromName: text('from_name').notNull(),
    sendAs: text('send_as', { enum: ['agency', 'recruiter'] }).notNull().default('agency'),
    dkimSelector: text('dkim_selector'),
    dkimKeySealed: text('dkim_key_sealed'),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [tenantFk('agency_mail_settings_tenant_fk', t.tenantId), tenantPolicy()],
);
