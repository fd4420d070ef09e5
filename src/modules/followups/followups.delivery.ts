import { and, eq, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, tdb, withTenant, type Tx } from '../../db/client.js';
import { changeRows, outboxCte, outboxValues, recordChange, type ChangeRecord, type ChangeRows, type Changes } from '../../db/outbox.js';
import { followUps } from '../../db/schema/index.js';
import { MailError, type Mailer, type MailMessage } from '../../lib/mailer.js';
import type { EventType } from '../../core/events.js';
import type { FollowUpRow } from './followups.repo.js';
import { renderCombined, renderFollowUp } from '../../core/templates.js';
import { claimDelivery, whyNotClaimed, type DeliverJob, type Loaded } from './followups.claim.js';
import { recordCombinedMessage } from '../threads/threads.service.js';
import { withResponseLink } from '../responses/responses.delivery.js';
import { threaded } from './followups.threading.js';
import { fromAgency } from './followups.sender.js';

/** The deterministic Message-ID of a follow-up: replies quote it, so they can be matched to it. */
export const followUpMessageId = (id: string) => `<fu-${id}@afterview>`;

export const DRAFT_PREFIX = 'Draft to send: ';

export type DeliveryResult =
  | { outcome: 'sent'; messageId: string; followUpIds?: string[] }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'noop'; reason: string }
  | { outcome: 'early'; dueAt: Date };

/** The attempt in progress, from BullMQ: after the last one a temporary error fails the follow-up. */
export interface Attempt {
  number: number;
  of: number;
}

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
  // A contact is written to at the address they have now, not the one they had when planned.
  const recipient = f.recipient.type === 'contact' && l.contact ? l.contact : f.recipient;
  const to = recipient.email;
  if (!to) return { skip: 'the recipient has no email address' };
  if (f.voice === 'on_behalf' && l.candidate.relayConsent) {
    return {
      ...base,
      from: { name: `${l.candidate.name} via ${l.agency}`, address: mailFrom },
      to: { name: recipient.name, address: to },
      subject,
      text: body,
    };
  }
  if (f.voice === 'agency') return { ...base, to: { name: recipient.name, address: to }, subject, text: body };
  if (!l.candidate.email) return { skip: 'no relay consent and the candidate has no email address for the draft' };
  const preface =
    `Hi ${l.candidate.name.split(/\s+/)[0]}, here is a note for ${recipient.name} <${to}> ` +
    `that you can send from your own email, as it is or in your own words.\n\n----\n\n`;
  return {
    ...base,
    to: { name: l.candidate.name, address: l.candidate.email },
    subject: `${DRAFT_PREFIX}${subject}`,
    text: `${preface}${body}`,
  };
}

/** The change a delivery makes to a follow-up, by the system (the worker), for the outbox. */
function deliveryChange(f: FollowUpRow, action: EventType, changes: Changes, data: Record<string, unknown>): ChangeRecord {
  return {
    action,
    subject: { type: 'followUp', id: f.id },
    refs: { candidateId: f.candidateId, applicationId: f.applicationId, interviewId: f.interviewId },
    changes,
    data: { key: f.key, kind: f.kind, ...data },
  };
}

const system = (f: FollowUpRow) => ({ tenantId: f.tenantId, kind: 'system' as const });

/** Activity and outbox event of a delivery change, in the transaction of the change. */
export async function record(_tx: Tx, f: FollowUpRow, now: Date, action: EventType, changes: Changes, data: Record<string, unknown>) {
  await recordChange(system(f), now, deliveryChange(f, action, changes, data));
}

/**
 * Marks a follow-up sent with its activity and event: one statement (so one round trip, atomic
 * on its own), since this runs once per email at full delivery rate (docs/performance.md). The
 * version moves on from the row's own, not the claimed one: a send slower than its lease may
 * find the row made `uncertain` (a version on) meanwhile, and sent is the truth then too. Only
 * the statement that made it sent writes the activity and event: a recruiter who confirmed it by
 * hand (mark-sent) meanwhile wrote them already.
 */
const MARK_SENT = {
  name: 'followup_mark_sent',
  text: `
    WITH sent AS (
      UPDATE follow_ups SET status = 'sent', sent_at = $1, message_id = $2, claimed_until = NULL, version = version + 1, updated_at = $1
      WHERE id = $3 AND status <> 'sent'
      RETURNING id
    ), ${outboxCte(4, 'sent')}
    SELECT 1`,
};

