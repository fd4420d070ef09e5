import { and, asc, eq, gt, inArray, isNull, lt, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { allTenantIds, readTenant } from '../../db/client.js';
import { employerReplies, followUps } from '../../db/schema/index.js';
import { defineJob, enqueueFair, enqueueRequests, smtpRetries, type JobDefinition, type JobRequest } from '../../jobs/define.js';
import { deliverFollowUp } from './followups.delivery.js';
import { markUncertainSends } from './followups.uncertain.js';
import { followUpKinds, type FollowUpKind } from '../../core/followups/types.js';

/** Enqueued this far ahead of the due time, so the delayed job is in Redis before it is due. */
export const RECONCILE_LOOKAHEAD_MS = 2 * 60_000;
/**
 * Older than this, a pending follow-up is not sent by the worker: a thank-you days late (the worker
 * was down) is the recruiter's call. It stays pending and overdue in their list.
 */
export const RECONCILE_LATE_LIMIT_MS = 3 * 86_400_000;

export const deliverJobId = (followUpId: string, version: number) => `fu-${followUpId}-v${version}`;

/**
 * `kind` tells the worker whether the email may be combined with others to its contact (a job
 * without it, added by an older release, is treated as if it might be).
 */
export const deliverPayload = z.object({ tenantId: z.uuid(), followUpId: z.uuid(), version: z.number().int().min(1), kind: z.enum(followUpKinds).optional() });

/** Sends one follow-up at its due time: `fu-<id>-v<version>`, a delayed job; stale versions no-op. */
export const deliverFollowUpJob: JobDefinition<typeof deliverPayload> = defineJob({
  name: 'followups.deliver',
  queue: 'followups',
  payload: deliverPayload,
  options: smtpRetries,
  handler: () => import('./followups.deliverJob.js').then((m) => m.deliverHandler),
});

type Deliverable = { tenantId: string; id: string; version: number; dueAt: Date; undoSeconds: number; kind: FollowUpKind };

/** The job fires when the email leaves: its due time plus its undo window. */
const deliverJob = (now: number, f: Deliverable) => ({
  payload: { tenantId: f.tenantId, followUpId: f.id, version: f.version, kind: f.kind },
  opts: { jobId: deliverJobId(f.id, f.version), delay: Math.max(0, f.dueAt.getTime() + f.undoSeconds * 1000 - now) },
});

/** Adds the delayed deliver job of one follow-up version; the same id twice is one job. */
export async function enqueueDelivery(deps: Pick<Deps, 'queues' | 'clock' | 'redis'>, f: Deliverable) {
  await enqueueDeliveries(deps, [f]);
}

/**
 * The same for many, in batches of 500 (two Redis round trips each: the agencies' turns, then the
 * jobs). Each job's priority is its place among its agency's waiting ones (src/jobs/fairness.ts),
 * so one agency's 10,000 due at once do not hold back another's thank-you.
 */
export async function enqueueDeliveries(deps: Pick<Deps, 'queues' | 'clock' | 'redis'>, rows: readonly Deliverable[]) {
  for (let i = 0; i < rows.length; i += 500) {
    // A delay counts from when its job is added: the clock is read again for every batch.
    const now = deps.clock.now().getTime();
    await enqueueFair(deps, deliverFollowUpJob, rows.slice(i, i + 500).map((f) => deliverJob(now, f)));
  }
}

/**
 * The deliver jobs of the email follow-ups among `rows` that are due now or within the sweep's
 * lookahead, for the unit of work to enqueue as it commits (`work.afterCommit`, or `afterCommit`
 * from src/db/client.ts), so they do not wait for the next sweep. Best effort: with Redis down
 * the add fails and the sweep, which finds the same rows, enqueues them instead.
 */
export function deliveriesDueSoon(
  rows: readonly (Deliverable & { channel: string; status: string })[],
  now: Date,
): JobRequest<typeof deliverPayload>[] {
  const at = now.getTime();
  return rows
    .filter((r) => r.channel === 'email' && r.status === 'pending' && r.dueAt.getTime() <= at + RECONCILE_LOOKAHEAD_MS && r.dueAt.getTime() > at - RECONCILE_LATE_LIMIT_MS)
    .map((f) => ({ def: deliverFollowUpJob, ...deliverJob(at, f) }));
}

export const replanJobId = (replyId: string) => `replan-${replyId}`;
export const replanPayload = z.object({ tenantId: z.uuid(), replyId: z.uuid() });

/**
 * Re-plans the application's follow-ups from a reply recorded without re-planning (a response
 * link's answer, docs/response-links.md): `replan-<replyId>`, enqueued after the reply's commit.
 * Idempotent: a reply already re-planned (`replanned_at` set) does nothing. A failed job is not
 * kept, so the sweep can add it again under the same id.
 */
export const replanAfterReplyJob: JobDefinition<typeof replanPayload> = defineJob({
  name: 'followups.replan',
  queue: 'followups',
  payload: replanPayload,
  options: { removeOnFail: true },
  handler: () => import('./followups.replanJob.js').then((m) => m.replanHandler),
});

export const replanRequest = (tenantId: string, replyId: string): JobRequest<typeof replanPayload> => ({
  def: replanAfterReplyJob,
  payload: { tenantId, replyId },
  opts: { jobId: replanJobId(replyId) },
});

/** A reply still not re-planned this long after it was recorded lost its job (Redis flushed or down at its commit). */
export const REPLAN_GRACE_MS = 60_000;

/**
 * Enqueues again the re-plan job of each reply of the agency left without it past the grace time
 * (500 at a time, oldest first). Like a follow-up, a reply older than the late limit (3 days: the
 * worker was down that long) is left: the next change to its interview re-plans it anyway.
 */
async function enqueueLostReplans(deps: Deps, tenantId: string): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - REPLAN_GRACE_MS);
  const since = new Date(deps.clock.now().getTime() - RECONCILE_LATE_LIMIT_MS);
  const lost = await readTenant(deps.db, tenantId, (tx) =>
    tx
      .select({ id: employerReplies.id })
      .from(employerReplies)
      .where(and(eq(employerReplies.tenantId, tenantId), isNull(employerReplies.replannedAt), lt(employerReplies.createdAt, before), gt(employerReplies.createdAt, since)))
      .orderBy(asc(employerReplies.createdAt))
      .limit(500),
  );
  if (lost.length > 0) await enqueueRequests(deps, lost.map((r) => replanRequest(tenantId, r.id)));
  return lost.length;
}

