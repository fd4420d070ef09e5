import { sql } from 'drizzle-orm';
import { boolean, check, date, foreignKey, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy, timestamps, version, type Holiday } from './common.js';
import { tenantFk } from './tenants.js';

// What an agency keeps: employers, their contacts and positions, candidates.


export const employers = pgTable(
  'employers',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    parentId: uuid('parent_id'),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['district', 'school', 'company', 'other'] }).notNull(),
    timeZone: text('time_zone').notNull(),
    holidays: jsonb('holidays').$type<Holiday[]>().notNull().default([]),
    website: text('website'),
    notes: text('notes'),
    version,
    ...timestamps,
  },
  (t) => [
    // ?updatedSince= (a sync read, src/db/sync.ts)
    index('employers_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    unique('employers_tenant_id_id_key').on(t.tenantId, t.id),
    tenantFk('employers_tenant_fk', t.tenantId),
    foreignKey({ name: 'employers_parent_fk', columns: [t.tenantId, t.parentId], foreignColumns: [t.tenantId, t.id] }),
    index('employers_name_idx').on(t.tenantId, t.name, t.id),
    index('employers_parent_idx').on(t.tenantId, t.parentId),
    tenantPolicy(),
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    employerId: uuid('employer_id').notNull(),
    name: text('name').notNull(),
    title: text('title'),
    email: text('email'),
    phone: text('phone'),
    linkedinUrl: text('linkedin_url'),
    preferredChannel: text('preferred_channel', { enum: ['email', 'phone', 'linkedin'] }).notNull().default('email'),
    timeZone: text('time_zone'),
    notes: text('notes'),
    version,
    ...timestamps,
  },
  (t) => [
    // ?updatedSince= (a sync read, src/db/sync.ts)
    index('contacts_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    unique('contacts_tenant_id_id_key').on(t.tenantId, t.id),
    foreignKey({ name: 'contacts_employer_fk', columns: [t.tenantId, t.employerId], foreignColumns: [employers.tenantId, employers.id] }),
    index('contacts_employer_idx').on(t.tenantId, t.employerId, t.id),
    index('contacts_name_idx').on(t.tenantId, t.name, t.id),
    // Part-of-name/email search (pg_trgm); used through app_private.search_contacts, since under
    // row-level security ILIKE (not leakproof) cannot use an index (docs/performance.md).
    index('contacts_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
    index('contacts_email_trgm_idx').using('gin', t.email.op('gin_trgm_ops')),
    tenantPolicy(),
  ],
);

export const positions = pgTable(
  'positions',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    employerId: uuid('employer_id').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    status: text('status', { enum: ['open', 'on_hold', 'filled', 'closed'] }).notNull().default('open'),
    openings: integer('openings').notNull().default(1),
    targetFillDate: date('target_fill_date', { mode: 'string' }),
    version,
    ...timestamps,
  },
  (t) => [
    // ?updatedSince= (a sync read, src/db/sync.ts)
    index('positions_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    unique('positions_tenant_id_id_key').on(t.tenantId, t.id),
    foreignKey({ name: 'positions_employer_fk', columns: [t.tenantId, t.employerId], foreignColumns: [employers.tenantId, employers.id] }),
    index('positions_employer_idx').on(t.tenantId, t.employerId, t.id),
    index('positions_status_idx').on(t.tenantId, t.status, t.id),
    // Part-of-title search (pg_trgm); used through app_private.search_positions, since under
    // row-level security ILIKE (not leakproof) cannot use an index (docs/performance.md).
    index('positions_title_trgm_idx').using('gin', t.title.op('gin_trgm_ops')),
    check('positions_openings_check', sql`openings >= 0`),
    tenantPolicy(),
  ],
);

export const candidates = pgTable(
  'candidates',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    linkedinUrl: text('linkedin_url'),
    timeZone: text('time_zone'),
    relayConsent: boolean('relay_consent').notNull().default(false),
    relayConsentAt: timestamp('relay_consent_at', { withTimezone: true, mode: 'date' }),
    statusUpdatesOptIn: boolean('status_updates_opt_in').notNull().default(true),
    tags: text('tags').array().notNull().default([]),
    notes: text('notes'),
    /** SHA-256 of the normalised email, kept after erasure so the person is not re-added by mistake. */
    emailHash: text('email_hash'),
    erasedAt: timestamp('erased_at', { withTimezone: true, mode: 'date' }),
    version,
    ...timestamps,
  },
  (t) => [
    // ?updatedSince= (a sync read, src/db/sync.ts)
    index('candidates_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    unique('candidates_tenant_id_id_key').on(t.tenantId, t.id),
    tenantFk('candidates_tenant_fk', t.tenantId),
    uniqueIndex('candidates_tenant_email_key').on(t.tenantId, t.email),
    index('candidates_email_hash_idx').on(t.tenantId, t.emailHash),
    index('candidates_name_idx').on(t.tenantId, t.name, t.id),
    index('candidates_tags_idx').using('gin', t.tags),
    // Part-of-name/email search (pg_trgm); used through app_private.search_candidates, since under
    // row-level security ILIKE (not leakproof) cannot use an index (docs/performance.md).
    index('candidates_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
    index('candidates_email_trgm_idx').using('gin', t.email.op('gin_trgm_ops')),
    tenantPolicy(),
  ],
);

/** Notes on a candidate, each with its author: a call, a reference, a preference (candidate notes). */
export const candidateNotes = pgTable(
  'candidate_notes',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    candidateId: uuid('candidate_id').notNull(),
    /** The user who wrote it; null for an API key or once the user is gone. */
    authorId: uuid('author_id'),
    body: text('body').notNull(),
    version,
    ...timestamps,
  },
  (t) => [
    tenantFk('candidate_notes_tenant_fk', t.tenantId),
    unique('candidate_notes_tenant_id_id_key').on(t.tenantId, t.id),
    foreignKey({ name: 'candidate_notes_candidate_fk', columns: [t.tenantId, t.candidateId], foreignColumns: [candidates.tenantId, candidates.id] }).onDelete('cascade'),
    index('candidate_notes_candidate_idx').on(t.tenantId, t.candidateId, t.id),
    tenantPolicy(),
  ],
);
