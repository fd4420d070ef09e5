/**
 * EXPLAIN (ANALYZE, BUFFERS) of the list queries on the bench data, run as the app's runtime role
 * with the tenant context set, exactly as the app sends them.
 *
 * The SQL is not copied by hand: each list is produced by calling the service function itself
 * (listInterviews, listCandidates, ...) with a stand-in pool that records every query drizzle
 * builds, runs it on a real connection (BEGIN; set_config('app.tenant_id', ...); ...; ROLLBACK) and
 * hands the rows back. Every recorded query is then explained in the same transaction. So the
 * plans follow src/ when its queries change.
 */
import pg from 'pg';
import type { Deps } from '../src/deps.js';
import type { Actor } from '../src/lib/access.js';
import { listActivity } from '../src/modules/activity/activity.service.js';
import { listActivityQuery } from '../src/modules/activity/activity.schemas.js';
import { listApplications } from '../src/modules/applications/applications.service.js';
import { listApplicationsQuery } from '../src/modules/applications/applications.schemas.js';
import { listCandidates } from '../src/modules/candidates/candidates.service.js';
import { listCandidatesQuery } from '../src/modules/candidates/candidates.schemas.js';
import { listContacts } from '../src/modules/contacts/contacts.service.js';
import { listContactsQuery } from '../src/modules/contacts/contacts.schemas.js';
import { listEmployers } from '../src/modules/employers/employers.service.js';
import { listEmployersQuery } from '../src/modules/employers/employers.schemas.js';
import { listFollowUps } from '../src/modules/followups/followups.service.js';
import { listFollowUpsQuery } from '../src/modules/followups/followups.schemas.js';
import { listInterviews } from '../src/modules/interviews/interviews.service.js';
import { listInterviewsQuery } from '../src/modules/interviews/interviews.schemas.js';
import { listPositions } from '../src/modules/positions/positions.service.js';
import { listPositionsQuery } from '../src/modules/positions/positions.schemas.js';
import { listDeliveries } from '../src/modules/webhooks/webhooks.service.js';
import { listDeliveriesQuery } from '../src/modules/webhooks/webhooks.schemas.js';
import { systemClock } from '../src/lib/clock.js';
import { listEvents } from '../src/modules/events/events.service.js';
import { listEventsQuery } from '../src/modules/events/events.schemas.js';
import { listExternalIds } from '../src/modules/externalIds/externalIds.service.js';
import { listExternalIdsQuery } from '../src/modules/externalIds/externalIds.schemas.js';

/** Tables with at least this many rows: a sequential scan on one of them is flagged. */
const BIG_TABLE_ROWS = 10_000;
/** A plan that reads and drops this many rows uses its index for the tenant only, not for the filter: flagged. */
const FILTERED_ROWS_FLAG = 10_000;

export interface PlanCase {
  name: string;
  /** Calls the service; its queries go through deps.db.pool. */
  call: (deps: Deps, actor: Actor) => Promise<unknown>;
}

export interface PlanReport {
  name: string;
  sql: string;
  params: unknown[];
  executionMs: number;
  /** "index on table" for every index scan in the plan. */
  indexes: string[];
  /** Sequential scans on tables of BIG_TABLE_ROWS rows or more. */
  bigSeqScans: string[];
  seqScans: string[];
  /** Rows read and thrown away by filters, all loops together. */
  rowsRemovedByFilter: number;
  plan: string;
}

/** Ids and values of the main agency's data the cases filter by (bench/run.ts samplesOf picks them). */
export interface PlanSamples {
  /** The interview window of the list target. */
  from: string;
  to: string;
  nameFragment: string;
  tag: string;
  /** A school with interviews in the window, with contacts and positions. */
  employerId: string;
  /** Its district (employers?parentId=). */
  districtId: string;
  /** A recruiter who owns applications, interviews and open follow-ups. */
  recruiterId: string;
  /** The candidate, application and interview of one completed interview, with activity and follow-ups. */
  candidateId: string;
  applicationId: string;
  interviewId: string;
  /** A position with applications. */
  positionId: string;
  /** The Today screen's bound: the end of the current day. */
  dueBefore: string;
  /** A webhook endpoint with deliveries, when the data has one (the bench data has none: bench/webhooks.ts has its own). */
  endpointId?: string | undefined;
}

