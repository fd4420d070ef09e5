import { and, eq, inArray, ne } from 'drizzle-orm';
import type pg from 'pg';
import type { Deps } from '../../deps.js';
import { readTenant, tdb, withTenant } from '../../db/client.js';
import { batchColumn as column } from '../../db/arrays.js';
import { tenants, users, webhookEndpoints } from '../../db/schema/index.js';
import { groupBy } from '../../lib/groupBy.js';
import { newId } from '../../lib/ids.js';
import { unixSeconds, webhookHeaders } from '../../lib/webhookSigning.js';
import { Deadline, nextDelayMs, postWebhook, type AttemptResult } from './webhooks.send.js';
import { circuitChange, recordCircuit } from './webhooks.circuit.js';

/**
 * The delivery of a batch of tries (docs/webhooks.md): claim them in PostgreSQL, send them
 * together, record every answer in one statement. The relay that makes them and the queue that
 * carries them: webhooks.outbox.ts.
 */

/** Five days of failures in a row disable an endpoint. */
export const DISABLE_AFTER_MS = 5 * 86_400_000;

/** A claim lasts the timeout and this much more: the time a try may wait for a connection, and its record. */
const CLAIM_MARGIN_MS = 30_000;

// The statements of every batch, named: PostgreSQL parses and plans each once per connection (a
// fresh plan of the claim took 1.3 ms, more than its execution). Arrays are one parameter each.

/**
 * Claims tries number $2 (pending, `attempts` = $2 - 1, due, not claimed, endpoint active and its
 * circuit closed) of the deliveries $1 until $3, $4 being now, and reads what sending them needs.
 * Written so that no statistics, stale or missing, can make it read the table once per try: the
 * deliveries are matched by key (`id = ANY`, no join for the planner to turn around) and the
 * endpoint's state and the event's payload are read per row by subqueries. Joined to an `unnest`
 * of the tries instead, a table never analyzed (a new install's first burst) was scanned once per
 * try: 0.7 s for a batch of 250. (With no statistics at all, the planner takes `id = ANY` of 250
 * ids for most of the table and may read a new table whole, once per batch, until autovacuum has
 * analyzed it: `id` alone has no unique index to tell it otherwise.) `status IS NOT DISTINCT FROM
 * 'pending'` (the same test, status being NOT NULL) keeps the planner off the partial index of
 * pending deliveries, which during a burst holds the whole backlog while the statistics still say
 * it is nearly empty. An event's payload comes once, on the first of its rows (the others have
 * null): PostgreSQL prints it and the worker parses it once per event, not per endpoint.
 * test/webhooks/claim-plan.test.ts holds it to all that. The probe of a half-open circuit claims
 * with PROBE_CLAIM, the same statement without the circuit test (webhooks.circuit.ts).
 */
const claimStatement = (name: string, endpointOpen: string) => ({
  name,
  text: `WITH claimed AS (
           UPDATE webhook_deliveries d
           SET attempts = $2, claimed_until = $3, queued_at = NULL, updated_at = $4
           WHERE d.id = ANY($1::uuid[]) AND d.attempts = $2 - 1 AND d.status IS NOT DISTINCT FROM 'pending' AND d.next_attempt_at <= $4
             AND (d.claimed_until IS NULL OR d.claimed_until < $4)
             AND (SELECT ${endpointOpen} FROM webhook_endpoints e WHERE e.id = d.endpoint_id) = 'active'
           RETURNING d.id, d.attempts, d.step, d.endpoint_id, d.event_id
         )
         SELECT c.id, c.attempts, c.step, c.endpoint_id, e.url, e.secret, e.previous_secret, e.previous_secret_expires_at,
                e.failing_since, e.circuit_failures, e.circuit_retry_at, c.event_id,
                CASE WHEN row_number() OVER (PARTITION BY c.event_id) = 1 THEN (SELECT ev.payload::text FROM events ev WHERE ev.id = c.event_id) END AS payload
         FROM claimed c
         JOIN webhook_endpoints e ON e.id = c.endpoint_id`,
});
export const CLAIM = claimStatement('wh_claim', 'CASE WHEN e.circuit_retry_at IS NULL THEN e.status END');
const PROBE_CLAIM = claimStatement('wh_claim_probe', 'e.status');

