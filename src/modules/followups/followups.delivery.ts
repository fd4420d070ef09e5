import { and, eq, ne, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { activities, applications, candidates, events, followUps, tenants, users } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { MailError, type MailMessage } from '../../lib/mailer.js';
import { EVENT_VERSION, type EventType } from '../activity/events.catalogue.js';
import type { FollowUpRow } from './followups.repo.js';
import { renderFollowUp } from './followups.templates.js';

/** The deterministic Message-ID of a follow-up: replies quote it, so they can be matched to it. */
export const followUpMessageId = (id: string) => `<fu-${id}@afterview>`;

export const DRAFT_PREFIX = 'Draft to send: ';

export type DeliveryResult =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'noop'; reason: string };

/** The attempt in progress, from BullMQ: after the last one a temporary error fails the follow-up. */
export interface Attempt {
  number: number;
  of: number;
}

async function loadForDelivery(tx: Tx, id: string) {
  const [row] = await tx
    .select({
      followUp: followUps,
      candidate: {
        name: candidates.name,
        email: candidates.email,
        relayConsent: candidates.relayConsent,
        statusUpdatesOptIn: candidates.statusUpdatesOptIn,
      },
      recruiter: { name: users.name, email: users.email },
      agency: tenants.name,
      templates: tenants.templates,
    })
    .from(followUps)
    .innerJoin(candidates, eq(candidates.id, followUps.candidateId))
    .innerJoin(applications, eq(applications.id, followUps.applicationId))
    .innerJoin(users, eq(users.id, applications.ownerId))
    .innerJoin(tenants, eq(tenants.id, followUps.tenantId))
    .where(eq(followUps.id, id));
  return row;
}
type Loaded = NonNullable<Awaited<ReturnType<typeof loadForDelivery>>>;

/**
 * Who gets what. A note to an employer goes out on the candidate's behalf only while the candidate
 * still gives relay consent; otherwise it goes to the candidate as a draft to send themselves. It
 * is always from the agency's address, with replies going to the recruiter.
 */
export function composeMessage(l: Loaded, mailFrom: string): MailMessage | { skip: string } {
  const f = l.followUp;
  const { subject, body } = renderFollowUp(f, { templates: l.templates, agency: l.agency });
  const base = {
    from: { name: l.agency, address: mailFrom },
    replyTo: { name: l.recruiter.name, address: l.recruiter.email },
    messageId: followUpMessageId(f.id),
    headers: { 'X-Afterview-Follow-Up': f.id },
  };
  if (f.kind === 'candidate_update' || f.recipient.type === 'candidate') {
    if (!l.candidate.statusUpdatesOptIn && f.kind === 'candidate_update') return { skip: 'the candidate opted out of status updates' };
    if (!l.candidate.email) return { skip: 'the candidate has no email address' };
    return { ...base, to: { name: l.candidate.name, address: l.candidate.email }, subject, text: body };
  }
  const to = f.recipient.email;
  if (!to) return { skip: 'the recipient has no email address' };
  if (f.voice === 'on_behalf' && l.candidate.relayConsent) {
    return {
      ...base,
      from: { name: `${l.candidate.name} via ${l.agency}`, address: mailFrom },
      to: { name: f.recipient.name, address: to },
      subject,
      text: body,
    };
  }
  if (f.voice === 'agency') return { ...base, to: { name: f.recipient.name, address: to }, subject, text: body };
  if (!l.candidate.email) return { skip: 'no relay consent and the candidate has no email address for the draft' };
  const preface =
    `Hi ${l.candidate.name.split(/\s+/)[0]}, here is a note for ${f.recipient.name} <${to}> ` +
    `that you can send from your own email, as it is or in your own words.\n\n----\n\n`;
  return {
    ...base,
    to: { name: l.candidate.name, address: l.candidate.email },
    subject: `${DRAFT_PREFIX}${subject}`,
    text: `${preface}${body}`,
  };
}

/** Activity (actor: system) and outbox event of a delivery change, in the transaction of the change. */
async function record(tx: Tx, f: FollowUpRow, now: Date, action: EventType, changes: Record<string, { before: unknown; after: unknown }>, data: Record<string, unknown>) {
  const refs = { candidateId: f.candidateId, applicationId: f.applicationId, interviewId: f.interviewId };
  const eventId = newId();
  await Promise.all([
    tx.insert(activities).values({
      tenantId: f.tenantId,
      id: newId(),
      actorType: 'system',
      actorId: null,
      action,
      subjectType: 'followUp',
      subjectId: f.id,
      ...refs,
      changes,
      createdAt: now,
    }),
    tx.insert(events).values({
      tenantId: f.tenantId,
      id: eventId,
      type: action,
      payload: {
        id: `evt_${eventId.replaceAll('-', '')}`,
        type: action,
        version: EVENT_VERSION,
        occurredAt: now.toISOString(),
        tenantId: f.tenantId,
        data: { followUpId: f.id, ...refs, key: f.key, kind: f.kind, ...data, changedFields: Object.keys(changes), actor: { type: 'system', id: null } },
      },
      createdAt: now,
    }),
  ]);
}

