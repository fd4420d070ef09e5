import { sql } from 'drizzle-orm';
import {
  foreignKey,
  index,
  pgPolicy,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  integer,
  boolean,
  date,
  jsonb,
  check,
} from 'drizzle-orm/pg-core';

/** The tenant context set per transaction by `withTenant` (see docs/tenancy.md). */
export const currentTenant = sql`nullif(current_setting('app.tenant_id', true), '')::uuid`;

export const tenantPolicy = (column = sql`tenant_id`) =>
  pgPolicy('tenant_isolation', {
    as: 'permissive',
    for: 'all',
    to: 'public',
    using: sql`${column} = ${currentTenant}`,
    withCheck: sql`${column} = ${currentTenant}`,
  });

export const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

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

// refresh_tokens, sessions, invitations and password_resets: src/db/schema.accounts.ts.

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



/** A date range off work (school breaks, public holidays), inclusive, in the owner's zone. */
export interface Holiday {
  start: string;
  end: string;
  name: string;
}

export const tenantFk = (name: string, column: Parameters<typeof foreignKey>[0]['columns'][0]) =>
  foreignKey({ name, columns: [column], foreignColumns: [tenants.id] }).onDelete('cascade');

const version = integer('version').notNull().default(1);

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

export const activities = pgTable(
  'activities',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: uuid('subject_id').notNull(),
    candidateId: uuid('candidate_id'),
    applicationId: uuid('application_id'),
    interviewId: uuid('interview_id'),
    changes: jsonb('changes').$type<Record<string, { before: unknown; after: unknown }>>().notNull().default({}),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    tenantFk('activities_tenant_fk', t.tenantId),
    index('activities_tenant_idx').on(t.tenantId, t.id),
    index('activities_subject_idx').on(t.tenantId, t.subjectId, t.id),
    index('activities_candidate_idx').on(t.tenantId, t.candidateId, t.id),
    index('activities_application_idx').on(t.tenantId, t.applicationId, t.id),
    index('activities_interview_idx').on(t.tenantId, t.interviewId, t.id),
    tenantPolicy(),
  ],
);

/** The outbox: written in the transaction of the change it records, relayed afterwards. */
export const events = pgTable(
  'events',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    type: text('type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamps.createdAt,
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    tenantFk('events_tenant_fk', t.tenantId),
    index('events_unpublished_idx').on(t.createdAt).where(sql`published_at IS NULL`),
    unique('events_tenant_id_id_key').on(t.tenantId, t.id),
    tenantPolicy(),
  ],
);

/** Stored answers to POSTs sent with an Idempotency-Key, kept 24 hours (docs/idempotency.md). */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: uuid('tenant_id').notNull(),
    principal: text('principal').notNull(),
    route: text('route').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: ['in_progress', 'committed', 'completed'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseType: text('response_type'),
    createdAt: timestamps.createdAt,
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    uniqueIndex('idempotency_keys_key').on(t.tenantId, t.principal, t.route, t.key),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
    tenantFk('idempotency_keys_tenant_fk', t.tenantId),
    tenantPolicy(),
  ],
);


export const applicationStages = ['submitted', 'interviewing', 'offer', 'hired', 'rejected', 'withdrawn', 'on_hold'] as const;
export const outcomeKinds = ['offer', 'hired', 'rejected', 'filled_by_other', 'on_hold', 'withdrawn', 'no_decision'] as const;
export const channels = ['email', 'phone', 'linkedin', 'other'] as const;