/** The circuit of the endpoint of a job that claimed nothing. */
const ENDPOINT_CIRCUIT = { name: 'wh_endpoint_circuit', text: 'SELECT status, circuit_retry_at FROM webhook_endpoints WHERE id = $1' };
/** A half-open circuit's probe, taken by one job: no other try goes until the probe's claim ends ($2). */
const TAKE_PROBE = {
  name: 'wh_take_probe',
  text: `UPDATE webhook_endpoints SET circuit_retry_at = $2 WHERE id = $1 AND status = 'active' AND circuit_retry_at <= $3 RETURNING id`,
};
/** Tries a job could not send while the circuit is open: back to the sweep, which queues them once it lets them through. */
const RELEASE = {
  name: 'wh_release',
  text: `UPDATE webhook_deliveries SET queued_at = NULL WHERE id = ANY($1::uuid[]) AND status = 'pending' AND queued_at IS NOT NULL`,
};
/** A probe taken with nothing left to send: the next job may probe at once. */
const GIVE_BACK_PROBE = {
  name: 'wh_give_back_probe',
  text: `UPDATE webhook_endpoints SET circuit_retry_at = $2 WHERE id = $1 AND circuit_retry_at = $3`,
};

/**
 * Records the answers of a batch on the delivery rows, each the delivery's latest try, and its new
 * state. The try each row held until now (only retried deliveries have one) moves to
 * webhook_attempts first: both parts read the rows as they were before the statement. A row whose
 * `attempts` moved on (this try's claim lapsed and another worker claimed the next) is left alone;
 * if that happens while this statement runs, its move of the previous try may already be done, and
 * the other worker's record then finds that try logged (ON CONFLICT: each try is logged once).
 * Attempt rows are internal, so their ids are PostgreSQL's random ones. `d.id = ANY($1)` beside
 * the join lets the planner find the deliveries by key rather than join the whole table to the
 * batch (as the claim; claim-plan.test.ts).
 */
export const RECORD = {
  name: 'wh_record',
  text: `WITH r AS (
           SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::timestamptz[], $6::int[], $7::text[], $8::text[], $9::int[], $10::timestamptz[])
             AS r(id, attempt, status, step, next_at, code, err, excerpt, ms, delivered_at)
         ), moved AS (
           INSERT INTO webhook_attempts (tenant_id, id, delivery_id, attempt, attempted_at, status_code, duration_ms, response_excerpt, error)
           SELECT d.tenant_id, gen_random_uuid(), d.id, d.last_attempt, d.last_attempted_at, d.last_status_code, d.last_duration_ms, d.last_response_excerpt, d.last_error
           FROM r JOIN webhook_deliveries d ON d.id = r.id AND d.attempts = r.attempt AND d.id = ANY($1::uuid[])
           WHERE d.last_attempt IS NOT NULL
           ON CONFLICT (tenant_id, delivery_id, attempt) DO NOTHING
         )
         UPDATE webhook_deliveries d
         SET status = r.status, step = r.step, next_attempt_at = r.next_at, claimed_until = NULL, last_attempt = r.attempt,
             last_attempted_at = $11, last_status_code = r.code, last_duration_ms = r.ms, last_response_excerpt = r.excerpt,
             last_error = r.err, delivered_at = r.delivered_at, updated_at = $11
         FROM r WHERE d.id = r.id AND d.attempts = r.attempt AND d.id = ANY($1::uuid[])`,
};

export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed';

const UNREADABLE_EVENT: AttemptResult = { ok: false, statusCode: null, durationMs: 0, responseExcerpt: null, error: 'The event could not be read', retryAfterMs: null };

type Claimed = {
  id: string;
  attempts: number;
  step: number;
  endpoint_id: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  circuit_failures: number;
  circuit_retry_at: Date | null;
  event_id: string;
  /** The event's payload as PostgreSQL prints it, on the first row of each event only (null on the others). */
  payload: string | null;
};

/** A job of tries: up to TRIES_PER_JOB of one endpoint (webhooks.outbox.ts). */
export interface TriesJob {
  tenantId: string;
  endpointId: string;
  tries: { deliveryId: string; attempt: number }[];
}

/**
 * Claims a job's tries, in one statement per try number: a job the relay queued holds first tries
 * only; the sweep's may mix. A job that claims nothing has mostly found its tries taken or done;
 * when its endpoint's circuit is not closed, it takes the probe of a half-open one (its first try
 * still to make) or, while the circuit is open, hands its tries back to the sweep.
 */
