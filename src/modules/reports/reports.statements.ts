import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { applicationStages } from '../../db/schema/index.js';
import type { reportQuery } from './reports.schemas.js';

// The reports' statements (docs/reports.md#speed; bench/reports.ts prints their plans at 300,000
// interviews). Each reads little: the facts through indexes that hold every column it needs
// (index-only), or a summary the facts' triggers keep (drizzle 0042) for whole days and the facts
// for the partial ones. Medians are exact: percentile_cont's own arithmetic (lo + (hi - lo) * 0.5,
// in float8) over the one or two middle values, found by their rank instead of a sort per group.

export type Query = z.output<typeof reportQuery>;

export interface Period {
  from: string;
  to: string;
  timeZone: string;
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;
/** Application stages that close it; every other stage is open (position_open_counts counts those). */
const CLOSED = sql`('hired', 'rejected', 'withdrawn')`;
/**
 * Follow-up statuses that wait for a recruiter's approval (docs/followups.md#statuses): the
 * `awaiting_approval` column of follow_up_day_counts. Another status here needs it there too.
 */
const WAITING_FOR_APPROVAL = 'awaiting_approval';

/** `employerId` names the employer itself or its district. */
const employerFilter = (q: Query, alias: SQL) => (q.employerId ? sql`AND (${alias}.id = ${q.employerId}::uuid OR ${alias}.parent_id = ${q.employerId}::uuid)` : sql``);
const ownerFilter = (q: Query, column: SQL) => (q.recruiterId ? sql`AND ${column} = ${q.recruiterId}::uuid` : sql``);

/**
 * Per family (the district, or a stand-alone employer) and contact: the promises given in the
 * period, counted per status and days late before anything is joined (a few thousand rows out of
 * tens of thousands), the median days late from those counts; the answers' median days with
 * percentile_cont. promises_given_idx and email_answers_sent_idx hold every column read.
 */
export const employersStatement = (q: Query, p: Period) => sql`
  WITH pv AS (
    SELECT coalesce(e.parent_id, e.id) AS family_id, ep.contact_id, ep.status, ep.late, sum(ep.n)::int AS n
    FROM (SELECT employer_id, contact_id, status, late_business_days AS late, count(*) AS n
          FROM employer_promises
          WHERE given_at >= ${p.start} AND given_at < ${p.end} ${ownerFilter(q, sql`owner_id`)}
          GROUP BY 1, 2, 3, 4) ep
    JOIN employers e ON e.id = ep.employer_id ${employerFilter(q, sql`e`)}
    GROUP BY 1, 2, 3, 4
  ), lateness AS (
    SELECT family_id, contact_id, GROUPING(contact_id) AS rollup, late, sum(n) AS n
    FROM pv WHERE status IN ('kept', 'late')
    GROUP BY GROUPING SETS ((family_id, late), (family_id, contact_id, late))
  ), ranked AS (
    SELECT *, sum(n) OVER (PARTITION BY family_id, contact_id, rollup ORDER BY late ROWS UNBOUNDED PRECEDING) - n AS before,
           sum(n) OVER (PARTITION BY family_id, contact_id, rollup) AS total
    FROM lateness
  ), r AS (
    SELECT family_id, contact_id, GROUPING(contact_id) AS rollup, sum(n) AS promised,
           coalesce(sum(n) FILTER (WHERE status IN ('kept', 'late')), 0) AS decided,
           coalesce(sum(n) FILTER (WHERE status = 'kept'), 0) AS kept,
           coalesce(sum(n) FILTER (WHERE status = 'open'), 0) AS open,
           NULL::float8 AS lo, NULL::float8 AS hi, 0 AS answered, NULL::float8 AS median_days
    FROM pv GROUP BY GROUPING SETS ((family_id), (family_id, contact_id))
    UNION ALL
    SELECT family_id, contact_id, rollup, 0, 0, 0, 0,
           CASE WHEN (total - 1) / 2 >= before AND (total - 1) / 2 < before + n THEN late END,
           CASE WHEN total / 2 >= before AND total / 2 < before + n THEN late END, 0, NULL
    FROM ranked
    UNION ALL
    SELECT coalesce(e.parent_id, e.id), ea.contact_id, GROUPING(ea.contact_id), 0, 0, 0, 0, NULL, NULL, count(*),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ea.answered_at - ea.sent_at) / 86400.0)
    FROM email_answers ea JOIN employers e ON e.id = ea.employer_id ${employerFilter(q, sql`e`)}
    ${q.recruiterId ? sql`JOIN applications ap ON ap.id = ea.application_id AND ap.owner_id = ${q.recruiterId}::uuid` : sql``}
    WHERE ea.sent_at >= ${p.start} AND ea.sent_at < ${p.end}
    GROUP BY GROUPING SETS ((coalesce(e.parent_id, e.id)), (coalesce(e.parent_id, e.id), ea.contact_id))
  )
  SELECT r.family_id, r.contact_id, r.rollup, sum(r.promised)::int AS promised, sum(r.decided)::int AS decided, sum(r.kept)::int AS kept,
         sum(r.open)::int AS open, min(r.lo) + (min(r.hi) - min(r.lo)) * 0.5 AS median_late, sum(r.answered)::int AS answered,
         max(r.median_days) AS median_days, f.name AS family_name, c.name AS contact_name
  FROM r JOIN employers f ON f.id = r.family_id LEFT JOIN contacts c ON c.id = r.contact_id
  GROUP BY r.family_id, r.contact_id, r.rollup, f.name, c.name
  ORDER BY f.name, r.family_id, r.rollup DESC, c.name NULLS LAST, r.contact_id`;

const utcDay = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * How the follow-ups report splits the period: the whole UTC days inside it come from
 * follow_up_day_counts, except today (overdue is counted as of now); the rest, the partial days
 * at its edges (it is cut at midnight in the agency's zone) and today, from the facts.
 */
export function followUpsSplit(p: Period, now: Date) {
  const start = p.start.getTime();
  const end = p.end.getTime();
  const wholeFrom = utcDay(start + DAY_MS - 1);
  const wholeTo = utcDay(end);
  if (wholeFrom >= wholeTo) return { days: null, today: null, facts: [[start, end]] as [number, number][] };
  const today = utcDay(now.getTime());
  const facts: [number, number][] = [];
  if (start < wholeFrom) facts.push([start, wholeFrom]);
  if (wholeTo < end) facts.push([wholeTo, end]);
  const todayInside = today >= wholeFrom && today < wholeTo;
  if (todayInside) facts.push([today, today + DAY_MS]);
  return { days: [isoDay(wholeFrom), isoDay(wholeTo)] as const, today: todayInside ? isoDay(today) : null, facts };
}

/**
 * One follow-up's figures, from the row itself. Its answer is looked up by primary key (a scalar
 * subquery: an EXISTS here may be planned as a hash of every answer of the agency).
 */
const followUpFigures = (now: Date) => sql`
  1 AS due, (f.status = 'sent')::int AS sent,
  coalesce(f.status = 'sent' AND f.sent_at <= f.due_at + interval '5 minutes', false)::int AS on_time,
  (f.status IN ('pending', 'queued') AND f.due_at < ${now})::int AS overdue,
  (f.status = ${WAITING_FOR_APPROVAL})::int AS waiting,
  coalesce(f.status = 'sent' AND (SELECT true FROM email_answers ea WHERE ea.follow_up_id = f.id), false)::int AS answered`;

/**
 * Per recruiter and kind: the follow-ups due in the period. Without an employer filter, whole
 * days from follow_up_day_counts and the rest from the facts (followUpsSplit); with one, the
 * facts of that employer's (or district's) applications, reached from the employer through
 * positions, applications and interviews.
 */
export const followUpsStatement = (q: Query, p: Period, now: Date) => {
  let rows: SQL;
  if (q.employerId) {
    rows = sql`
      SELECT f.owner_id, f.kind, ${followUpFigures(now)}
      FROM employers e JOIN positions pos ON pos.employer_id = e.id JOIN applications ap ON ap.position_id = pos.id
      JOIN interviews iv ON iv.application_id = ap.id
      JOIN follow_ups f ON f.interview_id = iv.id AND f.application_id = ap.id
      WHERE f.due_at >= ${p.start} AND f.due_at < ${p.end} AND f.status <> 'cancelled'
        ${employerFilter(q, sql`e`)} ${ownerFilter(q, sql`f.owner_id`)}`;
  } else {
    const split = followUpsSplit(p, now);
    const ranges = sql.join(
      split.facts.map(([from, to]) => sql`(f.due_at >= ${new Date(from)} AND f.due_at < ${new Date(to)})`),
      sql` OR `,
    );
    const facts = sql`
      SELECT f.owner_id, f.kind, ${followUpFigures(now)}
      FROM follow_ups f WHERE (${ranges}) AND f.status <> 'cancelled' ${ownerFilter(q, sql`f.owner_id`)}`;
    rows = split.days
      ? sql`
      SELECT d.owner_id, d.kind, d.due, d.sent, d.sent_on_time AS on_time,
             CASE WHEN d.day < ${isoDay(now.getTime())}::date THEN d.unsent ELSE 0 END AS overdue, d.awaiting_approval AS waiting, d.answered
      FROM follow_up_day_counts d
      WHERE d.day >= ${split.days[0]}::date AND d.day < ${split.days[1]}::date
        ${split.today ? sql`AND d.day <> ${split.today}::date` : sql``} ${ownerFilter(q, sql`d.owner_id`)}
      UNION ALL ${facts}`
      : facts;
  }
  return sql`
    WITH r AS (${rows})
    SELECT r.owner_id, u.name AS recruiter_name, r.kind, sum(r.due)::int AS due, sum(r.sent)::int AS sent, sum(r.on_time)::int AS on_time,
           sum(r.overdue)::int AS overdue, sum(r.waiting)::int AS waiting, sum(r.answered)::int AS answered
    FROM r JOIN users u ON u.id = r.owner_id
    GROUP BY r.owner_id, u.name, r.kind HAVING sum(r.due) > 0
    ORDER BY u.name, r.owner_id, r.kind`;
};

/**
 * Per position: the applications in the pipeline during the period (put forward before its end,
 * and still open or moved in it) at their stage now, and the employer decisions made in it with
 * the median days from the end of the last interview before each. The open ones are
 * position_open_counts less those put forward after the period (applications_open_created_idx:
 * none for a period that ends today); the closed ones and the decisions are read index-only
 * (applications_closed_moved_idx, application_decisions_decided_idx). One aggregation, so the
 * planner's estimates stay whole.
 */
export const pipelineStatement = (q: Query, p: Period) => sql`
  WITH d AS (
    SELECT d.position_id, (extract(epoch FROM d.decided_at - d.interview_ended_at) / 86400.0)::float8 AS days,
           row_number() OVER (PARTITION BY d.position_id ORDER BY d.decided_at - d.interview_ended_at) AS rn,
           count(d.interview_ended_at) OVER (PARTITION BY d.position_id) AS cnt
    FROM application_decisions d
    WHERE d.decided_at >= ${p.start} AND d.decided_at < ${p.end} ${ownerFilter(q, sql`d.owner_id`)}
  ), c AS (
    SELECT o.position_id, o.stage, o.n, 0 AS decided, NULL::float8 AS lo, NULL::float8 AS hi
    FROM position_open_counts o WHERE true ${ownerFilter(q, sql`o.owner_id`)}
    UNION ALL
    SELECT a.position_id, a.stage, -1, 0, NULL, NULL FROM applications a
    WHERE a.stage NOT IN ${CLOSED} AND a.created_at >= ${p.end} ${ownerFilter(q, sql`a.owner_id`)}
    UNION ALL
    SELECT a.position_id, a.stage, 1, 0, NULL, NULL FROM applications a
    WHERE a.stage IN ${CLOSED} AND a.stage_changed_at >= ${p.start} AND a.created_at < ${p.end} ${ownerFilter(q, sql`a.owner_id`)}
    UNION ALL
    SELECT d.position_id, NULL, 0, 1, CASE WHEN d.rn = (d.cnt + 1) / 2 THEN d.days END, CASE WHEN d.rn = (d.cnt + 2) / 2 THEN d.days END FROM d
  )
  SELECT pos.id AS position_id, sum(c.n)::int AS candidates,
         ${sql.join(applicationStages.map((st) => sql`coalesce(sum(c.n) FILTER (WHERE c.stage = ${st}), 0)::int AS ${sql.identifier(`stage_${st}`)}`), sql`, `)},
         sum(c.decided)::int AS decided, min(c.lo) + (min(c.hi) - min(c.lo)) * 0.5 AS median_days,
         pos.title, pos.employer_id, e.name AS employer_name
  FROM c JOIN positions pos ON pos.id = c.position_id JOIN employers e ON e.id = pos.employer_id ${employerFilter(q, sql`e`)}
  GROUP BY pos.id, e.id HAVING sum(c.n) > 0
  ORDER BY e.name, pos.title, pos.id`;

/**
 * One page of the pipeline report, in position id order (keyset: the positions after `after`),
 * the same figures as pipelineStatement per position: it walks positions by id and, for each,
 * reads its applications (applications_position_idx) and their decisions (by primary key), and
 * stops at `limit` rows, so a page costs about the same whatever the agency's size.
 */
export const pipelinePageStatement = (q: Query, p: Period, after: string | undefined, limit: number) => sql`
  SELECT pos.id AS position_id, c.*, dd.decided, dd.median_days, pos.title, pos.employer_id, e.name AS employer_name
  FROM positions pos JOIN employers e ON e.id = pos.employer_id ${employerFilter(q, sql`e`)}
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS candidates,
           ${sql.join(applicationStages.map((st) => sql`(count(*) FILTER (WHERE a.stage = ${st}))::int AS ${sql.identifier(`stage_${st}`)}`), sql`, `)}
    FROM applications a
    WHERE a.position_id = pos.id AND a.created_at < ${p.end} AND (a.stage NOT IN ${CLOSED} OR a.stage_changed_at >= ${p.start})
      ${ownerFilter(q, sql`a.owner_id`)}
  ) c
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS decided,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM d.decided_at - d.interview_ended_at) / 86400.0)::float8) AS median_days
    FROM applications a JOIN application_decisions d ON d.application_id = a.id AND d.position_id = pos.id
    WHERE a.position_id = pos.id AND d.decided_at >= ${p.start} AND d.decided_at < ${p.end} ${ownerFilter(q, sql`d.owner_id`)}
  ) dd
  WHERE c.candidates > 0 ${after ? sql`AND pos.id > ${after}::uuid` : sql``}
  ORDER BY pos.id
  LIMIT ${limit + 1}`;