/**
 * The list queries of the API, for the main agency, each filter alone and combined as the web
 * client sends them (web/src/screens: the interview filters, the candidate page, Today, ...).
 * Each query goes through its list*Query schema, as the route parses it, then the service.
 */
export function listCases(p: PlanSamples): PlanCase[] {
  // One maker per list: the route's path, its query schema and its service; a case adds a label
  // (what follows the path in the printed name) and the query.
  const lister =
    <Q>(path: string, schema: { parse(q: unknown): Q }, list: (deps: Deps, actor: Actor, q: Q) => Promise<unknown>) =>
    (label: string, query: Record<string, string>): PlanCase => ({ name: `GET ${path}${label}`, call: (deps, actor) => list(deps, actor, schema.parse(query)) });
  const interviews = lister('/v1/interviews', listInterviewsQuery, listInterviews);
  const applications = lister('/v1/applications', listApplicationsQuery, listApplications);
  const activity = lister('/v1/activity', listActivityQuery, listActivity);
  const employers = lister('/v1/employers', listEmployersQuery, listEmployers);
  const contacts = lister('/v1/contacts', listContactsQuery, listContacts);
  const positions = lister('/v1/positions', listPositionsQuery, listPositions);
  const followUps = lister('/v1/follow-ups', listFollowUpsQuery, listFollowUps);
  const candidates = lister('/v1/candidates', listCandidatesQuery, listCandidates);
  const week = { from: p.from, to: p.to };
  return [
    interviews('?from&to&status=scheduled&limit=50', { ...week, status: 'scheduled', limit: '50' }),
    interviews('?from&to&employerId&limit=100', { ...week, employerId: p.employerId, limit: '100' }),
    interviews('?employerId&limit=100', { employerId: p.employerId, limit: '100' }),
    interviews('?from&to&recruiterId&limit=100', { ...week, recruiterId: p.recruiterId, limit: '100' }),
    interviews('?recruiterId&limit=100', { recruiterId: p.recruiterId, limit: '100' }),
    interviews('?candidateId&limit=100 (candidate page)', { candidateId: p.candidateId, limit: '100' }),
    interviews('?applicationId', { applicationId: p.applicationId }),
    candidates(`?q=${p.nameFragment}&tag=${p.tag}`, { q: p.nameFragment, tag: p.tag }),
    candidates('?q=<no match> (worst case: every row of the agency read)', { q: 'no-such-person' }),
    applications('?stage=offer', { stage: 'offer' }),
    applications('?positionId', { positionId: p.positionId }),
    applications('?candidateId&limit=100 (candidate page)', { candidateId: p.candidateId, limit: '100' }),
    applications('?ownerId', { ownerId: p.recruiterId }),
    activity('?candidateId=&limit=50 (candidate page)', { candidateId: p.candidateId, limit: '50' }),
    activity('?applicationId=', { applicationId: p.applicationId }),
    activity('?interviewId=', { interviewId: p.interviewId }),
    activity('?subjectId=', { subjectId: p.candidateId }),
    activity(' (the whole agency, first page)', {}),
    employers('?limit=100 (first page)', { limit: '100' }),
    employers('?parentId=', { parentId: p.districtId }),
    employers('?q=School 12&limit=100', { q: 'School 12', limit: '100' }),
    employers('?kind=district', { kind: 'district' }),
    contacts('?employerId', { employerId: p.employerId }),
    contacts(`?q=${p.nameFragment}`, { q: p.nameFragment }),
    positions('?employerId', { employerId: p.employerId }),
    positions('?status=open&limit=100', { status: 'open', limit: '100' }),
    positions('?status=on_hold', { status: 'on_hold' }),
    positions('?q=science', { q: 'science' }),
    positions('?q=<no match> (worst case)', { q: 'no-such-title' }),
    followUps('?status=pending&dueBefore&limit=100 (Today, the team)', { status: 'pending', dueBefore: p.dueBefore, limit: '100' }),
    followUps('?recruiterId&status=pending&dueBefore&limit=100 (Today, a recruiter)', {
      recruiterId: p.recruiterId,
      status: 'pending',
      dueBefore: p.dueBefore,
      limit: '100',
    }),
    followUps('?status=queued&limit=100 (Today)', { status: 'queued', limit: '100' }),
    followUps('?recruiterId&status=queued&limit=100', { recruiterId: p.recruiterId, status: 'queued', limit: '100' }),
    followUps('?overdue=true', { overdue: 'true' }),
    followUps('?recruiterId&overdue=true', { recruiterId: p.recruiterId, overdue: 'true' }),
    followUps('?kind=thank_you&status=pending&limit=100 (templates settings)', { kind: 'thank_you', status: 'pending', limit: '100' }),
    followUps('?interviewId&limit=100 (interview page)', { interviewId: p.interviewId, limit: '100' }),
    followUps('?candidateId&limit=100 (candidate page)', { candidateId: p.candidateId, limit: '100' }),
    followUps(' (no filter, first page)', {}),
    // Sync reads (docs/api.md#sync): each record list by change time, the event feed, an id map.
    candidates('?updatedSince&limit=100 (sync)', { updatedSince: p.from, limit: '100' }),
    employers('?updatedSince&limit=100 (sync)', { updatedSince: p.from, limit: '100' }),
    contacts('?updatedSince&limit=100 (sync)', { updatedSince: p.from, limit: '100' }),
    positions('?updatedSince&limit=100 (sync)', { updatedSince: p.from, limit: '100' }),
    applications('?updatedSince&limit=100 (sync)', { updatedSince: p.from, limit: '100' }),
    interviews('?updatedSince&limit=100 (sync)', { updatedSince: p.from, limit: '100' }),
    followUps('?updatedSince&limit=100 (sync)', { updatedSince: p.from, limit: '100' }),
    lister('/v1/events', listEventsQuery, listEvents)('?limit=1000 (the feed from its start)', { limit: '1000' }),
    lister('/v1/external-ids', listExternalIdsQuery, listExternalIds)('?id= (a record’s ids elsewhere)', { id: p.candidateId }),
    ...(p.endpointId
      ? [
          {
            name: 'GET /v1/webhook-endpoints/:id/deliveries?limit=50',
            call: (deps: Deps, actor: Actor) => listDeliveries(deps, actor, p.endpointId!, listDeliveriesQuery.parse({ limit: '50' })),
          },
        ]
      : []),
  ];
}

