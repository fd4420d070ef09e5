import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, tdb, withTenant, type Tx } from '../../db/client.js';
import { changeRows, outboxCte, outboxValues, recordChange, type ChangeRecord, type ChangeRows, type Changes } from '../../db/outbox.js';
import { followUps } from '../../db/schema/index.js';
import { MailError, type MailMessage } from '../../lib/mailer.js';
import type { EventType } from '../../core/events.js';
import type { FollowUpRow } from './followups.repo.js';
import { renderFollowUp, type StoredTemplates } from '../../core/templates.js';
import { withResponseLink } from '../responses/responses.delivery.js';
import { threaded } from './followups.threading.js';
import { fromAgency } from './followups.sender.js';

/** The deterministic Message-ID of a follow-up: replies quote it, so they can be matched to it. */
export const followUpMessageId = (id: string) => `<fu-${id}@afterview>`;

export const DRAFT_PREFIX = 'Draft to send: ';

export type DeliveryResult =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'noop'; reason: string }
  | { outcome: 'early'; dueAt: Date };

/** A job that fires this much before `due_at` (clock skew) still sends; earlier, it waits again. */
export const EARLY_SLACK_MS = 1_000;

/** The attempt in progress, from BullMQ: after the last one a temporary error fails the follow-up. */
export interface Attempt {
  number: number;
  of: number;
}

/** A claimed follow-up with what composing its message needs. */
interface Loaded {
  followUp: FollowUpRow;
  candidate: { name: string; email: string | null; relayConsent: boolean; statusUpdatesOptIn: boolean };
  /** The contact addressed as they are now (their email may have been corrected since planning). */
  contact: { name: string; email: string | null } | null;
  recruiter: { name: string; email: string };
  agency: string;
  templates: StoredTemplates | null;
}

/** Every follow_ups column under its drizzle name, for raw statements that return whole rows. */
const FOLLOW_UP_COLUMNS = sql.raw(
  Object.entries(getTableColumns(followUps))
    .map(([key, column]) => `c."${column.name}" AS "${key}"`)
    .join(', '),
);

/**
 * Claims a follow-up for sending and reads what its message needs, in one statement: pending at
 * this version becomes queued with one more attempt, until `until` (the lease: still queued after
 * it, the send is uncertain). Only the claimer gets a row back, so of two jobs or two workers only
 * one sends. This runs once per email at full delivery rate, hence raw SQL and a single round trip
 * (docs/performance.md).
 */
async function claimForDelivery(tx: Tx, id: string, version: number, now: Date, until: Date): Promise<Loaded | undefined> {
  const res = await tx.execute<Record<string, unknown>>(sql`
    WITH c AS (
      UPDATE follow_ups SET status = 'queued', attempts = attempts + 1, claimed_until = ${until}, updated_at = ${now}
      WHERE id = ${id} AND status = 'pending' AND version = ${version} AND channel = 'email'
        AND due_at <= ${new Date(now.getTime() + EARLY_SLACK_MS)}
      RETURNING *
    )
    SELECT ${FOLLOW_UP_COLUMNS},
           cand.name AS "candidateName", cand.email AS "candidateEmail", cand.relay_consent AS "relayConsent",
           cand.status_updates_opt_in AS "statusUpdatesOptIn", u.name AS "recruiterName", u.email AS "recruiterEmail",
           t.name AS "agency", t.templates AS "templates", ct.id AS "contactFound", ct.name AS "contactName", ct.email AS "contactEmail"
    FROM c
    JOIN candidates cand ON cand.id = c.candidate_id
    LEFT JOIN contacts ct ON ct.id = c.contact_id
    JOIN applications a ON a.id = c.application_id
    JOIN users u ON u.id = a.owner_id
    JOIN tenants t ON t.id = c.tenant_id`);
  const r = res.rows[0];
  if (!r) return undefined;
  const { candidateName, candidateEmail, relayConsent, statusUpdatesOptIn, recruiterName, recruiterEmail, agency, templates, contactFound, contactName, contactEmail, ...followUp } =
    r;
  return {
    followUp: followUp as FollowUpRow,
    candidate: { name: candidateName as string, email: candidateEmail as string | null, relayConsent: relayConsent as boolean, statusUpdatesOptIn: statusUpdatesOptIn as boolean },
    contact: contactFound ? { name: contactName as string, email: contactEmail as string | null } : null,
    recruiter: { name: recruiterName as string, email: recruiterEmail as string },
    agency: agency as string,
    templates: templates as StoredTemplates | null,
  };
}

