import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { publicUrl } from '../../config.js';
import { isUniqueViolation, readTenant, withTenant, type Tx } from '../../db/client.js';
import { emailMessages, followUps, inboundReplies, tenants } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { makeTenantToken, parseTenantToken, safeEqual, sha256 } from '../../lib/secrets.js';
import type { Actor } from '../../lib/access.js';
import { recordChange } from '../activity/activity.service.js';
import { insertReply } from '../applications/applications.replies.js';
import { findApplication } from '../applications/applications.service.js';
import { isAutomaticReply, quotedFollowUpIds, replySummary } from './outOfOffice.js';
import { applyCalendarReply, parseCalendarReply } from '../interviews/interviews.responses.js';
import type { assignInboundBody, inboundEmailBody, listInboundQuery } from './inbound.schemas.js';
import { listById } from '../../db/pages.js';

type InboundRow = typeof inboundReplies.$inferSelect;
export const INBOUND_SECRET_PREFIX = 'ins';

export const presentInbound = (r: InboundRow) => ({
  id: r.id,
  status: r.status,
  from: r.fromAddress,
  subject: r.subject,
  text: r.text,
  followUpId: r.followUpId,
  applicationId: r.applicationId,
  replyId: r.replyId,
  receivedAt: r.receivedAt,
  createdAt: r.createdAt,
});

const systemActor = (tenantId: string): Actor => ({ tenantId, kind: 'system', userId: null, apiKeyId: null, role: null, scopes: [] });

/** A new inbound secret for the agency (the old one stops working); shown once, stored as SHA-256. */
export async function rotateInboundSecret(deps: Deps, actor: Actor) {
  const secret = makeTenantToken(INBOUND_SECRET_PREFIX, actor.tenantId);
  // In a transaction, so an Idempotency-Key is marked committed with it (docs/idempotency.md).
  await withTenant(deps.db, actor.tenantId, (tx) => tx.update(tenants).set({ inboundSecretHash: sha256(secret), updatedAt: deps.clock.now() }));
  return { secret, url: `${publicUrl(deps.config)}/v1/inbound/email` };
}

/** The agency whose inbound secret is presented as `Authorization: Bearer ins_…`; 401 otherwise. */
export async function authenticateInbound(deps: Deps, authorization: string | undefined): Promise<string> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const parsed = token ? parseTenantToken(INBOUND_SECRET_PREFIX, token) : null;
  if (!token || !parsed) throw new AppError('unauthenticated', 'Send the agency’s inbound secret as Authorization: Bearer ins_…');
  const [row] = await readTenant(deps.db, parsed.tenantId, (tx) => tx.select({ hash: tenants.inboundSecretHash }).from(tenants));
  if (!row?.hash || !safeEqual(row.hash, sha256(token))) throw new AppError('invalid_token', 'The inbound secret is not valid');
  return parsed.tenantId;
}

/**
 * Takes an email from the provider: matched to the follow-up it answers by our Message-ID in
 * `In-Reply-To`/`References` (one sent to an employer's contact), it becomes the employer's reply
 * (which pauses the status checks); an
 * automatic answer is kept but does not count; anything else waits for a recruiter to assign it.
 */