function markSent(f: FollowUpRow, now: Date, messageId: string, rows: ChangeRows) {
  return tdb.$client.query({ ...MARK_SENT, values: [now, messageId, f.id, ...outboxValues(rows)] });
}

/** Closes a claimed follow-up the worker cannot send (no address, opted out): skipped, with the reason; the claim is not an attempt. */
async function skip(deps: Deps, f: FollowUpRow, reason: string): Promise<DeliveryResult> {
  const now = deps.clock.now();
  const done = await withTenant(deps.db, f.tenantId, async (tx) => {
    const [row] = await tx
      .update(followUps)
      .set({ status: 'skipped', cancelReason: reason, completedAt: now, attempts: sql`${followUps.attempts} - 1`, claimedUntil: null, version: f.version + 1, updatedAt: now })
      .where(and(eq(followUps.id, f.id), eq(followUps.status, 'queued')))
      .returning();
    if (row) await record(tx, f, now, 'followup.skipped', { status: { before: 'pending', after: 'skipped' } }, { reason, by: 'worker' });
    return row;
  });
  return done ? { outcome: 'skipped', reason } : { outcome: 'noop', reason: 'changed while checking' };
}

/**
 * Sends one follow-up at most once, or, for a timeline request, check-in or status check whose
 * contact has others due the same day, one email carrying them all (docs/followups.md). The row
 * is claimed in PostgreSQL first (pending → queued, at the job's version, once its undo window
 * is over), so of two jobs or two workers only the claimer sends, and an undo that got the row
 * first means nothing is sent; a stale version (the follow-up was edited or rescheduled after
 * this job was enqueued) does nothing. A temporary SMTP error puts the rows back to pending and
 * rethrows for BullMQ's retry; a permanent one (5xx), or the last attempt, marks them failed. Each
 * claim counts in `attempts`, the server's answer to a failed one goes to `last_error` and the
 * Message-ID of a sent one to `message_id`; `notes` stay the recruiter's.
 */
export async function deliverFollowUp(deps: Deps, job: DeliverJob, attempt: Attempt): Promise<DeliveryResult> {
  const claimedAt = deps.clock.now();
  const until = new Date(claimedAt.getTime() + deps.config.FOLLOWUP_CLAIM_LEASE_MS);
  const claimed = await claimDelivery(deps, job, claimedAt, until);
  if (!claimed) {
    const why = await whyNotClaimed(deps, job, claimedAt);
    // Fired before its time (clocks disagree): never send early; the job waits again.
    return typeof why === 'string' ? { outcome: 'noop', reason: why } : { outcome: 'early', dueAt: why.early };
  }
  return claimed.length > 1 ? sendCombined(deps, claimed, attempt) : sendOne(deps, claimed[0]!, attempt);
}

/** Lateness: from the moment the email was to leave (its due time plus its undo window) to its sending. */
function observeLateness(deps: Deps, f: FollowUpRow, now: Date) {
  const leaves = new Date(f.dueAt).getTime() + f.undoSeconds * 1000;
  deps.metrics.followUpLateness.observe({ channel: f.channel }, Math.max(0, now.getTime() - leaves) / 1000);
}

/**
 * Hands the message to the mailer; on an error puts the follow-ups it carries back to pending (or
 * failed: a permanent answer, or the last attempt) and rethrows for BullMQ's retry.
 */
async function hand(deps: Deps, mailer: Mailer, message: MailMessage, carried: FollowUpRow[], attempt: Attempt) {
  try {
    await mailer.send({ ...message, date: deps.clock.now() });
  } catch (err) {
    const e = err instanceof MailError ? err : new MailError(err instanceof Error ? err.message : String(err), null, false);
    const final = e.permanent || attempt.number >= attempt.of;
    await Promise.all(carried.map((f) => markUnsent(deps, f, e, f.attempts, final)));
    deps.metrics.followUpSends.inc({ outcome: final ? 'failed' : 'retrying' }, carried.length);
    throw e;
  }
}

