import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { roles } from '../../lib/access.js';
import { timestamps, tenantPolicy } from './common.js';
import { tenantFk, users } from './tenants.js';

// Accounts: how people get in (sessions and their refresh tokens, invitations, password resets).
// Every token here is random and stored as its SHA-256 only (docs/auth.md).

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const userFk = (name: string, t: { tenantId: Parameters<typeof foreignKey>[0]['columns'][0]; userId: Parameters<typeof foreignKey>[0]['columns'][0] }) =>
  foreignKey({ name, columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete('cascade');

/**
 * One sign-in: the family of its rotating refresh tokens, and the `sid` of its access tokens.
 * Ending it (`ended_at`) revokes both, on every API process within a second (docs/auth.md).
 */
export const sessions = pgTable(
  'sessions',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    /** As the browser or client sent them at sign-in or the latest refresh (trimmed). */
    userAgent: text('user_agent'),
    ipAddress: text('ip_address'),
    createdAt: timestamps.createdAt,
    /** The sign-in or the latest refresh: within an access token's lifetime of the latest use. */
    lastUsedAt: at('last_used_at').notNull(),
    /** When its latest refresh token expires (each refresh moves it). */
    expiresAt: at('expires_at').notNull(),
    endedAt: at('ended_at'),
    endedReason: text('ended_reason'),
  },
  (t) => [
    unique('sessions_tenant_id_id_key').on(t.tenantId, t.id),
    userFk('sessions_user_fk', t),
    index('sessions_user_idx').on(t.tenantId, t.userId, t.id),
    // What a process catching up on revocations asks for (app_private.revocations_since).
    index('sessions_ended_idx').on(t.endedAt).where(sql`ended_at IS NOT NULL`),
    tenantPolicy(),
  ],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    /** The session (`sessions.id`). */
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
    revokedAt: at('revoked_at'),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    userFk('refresh_tokens_user_fk', t),
    foreignKey({ name: 'refresh_tokens_session_fk', columns: [t.tenantId, t.familyId], foreignColumns: [sessions.tenantId, sessions.id] }).onDelete('cascade'),
    uniqueIndex('refresh_tokens_hash_key').on(t.tenantId, t.tokenHash),
    index('refresh_tokens_family_idx').on(t.tenantId, t.familyId),
    index('refresh_tokens_expires_idx').on(t.expiresAt),
    tenantPolicy(),
  ],
);

/** An admin's invitation by email and role: a single-use link, valid 72 hours, to set name and password. */
export const invitations = pgTable(
  'invitations',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    role: text('role', { enum: roles }).notNull(),
    /** SHA-256 of the link's token; a resend replaces it, so the older link stops working. */
    tokenHash: text('token_hash').notNull(),
    invitedBy: uuid('invited_by').notNull(),
    expiresAt: at('expires_at').notNull(),
    lastSentAt: at('last_sent_at'),
    sendCount: integer('send_count').notNull().default(0),
    /** Why the latest email could not be handed to the mail server; null once one was. */
    sendError: text('send_error'),
    acceptedAt: at('accepted_at'),
    acceptedUserId: uuid('accepted_user_id'),
    revokedAt: at('revoked_at'),
    ...timestamps,
  },
  (t) => [
    tenantFk('invitations_tenant_fk', t.tenantId),
    unique('invitations_tenant_id_id_key').on(t.tenantId, t.id),
    foreignKey({ name: 'invitations_invited_by_fk', columns: [t.tenantId, t.invitedBy], foreignColumns: [users.tenantId, users.id] }),
    uniqueIndex('invitations_token_key').on(t.tenantId, t.tokenHash),
    // One open invitation per email and agency (an expired one is closed when the next is sent).
    uniqueIndex('invitations_open_email_key').on(t.tenantId, t.email).where(sql`accepted_at IS NULL AND revoked_at IS NULL`),
    tenantPolicy(),
  ],
);

/** A "forgot password" link: single use, valid 30 minutes. */
export const passwordResets = pgTable(
  'password_resets',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamps.createdAt,
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
  },
  (t) => [
    userFk('password_resets_user_fk', t),
    uniqueIndex('password_resets_token_key').on(t.tenantId, t.tokenHash),
    index('password_resets_user_idx').on(t.tenantId, t.userId),
    index('password_resets_expires_idx').on(t.expiresAt),
    tenantPolicy(),
  ],
);