const reconcilePayload = z.object({ tenantId: z.uuid().optional() });

/**
 * The email follow-ups of each agency (or one) that are pending and due by `until`, and not past
 * the late limit; `untried`: only those no attempt was made for yet.
 */
async function* pendingDue(deps: Deps, opts: { tenantId?: string | undefined; until: Date; untried?: boolean }) {
  const since = new Date(deps.clock.now().getTime() - RECONCILE_LATE_LIMIT_MS);
  const tenantIds = opts.tenantId ? [opts.tenantId] : await allTenantIds(deps.db);
  for (const tenantId of tenantIds) {
    const due = await readTenant(deps.db, tenantId, (tx) =>
      tx
        .select({ tenantId: followUps.tenantId, id: followUps.id, version: followUps.version, dueAt: followUps.dueAt, undoSeconds: followUps.undoSeconds, kind: followUps.kind })
        .from(followUps)
        .where(
          and(
            eq(followUps.tenantId, tenantId),
            eq(followUps.status, 'pending'),
            inArray(followUps.channel, ['email']),
            lte(followUps.dueAt, opts.until),
            gt(followUps.dueAt, since),
            opts.untried ? eq(followUps.attempts, 0) : undefined,
          ),
        )
        // Due order, so an agency's earlier emails take its earlier turns.
        .orderBy(asc(followUps.dueAt), asc(followUps.id)),
    );
    yield { tenantId, due };
  }
}

/**
 * Finds, tenant by tenant, the email follow-ups pending and due (or due within the lookahead) and
 * enqueues their deliver job. Redis may have lost them (flush, failover) or never had them: this is
 * how every follow-up reaches the queue, and a job id already there makes the add a no-op. It also
 * turns sends whose claim ran out (their worker died) into `uncertain` ones, and enqueues again the
 * re-plan of replies whose job was lost.
 */
export async function reconcileFollowUps(deps: Deps, opts: { tenantId?: string | undefined } = {}) {
  let enqueued = 0;
  let uncertain = 0;
  let replans = 0;
  for await (const { tenantId, due } of pendingDue(deps, { tenantId: opts.tenantId, until: new Date(deps.clock.now().getTime() + RECONCILE_LOOKAHEAD_MS) })) {
    await enqueueDeliveries(deps, due);
    enqueued += due.length;
    uncertain += await markUncertainSends(deps, tenantId);
    replans += await enqueueLostReplans(deps, tenantId);
  }
  if (enqueued > 0) deps.log.info({ enqueued }, 'follow-ups enqueued for delivery');
  if (replans > 0) deps.log.info({ replans }, 're-plans enqueued again for replies that lost their job');
  return { enqueued, uncertain, replans };
}

/** Sends at once, as the deliver jobs would (10 at a time, as a worker runs them). */
const DIRECT_AT_ONCE = 10;

/**
 * While Redis is down no deliver job can run, so the worker sends what is due straight from
 * PostgreSQL (src/jobs/keeper.ts calls this each check). The claim in PostgreSQL is what makes a
 * send happen once, whoever triggers it: a job Redis still holds, another worker doing the same,
 * or this. Only first tries: a follow-up whose send failed for now waits for its retry, which
 * Redis carries (or, if Redis lost it, the sweep re-adds once Redis is back). `stop`: the worker
 * is shutting down; what is left waits for the next worker.
 */
export async function sendDueWithoutQueue(deps: Deps, opts: { stop?: () => boolean } = {}): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for await (const { due: dueNow } of pendingDue(deps, { until: deps.clock.now(), untried: true })) {
    // Only those whose undo window is over: the others wait for the next check.
    const at = deps.clock.now().getTime();
    const due = dueNow.filter((f) => f.dueAt.getTime() + f.undoSeconds * 1000 <= at);
    for (let i = 0; i < due.length && !opts.stop?.(); i += DIRECT_AT_ONCE) {
      const results = await Promise.allSettled(
        due
          .slice(i, i + DIRECT_AT_ONCE)
          .map((f) => deliverFollowUp(deps, { tenantId: f.tenantId, followUpId: f.id, version: f.version, kind: f.kind }, { number: 1, of: smtpRetries.attempts! })),
      );
      for (const r of results) {
        if (r.status === 'rejected') failed++;
        else if (r.value.outcome === 'sent') sent++;
      }
    }
  }
  if (sent + failed > 0) deps.log.info({ sent, failed }, 'follow-ups sent without Redis');
  return { sent, failed };
}

/**
 * Every minute: the PostgreSQL sweep that feeds the deliver jobs. It runs on the maintenance queue
 * with the other schedules, so a backlog of deliveries never delays the sweep.
 */
export const reconcileFollowUpsJob = defineJob({
  name: 'followups.reconcile',
  queue: 'maintenance',
  payload: reconcilePayload,
  options: { attempts: 1 },
  schedule: { id: 'followups-reconcile', every: 60_000, data: {} },
  handler: async () => reconcileFollowUps,
});
