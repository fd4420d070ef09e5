import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { interviews } from './applications.js';
import { tenantPolicy, timestamps } from './common.js';
import { users } from './tenants.js';

// Calendar invites (iMIP, RFC 6047) and the recruiters' calendar feeds (docs/email.md).

export const inviteMethods = ['REQUEST', 'CANCEL'] as const;
/** `superseded`: a newer invite to the same person replaced it before it went out. */
export const inviteStatuses = ['pending', 'sending', 'sent', 'failed', 'superseded'] as const;

/** One invite email to one attendee for one change of an interview; sent once by the worker. */
export const calendarInvites = pgTable(
  'calendar_invites',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    interviewId: uuid('interview_id').notNull(),
    /** `contact:<id>` or `candidate`. */
    attendee: text('attendee').notNull(),
    contactId: uuid('contact_id'),
    method: text('method', { enum: inviteMethods }).notNull(),
    sequence: integer('sequence').notNull(),
    status: text('status', { enum: inviteStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    toAddress: text('to_address'),
    messageId: text('message_id'),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    foreignKey({ name: 'calendar_invites_interview_fk', columns: [t.tenantId, t.interviewId], foreignColumns: [interviews.tenantId, interviews.id] }).onDelete('cascade'),
    index('calendar_invites_interview_idx').on(t.tenantId, t.interviewId, t.attendee, t.sequence),
    // For the worker's sweep, across tenants: what waits to be sent.
    index('calendar_invites_pending_idx').on(t.createdAt).where(sql`status = 'pending'`),
    tenantPolicy(),
  ],
);

/** A recruiter's private feed of their interviews: the token is in the URL, stored as SHA-256. */
export const calendarFeeds = pgTable(
  'calendar_feeds',
  {
    tenantId: uuid('tenant_id').notNull(),
    userId: uuid('user_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'calendar_feeds_user_fk', columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete('cascade'),
    uniqueIndex('calendar_feeds_user_key').on(t.tenantId, t.userId),
    uniqueIndex('calendar_feeds_token_key').on(t.tokenHash),
    tenantPolicy(),
  ],
);
