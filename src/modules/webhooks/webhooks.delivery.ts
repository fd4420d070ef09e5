import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, tdb, withTenant } from '../../db/client.js';
import { arrayLiteral, pgArray } from '../../db/arrays.js';
import { tenants, users, webhookDeliveries, webhookEndpoints } from '../../db/schema.js';
import { groupBy } from '../../lib/groupBy.js';
import { newId } from '../../lib/ids.js';
import { unixSeconds, webhookHeaders } from '../../lib/webhookSigning.js';
import { Deadline, nextDelayMs, postWebhook, type AttemptResult } from './webhooks.send.js';

/**
 * The outbox relay and the delivery of one attempt (docs/webhooks.md). PostgreSQL is the truth:
 * events become delivery rows in the transaction that marks them published; a BullMQ job per try
 * (`wh-<delivery>-<try>`) only carries the work, and a sweep re-adds any job Redis lost.
 */

/** Events relayed per tenant transaction. */
const RELAY_BATCH = 200;
/** Agencies looked at per relay pass. */
const TENANTS_PER_PASS = 50;
/** Events marked published per statement for an agency without endpoints. */
const NO_ENDPOINT_BATCH = 5000;
/** A job handed to Redis this long ago whose try has not started is presumed lost and re-added. */
export const REQUEUE_AFTER_MS = 60_000;
/** Five days of failures in a row disable an endpoint. */
export const DISABLE_AFTER_MS = 5 * 86_400_000;

/** A claim lasts the timeout and this much more: the time a try may wait for a connection, and its record. */
const CLAIM_MARGIN_MS = 30_000;
/**
 * BullMQ neither retries a job of tries nor keeps it once done: the tries live in PostgreSQL, and
 * the sweep queues them again under the same job id, which BullMQ would ignore while a failed job
 * of that id is kept (a failed claim would have held its tries back for as long).
 */
export const ATTEMPT_JOB_OPTIONS = { attempts: 1, removeOnComplete: true, removeOnFail: true } as const;
/** A job of tries is named after its first one: `wh-<delivery>-<try>`. */
export const attemptJobId = (deliveryId: string, attempt: number) => `wh-${deliveryId}-${attempt}`;

export interface QueuedAttempt {
  tenantId: string;
  deliveryId: string;
  attempt: number;
}

const matches = (types: readonly string[], type: string) => types.includes('*') || types.includes(type);

// The statements of every batch, named: PostgreSQL parses and plans each once per connection (a
// fresh plan of the claim took 1.3 ms, more than its execution). Arrays are one parameter each.

/** The deliveries of relayed events, written already queued. */
const RELAY_INSERT = {
  name: 'wh_relay_insert',
  text: `INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, next_attempt_at, queued_at, created_at, updated_at)
         SELECT $1, r.id, r.endpoint_id, r.event_id, r.event_type, $6, $6, $6, $6
         FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[]) AS r(id, endpoint_id, event_id, event_type)
         ON CONFLICT DO NOTHING
         RETURNING id, endpoint_id`,
};

/**
 * Claims tries number $2 (pending, `attempts` = $2 - 1, due, not claimed, endpoint active) of the
 * deliveries $1 until $3, $4 being now, and reads what sending them needs. Written so that no
 * statistics, stale or missing, can make it read the table once per try: the deliveries are
 * matched by key (`id = ANY`, no join for the planner to turn around) and the endpoint's status
 * and the event's payload are read per row by subqueries. Joined to an `unnest` of the tries
 * instead, a table never analyzed (a new install's first burst) was scanned once per try: 0.7 s
 * for a batch of 250. (With no statistics at all, the planner takes `id = ANY` of 250 ids for most
 * of the table and may read a new table whole, once per batch, until autovacuum has analyzed it:
 * `id` alone has no unique index to tell it otherwise.) `status IS NOT DISTINCT FROM 'pending'`
 * (the same test, status being NOT NULL) keeps the planner off the partial index of pending
 * deliveries, which during a burst holds the whole backlog while the statistics still say it is
 * nearly empty. An event's payload comes once, on the first of its rows (the others have null):
 * PostgreSQL prints it and the worker parses it once per event, not per endpoint.
 * test/webhooks/claim-plan.test.ts holds it to all that.
 */