export const applications = pgTable(
  'applications',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    candidateId: uuid('candidate_id').notNull(),
    positionId: uuid('position_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    stage: text('stage', { enum: applicationStages }).notNull().default('submitted'),
    stageChangedAt: timestamp('stage_changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version,
    ...timestamps,
  },
  (t) => [
    unique('applications_tenant_id_id_key').on(t.tenantId, t.id),
    uniqueIndex('applications_candidate_position_key').on(t.tenantId, t.candidateId, t.positionId),
    foreignKey({ name: 'applications_candidate_fk', columns: [t.tenantId, t.candidateId], foreignColumns: [candidates.tenantId, candidates.id] }),
    foreignKey({ name: 'applications_position_fk', columns: [t.tenantId, t.positionId], foreignColumns: [positions.tenantId, positions.id] }),
    foreignKey({ name: 'applications_owner_fk', columns: [t.tenantId, t.ownerId], foreignColumns: [users.tenantId, users.id] }),
    index('applications_stage_idx').on(t.tenantId, t.stage, t.id),
    index('applications_position_idx').on(t.tenantId, t.positionId, t.id),
    index('applications_candidate_idx').on(t.tenantId, t.candidateId, t.id),
    index('applications_owner_idx').on(t.tenantId, t.ownerId, t.id),
    tenantPolicy(),
  ],
);

export const applicationStageChanges = pgTable(
  'application_stage_changes',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    fromStage: text('from_stage', { enum: applicationStages }),
    toStage: text('to_stage', { enum: applicationStages }).notNull(),
    reason: text('reason'),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'stage_changes_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    index('stage_changes_application_idx').on(t.tenantId, t.applicationId, t.id),
    tenantPolicy(),
  ],
);

export const interviews = pgTable(
  'interviews',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    round: integer('round').notNull().default(1),
    format: text('format', { enum: ['phone', 'video', 'onsite'] }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }).notNull(),
    timeZone: text('time_zone').notNull(),
    arrangedVia: text('arranged_via', { enum: ['email', 'phone'] }).notNull(),
    status: text('status', { enum: ['scheduled', 'completed', 'cancelled', 'no_show'] }).notNull().default('scheduled'),
    decisionExpectedBy: date('decision_expected_by', { mode: 'string' }),
    highlights: text('highlights'),
    location: text('location'),
    notes: text('notes'),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    cancelReason: text('cancel_reason'),
    version,
    ...timestamps,
  },
  (t) => [
    unique('interviews_tenant_id_id_key').on(t.tenantId, t.id),
    foreignKey({ name: 'interviews_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }),
    check('interviews_ends_after_start', sql`ends_at > starts_at`),
    index('interviews_starts_idx').on(t.tenantId, t.startsAt, t.id),
    index('interviews_status_starts_idx').on(t.tenantId, t.status, t.startsAt, t.id),
    index('interviews_application_idx').on(t.tenantId, t.applicationId, t.id),
    tenantPolicy(),
  ],
);

export const interviewParticipants = pgTable(
  'interview_participants',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    interviewId: uuid('interview_id').notNull(),
    contactId: uuid('contact_id').notNull(),
    role: text('role', { enum: ['interviewer', 'hiring_manager', 'coordinator'] }).notNull().default('interviewer'),
    highlight: text('highlight'),
    notes: text('notes'),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'participants_interview_fk', columns: [t.tenantId, t.interviewId], foreignColumns: [interviews.tenantId, interviews.id] }).onDelete('cascade'),
    foreignKey({ name: 'participants_contact_fk', columns: [t.tenantId, t.contactId], foreignColumns: [contacts.tenantId, contacts.id] }),
    uniqueIndex('participants_interview_contact_key').on(t.tenantId, t.interviewId, t.contactId),
    index('participants_contact_idx').on(t.tenantId, t.contactId),
    tenantPolicy(),
  ],
);

export const outcomes = pgTable(
  'outcomes',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    kind: text('kind', { enum: outcomeKinds }).notNull(),
    reason: text('reason'),
    notes: text('notes'),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'outcomes_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    index('outcomes_application_idx').on(t.tenantId, t.applicationId, t.id),
    tenantPolicy(),
  ],
);

