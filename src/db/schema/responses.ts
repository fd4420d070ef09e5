import { sql } from 'drizzle-orm';
import { check, date, foreignKey, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy, timestamps } from './common.js';
import { applications, employerReplies, interviews } from './applications.js';
import { contacts, employers } from './records.js';
import { followUps } from './followups.js';

// Response links (an employer contact answers without an account), the promise ledger and the
// answer times the reports read (docs/response-links.md, docs/reports.md).

/**
 * A one-click answer link sent in a timeline request or status check: bound to one application and
 * one contact, its token (256 random bits) kept only as SHA-256. Revoked when the application
 * closes or the candidate is erased; expires 30 days after the decision date by default.
 */
export const responseLinks = pgTable(
  'response_links',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    applicationId: uuid('application_id').notNull(),
    contactId: uuid('contact_id').notNull(),
    followUpId: uuid('follow_up_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    revokeReason: text('revoke_reason'),
    answers: integer('answers').notNull().default(0),
    lastAnsweredAt: timestamp('last_answered_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    uniqueIndex('response_links_token_key').on(t.tokenHash),
    foreignKey({ name: 'response_links_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    foreignKey({ name: 'response_links_contact_fk', columns: [t.tenantId, t.contactId], foreignColumns: [contacts.tenantId, contacts.id] }).onDelete('cascade'),
    index('response_links_application_idx').on(t.tenantId, t.applicationId),
    tenantPolicy(),
  ],
);

export const promiseSources = ['interview', 'reply', 'link'] as const;
export const promiseStatuses = ['open', 'kept', 'late', 'void'] as const;

/**
 * The promise ledger: every decision date an employer gave, when, through what and by whom; when
 * the decision arrives, kept (on or before the date) or late by N business days. Written in the
 * transaction of the fact (the completed interview, the timeline, the reply, the outcome).
 */
export const employerPromises = pgTable(
  'employer_promises',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    interviewId: uuid('interview_id'),
    employerId: uuid('employer_id').notNull(),
    /** The contact who gave the date: the link's or the answered email's contact, else the interview's hiring manager. */
    contactId: uuid('contact_id'),
    ownerId: uuid('owner_id').notNull(),
    promisedDate: date('promised_date', { mode: 'string' }).notNull(),
    givenAt: timestamp('given_at', { withTimezone: true, mode: 'date' }).notNull(),
    source: text('source', { enum: promiseSources }).notNull(),
    replyId: uuid('reply_id'),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    status: text('status', { enum: promiseStatuses }).notNull().default('open'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    lateBusinessDays: integer('late_business_days'),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'promises_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    foreignKey({ name: 'promises_interview_fk', columns: [t.tenantId, t.interviewId], foreignColumns: [interviews.tenantId, interviews.id] }).onDelete('cascade'),
    foreignKey({ name: 'promises_employer_fk', columns: [t.tenantId, t.employerId], foreignColumns: [employers.tenantId, employers.id] }),
    foreignKey({ name: 'promises_contact_fk', columns: [t.tenantId, t.contactId], foreignColumns: [contacts.tenantId, contacts.id] }),
    foreignKey({ name: 'promises_reply_fk', columns: [t.tenantId, t.replyId], foreignColumns: [employerReplies.tenantId, employerReplies.id] }),
    index('promises_application_idx').on(t.tenantId, t.applicationId, t.status),
    // The employers report: one agency's promises by when they were given, with every column it
    // reads (an index-only scan).
    index('promises_given_idx').on(t.tenantId, t.givenAt, t.employerId, t.contactId, t.ownerId, t.status, t.lateBusinessDays),
    check('promises_late_check', sql`late_business_days IS NULL OR late_business_days >= 0`),
    tenantPolicy(),
  ],
);

/**
 * One email to an employer's contact and the first reply that came after it: the answer time the
 * employers report gives per contact and the "answered" share of the follow-ups report. Written
 * when the reply is recorded, for each sent email of the application not answered yet.
 */
export const emailAnswers = pgTable(
  'email_answers',
  {
    tenantId: uuid('tenant_id').notNull(),
    followUpId: uuid('follow_up_id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    contactId: uuid('contact_id'),
    employerId: uuid('employer_id').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true, mode: 'date' }).notNull(),
    replyId: uuid('reply_id').notNull(),
  },
  (t) => [
    foreignKey({ name: 'email_answers_follow_up_fk', columns: [t.tenantId, t.followUpId], foreignColumns: [followUps.tenantId, followUps.id] }).onDelete('cascade'),
    foreignKey({ name: 'email_answers_reply_fk', columns: [t.tenantId, t.replyId], foreignColumns: [employerReplies.tenantId, employerReplies.id] }).onDelete('cascade'),
    // The employers report, index-only: the answers to emails sent in the period.
    index('email_answers_sent_idx').on(t.tenantId, t.sentAt, t.employerId, t.contactId, t.answeredAt, t.applicationId),
    tenantPolicy(),
  ],
);

/**
 * The first employer decision of each application with the end of the interview before it: the
 * pipeline report's time to decision, read by decision time through an index instead of searched
 * for per application. Written in the transaction that logs the outcome.
 */
export const applicationDecisions = pgTable(
  'application_decisions',
  {
    tenantId: uuid('tenant_id').notNull(),
    applicationId: uuid('application_id').primaryKey(),
    positionId: uuid('position_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    kind: text('kind').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }).notNull(),
    interviewEndedAt: timestamp('interview_ended_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    foreignKey({ name: 'application_decisions_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    // The pipeline report, index-only: the decisions made in the period.
    index('application_decisions_decided_idx').on(t.tenantId, t.decidedAt, t.positionId, t.ownerId, t.interviewEndedAt),
    tenantPolicy(),
  ],
);
