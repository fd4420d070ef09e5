import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { followUps, tenants } from '../../db/schema/index.js';
import type { StoredTemplates } from '../../core/templates.js';
import type { FollowUpKind } from '../../core/followups/types.js';
import { sendsAtOf, type FollowUpRow } from './followups.repo.js';

/** A job that fires this much before `due_at` (clock skew) still sends; earlier, it waits again. */
export const EARLY_SLACK_MS = 1_000;

/** The kinds that may go as one email to their contact (playbook `combinePerContact`): the ones asking the employer about the process. */
export const COMBINABLE_KINDS: readonly FollowUpKind[] = ['timeline_request', 'recruiter_check_in', 'status_check'];
/** At most this many candidates in one combined email; more go in the next one. */
export const COMBINE_MAX = 20;

/** A claimed follow-up with what composing its message needs. */
export interface Loaded {
  followUp: FollowUpRow;
  candidate: { name: string; email: string | null; relayConsent: boolean; statusUpdatesOptIn: boolean };
  /** The contact addressed as they are now (their email may have been corrected since planning). */
  contact: { name: string; email: string | null } | null;
  recruiter: { name: string; email: string };
  agency: string;
  templates: StoredTemplates | null;
}

export interface DeliverJob {
  tenantId: string;
  followUpId: string;
  version: number;
  kind?: FollowUpKind | undefined;
}

/** Every follow_ups column under its drizzle name, for raw statements that return whole rows. */
const FOLLOW_UP_COLUMNS = sql.raw(
  Object.entries(getTableColumns(followUps))
    .map(([key, column]) => `c."${column.name}" AS "${key}"`)
    .join(', '),
);

const KINDS_COMBINED = sql.join(
  COMBINABLE_KINDS.map((k) => sql`${k}`),
  sql`, `,
);

/**
 * The claim statement: `claim` (an UPDATE … RETURNING * of follow_ups, as the CTE `c`), with what
 * each claimed row's message needs joined to it, in due order.
 */
const claimedWithMessage = (claim: SQL) => sql`
  WITH c AS (${claim})
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
  ORDER BY c.due_at, c.id`;

/** Pending becomes queued with one more attempt, until `until` (the lease: still queued after it, the send is uncertain). */
const CLAIM = (now: Date, until: Date) => sql`
  UPDATE follow_ups SET status = 'queued', attempts = attempts + 1, claimed_until = ${until}, updated_at = ${now}`;

/** Sent from now on: its due time plus its undo window has come (within the clock slack). */
const leavesBy = (now: Date) => new Date(now.getTime() + EARLY_SLACK_MS);

/**
 * Claims a follow-up for sending and reads what its message needs, in one statement: pending at
 * this version becomes queued. Only the claimer gets a row back, so of two jobs or two workers only
 * one sends. This runs once per email at full delivery rate, hence raw SQL and a single round trip
 * (docs/performance.md).
 */
