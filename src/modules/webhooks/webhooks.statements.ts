// The statements of a job of tries (webhooks.delivery.ts), named: PostgreSQL parses and plans each
// once per connection. Their plans are checked under stale and missing statistics in
// test/webhooks/claim-plan.test.ts.

/** Five days of failures in a row disable an endpoint. */
export const DISABLE_AFTER_MS = 5 * 86_400_000;

/** A claim lasts the timeout and this much more: the time a try may wait for a connection, and its record. */
export const CLAIM_MARGIN_MS = 30_000;

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
export const PROBE_CLAIM = claimStatement('wh_claim_probe', 'e.status');

/** The circuit of the endpoint of a job that claimed nothing. */
export const ENDPOINT_CIRCUIT = { name: 'wh_endpoint_circuit', text: 'SELECT status, circuit_retry_at FROM webhook_endpoints WHERE id = $1' };
/** A half-open circuit's probe, taken by one job: no other try goes until the probe's claim ends ($2). */
export const TAKE_PROBE = {
  name: 'wh_take_probe',
  text: `UPDATE webhook_endpoints SET circuit_retry_at = $2 WHERE id = $1 AND status = 'active' AND circuit_retry_at <= $3 RETURNING id`,
};
/** Tries a job could not send while the circuit is open: back to the sweep, which queues them once it lets them through. */
export const RELEASE = {
  name: 'wh_release',
  text: `UPDATE webhook_deliveries SET queued_at = NULL WHERE id = ANY($1::uuid[]) AND status = 'pending' AND queued_at IS NOT NULL`,
};
/** A probe taken with nothing left to send: the next job may probe at once. */
export const GIVE_BACK_PROBE = {
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
