import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy, timestamps } from './common.js';
import { tenantFk } from './tenants.js';

// Inbound replies handed over by the mail provider.

export const inboundReplyStatuses = ['matched', 'out_of_office', 'unmatched', 'assigned', 'calendar_reply'] as const;

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