async function claimForDelivery(tx: Tx, id: string, version: number, now: Date, until: Date): Promise<Loaded | undefined> {
  const res = await tx.execute<Record<string, unknown>>(
    claimedWithMessage(sql`${CLAIM(now, until)}
      WHERE id = ${id} AND status = 'pending' AND version = ${version} AND channel = 'email'
        AND due_at + undo_seconds * interval '1 second' <= ${leavesBy(now)}
      RETURNING *`),
  );
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
export async function whyNotClaimed(deps: Deps, job: DeliverJob, now: Date): Promise<string | { early: Date }> {
  const [row] = await readTenant(deps.db, job.tenantId, (tx) =>
    tx
      .select({ status: followUps.status, version: followUps.version, channel: followUps.channel, dueAt: followUps.dueAt, undoSeconds: followUps.undoSeconds })
      .from(followUps)
      .where(eq(followUps.id, job.followUpId)),
  );
  if (!row) return 'no such follow-up';
  const leaves = sendsAtOf(row);
  if (row.status === 'pending' && row.version === job.version && row.channel === 'email' && leaves.getTime() > now.getTime() + EARLY_SLACK_MS) {
    return { early: leaves };
  }
  if (row.version !== job.version) return `version ${row.version} replaces ${job.version}`;
  if (row.channel !== 'email') return `a ${row.channel} task stays with the recruiter`;
  return row.status === 'queued' ? 'claimed by another job' : `status ${row.status}`;
}

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
        AND f.kind IN (${KINDS_COMBINED})
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
  const res = await tx.execute<Record<string, unknown>>(
    claimedWithMessage(sql`${CLAIM(now, until)}
      WHERE id IN (
        SELECT s.id FROM follow_ups s
        JOIN candidates cand ON cand.id = s.candidate_id
        WHERE s.tenant_id = ${leader.tenantId} AND s.status = 'pending' AND s.due_at >= ${day.dayStart} AND s.due_at < ${day.dayEnd}
          AND s.contact_id = ${leader.contactId} AND s.owner_id = ${leader.ownerId} AND s.id <> ${leader.id}
          AND s.channel = 'email' AND s.recipient->>'type' = 'contact' AND s.subject IS NULL AND s.body IS NULL
          AND s.kind IN (${KINDS_COMBINED})
          AND (s.voice = 'agency' OR (s.voice = 'on_behalf' AND cand.relay_consent))
          AND (s.due_at + s.undo_seconds * interval '1 second' <= ${leavesBy(now)} OR s.due_at > ${now})
        ORDER BY s.due_at, s.id
        LIMIT ${COMBINE_MAX - 1}
        FOR UPDATE OF s SKIP LOCKED
      ) AND status = 'pending'
      RETURNING *`),
  );
  return res.rows.map(asLoaded);
}

/**
 * Claims a follow-up, and when it may carry others to its contact the rest of its group, under the
 * group's lock (one transaction). Undefined: nothing claimed.
 */
async function claimGroup(deps: Deps, job: DeliverJob, now: Date, until: Date): Promise<Loaded[] | undefined> {
  return withTenant(deps.db, job.tenantId, async (tx) => {
    // Sent together (one round trip); the server runs them in order: the claim, and its snapshot, after the lock.
    const [day, leader] = await Promise.all([lockGroup(tx, job.followUpId), claimForDelivery(tx, job.followUpId, job.version, now, until)]);
    if (!leader) return undefined;
    if (!day || !combinable(leader)) return [leader];
    return [leader, ...(await claimSiblings(tx, leader.followUp, day, now, until))];
  });
}

/** How long a worker trusts what it read of an agency's `combinePerContact`. */
const COMBINES_TTL_MS = 10_000;
const combinesSeen = new Map<string, { combines: boolean; until: number }>();

/**
 * Whether the agency combines emails per contact, as this process last read it (at most
 * COMBINES_TTL_MS ago). Only "off" saves anything, and a stale "off" (an admin just turned it on)
 * sends a follow-up on its own, as it would have before; a stale "on" is checked again under the
 * group's lock.
 */
async function agencyCombines(deps: Deps, tenantId: string, now: number): Promise<boolean> {
  const seen = combinesSeen.get(tenantId);
  if (seen && seen.until > now) return seen.combines;
  const [row] = await readTenant(deps.db, tenantId, (tx) =>
    tx
      .select({ combines: sql<boolean>`coalesce((${tenants.playbook}->>'combinePerContact')::boolean, true)` })
      .from(tenants)
      .where(eq(tenants.id, tenantId)),
  );
  const combines = row?.combines ?? true;
  combinesSeen.set(tenantId, { combines, until: now + COMBINES_TTL_MS });
  return combines;
}

/**
 * Claims what a deliver job sends: its follow-up alone in one statement, or, for a kind that may be
 * combined (a job without a kind may be one) at an agency that combines, its group under the
 * group's lock. Undefined: nothing claimed (`whyNotClaimed` says why).
 */
export async function claimDelivery(deps: Deps, job: DeliverJob, now: Date, until: Date): Promise<Loaded[] | undefined> {
  const mayCombine = (!job.kind || COMBINABLE_KINDS.includes(job.kind)) && (await agencyCombines(deps, job.tenantId, deps.clock.now().getTime()));
  if (mayCombine) return claimGroup(deps, job, now, until);
  const one = await readTenant(deps.db, job.tenantId, (tx) => claimForDelivery(tx, job.followUpId, job.version, now, until));
  return one ? [one] : undefined;
}
