import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { applications } from './applications.js';
import { tenantPolicy, timestamps } from './common.js';
import { followUps } from './followups.js';

// Email threads: every email to one party (a contact, or the candidate) about one application
// continues one conversation (docs/email.md).

/**
 * One conversation: `party` is `contact:<contactId>` or `candidate`. `subject` is the subject of
 * its first message; later ones are `Re: <subject>`.
 */
export const emailThreads = pgTable(
  'email_threads',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    party: text('party').notNull(),
    contactId: uuid('contact_id'),
    subject: text('subject').notNull(),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    unique('email_threads_tenant_id_id_key').on(t.tenantId, t.id),
    foreignKey({ name: 'email_threads_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    uniqueIndex('email_threads_party_key').on(t.tenantId, t.applicationId, t.party),
    tenantPolicy(),
  ],
);

/** One email of a thread, with the threading headers it went out with (one row per follow-up). */
export const emailMessages = pgTable(
  'email_messages',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    threadId: uuid('thread_id').notNull(),
    followUpId: uuid('follow_up_id').notNull(),
    messageId: text('message_id').notNull(),
    inReplyTo: text('in_reply_to'),
    references: text('references'),
    subject: text('subject').notNull(),
    /** One email to a contact about several applications (docs/followups.md#one-email-per-contact-and-day): listed in each one's thread, continuing none. */
    combined: boolean('combined').notNull().default(false),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'email_messages_thread_fk', columns: [t.tenantId, t.threadId], foreignColumns: [emailThreads.tenantId, emailThreads.id] }).onDelete('cascade'),
    foreignKey({ name: 'email_messages_follow_up_fk', columns: [t.tenantId, t.followUpId], foreignColumns: [followUps.tenantId, followUps.id] }).onDelete('cascade'),
    uniqueIndex('email_messages_follow_up_key').on(t.tenantId, t.followUpId),
    index('email_messages_thread_idx').on(t.tenantId, t.threadId, t.createdAt),
    // An answer to a combined email reaches every application it covered (inbound).
    index('email_messages_combined_idx').on(t.tenantId, t.messageId).where(sql`combined`),
    tenantPolicy(),
  ],
);