export const employerReplies = pgTable(
  'employer_replies',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    interviewId: uuid('interview_id'),
    channel: text('channel', { enum: channels }).notNull(),
    summary: text('summary').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    newDecisionExpectedBy: date('new_decision_expected_by', { mode: 'string' }),
    suggestedOutcome: text('suggested_outcome', { enum: outcomeKinds }),
    source: text('source', { enum: ['manual', 'inbound_email'] }).notNull().default('manual'),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'replies_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    foreignKey({ name: 'replies_interview_fk', columns: [t.tenantId, t.interviewId], foreignColumns: [interviews.tenantId, interviews.id] }),
    index('replies_application_idx').on(t.tenantId, t.applicationId, t.id),
    tenantPolicy(),
  ],
);

/** `uncertain`: claimed for sending, but its worker stopped before it could say how it went (docs/followups.md#delivery). */
export const followUpStatuses = ['pending', 'queued', 'sent', 'done', 'skipped', 'cancelled', 'failed', 'uncertain'] as const;
export const followUpKindValues = [
  'timeline_request',
  'thank_you',
  'recruiter_check_in',
  'status_check',
  'post_decision_thanks',
  'linkedin_connect',
  'candidate_update',
] as const;

/** Who a follow-up goes to, as the planner routed it (followups.types.ts Recipient). */
export type FollowUpRecipient =
  | { type: 'contact'; contactId: string; name: string; email: string | null }
  | { type: 'candidate'; name: string; email: string | null }
  | { type: 'recruiter'; userId: string; name: string; email: string | null };

/**
 * One planned contact after an interview (DESIGN section 2). `key` is the planner's deterministic
 * step key: at most one live (not cancelled) row per interview and key. `planned_due_at` is the
 * planner's time, kept when a recruiter moves `due_at` by hand, so re-planning compares like with like.
 */