async function claimTries(deps: Deps, job: TriesJob, now: Date, until: Date): Promise<{ claimed: Claimed[]; probe: boolean }> {
  const query = <R extends pg.QueryResultRow>(q: { name: string; text: string }, values: unknown[]) =>
    readTenant(deps.db, job.tenantId, () => tdb.$client.query<R>({ ...q, values }));
  const claimed: Claimed[] = [];
  for (const [attempt, list] of groupBy(job.tries, (t) => t.attempt)) {
    claimed.push(...(await query<Claimed>(CLAIM, [column(list, (t) => t.deliveryId), attempt, until, now])).rows);
  }
  if (claimed.length > 0) return { claimed, probe: false };
  const [endpoint] = (await query<{ status: string; circuit_retry_at: Date | null }>(ENDPOINT_CIRCUIT, [job.endpointId])).rows;
  if (endpoint?.status !== 'active' || endpoint.circuit_retry_at === null) return { claimed, probe: false };
  let probe: Claimed[] = [];
  if (endpoint.circuit_retry_at <= now && (await query(TAKE_PROBE, [job.endpointId, until, now])).rowCount === 1) {
    for (const t of job.tries) {
      probe = (await query<Claimed>(PROBE_CLAIM, [column([t], (x) => x.deliveryId), t.attempt, until, now])).rows;
      if (probe.length > 0) break;
    }
    if (probe.length === 0) await query(GIVE_BACK_PROBE, [job.endpointId, now, until]);
  }
  // The rest wait for the circuit (the probe's own claim has cleared its mark).
  await query(RELEASE, [column(job.tries, (t) => t.deliveryId)]);
  return { claimed: probe, probe: probe.length > 0 };
}

/**
 * Makes a job's tries. Each is claimed first (status pending, `attempts` = try - 1, due, not
 * claimed, endpoint active, circuit closed), so a duplicate job, a second worker or a late job
 * does nothing; the claim lasts the timeout and a margin, after which a crashed worker's tries are
 * swept again (a webhook is delivered at least once; receivers deduplicate on webhook-id). The
 * requests go out together; one statement records every answer, and the endpoint's health and
 * circuit follow from them.
 */