/** Closes a follow-up the worker cannot send (no address, opted out): skipped, with the reason. */
async function skip(deps: Deps, f: FollowUpRow, reason: string): Promise<DeliveryResult> {
  const now = deps.clock.now();
  const done = await withTenant(deps.db, f.tenantId, async (tx) => {
    const [row] = await tx
      .update(followUps)
      .set({ status: 'skipped', cancelReason: reason, completedAt: now, version: f.version + 1, updatedAt: now })
      .where(and(eq(followUps.id, f.id), eq(followUps.status, 'pending'), eq(followUps.version, f.version)))
      .returning();
    if (row) await record(tx, f, now, 'followup.skipped', { status: { before: 'pending', after: 'skipped' } }, { reason, by: 'worker' });
    return row;
  });
  return done ? { outcome: 'skipped', reason } : { outcome: 'noop', reason: 'changed while checking' };
}

/**
 * Sends one follow-up at most once. The row is claimed in PostgreSQL first (pending → queued, at
 * the job's version), so of two jobs or two workers only the claimer sends; a stale version (the
 * follow-up was edited or rescheduled after this job was enqueued) does nothing. A temporary SMTP
 * error puts the row back to pending and rethrows for BullMQ's retry; a permanent one (5xx), or the
 * last attempt, marks it failed. Each claim counts in `attempts`, the server's answer to a failed
 * one goes to `last_error` and the Message-ID of a sent one to `message_id`; `notes` stay the
 * recruiter's.
 */
export async function deliverFollowUp(
  deps: Deps,
  job: { tenantId: string; followUpId: string; version: number },
  attempt: Attempt,
): Promise<DeliveryResult> {
  const loaded = await readTenant(deps.db, job.tenantId, (tx) => loadForDelivery(tx, job.followUpId));
  if (!loaded) return { outcome: 'noop', reason: 'no such follow-up' };
  const f = loaded.followUp;
  if (f.version !== job.version) return { outcome: 'noop', reason: `version ${f.version} replaces ${job.version}` };
  if (f.status !== 'pending') return { outcome: 'noop', reason: `status ${f.status}` };
  if (f.channel !== 'email') return { outcome: 'noop', reason: `a ${f.channel} task stays with the recruiter` };

  const message = composeMessage(loaded, deps.config.MAIL_FROM);
  if ('skip' in message) return skip(deps, f, message.skip);

  const [claimed] = await readTenant(deps.db, job.tenantId, (tx) =>
    tx
      .update(followUps)
      .set({ status: 'queued', attempts: sql`${followUps.attempts} + 1`, updatedAt: deps.clock.now() })
      .where(and(eq(followUps.id, f.id), eq(followUps.status, 'pending'), eq(followUps.version, job.version)))
      .returning({ id: followUps.id, attempts: followUps.attempts }),
  );
  if (!claimed) return { outcome: 'noop', reason: 'claimed by another job' };

  try {
    await deps.mailer.send({ ...message, date: deps.clock.now() });
  } catch (err) {
    const e = err instanceof MailError ? err : new MailError(err instanceof Error ? err.message : String(err), null, false);
    const final = e.permanent || attempt.number >= attempt.of;
    await markUnsent(deps, f, e, claimed.attempts, final);
    throw e;
  }
  const now = deps.clock.now();
  await withTenant(deps.db, job.tenantId, async (tx) => {
    // Sent is the truth even if the row was cancelled while the message was on its way.
    await tx
      .update(followUps)
      .set({ status: 'sent', sentAt: now, messageId: message.messageId, version: f.version + 1, updatedAt: now })
      .where(and(eq(followUps.id, f.id), ne(followUps.status, 'sent')));
    await record(tx, f, now, 'followup.sent', { status: { before: 'pending', after: 'sent' }, sentAt: { before: null, after: now.toISOString() } }, {
      voice: f.voice,
      to: message.to.address,
      draft: message.subject.startsWith(DRAFT_PREFIX),
      messageId: message.messageId,
      attempts: claimed.attempts,
    });
  });
  return { outcome: 'sent', messageId: message.messageId };
}

/** Back to pending for the next attempt, or failed; the server's answer is kept in `last_error`. */
async function markUnsent(deps: Deps, f: FollowUpRow, e: MailError, attempts: number, final: boolean) {
  const now = deps.clock.now();
  const error = e.message.slice(0, 1000);
  await withTenant(deps.db, f.tenantId, async (tx) => {
    if (!final) {
      await tx
        .update(followUps)
        .set({ status: 'pending', lastError: error, updatedAt: now })
        .where(and(eq(followUps.id, f.id), eq(followUps.status, 'queued')));
      return;
    }
    const [row] = await tx
      .update(followUps)
      .set({ status: 'failed', lastError: error, version: f.version + 1, updatedAt: now })
      .where(and(eq(followUps.id, f.id), eq(followUps.status, 'queued')))
      .returning({ id: followUps.id });
    if (row) {
      await record(tx, f, now, 'followup.failed', { status: { before: 'pending', after: 'failed' } }, {
        error,
        responseCode: e.responseCode,
        permanent: e.permanent,
        attempts,
      });
    }
  });
}
