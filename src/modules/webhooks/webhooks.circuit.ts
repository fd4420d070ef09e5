import type pg from 'pg';
import type { AttemptResult } from './webhooks.send.js';

/**
 * Each endpoint's circuit breaker (docs/webhooks.md#fairness-and-the-circuit-breaker), kept on its
 * row so that every worker process sees the same one:
 *
 * - **closed** (`circuit_retry_at` null): tries go out; failed tries in a row are counted.
 * - **open**: after CIRCUIT_THRESHOLD failed tries in a row, no try of the endpoint is claimed or
 *   queued until `circuit_retry_at`: 30 s after it opened, twice as long after each failed probe, at
 *   most 10 minutes. Due tries wait, as a paused endpoint's do; their own schedules do not move.
 * - **half-open** (`circuit_retry_at` passed): the first job that finds it so takes the probe, one
 *   try, and pushes `circuit_retry_at` to that try's claim, so no other try goes meanwhile. An answer
 *   closes the circuit and what waited goes out; a failure opens it again, for twice as long.
 *
 * A failure here is no answer (timeout, refused, reset, unresolvable), a 5xx or a 429: the receiver
 * is down or drowning. Any other answer, a 4xx too, shows it up and ends the streak.
 */
export const CIRCUIT_THRESHOLD = 10;
export const CIRCUIT_BASE_MS = 30_000;
export const CIRCUIT_MAX_MS = 600_000;

export const breakerFailure = (r: AttemptResult) => !r.ok && (r.statusCode === null || r.statusCode >= 500 || r.statusCode === 429);

/** The circuit as the API shows it, from the endpoint row. */
export function circuitOf(e: { circuitFailures: number; circuitOpenedAt: Date | null; circuitRetryAt: Date | null }, now: Date) {
  return {
    state: e.circuitRetryAt === null ? ('closed' as const) : e.circuitRetryAt > now ? ('open' as const) : ('half_open' as const),
    consecutiveFailures: e.circuitFailures,
    openedAt: e.circuitOpenedAt,
    retryAt: e.circuitRetryAt,
  };
}

/**
 * Failed tries in a row ($2) at $3: counted; the circuit opens when they reach the threshold ($4),
 * and a failed probe ($5) opens it again. Every right-hand side reads the row as it was, so the
 * wait is the base ($6) doubled once per opening before this one, at most $7.
 */
const FAILED = {
  name: 'wh_circuit_failed',
  text: `UPDATE webhook_endpoints SET
           circuit_failures = circuit_failures + $2,
           circuit_opens = CASE WHEN (circuit_retry_at IS NULL AND circuit_failures + $2 >= $4) OR $5 THEN circuit_opens + 1 ELSE circuit_opens END,
           circuit_opened_at = CASE WHEN circuit_retry_at IS NULL AND circuit_failures + $2 >= $4 THEN $3 ELSE circuit_opened_at END,
           circuit_retry_at = CASE WHEN (circuit_retry_at IS NULL AND circuit_failures + $2 >= $4) OR $5
                              THEN $3 + make_interval(secs => LEAST($7::float8, $6::float8 * power(2, circuit_opens)) / 1000)
                              ELSE circuit_retry_at END
         WHERE id = $1
         RETURNING circuit_failures, circuit_retry_at, (circuit_retry_at IS NOT NULL AND (circuit_opened_at = $3 OR $5)) AS opened`,
};

/** The receiver answered: the streak ends and the circuit closes. */
const ANSWERED = {
  name: 'wh_circuit_answered',
  text: `UPDATE webhook_endpoints SET circuit_failures = 0, circuit_opened_at = NULL, circuit_retry_at = NULL, circuit_opens = 0
         WHERE id = $1 AND (circuit_failures <> 0 OR circuit_retry_at IS NOT NULL)
         RETURNING id`,
};

/** What a batch's answers, in the order they came, tell the endpoint's circuit. */
export function circuitChange(results: readonly AttemptResult[]) {
  let answered = false;
  let trailing = 0;
  for (const r of results) {
    if (breakerFailure(r)) trailing++;
    else {
      answered = true;
      trailing = 0;
    }
  }
  return { answered, failures: trailing };
}

/**
 * Records a batch's answers on its endpoint's circuit, in the caller's transaction; writes only
 * when something changes (`before` is the circuit as the claim read it). Returns the new retry time
 * when the batch opened the circuit (or a failed probe kept it open), else null.
 */
export async function recordCircuit(
  client: Pick<pg.ClientBase, 'query'>,
  endpointId: string,
  before: { failures: number; open: boolean },
  change: { answered: boolean; failures: number },
  at: Date,
  probe: boolean,
): Promise<Date | null> {
  if (change.answered && (before.failures > 0 || before.open)) await client.query({ ...ANSWERED, values: [endpointId] });
  if (change.failures === 0) return null;
  const res = await client.query<{ circuit_retry_at: Date | null; opened: boolean }>({
    ...FAILED,
    values: [endpointId, change.failures, at, CIRCUIT_THRESHOLD, probe, CIRCUIT_BASE_MS, CIRCUIT_MAX_MS],
  });
  const row = res.rows[0];
  return row?.opened ? row.circuit_retry_at : null;
}
