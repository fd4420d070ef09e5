import { sql, type SQL } from 'drizzle-orm';
import { applicationStages } from '../src/db/schema/index.js';
import type { Period, Query } from '../src/modules/reports/reports.statements.js';

// The reports' statements as they were before issue 18's speed work (commit 001eabf), for
// bench/reports.ts: each run times them beside today's on the same data, as the baseline, and
// checks that both give the same rows. They aggregate every fact of the period (and, for the
// pipeline, every open application) at each call.

const WAITING_FOR_APPROVAL = '{awaiting_approval}';
const OPEN_STAGES = applicationStages.filter((s) => !['hired', 'rejected', 'withdrawn'].includes(s));
const employerFilter = (q: Query, alias: SQL) => (q.employerId ? sql`AND (${alias}.id = ${q.employerId}::uuid OR ${alias}.parent_id = ${q.employerId}::uuid)` : sql``);

export const employersBefore = (q: Query, p: Period) => sql`
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

export const followUpsBefore = (q: Query, p: Period, now: Date) => sql`
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

export const pipelineBefore = (q: Query, p: Period) => sql`
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