export async function receiveInbound(deps: Deps, tenantId: string, input: z.output<typeof inboundEmailBody>) {
  const actor = systemActor(tenantId);
  const now = deps.clock.now();
  const receivedAt = input.receivedAt && input.receivedAt < now ? input.receivedAt : now;
  // Read before anything is written: a calendar part that is not a reply we can read is a 422.
  const calendarReply = input.calendar ? parseCalendarReply(input.calendar) : null;
  try {
    return await withTenant(deps.db, tenantId, async (tx) => {
      const answered = calendarReply ? await applyCalendarReply(tx, actor, now, calendarReply) : null;
      if (answered) return { duplicate: false, reply: presentInbound(await storeCalendarReply(tx, actor, tenantId, now, receivedAt, input, answered)) };
      // The message answered first, then the thread's chain newest first: a client that drops
      // In-Reply-To still names the whole conversation in References (docs/email.md).
      const ids = [...new Set([...quotedFollowUpIds(input.inReplyTo), ...quotedFollowUpIds(input.references).reverse()])];
      const found = ids.length
        ? await tx
            .select({
              id: followUps.id,
              applicationId: followUps.applicationId,
              interviewId: followUps.interviewId,
              candidateId: followUps.candidateId,
              recipient: followUps.recipient,
            })
            .from(followUps)
            .where(inArray(followUps.id, ids))
        : [];
      // In-Reply-To names the message answered; References runs oldest to newest. Only an answer
      // to an email sent to the employer's contact is the employer's reply: the candidate
      // answering an update or a draft is not, and waits unmatched for a recruiter.
      const followUp = ids.map((id) => found.find((f) => f.id === id && f.recipient.type === 'contact')).find((f) => f !== undefined);
      const automatic = isAutomaticReply(input.subject, input.text, input.headers);
      const status = !followUp ? 'unmatched' : automatic ? 'out_of_office' : 'matched';
      const [row] = await tx
        .insert(inboundReplies)
        .values({
          ...emailRow(tenantId, input),
          status,
          followUpId: followUp?.id ?? null,
          applicationId: followUp?.applicationId ?? null,
          receivedAt,
          createdAt: now,
        })
        .returning();
      let stored = row!;
      if (status === 'matched') {
        const reply = await insertReply(
          tx,
          actor,
          now,
          followUp!.applicationId,
          { channel: 'email', summary: replySummary(input.text), interviewId: followUp!.interviewId, receivedAt },
          'inbound_email',
        );
        [stored] = await tx.update(inboundReplies).set({ replyId: reply.id }).where(eq(inboundReplies.id, stored.id)).returning() as [InboundRow];
        // An answer to a combined email (several candidates in one message to the contact) is the
        // employer's reply on every application it carried, not only the first one's.
        for (const other of await coveredByCombined(tx, followUp!)) {
          await insertReply(
            tx,
            actor,
            now,
            other.applicationId,
            { channel: 'email', summary: replySummary(input.text), interviewId: other.interviewId, receivedAt },
            'inbound_email',
          );
        }
      }
      await recordChange(actor, now, {
        action: 'inbound_reply.received',
        subject: { type: 'inboundReply', id: stored.id },
        refs: { candidateId: followUp?.candidateId ?? null, applicationId: followUp?.applicationId ?? null, interviewId: followUp?.interviewId ?? null },
        data: { status, followUpId: followUp?.id ?? null, replyId: stored.replyId },
      });
      return { duplicate: false, reply: presentInbound(stored) };
    });
  } catch (err) {
    if (!isUniqueViolation(err, 'inbound_replies_message_id_key')) throw err;
    // The provider posted it again: the first one stands.
    const [existing] = await readTenant(deps.db, tenantId, (tx) =>
      tx.select().from(inboundReplies).where(eq(inboundReplies.messageId, input.messageId!)),
    );
    return { duplicate: true, reply: presentInbound(existing!) };
  }
}

/**
 * The other applications a combined email carried (docs/followups.md#one-email-per-contact-and-day):
 * the follow-ups recorded under the same Message-ID as the one answered, one per application.
 */
async function coveredByCombined(tx: Tx, answered: { id: string; applicationId: string }) {
  const rows = await tx
    .select({ applicationId: followUps.applicationId, interviewId: followUps.interviewId })
    .from(emailMessages)
    .innerJoin(followUps, and(eq(followUps.tenantId, emailMessages.tenantId), eq(followUps.id, emailMessages.followUpId)))
    .where(and(eq(emailMessages.combined, true), eq(emailMessages.messageId, `<fu-${answered.id}@afterview>`)))
    .orderBy(followUps.applicationId, followUps.id);
  const seen = new Set([answered.applicationId]);
  return rows.filter((r) => !seen.has(r.applicationId) && seen.add(r.applicationId));
}

