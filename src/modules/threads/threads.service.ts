import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, tdb, type Tx } from '../../db/client.js';
import { contacts, emailMessages, emailThreads, followUps } from '../../db/schema/index.js';
import { nextInThread, threadParty, type ThreadHeaders } from '../../core/threading.js';
import type { Actor } from '../../lib/access.js';
import { notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { findApplication } from '../applications/applications.service.js';

/** An application's thread with one party, made on its first message ($1 to $7; `RETURNING` follows). */
const UPSERT_THREAD = `INSERT INTO email_threads (tenant_id, id, application_id, party, contact_id, subject, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (tenant_id, application_id, party) DO UPDATE SET party = EXCLUDED.party`;

/**
 * The thread a follow-up's email joins (made on its first message) and the Message-IDs already
 * sent in it, oldest first: one statement, since it runs once per email at delivery rate.
 */
const OPEN_THREAD = {
  name: 'email_thread_open',
  text: `
    WITH t AS (
      ${UPSERT_THREAD}
      RETURNING id, subject
    )
    SELECT t.id, t.subject,
           coalesce((SELECT array_agg(m.message_id ORDER BY f.sent_at, m.created_at)
                     FROM email_messages m JOIN follow_ups f ON f.tenant_id = m.tenant_id AND f.id = m.follow_up_id
                     WHERE m.tenant_id = $1 AND m.thread_id = t.id AND f.status = 'sent' AND m.follow_up_id <> $8 AND NOT m.combined), '{}') AS chain
    FROM t`,
};

/** The message as it goes out; a first message sets the thread's subject (an earlier first that never went out does not). */
const RECORD_MESSAGE = {
  name: 'email_thread_record',
  text: `
    WITH first AS (
      UPDATE email_threads SET subject = $8 WHERE tenant_id = $1 AND id = $3 AND $9::boolean AND subject <> $8
    )
    INSERT INTO email_messages (tenant_id, id, thread_id, follow_up_id, message_id, in_reply_to, "references", subject, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10)
    ON CONFLICT (tenant_id, follow_up_id) DO UPDATE SET
      thread_id = EXCLUDED.thread_id, message_id = EXCLUDED.message_id, in_reply_to = EXCLUDED.in_reply_to,
      "references" = EXCLUDED."references", subject = EXCLUDED.subject`,
};

export interface ThreadedFollowUp {
  id: string;
  tenantId: string;
  applicationId: string;
  contactId: string | null;
  recipient: { type: string; contactId?: string };
  kind: string;
}

/**
 * Where a follow-up's email goes in its thread: the subject and the In-Reply-To/References it
 * carries, recorded with the thread before it is sent (so a retry threads the same way, and the
 * messages list shows a failed one too). Null when the email is not part of a conversation.
 */
export async function threadFollowUp(
  deps: Deps,
  f: ThreadedFollowUp,
  message: { subject: string; messageId: string },
  keepSubject: boolean,
): Promise<ThreadHeaders | null> {
  const party = f.kind === 'candidate_update' ? 'candidate' : threadParty(f.recipient);
  if (!party) return null;
  const now = deps.clock.now();
  return readTenant(deps.db, f.tenantId, async () => {
    const opened = await tdb.$client.query<{ id: string; subject: string; chain: string[] }>({
      ...OPEN_THREAD,
      values: [f.tenantId, newId(), f.applicationId, party, party === 'candidate' ? null : f.contactId, message.subject, now, f.id],
    });
    const thread = opened.rows[0]!;
    const headers = nextInThread(thread.chain, thread.subject, message.subject, keepSubject);
    await tdb.$client.query({
      ...RECORD_MESSAGE,
      values: [f.tenantId, newId(), thread.id, f.id, message.messageId, headers.inReplyTo, headers.references, headers.subject, thread.chain.length === 0, now],
    });
    return headers;
  });
}

/**
 * A combined email (several applications' follow-ups to one contact in one message) as a message
 * of each application's thread with the contact, so each thread lists it. It continues none of
 * them (no In-Reply-To) and sets no thread's subject: the thread's chain and subject are its own
 * emails' (a thread it opened takes the subject of the first email of its own).
 */
export async function recordCombinedMessage(deps: Deps, items: readonly ThreadedFollowUp[], message: { subject: string; messageId: string }): Promise<void> {
  const now = deps.clock.now();
  await Promise.all(
    items.map((f) => {
      const party = threadParty(f.recipient);
      if (!party) return undefined;
      return readTenant(deps.db, f.tenantId, () =>
        tdb.$client.query({
          ...RECORD_COMBINED,
          values: [f.tenantId, newId(), f.applicationId, party, f.contactId, message.subject, now, newId(), f.id, message.messageId],
        }),
      );
    }),
  );
}

const RECORD_COMBINED = {
  name: 'email_thread_record_combined',
  text: `
    WITH t AS (
      ${UPSERT_THREAD}
      RETURNING id
    )
    INSERT INTO email_messages (tenant_id, id, thread_id, follow_up_id, message_id, in_reply_to, "references", subject, combined, created_at)
    SELECT $1, $8, t.id, $9, $10, NULL, NULL, $6, true, $7 FROM t
    ON CONFLICT (tenant_id, follow_up_id) DO UPDATE SET
      thread_id = EXCLUDED.thread_id, message_id = EXCLUDED.message_id, in_reply_to = NULL, "references" = NULL, subject = EXCLUDED.subject, combined = true`,
};

type ThreadRow = typeof emailThreads.$inferSelect;

async function presentThreads(tx: Tx, threads: ThreadRow[]) {
  if (threads.length === 0) return [];
  const ids = threads.map((t) => t.id);
  const messages = await tx
    .select({
      threadId: emailMessages.threadId,
      followUpId: emailMessages.followUpId,
      messageId: emailMessages.messageId,
      inReplyTo: emailMessages.inReplyTo,
      references: emailMessages.references,
      subject: emailMessages.subject,
      combined: emailMessages.combined,
      kind: followUps.kind,
      status: followUps.status,
      sentAt: followUps.sentAt,
      lastError: followUps.lastError,
      createdAt: emailMessages.createdAt,
    })
    .from(emailMessages)
    .innerJoin(followUps, and(eq(followUps.tenantId, emailMessages.tenantId), eq(followUps.id, emailMessages.followUpId)))
    .where(inArray(emailMessages.threadId, ids))
    .orderBy(sql`${followUps.sentAt} ASC NULLS LAST`, asc(emailMessages.createdAt));
  const contactIds = threads.flatMap((t) => (t.contactId ? [t.contactId] : []));
  const names = contactIds.length
    ? await tx.select({ id: contacts.id, name: contacts.name, email: contacts.email }).from(contacts).where(inArray(contacts.id, contactIds))
    : [];
  return threads.map((t) => {
    const c = names.find((n) => n.id === t.contactId);
    return {
      id: t.id,
      applicationId: t.applicationId,
      with: t.contactId
        ? { type: 'contact' as const, contactId: t.contactId, name: c?.name ?? null, email: c?.email ?? null }
        : { type: 'candidate' as const, contactId: null, name: null, email: null },
      subject: t.subject,
      createdAt: t.createdAt,
      messages: messages
        .filter((m) => m.threadId === t.id)
        .map(({ threadId: _t, createdAt: _c, ...m }) => m),
    };
  });
}

/** The application's email threads, oldest first, each with its messages in the order they went out. */
export async function listApplicationThreads(deps: Deps, actor: Actor, applicationId: string) {
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    await findApplication(tx, applicationId);
    const threads = await tx.select().from(emailThreads).where(eq(emailThreads.applicationId, applicationId)).orderBy(asc(emailThreads.createdAt), asc(emailThreads.id));
    return { data: await presentThreads(tx, threads) };
  });
}

/** The thread a follow-up's email is part of (null until it is first sent, or for a draft or task). */
export async function followUpThread(deps: Deps, actor: Actor, followUpId: string) {
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    const [f] = await tx.select({ id: followUps.id }).from(followUps).where(eq(followUps.id, followUpId));
    if (!f) throw notFound('Follow-up');
    const [m] = await tx.select({ threadId: emailMessages.threadId }).from(emailMessages).where(eq(emailMessages.followUpId, followUpId));
    if (!m) return { thread: null };
    const threads = await tx.select().from(emailThreads).where(eq(emailThreads.id, m.threadId));
    const [thread] = await presentThreads(tx, threads);
    return { thread: thread ?? null };
  });
}
