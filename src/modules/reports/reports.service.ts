import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, type Tx } from '../../db/client.js';
import { applicationStages } from '../../db/schema/index.js';
import { atLocal, localDateOf } from '../../core/businessTime.js';
import { AppError } from '../../lib/errors.js';
import type { Actor } from '../../lib/access.js';
import type { reportQuery } from './reports.schemas.js';

// The reports (docs/reports.md). Each is one statement over what the facts' transactions keep
// for it: the promise ledger (employer_promises), the answer times (email_answers), follow_ups
// by their due time, applications with their outcomes; each range is read through an index on
// (tenant_id, <time>). bench/reports.ts prints their plans.

type Query = z.output<typeof reportQuery>;
const DAY_MS = 86_400_000;
const MAX_DAYS = 1096;
/** Follow-up statuses that wait for a recruiter's approval (docs/followups.md#statuses). */
const WAITING_FOR_APPROVAL = '{awaiting_approval}';
const OPEN_STAGES = applicationStages.filter((s) => !['hired', 'rejected', 'withdrawn'].includes(s));

const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const round = (v: unknown, digits: number) => (v === null || v === undefined ? null : Math.round(Number(v) * 10 ** digits) / 10 ** digits);
const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

export interface Period {
  from: string;
  to: string;
  timeZone: string;
  start: Date;
  end: Date;
}

/** The period in the agency's zone: [start of `from`, start of the day after `to`). */
async function period(tx: Tx, q: Query, now: Date): Promise<Period> {
  const res = await tx.execute<{ zone: string }>(sql`SELECT time_zone AS zone FROM tenants WHERE id = current_setting('app.tenant_id')::uuid`);
  const timeZone = res.rows[0]!.zone;
  const to = q.to ?? localDateOf(now, timeZone);
  const from = q.from ?? plusDays(to, -89);
  if (from > to) throw new AppError('validation_failed', 'to is before from', [{ field: 'query.to', message: 'Must be on or after from' }]);
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS >= MAX_DAYS) {
    throw new AppError('validation_failed', `A report covers at most ${MAX_DAYS} days`, [{ field: 'query.from', message: `At most ${MAX_DAYS} days before to` }]);
  }
  return { from, to, timeZone, start: atLocal(from, '00:00', timeZone).at, end: atLocal(plusDays(to, 1), '00:00', timeZone).at };
}

/** `employerId` names the employer itself or its district. */
const employerFilter = (q: Query, alias: SQL) => (q.employerId ? sql`AND (${alias}.id = ${q.employerId}::uuid OR ${alias}.parent_id = ${q.employerId}::uuid)` : sql``);

async function run<T>(deps: Deps, actor: Actor, q: Query, body: (tx: Tx, p: Period) => Promise<T[]>) {
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    const p = await period(tx, q, deps.clock.now());
    return { from: p.from, to: p.to, timeZone: p.timeZone, data: await body(tx, p) };
  });
}

export const employersStatement = (q: Query, p: Period) => sql`
  WITH p AS (
    SELECT coalesce(e.parent_id, e.id) AS family_id, ep.contact_id, ep.status, ep.late_business_days
    FROM employer_promises ep JOIN employers e ON e.id = ep.employer_id
    WHERE ep.given_at >= ${p.start} AND ep.given_at < ${p.end}
      ${employerFilter(q, sql`e`)} ${q.recruiterId ? sql`AND ep.owner_id = ${q.recruiterId}::uuid` : sql``}
  ), a AS (
    SELECT coalesce(e.parent_id, e.id) AS family_id, ea.contact_id, extract(epoch FROM ea.answered_at - ea.sent_at) / 86400.0 AS days
    FROM email_answers ea JOIN employers e ON e.id = ea.employer_id
    ${q.recruiterId ? sql`JOIN applications ap ON ap.id = ea.application_id AND ap.owner_id = ${q.recruiterId}::uuid` : sql``}
    WHERE ea.sent_at >= ${p.start} AND ea.sent_at < ${p.end} ${employerFilter(q, sql`e`)}
  ), r AS (
    SELECT family_id, contact_id, 1 AS promise, status, late_business_days AS late, NULL::float8 AS days FROM p
    UNION ALL
    SELECT family_id, contact_id, 0, NULL, NULL, days FROM a
  ), g AS (
    SELECT family_id, contact_id, GROUPING(contact_id) AS rollup,
           sum(promise)::int AS promised,
           (count(*) FILTER (WHERE status IN ('kept', 'late')))::int AS decided,
           (count(*) FILTER (WHERE status = 'kept'))::int AS kept,
           (count(*) FILTER (WHERE status = 'open'))::int AS open,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY late) FILTER (WHERE status IN ('kept', 'late')) AS median_late,
           count(days)::int AS answered,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days
    FROM r GROUP BY GROUPING SETS ((family_id), (family_id, contact_id))
  )
  SELECT g.*, f.name AS family_name, c.name AS contact_name
  FROM g JOIN employers f ON f.id = g.family_id LEFT JOIN contacts c ON c.id = g.contact_id
  ORDER BY f.name, g.family_id, g.rollup DESC, c.name NULLS LAST, g.contact_id`;

export function employersReport(deps: Deps, actor: Actor, q: Query) {
  return run(deps, actor, q, async (tx, p) => {
    const res = await tx.execute<Record<string, unknown>>(employersStatement(q, p));
    return res.rows.map((r) => ({
      level: num(r.rollup) === 1 ? ('family' as const) : ('contact' as const),
      familyId: r.family_id as string,
      familyName: r.family_name as string,
      contactId: (num(r.rollup) === 1 ? null : r.contact_id) as string | null,
      contactName: (num(r.rollup) === 1 ? null : r.contact_name) as string | null,
      promised: num(r.promised),
      decided: num(r.decided),
      kept: num(r.kept),
      keptShare: ratio(num(r.kept), num(r.decided)),
      medianLateBusinessDays: round(r.median_late, 1),
      open: num(r.open),
      emailsAnswered: num(r.answered),
      medianAnswerDays: round(r.median_days, 1),
    }));
  });
}