/** The stored email as received: the columns every inbound row has. */
const emailRow = (tenantId: string, input: z.output<typeof inboundEmailBody>) => ({
  tenantId,
  id: newId(),
  fromAddress: input.from,
  toAddress: input.to ?? null,
  subject: input.subject,
  text: input.text,
  messageId: input.messageId ?? null,
  inReplyTo: input.inReplyTo ?? null,
  references: input.references ?? null,
});

/** An invite's answer, kept with the interview's application (it is not the employer's reply to a follow-up). */
async function storeCalendarReply(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  now: Date,
  receivedAt: Date,
  input: z.output<typeof inboundEmailBody>,
  answered: { id: string; applicationId: string; candidateId: string },
) {
  const [row] = await tx
    .insert(inboundReplies)
    .values({
      ...emailRow(tenantId, input),
      status: 'calendar_reply',
      followUpId: null,
      applicationId: answered.applicationId,
      receivedAt,
      createdAt: now,
    })
    .returning();
  await recordChange(actor, now, {
    action: 'inbound_reply.received',
    subject: { type: 'inboundReply', id: row!.id },
    refs: { candidateId: answered.candidateId, applicationId: answered.applicationId, interviewId: answered.id },
    data: { status: 'calendar_reply', followUpId: null, replyId: null },
  });
  return row!;
}

/** The inbound webhook: the agency from its secret (401 otherwise), then the email recorded. */
export async function receiveInboundEmail(deps: Deps, authorization: string | undefined, input: z.output<typeof inboundEmailBody>) {
  const tenantId = await authenticateInbound(deps, authorization);
  const result = await receiveInbound(deps, tenantId, input);
  deps.metrics.inboundEmails.inc({ outcome: result.duplicate ? 'duplicate' : `stored_${result.reply.status}` });
  deps.log.info({ tenantId, inboundReplyId: result.reply.id, status: result.reply.status, duplicate: result.duplicate }, 'inbound email');
  return result;
}

export async function listInbound(deps: Deps, actor: Actor, q: z.output<typeof listInboundQuery>) {
  const page = await listById(deps.db, actor.tenantId, inboundReplies, q, [q.status ? eq(inboundReplies.status, q.status) : undefined]);
  return { data: page.data.map(presentInbound), nextCursor: page.nextCursor };
}

async function find(tx: Tx, id: string, lock = false) {
  const query = tx.select().from(inboundReplies).where(eq(inboundReplies.id, id));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('Inbound reply');
  return row;
}

export async function getInbound(deps: Deps, actor: Actor, id: string) {
  return presentInbound(await readTenant(deps.db, actor.tenantId, (tx) => find(tx, id)));
}

/** A recruiter says which application an unmatched (or automatic) answer belongs to: it becomes its reply. */
export async function assignInbound(deps: Deps, actor: Actor, id: string, input: z.output<typeof assignInboundBody>) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await find(tx, id, true);
    if (current.status === 'matched' || current.status === 'assigned' || current.status === 'calendar_reply') {
      throw new AppError('conflict', `The reply is already ${current.status} to an application`);
    }
    const app = await findApplication(tx, input.applicationId).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'not_found') {
        throw new AppError('validation_failed', 'The application does not exist', [{ field: 'body.applicationId', message: 'Unknown application' }]);
      }
      throw err;
    });
    const reply = await insertReply(
      tx,
      actor,
      now,
      app.id,
      { channel: 'email', summary: replySummary(current.text), interviewId: input.interviewId, receivedAt: current.receivedAt },
      'inbound_email',
    );
    const [updated] = await tx
      .update(inboundReplies)
      .set({ status: 'assigned', applicationId: app.id, replyId: reply.id })
      .where(eq(inboundReplies.id, id))
      .returning();
    await recordChange(actor, now, {
      action: 'inbound_reply.assigned',
      subject: { type: 'inboundReply', id },
      refs: { candidateId: app.candidateId, applicationId: app.id, interviewId: input.interviewId ?? null },
      changes: { status: { before: current.status, after: 'assigned' }, applicationId: { before: current.applicationId, after: app.id } },
      data: { replyId: reply.id },
    });
    return updated!;
  });
  return presentInbound(row);
}