export async function attemptDeliveries(deps: Deps, job: TriesJob) {
  const { config, clock } = deps;
  const { tenantId, tries } = job;
  const now = clock.now();
  const claimedUntil = new Date(now.getTime() + config.WEBHOOK_TIMEOUT_MS + CLAIM_MARGIN_MS);
  // One deadline for the whole job, from before its claims: every request ends well inside them.
  const deadline = new Deadline(config.WEBHOOK_TIMEOUT_MS, config.WEBHOOK_TIMEOUT_MS + CLAIM_MARGIN_MS / 2);
  let sent: { d: Claimed; result: AttemptResult; at: Date }[];
  let probe = false;
  try {
    const claim = await claimTries(deps, job, now, claimedUntil);
    const claimed = claim.claimed;
    probe = claim.probe;
    if (claimed.length === 0) return { stale: tries.length, outcomes: [] as AttemptOutcome[] };

    // One event goes to several endpoints: its message is made once (the exact bytes are what is
    // signed), from the payload on the first of its rows.
    const messages = new Map<string, { id: string; body: string }>();
    for (const d of claimed) {
      if (d.payload === null || messages.has(d.event_id)) continue;
      const payload = JSON.parse(d.payload) as { id: string };
      messages.set(d.event_id, { id: String(payload.id), body: JSON.stringify(payload) });
    }
    const sendOptions = { allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK, deadline };
    // Retry-After dates are read against the clock the next try is scheduled by.
    const clockNow = () => clock.now();
    sent = await Promise.all(
      claimed.map((d) => {
        const message = messages.get(d.event_id);
        // Cannot happen (events are kept, and each has a payload); if it did, the try fails and is retried.
        if (!message) return { d, result: UNREADABLE_EVENT, at: clock.now() };
        const expires = d.previous_secret_expires_at ? new Date(d.previous_secret_expires_at) : null;
        const secrets = d.previous_secret && expires && expires > now ? [d.secret, d.previous_secret] : [d.secret];
        const headers = webhookHeaders({ id: message.id, timestamp: unixSeconds(clock.now()), body: message.body }, secrets);
        return postWebhook(d.url, headers, message.body, sendOptions, clockNow).then((result) => ({ d, result, at: clock.now() }));
      }),
    );
  } finally {
    deadline.clear();
  }

  const rows = sent.map(({ d, result, at }) => {
    const gone = result.statusCode === 410;
    const delay = result.ok || gone ? null : nextDelayMs(d.step, result.retryAfterMs);
    // A run has the immediate try and one per RETRY_SCHEDULE_MS entry (a redelivery starts a new run).
    const outcome: AttemptOutcome = result.ok ? 'succeeded' : delay === null ? 'failed' : 'retrying';
    return { d, result, at, gone, outcome, next: outcome === 'retrying' ? new Date(at.getTime() + delay!) : null };
  });
  const disabled = await withTenant(deps.db, tenantId, async (tx) => {
    await tdb.$client.query({
      ...RECORD,
      values: [
        column(rows, (r) => r.d.id),
        column(rows, (r) => r.d.attempts),
        column(rows, (r) => (r.outcome === 'retrying' ? 'pending' : r.outcome)),
        column(rows, (r) => (r.outcome === 'retrying' ? r.d.step + 1 : r.d.step)),
        column(rows, (r) => r.next),
        column(rows, (r) => r.result.statusCode),
        column(rows, (r) => r.result.error),
        column(rows, (r) => r.result.responseExcerpt),
        column(rows, (r) => r.result.durationMs),
        column(rows, (r) => (r.result.ok ? r.at : null)),
        now,
      ],
    });
    // Endpoint health, only where it changes: the circuit (webhooks.circuit.ts); a success clears
    // the failing streak; a failure starts one, or disables the endpoint (410 Gone, or 5 days of failures).
    const reasons: { url: string; reason: string }[] = [];
    for (const [endpointId, list] of groupBy(rows, (r) => r.d.endpoint_id)) {
      const first = list[0]!.d;
      const anyOk = list.some((r) => r.result.ok);
      const lastAt = list[list.length - 1]!.at;
      const before = { failures: first.circuit_failures, open: first.circuit_retry_at !== null };
      const openUntil = await recordCircuit(tdb.$client, endpointId, before, circuitChange(list.map((r) => r.result)), lastAt, probe);
      if (openUntil) deps.log.warn({ tenantId, endpointId, retryAt: openUntil, probe }, 'webhook endpoint failing: its circuit is open, its tries wait for a probe');
      if (anyOk) {
        if (first.failing_since) await tx.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpointId));
        continue;
      }
      const failingSince = first.failing_since ? new Date(first.failing_since) : now;
      const reason = list.some((r) => r.gone)
        ? 'The receiver answered 410 Gone'
        : lastAt.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS
          ? 'Every delivery failed for 5 days'
          : null;
      if (!reason && first.failing_since) continue;
      const changed = await tx
        .update(webhookEndpoints)
        .set(reason ? { status: 'disabled', disabledReason: reason, failingSince, updatedAt: lastAt } : { failingSince })
        .where(and(eq(webhookEndpoints.id, endpointId), ne(webhookEndpoints.status, 'disabled')))
        .returning({ id: webhookEndpoints.id });
      // Only the try that disabled it tells the admins (another may have failed at the same time).
      if (reason && changed.length > 0) reasons.push({ url: first.url, reason });
    }
    return reasons;
  });
  if (deps.log.isLevelEnabled('debug')) for (const r of rows) {
    deps.log.debug(
      { tenantId, deliveryId: r.d.id, endpointId: r.d.endpoint_id, attempt: r.d.attempts, status: r.result.statusCode, outcome: r.outcome, ms: r.result.durationMs, err: r.result.error ?? undefined },
      'webhook attempt',
    );
  }
  for (const r of rows) deps.metrics.webhookAttempts.inc({ outcome: r.outcome });
  const failures = rows.filter((r) => !r.result.ok).length;
  if (failures > 0) deps.log.info({ tenantId, tries: rows.length, failures }, 'webhook attempts failed; retried on the schedule');
  for (const d of disabled) await notifyAdmins(deps, tenantId, d.url, d.reason);
  return { stale: tries.length - sent.length, outcomes: rows.map((r) => r.outcome) };
}

/** Emails the agency's owners and admins that an endpoint was disabled. A mail failure is logged. */
async function notifyAdmins(deps: Deps, tenantId: string, url: string, reason: string) {
  const [agency, admins] = await readTenant(deps.db, tenantId, async (tx) => [
    (await tx.select({ name: tenants.name }).from(tenants))[0],
    await tx
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(and(inArray(users.role, ['owner', 'admin']), eq(users.status, 'active'))),
  ] as const);
  for (const admin of admins) {
    try {
      await deps.mailer.send({
        from: { name: 'Afterview', address: deps.config.MAIL_FROM },
        to: { name: admin.name, address: admin.email },
        subject: `A webhook endpoint of ${agency?.name ?? 'your agency'} was disabled`,
        text: [
          `Hello ${admin.name},`,
          '',
          `We stopped sending events to ${url}.`,
          `Reason: ${reason}.`,
          '',
          'Events are still recorded. Once the receiver works again, resume the endpoint and recover the',
          'failed deliveries (POST /v1/webhook-endpoints/{id}/resume, then /recover with a since time).',
          '',
          'Afterview',
        ].join('\n'),
        messageId: `<wh-disabled-${newId()}@afterview>`,
        date: deps.clock.now(),
      });
    } catch (err) {
      deps.log.warn({ tenantId, err: (err as Error).message }, 'could not email an admin about a disabled endpoint');
    }
  }
}
