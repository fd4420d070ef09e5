import { and, eq, ne } from 'drizzle-orm';
import type pg from 'pg';
import type { Deps } from '../../deps.js';
import { readTenant, tdb, withTenant } from '../../db/client.js';
import { batchColumn as column } from '../../db/arrays.js';
import { webhookEndpoints } from '../../db/schema/index.js';
import { groupBy } from '../../lib/groupBy.js';
import { unixSeconds, webhookHeaders } from '../../lib/webhookSigning.js';
import { Deadline, nextDelayMs, postWebhook, type AttemptResult } from './webhooks.send.js';
import { circuitChange, recordCircuit } from './webhooks.circuit.js';
import { notifyAdmins } from './webhooks.health.js';
import { CLAIM, CLAIM_MARGIN_MS, DISABLE_AFTER_MS, ENDPOINT_CIRCUIT, GIVE_BACK_PROBE, PROBE_CLAIM, RECORD, RELEASE, TAKE_PROBE } from './webhooks.statements.js';

/**
 * The delivery of a batch of tries (docs/webhooks.md): claim them in PostgreSQL, send them
 * together, record every answer in one statement. The relay that makes them and the queue that
 * carries them: webhooks.outbox.ts.
 */

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