export const followUps = pgTable(
  'follow_ups',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    interviewId: uuid('interview_id').notNull(),
    applicationId: uuid('application_id').notNull(),
    candidateId: uuid('candidate_id').notNull(),
    key: text('key').notNull(),
    kind: text('kind', { enum: followUpKindValues }).notNull(),
    channel: text('channel', { enum: ['email', 'phone', 'linkedin', 'task'] }).notNull(),
    voice: text('voice', { enum: ['on_behalf', 'draft_to_candidate', 'agency'] }).notNull(),
    recipient: jsonb('recipient').$type<FollowUpRecipient>().notNull(),
    contactId: uuid('contact_id'),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }).notNull(),
    ruleDueAt: timestamp('rule_due_at', { withTimezone: true, mode: 'date' }).notNull(),
    plannedDueAt: timestamp('planned_due_at', { withTimezone: true, mode: 'date' }).notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: followUpStatuses }).notNull().default('pending'),
    subject: text('subject'),
    body: text('body'),
    vars: jsonb('vars').$type<Record<string, unknown>>().notNull().default({}),
    ownerId: uuid('owner_id').notNull(),
    notes: text('notes'),
    cancelReason: text('cancel_reason'),
    /** `plan`: re-planning made it pointless; `user`: closed by hand, so re-planning leaves its key alone. */
    cancelledBy: text('cancelled_by', { enum: ['plan', 'user'] }),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    /** Delivery: sends tried by the worker, the server's answer to the last failed one, the Message-ID once sent. */
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    messageId: text('message_id'),
    /** While `queued`: the end of the worker's claim; still queued after it, the send is uncertain. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true, mode: 'date' }),
    version,
    ...timestamps,
  },
  (t) => [
    unique('follow_ups_tenant_id_id_key').on(t.tenantId, t.id),
    foreignKey({ name: 'follow_ups_interview_fk', columns: [t.tenantId, t.interviewId], foreignColumns: [interviews.tenantId, interviews.id] }),
    foreignKey({ name: 'follow_ups_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }),
    foreignKey({ name: 'follow_ups_candidate_fk', columns: [t.tenantId, t.candidateId], foreignColumns: [candidates.tenantId, candidates.id] }),
    foreignKey({ name: 'follow_ups_owner_fk', columns: [t.tenantId, t.ownerId], foreignColumns: [users.tenantId, users.id] }),
    uniqueIndex('follow_ups_live_key').on(t.tenantId, t.interviewId, t.key).where(sql`status <> 'cancelled'`),
    index('follow_ups_due_idx').on(t.tenantId, t.dueAt, t.id),
    index('follow_ups_status_due_idx').on(t.tenantId, t.status, t.dueAt, t.id),
    index('follow_ups_kind_due_idx').on(t.tenantId, t.kind, t.dueAt, t.id),
    index('follow_ups_owner_due_idx').on(t.tenantId, t.ownerId, t.dueAt, t.id),
    index('follow_ups_candidate_due_idx').on(t.tenantId, t.candidateId, t.dueAt, t.id),
    index('follow_ups_interview_due_idx').on(t.tenantId, t.interviewId, t.dueAt, t.id),
    index('follow_ups_open_tenant_due_idx').on(t.tenantId, t.dueAt, t.id).where(sql`status IN ('pending', 'queued')`),
    // For the worker's reconciler, across tenants: what is due and not sent yet.
    index('follow_ups_open_due_idx').on(t.dueAt).where(sql`status IN ('pending', 'queued')`),
    tenantPolicy(),
  ],
);

export const webhookEndpointStatuses = ['active', 'paused', 'disabled'] as const;

/**
 * A customer's webhook receiver. The secrets sign, so they are kept (not hashed); during a
 * rotation `previous_secret` signs too until `previous_secret_expires_at` (docs/webhooks.md).
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    url: text('url').notNull(),
    description: text('description'),
    /** Catalogue event types, or `*` for all. */
    eventTypes: text('event_types').array().notNull(),
    status: text('status', { enum: webhookEndpointStatuses }).notNull().default('active'),
    disabledReason: text('disabled_reason'),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    /** The first failure since the last success: five days of failures disable the endpoint. */
    failingSince: timestamp('failing_since', { withTimezone: true, mode: 'date' }),
    // The circuit breaker (docs/webhooks.md#fairness-and-the-circuit-breaker): closed while
    // circuit_retry_at is null; open until then; half-open (one probe) once it has passed.
    circuitFailures: integer('circuit_failures').notNull().default(0),
    circuitOpenedAt: timestamp('circuit_opened_at', { withTimezone: true, mode: 'date' }),
    circuitRetryAt: timestamp('circuit_retry_at', { withTimezone: true, mode: 'date' }),
    circuitOpens: integer('circuit_opens').notNull().default(0),
    version,
    ...timestamps,
  },
  (t) => [
    tenantFk('webhook_endpoints_tenant_fk', t.tenantId),
    unique('webhook_endpoints_tenant_id_id_key').on(t.tenantId, t.id),
    tenantPolicy(),
  ],
);

export const webhookDeliveryStatuses = ['pending', 'succeeded', 'failed'] as const;

