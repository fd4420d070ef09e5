import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, tdb, withTenant, type Tx } from '../../db/client.js';
import { changeRows, outboxCte, outboxValues, recordChange, type ChangeRecord, type ChangeRows, type Changes } from '../../db/outbox.js';
import { followUps } from '../../db/schema/index.js';
import { MailError, type MailMessage } from '../../lib/mailer.js';
import type { EventType } from '../../core/events.js';
import { sendsAtOf, type FollowUpRow } from './followups.repo.js';
import { renderCombined, renderFollowUp, type StoredTemplates } from '../../core/templates.js';
import type { FollowUpKind } from '../../core/followups/types.js';
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
        AND due_at + undo_seconds * interval '1 second' <= ${new Date(now.getTime() + EARLY_SLACK_MS)}
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
  return r ? asLoaded(r) : undefined;
}

/** A claimed row with what its message needs, from the claim statements' columns. */
function asLoaded(r: Record<string, unknown>): Loaded {
  const { candidateName, candidateEmail, relayConsent, statusUpdatesOptIn, recruiterName, recruiterEmail, agency, templates, contactFound, contactName, contactEmail, ...followUp } =
    r;
  return {
    followUp: { ...followUp, dueAt: new Date(followUp.dueAt as string | Date) } as FollowUpRow,
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
    .select({ status: followUps.status, version: followUps.version, channel: followUps.channel, dueAt: followUps.dueAt, undoSeconds: followUps.undoSeconds })
    .from(followUps)
    .where(eq(followUps.id, id));
  if (!row) return 'no such follow-up';
  const leaves = sendsAtOf(row);
  if (row.status === 'pending' && row.version === version && row.channel === 'email' && leaves.getTime() > now.getTime() + EARLY_SLACK_MS) {
    return { early: leaves };
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

/** The kinds that may go as one email to their contact (playbook `combinePerContact`): the ones asking the employer about the process. */
export const COMBINABLE_KINDS: readonly FollowUpKind[] = ['timeline_request', 'recruiter_check_in', 'status_check'];
/** At most this many candidates in one combined email; more go in the next one. */
export const COMBINE_MAX = 20;

/**
 * The lock of a combined email's group: one contact, one recruiter, one recipient-local day (the
 * contact's zone, else their employer's). Taken, for a follow-up that may be combined, before it
 * is claimed, so two jobs of one group do not each send part of it: the second waits, then finds
 * its row claimed by the first. Returns the day's bounds, or nothing when the follow-up is not
 * pending or may not be combined (another kind, the agency turned combining off).
 */
async function lockGroup(tx: Tx, id: string): Promise<{ dayStart: Date; dayEnd: Date } | undefined> {
  const res = await tx.execute<{ dayStart: Date; dayEnd: Date }>(sql`
    WITH g AS (
      SELECT f.tenant_id, f.contact_id, f.owner_id, coalesce(ct.time_zone, e.time_zone) AS zone,
             (f.due_at AT TIME ZONE coalesce(ct.time_zone, e.time_zone))::date AS day
      FROM follow_ups f
      JOIN contacts ct ON ct.id = f.contact_id
      JOIN employers e ON e.id = ct.employer_id
      JOIN tenants t ON t.id = f.tenant_id
      WHERE f.id = ${id} AND f.status = 'pending' AND f.channel = 'email' AND f.recipient->>'type' = 'contact'
        AND f.kind IN (${sql.join(COMBINABLE_KINDS.map((k) => sql`${k}`), sql`, `)})
        AND coalesce((t.playbook->>'combinePerContact')::boolean, true)
    )
    SELECT pg_advisory_xact_lock(hashtextextended('followups.combine:' || tenant_id || ':' || contact_id || ':' || owner_id || ':' || day, 0)) IS NULL AS locked,
           (day::timestamp AT TIME ZONE zone) AS "dayStart", ((day + 1)::timestamp AT TIME ZONE zone) AS "dayEnd"
    FROM g`);
  const r = res.rows[0];
  return r ? { dayStart: new Date(r.dayStart), dayEnd: new Date(r.dayEnd) } : undefined;
}

/** A claimed follow-up that may carry others: written from scratch (no hand-edited text), to the contact themselves. */
const combinable = (l: Loaded) =>
  l.followUp.subject === null &&
  l.followUp.body === null &&
  l.followUp.contactId !== null &&
  !!l.contact?.email &&
  (l.followUp.voice === 'agency' || (l.followUp.voice === 'on_behalf' && l.candidate.relayConsent));

/**
 * Claims, with the leader, the other follow-ups of its group that are pending: the same contact,
 * recruiter and recipient-local day, a combinable kind, written from the template, going to the
 * contact. One still inside its own undo window is left (it goes at its time; a recruiter may
 * still undo it); one due later that day comes along. Rows a recruiter's action holds are
 * skipped, not waited for: an undo that holds the row wins.
 */
async function claimSiblings(tx: Tx, leader: FollowUpRow, day: { dayStart: Date; dayEnd: Date }, now: Date, until: Date): Promise<Loaded[]> {
  const res = await tx.execute<Record<string, unknown>>(sql`
    WITH c AS (
      UPDATE follow_ups SET status = 'queued', attempts = attempts + 1, claimed_until = ${until}, updated_at = ${now}
      WHERE id IN (
        SELECT s.id FROM follow_ups s
        JOIN candidates cand ON cand.id = s.candidate_id
        WHERE s.tenant_id = ${leader.tenantId} AND s.status = 'pending' AND s.due_at >= ${day.dayStart} AND s.due_at < ${day.dayEnd}
          AND s.contact_id = ${leader.contactId} AND s.owner_id = ${leader.ownerId} AND s.id <> ${leader.id}
          AND s.channel = 'email' AND s.recipient->>'type' = 'contact' AND s.subject IS NULL AND s.body IS NULL
          AND s.kind IN (${sql.join(COMBINABLE_KINDS.map((k) => sql`${k}`), sql`, `)})
          AND (s.voice = 'agency' OR (s.voice = 'on_behalf' AND cand.relay_consent))
          AND (s.due_at + s.undo_seconds * interval '1 second' <= ${new Date(now.getTime() + EARLY_SLACK_MS)} OR s.due_at > ${now})
        ORDER BY s.due_at, s.id
        LIMIT ${COMBINE_MAX - 1}
        FOR UPDATE OF s SKIP LOCKED
      ) AND status = 'pending'
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
    JOIN tenants t ON t.id = c.tenant_id
    ORDER BY c.due_at, c.id`);
  return res.rows.map(asLoaded);
}

/**
 * Claims a follow-up, and when it may carry others to its contact the rest of its group, under the
 * group's lock (one transaction). Undefined: nothing claimed.
 */
async function claimGroup(deps: Deps, job: { tenantId: string; followUpId: string; version: number }, now: Date, until: Date): Promise<Loaded[] | undefined> {
  return withTenant(deps.db, job.tenantId, async (tx) => {
    // Sent together (one round trip); the server runs them in order: the claim, and its snapshot, after the lock.
    const [day, leader] = await Promise.all([lockGroup(tx, job.followUpId), claimForDelivery(tx, job.followUpId, job.version, now, until)]);
    if (!leader) return undefined;
    if (!day || !combinable(leader)) return [leader];
    return [leader, ...(await claimSiblings(tx, leader.followUp, day, now, until))];
  });
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
export async function deliverFollowUp(
  deps: Deps,
  job: { tenantId: string; followUpId: string; version: number; kind?: FollowUpKind | undefined },
  attempt: Attempt,
): Promise<DeliveryResult> {
  const claimedAt = deps.clock.now();
  const until = new Date(claimedAt.getTime() + deps.config.FOLLOWUP_CLAIM_LEASE_MS);
  // Only a kind that may be combined pays for the group's lock (a job without a kind may be one).
  const claimed =
    job.kind && !COMBINABLE_KINDS.includes(job.kind)
      ? await readTenant(deps.db, job.tenantId, (tx) => claimForDelivery(tx, job.followUpId, job.version, claimedAt, until)).then((l) => (l ? [l] : undefined))
      : await claimGroup(deps, job, claimedAt, until);
  if (!claimed) {
    const why = await readTenant(deps.db, job.tenantId, (tx) => whyNotClaimed(tx, job.followUpId, job.version, claimedAt));
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

async function sendOne(deps: Deps, loaded: Loaded, attempt: Attempt): Promise<DeliveryResult> {
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
  await readTenant(deps.db, f.tenantId, () => markSent(f, now, message.messageId, rows));
  deps.metrics.followUpSends.inc({ outcome: 'sent' });
  observeLateness(deps, f, now);
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
  const lf = leader.followUp;
  for (const l of items) {
    const link = await withResponseLink(deps, l);
    if (link) l.followUp = { ...l.followUp, vars: { ...l.followUp.vars, responseLink: link } };
  }
  const contact = leader.contact!;
  const text = renderCombined(
    items.map((l) => l.followUp),
    { templates: leader.templates, agency: leader.agency, reader: contact.name },
  );
  const ids = items.map((l) => l.followUp.id);
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
  await recordCombinedMessage(deps, items.map((l) => l.followUp), { subject: text.subject, messageId });
  const { message, mailer } = await fromAgency(deps, lf.tenantId, leader, composed);
  try {
    await mailer.send({ ...message, date: deps.clock.now() });
  } catch (err) {
    const e = err instanceof MailError ? err : new MailError(err instanceof Error ? err.message : String(err), null, false);
    const final = e.permanent || attempt.number >= attempt.of;
    await Promise.all(items.map((l) => markUnsent(deps, l.followUp, e, l.followUp.attempts, final)));
    deps.metrics.followUpSends.inc({ outcome: final ? 'failed' : 'retrying' }, items.length);
    throw e;
  }
  const now = deps.clock.now();
  await Promise.all(
    items.map((l) => {
      const f = l.followUp;
      const rows = changeRows(
        system(f),
        now,
        deliveryChange(f, 'followup.sent', { status: { before: 'pending', after: 'sent' }, sentAt: { before: null, after: now.toISOString() } }, {
          voice: 'agency',
          to: message.to.address,
          draft: false,
          messageId,
          attempts: f.attempts,
          combined: ids,
        }),
      );
      return readTenant(deps.db, f.tenantId, () => markSent(f, now, messageId, rows));
    }),
  );
  deps.metrics.followUpSends.inc({ outcome: 'sent' }, items.length);
  for (const l of items) observeLateness(deps, l.followUp, now);
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