export const CLAIM = {
  name: 'wh_claim',
  text: `WITH claimed AS (
           UPDATE webhook_deliveries d
           SET attempts = $2, claimed_until = $3, queued_at = NULL, updated_at = $4
           WHERE d.id = ANY($1::uuid[]) AND d.attempts = $2 - 1 AND d.status IS NOT DISTINCT FROM 'pending' AND d.next_attempt_at <= $4
             AND (d.claimed_until IS NULL OR d.claimed_until < $4)
             AND (SELECT e.status FROM webhook_endpoints e WHERE e.id = d.endpoint_id) = 'active'
           RETURNING d.id, d.attempts, d.step, d.endpoint_id, d.event_id
         )
         SELECT c.id, c.attempts, c.step, c.endpoint_id, e.url, e.secret, e.previous_secret, e.previous_secret_expires_at,
                e.failing_since, c.event_id,
                CASE WHEN row_number() OVER (PARTITION BY c.event_id) = 1 THEN (SELECT ev.payload::text FROM events ev WHERE ev.id = c.event_id) END AS payload
         FROM claimed c
         JOIN webhook_endpoints e ON e.id = c.endpoint_id`,
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

/** An agency without active or paused endpoints: its events are only marked published, $2 at a time. */
const RELAY_SKIP = {
  name: 'wh_relay_skip',
  text: `UPDATE events SET published_at = $1
         WHERE id IN (SELECT id FROM events WHERE published_at IS NULL LIMIT $2)
           AND NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE status <> 'disabled')`,
};

/** The oldest unpublished events, locked; another relay skips them. */
const RELAY_EVENTS = {
  name: 'wh_relay_events',
  text: `SELECT id, type FROM events WHERE published_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
};

const RELAY_ENDPOINTS = {
  name: 'wh_relay_endpoints',
  text: `SELECT id, event_types, status FROM webhook_endpoints WHERE status <> 'disabled'`,
};

const RELAY_PUBLISHED = {
  name: 'wh_relay_published',
  text: `UPDATE events SET published_at = $1 WHERE id = ANY($2::uuid[])`,
};

/**
 * Relays one batch of a tenant's unpublished events, oldest first: a delivery row per subscribed,
 * not disabled endpoint, and `published_at` set, in one transaction. `SKIP LOCKED` lets several
 * relays run at once, each event taken by one. Returns the tries to enqueue (active endpoints).
 */
export async function relayTenantBatch(
  deps: Deps,
  tenantId: string,
): Promise<{ events: number; full: boolean; attempts: QueuedAttempt[] }> {
  const now = deps.clock.now();
  // An agency without endpoints: its events are only marked published, many at once. One
  // statement, so the endpoints it sees and the events it marks come from the same snapshot.
  const skipped = await readTenant(deps.db, tenantId, () => tdb.$client.query({ ...RELAY_SKIP, values: [now, NO_ENDPOINT_BATCH] }));
  if ((skipped.rowCount ?? 0) > 0) return { events: skipped.rowCount ?? 0, full: skipped.rowCount === NO_ENDPOINT_BATCH, attempts: [] };
  return withTenant(deps.db, tenantId, async () => {
    const batch = (await tdb.$client.query<{ id: string; type: string }>({ ...RELAY_EVENTS, values: [RELAY_BATCH] })).rows;
    if (batch.length === 0) return { events: 0, full: false, attempts: [] };
    const endpoints = (await tdb.$client.query<{ id: string; event_types: string[]; status: string }>(RELAY_ENDPOINTS)).rows;
    const rows = batch.flatMap((e) => endpoints.filter((ep) => matches(ep.event_types, e.type)).map((ep) => ({ id: newId(), endpointId: ep.id, eventId: e.id, eventType: e.type })));
    const created =
      rows.length === 0
        ? []
        : (
            await tdb.$client.query<{ id: string; endpoint_id: string }>({
              ...RELAY_INSERT,
              values: [tenantId, column(rows, (r) => r.id), column(rows, (r) => r.endpointId), column(rows, (r) => r.eventId), column(rows, (r) => r.eventType), now],
            })
          ).rows.map((r) => ({ id: r.id, endpointId: r.endpoint_id }));
    await tdb.$client.query({ ...RELAY_PUBLISHED, values: [now, batch.map((e) => e.id)] });
    const active = new Set(endpoints.filter((ep) => ep.status === 'active').map((ep) => ep.id));
    return {
      events: batch.length,
      full: batch.length === RELAY_BATCH,
      attempts: created.filter((d) => active.has(d.endpointId)).map((d) => ({ tenantId, deliveryId: d.id, attempt: 1 })),
    };
  });
}

/** One column of a batch as an array literal, the parameter of an `unnest($n::type[])`. */
const column = <T>(rows: readonly T[], value: (row: T) => unknown) => arrayLiteral(rows.map(value));

/**
 * Tries handed to one job: one claim and one record statement for all of them. With
 * WEBHOOK_JOBS_AT_ONCE jobs per worker, 1,000 tries are in flight; fewer, larger jobs than 10 of
 * 100 cost less per try (BullMQ's and the statements' work per job is fixed; docs/performance.md).
 */
export const TRIES_PER_JOB = 250;
export const WEBHOOK_JOBS_AT_ONCE = 4;

/**
 * Hands tries to Redis, in jobs of up to TRIES_PER_JOB of one tenant. `queued_at` is noted first,
 * so a job that starts at once (its claim clears it) is never followed by a stale mark; if Redis
 * refuses, the mark is taken back so the next sweep queues them (or, if that fails too, the sweep
 * re-queues them after REQUEUE_AFTER_MS).
 */
export async function enqueueAttempts(deps: Deps, attempts: QueuedAttempt[], opts: { marked?: boolean } = {}): Promise<number> {
  if (attempts.length === 0) return 0;
  const byTenant = groupBy(attempts, (a) => a.tenantId);
  const mark = async (at: Date | null) => {
    for (const [tenantId, list] of byTenant) {
      const ids = list.map((a) => a.deliveryId);
      await readTenant(deps.db, tenantId, (tx) =>
        tx.update(webhookDeliveries).set({ queuedAt: at }).where(and(sql`${webhookDeliveries.id} = ANY(${pgArray(ids, 'uuid')})`, eq(webhookDeliveries.status, 'pending'))),
      );
    }
  };
  const jobs = [...byTenant].flatMap(([tenantId, list]) =>
    Array.from({ length: Math.ceil(list.length / TRIES_PER_JOB) }, (_, i) => {
      const tries = list.slice(i * TRIES_PER_JOB, (i + 1) * TRIES_PER_JOB).map((a) => ({ deliveryId: a.deliveryId, attempt: a.attempt }));
      return {
        name: 'webhooks.attempt',
        data: { tenantId, tries },
        // The id names the first try: the same batch queued twice is one job; any other overlap is
        // harmless, the claim lets each try run once.
        opts: { jobId: attemptJobId(tries[0]!.deliveryId, tries[0]!.attempt), ...ATTEMPT_JOB_OPTIONS },
      };
    }),
  );
  // The relay writes new deliveries already marked (one statement fewer per batch).
  if (!opts.marked) await mark(deps.clock.now());
  try {
    await deps.queues.get('webhooks').addBulk(jobs);
  } catch (err) {
    await mark(null).catch(() => undefined);
    throw err;
  }
  return attempts.length;
}

/** Relays every tenant's pending events, batch after batch, until none is left. */
export async function relayEvents(deps: Deps): Promise<number> {
  let relayed = 0;
  for (;;) {
    const res = await deps.db.pool.query<{ id: string }>('SELECT app_private.tenants_with_unpublished_events($1) AS id', [TENANTS_PER_PASS]);
    if (res.rows.length === 0) return relayed;
    let backlog = res.rows.length === TENANTS_PER_PASS;
    for (const { id } of res.rows) {
      const batch = await relayTenantBatch(deps, id);
      relayed += batch.events;
      backlog ||= batch.full;
      await enqueueAttempts(deps, batch.attempts, { marked: true }).catch((err: Error) =>
        deps.log.warn({ err: err.message, tenantId: id }, 'webhook attempts not queued: the sweep will queue them'),
      );
    }
    // Caught up: what commits from now on wakes the relay again (NOTIFY, or the next poll). Looping
    // on while events trickle in would keep the relay querying back to back (the follow-up
    // pipeline lost a fifth of its rate to that).
    if (!backlog) return relayed;
  }
}

/** Queues every try that is due, not started and not queued (or queued and lost), across tenants. */
export async function sweepDeliveries(deps: Deps, limit = 1000): Promise<number> {
  const now = deps.clock.now();
  const res = await deps.db.pool.query<{ tenant_id: string; id: string; attempts: number }>(
    'SELECT tenant_id, id, attempts FROM app_private.due_webhook_deliveries($1, $2, $3)',
    [now, new Date(now.getTime() - REQUEUE_AFTER_MS), limit],
  );
  return enqueueAttempts(
    deps,
    res.rows.map((r) => ({ tenantId: r.tenant_id, deliveryId: r.id, attempt: r.attempts + 1 })),
  );
}

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
  event_id: string;
  /** The event's payload as PostgreSQL prints it, on the first row of each event only (null on the others). */
  payload: string | null;
};

/**
 * Makes a batch of tries of one tenant. Each is claimed first, in one statement per try number
 * (status pending, `attempts` = try - 1, due, not claimed, endpoint active), so a duplicate job, a
 * second worker or a late job does nothing; the claim lasts the timeout and a margin, after which
 * a crashed worker's tries are swept again. The requests go out together; one statement records
 * every answer.
 */
export async function attemptDeliveries(deps: Deps, tenantId: string, tries: { deliveryId: string; attempt: number }[]) {
  const { config, clock } = deps;
  const now = clock.now();
  const claimedUntil = new Date(now.getTime() + config.WEBHOOK_TIMEOUT_MS + CLAIM_MARGIN_MS);
  // One deadline for the whole job, from before its claims: every request ends well inside them.
  const deadline = new Deadline(config.WEBHOOK_TIMEOUT_MS, config.WEBHOOK_TIMEOUT_MS + CLAIM_MARGIN_MS / 2);
  let sent: { d: Claimed; result: AttemptResult; at: Date }[];
  try {
    // One claim per try number: a job the relay queued holds first tries only; the sweep's may mix.
    const claimed: Claimed[] = [];
    for (const [attempt, list] of groupBy(tries, (t) => t.attempt)) {
      const res = await readTenant(deps.db, tenantId, () =>
        tdb.$client.query<Claimed>({ ...CLAIM, values: [column(list, (t) => t.deliveryId), attempt, claimedUntil, now] }),
      );
      claimed.push(...res.rows);
    }
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
    // Endpoint health, only where it changes: a success clears the failing streak; a failure
    // starts one, or disables the endpoint (410 Gone, or 5 days of failures).
    const reasons: { url: string; reason: string }[] = [];
    for (const [endpointId, list] of groupBy(rows, (r) => r.d.endpoint_id)) {
      const first = list[0]!.d;
      const anyOk = list.some((r) => r.result.ok);
      const lastAt = list[list.length - 1]!.at;
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