interface Recorded {
  text: string;
  values: unknown[];
}

/** Runs every case as the runtime role and explains each query it sent. */
export async function explainCases(appUrl: string, actor: Actor, cases: PlanCase[]): Promise<PlanReport[]> {
  const client = new pg.Client({ connectionString: appUrl });
  await client.connect();
  const reports: PlanReport[] = [];
  try {
    const big = new Set(
      (
        await client.query<{ relname: string }>(
          "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples >= $1",
          [BIG_TABLE_ROWS],
        )
      ).rows.map((r) => r.relname),
    );
    for (const c of cases) {
      await client.query('BEGIN');
      try {
        await client.query("SELECT set_config('app.tenant_id', $1, true)", [actor.tenantId]);
        const recorded: Recorded[] = [];
        // Stands in for the pool behind readTenant/withTenant: drizzle's query (a pg Query carrying
        // the tenant context) is recorded and re-sent as itself on this connection.
        const pool = {
          query: (q: pg.QueryConfig & { _rowMode?: string }) => {
            recorded.push({ text: q.text, values: (q.values ?? []) as unknown[] });
            return client.query({ text: q.text, values: q.values, types: q.types, rowMode: q._rowMode } as pg.QueryArrayConfig);
          },
        };
        // The clock: lists that compare with now (follow-ups' overdue) read it as the app does.
        await c.call({ db: { pool }, clock: systemClock } as unknown as Deps, actor);
        for (const [i, q] of recorded.entries()) {
          const res = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.values);
          const plan = res.rows.map((r) => r['QUERY PLAN']).join('\n');
          reports.push(analyse(recorded.length > 1 ? `${c.name} [query ${i + 1}/${recorded.length}]` : c.name, q, plan, big));
        }
      } finally {
        await client.query('ROLLBACK');
      }
    }
  } finally {
    await client.end();
  }
  return reports;
}

/**
 * A search runs inside app_private.search_candidates (a SECURITY DEFINER function: under row-level
 * security ILIKE and @> cannot use an index), so the plans above show only the call. This explains
 * the statement the function executes, as the function's owner, with the same values.
 */