/** Marks each follow-up a message carried sent, with its activity and event (`data` beside the common fields). */
async function sent(deps: Deps, carried: FollowUpRow[], message: MailMessage, data: (f: FollowUpRow) => Record<string, unknown>): Promise<void> {
  const now = deps.clock.now();
  await Promise.all(
    carried.map((f) => {
      const change = deliveryChange(f, 'followup.sent', { status: { before: 'pending', after: 'sent' }, sentAt: { before: null, after: now.toISOString() } }, {
        to: message.to.address,
        messageId: message.messageId,
        attempts: f.attempts,
        ...data(f),
      });
      // Sent is the truth even if the row was cancelled while the message was on its way.
      return readTenant(deps.db, f.tenantId, () => markSent(f, now, message.messageId, changeRows(system(f), now, change)));
    }),
  );
  deps.metrics.followUpSends.inc({ outcome: 'sent' }, carried.length);
  for (const f of carried) observeLateness(deps, f, now);
}

/** A timeline request or status check to the contact carries a one-click answer link (docs/response-links.md). */
async function linked(deps: Deps, l: Loaded): Promise<void> {
  const link = await withResponseLink(deps, l);
  if (link) l.followUp = { ...l.followUp, vars: { ...l.followUp.vars, responseLink: link } };
}

async function sendOne(deps: Deps, loaded: Loaded, attempt: Attempt): Promise<DeliveryResult> {
  await linked(deps, loaded);
  const f = loaded.followUp;
  const composed = composeMessage(loaded, deps.config.MAIL_FROM);
  if ('skip' in composed) {
    deps.metrics.followUpSends.inc({ outcome: 'skipped' });
    return skip(deps, f, composed.skip);
  }
  const draft = composed.subject.startsWith(DRAFT_PREFIX);
  const { message, mailer } = await fromAgency(deps, f.tenantId, loaded, await threaded(deps, f, loaded.templates, composed, draft));
  await hand(deps, mailer, message, [f], attempt);
  await sent(deps, [f], message, () => ({ voice: f.voice, draft }));
  return { outcome: 'sent', messageId: message.messageId };
}

/**
 * One email to a contact for several follow-ups: the agency's `combined`
 * template, one entry (and one response link) per candidate, from the agency with replies to the
 * recruiter, under the Message-ID of the first of them, which every follow-up it carries records. It starts
 * no thread and continues none; it is listed in each application's thread with the contact.
 */
async function sendCombined(deps: Deps, claimed: Loaded[], attempt: Attempt): Promise<DeliveryResult> {
  // Listed in due order (then planning order); the first names the message, whichever job claimed them.
  const items = [...claimed].sort(
    (a, b) => new Date(a.followUp.dueAt).getTime() - new Date(b.followUp.dueAt).getTime() || (a.followUp.id < b.followUp.id ? -1 : 1),
  );
  const leader = items[0]!;
  for (const l of items) await linked(deps, l);
  const carried = items.map((l) => l.followUp);
  const lf = leader.followUp;
  const contact = leader.contact!;
  const text = renderCombined(carried, { templates: leader.templates, agency: leader.agency, reader: contact.name });
  const ids = carried.map((f) => f.id);
  const messageId = followUpMessageId(lf.id);
  const composed: MailMessage = {
    from: { name: leader.agency, address: deps.config.MAIL_FROM },
    replyTo: { name: leader.recruiter.name, address: leader.recruiter.email },
    to: { name: contact.name, address: contact.email! },
    messageId,
    headers: { 'X-Afterview-Follow-Up': lf.id, 'X-Afterview-Follow-Ups': ids.join(', ') },
    subject: text.subject,
    text: text.body,
  };
  await recordCombinedMessage(deps, carried, { subject: text.subject, messageId });
  const { message, mailer } = await fromAgency(deps, lf.tenantId, leader, composed);
  await hand(deps, mailer, message, carried, attempt);
  await sent(deps, carried, message, () => ({ voice: 'agency', draft: false, combined: ids }));
  return { outcome: 'sent', messageId, followUpIds: ids };
}

/** Back to pending for the next attempt, or failed; the server's answer is kept in `last_error`. */
async function markUnsent(deps: Deps, f: FollowUpRow, e: MailError, attempts: number, final: boolean) {
  const now = deps.clock.now();
  const error = e.message.slice(0, 1000);
  await withTenant(deps.db, f.tenantId, async (tx) => {
    if (!final) {
      await tx
        .update(followUps)
        .set({ status: 'pending', lastError: error, claimedUntil: null, updatedAt: now })
        .where(and(eq(followUps.id, f.id), eq(followUps.status, 'queued')));
      return;
    }
    const [row] = await tx
      .update(followUps)
      .set({ status: 'failed', lastError: error, claimedUntil: null, version: f.version + 1, updatedAt: now })
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