/** Why a job found nothing to claim (the rare path: read only then). */
async function whyNotClaimed(tx: Tx, id: string, version: number, now: Date): Promise<string | { early: Date }> {
  const [row] = await tx
    .select({ status: followUps.status, version: followUps.version, channel: followUps.channel, dueAt: followUps.dueAt })
    .from(followUps)
    .where(eq(followUps.id, id));
  if (!row) return 'no such follow-up';
  if (row.status === 'pending' && row.version === version && row.channel === 'email' && row.dueAt.getTime() > now.getTime() + EARLY_SLACK_MS) {
    return { early: row.dueAt };
  }
  if (row.version !== version) return `version ${row.version} replaces ${version}`;
  if (row.channel !== 'email') return `a ${row.channel} task stays with the recruiter`;
  return row.status === 'queued' ? 'claimed by another job' : `status ${row.status}`;
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
  const claimedAt = deps.clock.now();
  const until = new Date(claimedAt.getTime() + deps.config.FOLLOWUP_CLAIM_LEASE_MS);
  const loaded = await readTenant(deps.db, job.tenantId, (tx) => claimForDelivery(tx, job.followUpId, job.version, claimedAt, until));
  if (!loaded) {
    const why = await readTenant(deps.db, job.tenantId, (tx) => whyNotClaimed(tx, job.followUpId, job.version, claimedAt));
    // Fired before its time (clocks disagree): never send early; the job waits again.
    return typeof why === 'string' ? { outcome: 'noop', reason: why } : { outcome: 'early', dueAt: why.early };
  }
  const f = loaded.followUp;
  const claimed = { attempts: f.attempts };
  // A timeline request or status check to the contact carries a one-click answer link (docs/response-links.md).
  const link = await withResponseLink(deps, loaded);
  if (link) loaded.followUp = { ...f, vars: { ...f.vars, responseLink: link } };

  const composed = composeMessage(loaded, deps.config.MAIL_FROM);
  if ('skip' in composed) {
    deps.metrics.followUpSends.inc({ outcome: 'skipped' });
    return skip(deps, f, composed.skip);
  }
  const { message, mailer } = await fromAgency(deps, f.tenantId, loaded, await threaded(deps, f, loaded.templates, composed, composed.subject.startsWith(DRAFT_PREFIX)));

  try {
    await mailer.send({ ...message, date: deps.clock.now() });
  } catch (err) {
    const e = err instanceof MailError ? err : new MailError(err instanceof Error ? err.message : String(err), null, false);
    const final = e.permanent || attempt.number >= attempt.of;
    await markUnsent(deps, f, e, claimed.attempts, final);
    deps.metrics.followUpSends.inc({ outcome: final ? 'failed' : 'retrying' });
    throw e;
  }
  const now = deps.clock.now();
  const rows = changeRows(
    system(f),
    now,
    deliveryChange(f, 'followup.sent', { status: { before: 'pending', after: 'sent' }, sentAt: { before: null, after: now.toISOString() } }, {
      voice: f.voice,
      to: message.to.address,
      draft: composed.subject.startsWith(DRAFT_PREFIX),
      messageId: message.messageId,
      attempts: claimed.attempts,
    }),
  );
  // Sent is the truth even if the row was cancelled while the message was on its way.
  await readTenant(deps.db, job.tenantId, () => markSent(f, now, message.messageId, rows));
  deps.metrics.followUpSends.inc({ outcome: 'sent' });
  deps.metrics.followUpLateness.observe({ channel: f.channel }, Math.max(0, now.getTime() - new Date(f.dueAt).getTime()) / 1000);
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