/**
 * One event for one endpoint: created by the outbox relay, attempted by the worker. `attempts`
 * counts every try (the BullMQ job of try n is `wh-<id>-<n>`); `step` is the place in the retry
 * schedule, back to 0 on a redelivery. `queued_at` is when a job was last handed to Redis.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    endpointId: uuid('endpoint_id').notNull(),
    eventId: uuid('event_id').notNull(),
    eventType: text('event_type').notNull(),
    status: text('status', { enum: webhookDeliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    step: integer('step').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    claimedUntil: timestamp('claimed_until', { withTimezone: true, mode: 'date' }),
    queuedAt: timestamp('queued_at', { withTimezone: true, mode: 'date' }),
    // The latest try, kept here (docs/webhooks.md#the-attempt-log): webhook_attempts gets a try
    // only when the next one is recorded, so a delivery that succeeds at once writes no attempt row.
    lastAttempt: integer('last_attempt'),
    lastAttemptedAt: timestamp('last_attempted_at', { withTimezone: true, mode: 'date' }),
    lastStatusCode: integer('last_status_code'),
    lastDurationMs: integer('last_duration_ms'),
    lastResponseExcerpt: text('last_response_excerpt'),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    // (tenant_id, id) is the key itself, not a second index beside an id key: the busiest insert
    // of the outbox, and each of its non-HOT updates, write one index entry fewer.
    primaryKey({ name: 'webhook_deliveries_pkey', columns: [t.tenantId, t.id] }),
    foreignKey({ name: 'webhook_deliveries_endpoint_fk', columns: [t.tenantId, t.endpointId], foreignColumns: [webhookEndpoints.tenantId, webhookEndpoints.id] }).onDelete('cascade'),
    foreignKey({ name: 'webhook_deliveries_event_fk', columns: [t.tenantId, t.eventId], foreignColumns: [events.tenantId, events.id] }).onDelete('cascade'),
    // Also lists an endpoint's deliveries, newest event first (event ids are time-ordered).
    uniqueIndex('webhook_deliveries_endpoint_event_key').on(t.tenantId, t.endpointId, t.eventId),
    // For the worker's sweep, across tenants: what is waiting for an attempt.
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    tenantPolicy(),
  ],
);

/** Every HTTP try of a delivery but its latest (which the delivery row holds), with what the receiver answered. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    deliveryId: uuid('delivery_id').notNull(),
    attempt: integer('attempt').notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true, mode: 'date' }).notNull(),
    statusCode: integer('status_code'),
    durationMs: integer('duration_ms').notNull(),
    responseExcerpt: text('response_excerpt'),
    error: text('error'),
  },
  (t) => [
    foreignKey({ name: 'webhook_attempts_delivery_fk', columns: [t.tenantId, t.deliveryId], foreignColumns: [webhookDeliveries.tenantId, webhookDeliveries.id] }).onDelete('cascade'),
    // A try is logged once, even if a late record races the next claim (RECORD's ON CONFLICT).
    uniqueIndex('webhook_attempts_delivery_attempt_key').on(t.tenantId, t.deliveryId, t.attempt),
    tenantPolicy(),
  ],
);

export const inboundReplyStatuses = ['matched', 'out_of_office', 'unmatched', 'assigned'] as const;

/** An email the mail provider's inbound webhook handed us: matched to a follow-up, or kept to assign. */
export const inboundReplies = pgTable(
  'inbound_replies',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    fromAddress: text('from_address').notNull(),
    toAddress: text('to_address'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    messageId: text('message_id'),
    inReplyTo: text('in_reply_to'),
    references: text('references'),
    status: text('status', { enum: inboundReplyStatuses }).notNull(),
    followUpId: uuid('follow_up_id'),
    applicationId: uuid('application_id'),
    replyId: uuid('reply_id'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    tenantFk('inbound_replies_tenant_fk', t.tenantId),
    unique('inbound_replies_tenant_id_id_key').on(t.tenantId, t.id),
    index('inbound_replies_status_idx').on(t.tenantId, t.status, t.id),
    // The provider may post the same email twice: its Message-ID makes the second a no-op.
    uniqueIndex('inbound_replies_message_id_key').on(t.tenantId, t.messageId).where(sql`message_id IS NOT NULL`),
    tenantPolicy(),
  ],
);

export const schema = {
  tenants,
  users,
  apiKeys,
  employers,
  contacts,
  positions,
  candidates,
  activities,
  events,
  idempotencyKeys,
  applications,
  applicationStageChanges,
  interviews,
  interviewParticipants,
  outcomes,
  employerReplies,
  followUps,
  webhookEndpoints,
  webhookDeliveries,
  webhookAttempts,
  inboundReplies,
};