export const followUpsStatement = (q: Query, p: Period, now: Date) => sql`
  SELECT f.owner_id, u.name AS recruiter_name, f.kind,
         count(*)::int AS due,
         (count(*) FILTER (WHERE f.status = 'sent'))::int AS sent,
         (count(*) FILTER (WHERE f.status = 'sent' AND f.sent_at <= f.due_at + interval '5 minutes'))::int AS on_time,
         (count(*) FILTER (WHERE f.status IN ('pending', 'queued') AND f.due_at < ${now}))::int AS overdue,
         (count(*) FILTER (WHERE f.status = ANY(${WAITING_FOR_APPROVAL}::text[])))::int AS waiting,
         (count(ea.follow_up_id) FILTER (WHERE f.status = 'sent'))::int AS answered
  FROM follow_ups f
  JOIN users u ON u.id = f.owner_id
  LEFT JOIN email_answers ea ON ea.follow_up_id = f.id
  ${q.employerId ? sql`JOIN applications ap ON ap.id = f.application_id JOIN positions pos ON pos.id = ap.position_id JOIN employers e ON e.id = pos.employer_id` : sql``}
  WHERE f.due_at >= ${p.start} AND f.due_at < ${p.end} AND f.status <> 'cancelled'
    ${q.recruiterId ? sql`AND f.owner_id = ${q.recruiterId}::uuid` : sql``} ${employerFilter(q, sql`e`)}
  GROUP BY f.owner_id, u.name, f.kind
  ORDER BY u.name, f.owner_id, f.kind`;

export function followUpsReport(deps: Deps, actor: Actor, q: Query) {
  const now = deps.clock.now();
  return run(deps, actor, q, async (tx, p) => {
    const res = await tx.execute<Record<string, unknown>>(followUpsStatement(q, p, now));
    return res.rows.map((r) => ({
      recruiterId: r.owner_id as string,
      recruiterName: r.recruiter_name as string,
      kind: r.kind as string,
      due: num(r.due),
      sent: num(r.sent),
      sentOnTime: num(r.on_time),
      onTimeShare: ratio(num(r.on_time), num(r.sent)),
      overdue: num(r.overdue),
      waitingForApproval: num(r.waiting),
      answered: num(r.answered),
      answeredShare: ratio(num(r.answered), num(r.sent)),
    }));
  });
}

/**
 * Applications in the pipeline during the period (put forward before its end, and still open or
 * moved in it), by position: their stage now; and the employer decisions made in the period
 * (application_decisions, kept as each is logged) with the days from the end of the last
 * interview before each to the decision.
 */
export const pipelineStatement = (q: Query, p: Period) => sql`
  WITH apps AS (
    SELECT a.id, a.position_id, a.stage
    FROM applications a JOIN positions pos ON pos.id = a.position_id JOIN employers e ON e.id = pos.employer_id
    WHERE a.created_at < ${p.end}
      AND (a.stage IN (${sql.join(OPEN_STAGES.map((s) => sql`${s}`), sql`, `)}) OR a.stage_changed_at >= ${p.start})
      ${employerFilter(q, sql`e`)} ${q.recruiterId ? sql`AND a.owner_id = ${q.recruiterId}::uuid` : sql``}
  ), s AS (
    SELECT position_id, count(*)::int AS candidates,
           ${sql.join(applicationStages.map((st) => sql`(count(*) FILTER (WHERE stage = ${st}))::int AS ${sql.identifier(`stage_${st}`)}`), sql`, `)}
    FROM apps GROUP BY position_id
  ), t AS (
    SELECT d.position_id, count(*)::int AS decided,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.decided_at - d.interview_ended_at) / 86400.0)
             FILTER (WHERE d.interview_ended_at IS NOT NULL) AS median_days
    FROM application_decisions d
    ${q.employerId ? sql`JOIN positions dp ON dp.id = d.position_id JOIN employers e ON e.id = dp.employer_id` : sql``}
    WHERE d.decided_at >= ${p.start} AND d.decided_at < ${p.end}
      ${employerFilter(q, sql`e`)} ${q.recruiterId ? sql`AND d.owner_id = ${q.recruiterId}::uuid` : sql``}
    GROUP BY d.position_id
  )
  SELECT s.*, coalesce(t.decided, 0) AS decided, t.median_days, pos.title, pos.employer_id, e.name AS employer_name
  FROM s LEFT JOIN t ON t.position_id = s.position_id
  JOIN positions pos ON pos.id = s.position_id JOIN employers e ON e.id = pos.employer_id
  ORDER BY e.name, pos.title, s.position_id`;

export function pipelineReport(deps: Deps, actor: Actor, q: Query) {
  return run(deps, actor, q, async (tx, p) => {
    const res = await tx.execute<Record<string, unknown>>(pipelineStatement(q, p));
    return res.rows.map((r) => ({
      positionId: r.position_id as string,
      positionTitle: r.title as string,
      employerId: r.employer_id as string,
      employerName: r.employer_name as string,
      candidates: num(r.candidates),
      stages: Object.fromEntries(applicationStages.map((st) => [st, num(r[`stage_${st}`])])) as Record<(typeof applicationStages)[number], number>,
      decided: num(r.decided),
      medianDaysToDecision: round(r.median_days, 1),
    }));
  });
}