export async function explainCandidateSearch(adminUrl: string, tenantId: string, searches: { pattern?: string; tag?: string }[]): Promise<PlanReport[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const reports: PlanReport[] = [];
  try {
    const big = new Set(
      (await client.query<{ relname: string }>("SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples >= $1", [BIG_TABLE_ROWS])).rows.map((r) => r.relname),
    );
    for (const s of searches) {
      const { rows } = await client.query<{ sql: string }>('SELECT app_private.candidate_search_sql($1, $2, false, false) AS sql', [s.pattern !== undefined, s.tag !== undefined]);
      const values: Record<string, string> = {
        $1: `${client.escapeLiteral(tenantId)}::uuid`,
        $2: client.escapeLiteral(`%${s.pattern ?? ''}%`),
        $3: client.escapeLiteral(s.tag ?? ''),
        $5: '51',
      };
      // EXECUTE ... USING plans with the values known: literals do the same here.
      const text = rows[0]!.sql.replace(/\$\d/g, (n) => values[n] ?? n);
      const res = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`);
      const name = `inside app_private.search_candidates(${[s.pattern && `q=${s.pattern}`, s.tag && `tag=${s.tag}`].filter(Boolean).join(', ')})`;
      reports.push(analyse(name, { text, values: [] }, res.rows.map((r) => r['QUERY PLAN']).join('\n'), big));
    }
  } finally {
    await client.end();
  }
  return reports;
}

function analyse(name: string, q: Recorded, plan: string, big: Set<string>): PlanReport {
  const indexes = new Set<string>();
  for (const m of plan.matchAll(/Index (?:Only )?Scan (?:Backward )?using (\S+) on (\S+)/g)) indexes.add(`${m[1]} on ${m[2]}`);
  for (const m of plan.matchAll(/Bitmap Index Scan on (\S+)/g)) indexes.add(`${m[1]} (bitmap)`);
  const seqScans = [...plan.matchAll(/Seq Scan on (\S+)/g)].map((m) => m[1]!);
  // "Rows Removed by Filter" is per loop (parallel workers, inner sides of joins): times its node's loops.
  let removed = 0;
  let loops = 1;
  for (const line of plan.split('\n')) {
    const node = /actual time=[\d.]+\.\.[\d.]+ rows=\d+ loops=(\d+)/.exec(line);
    if (node) loops = Number(node[1]);
    const filtered = /Rows Removed by Filter: (\d+)/.exec(line);
    if (filtered) removed += Number(filtered[1]) * loops;
  }
  return {
    name,
    sql: q.text,
    params: q.values.map((v) => (v instanceof Date ? v.toISOString() : v)),
    executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN),
    indexes: [...indexes],
    bigSeqScans: seqScans.filter((t) => big.has(t)),
    seqScans,
    rowsRemovedByFilter: removed,
    plan,
  };
}

/** Plans that read a big table whole or throw most of what they read away. */
export const flagged = (r: PlanReport) => r.bigSeqScans.length > 0 || r.rowsRemovedByFilter >= FILTERED_ROWS_FLAG;

/** The plans in full, then one summary line each; sequential scans on big tables stand out. */
export function formatPlans(reports: PlanReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    out.push(`--- ${r.name}`, r.sql, `params: ${JSON.stringify(r.params)}`, r.plan, '');
  }
  out.push('plans summary (runtime role, tenant context set):');
  for (const r of reports) {
    const flag =
      (r.bigSeqScans.length > 0 ? `  !!! SEQ SCAN ON BIG TABLE: ${r.bigSeqScans.join(', ')} !!!` : '') +
      (r.rowsRemovedByFilter >= FILTERED_ROWS_FLAG ? '  !!! READS AND DROPS MOST ROWS: no index serves this filter !!!' : '');
    const filtered = r.rowsRemovedByFilter > 0 ? `; ${r.rowsRemovedByFilter} rows removed by filter` : '';
    out.push(
      `  ${r.name}: ${r.executionMs} ms; indexes: ${r.indexes.join(', ') || 'none'}` +
        (r.seqScans.length > 0 ? `; seq scans: ${r.seqScans.join(', ')}` : '') +
        filtered +
        flag,
    );
  }
  return out.join('\n');
}
