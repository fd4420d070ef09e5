/**
 * The reports over one agency with REPORTS_INTERVIEWS completed interviews (default 300,000; the
 * issue's bench size): p50 and p95 of each report at one connection, through the service as the
 * API calls it (unfiltered, for one district, for one recruiter), beside the statements as they
 * were before issue 18 (bench/reportsBefore.ts) timed in turns in the same run, with a check that
 * both give the same rows; the EXPLAIN (ANALYZE, BUFFERS) of each unfiltered statement, run as
 * the app's role with the tenant context set (the pipeline through the service is its first page,
 * as the JSON answers it; its whole report, the CSV's, is timed beside it, and its pages of 1,000
 * are checked to give the same rows together); a check that the summaries (follow_up_day_counts,
 * position_open_counts) hold what the facts say; and what their triggers cost a single-row write.
 * Its own database (afterview_bench_reports), seeded in SQL with the triggers on:
 *
 *   REPORTS_INTERVIEWS=3000 npx tsx bench/reports.ts     # a quick smoke
 *   npx tsx bench/reports.ts                             # the full size (takes minutes to seed)
 *
 * Knobs: REPORTS_RUNS (30), REPORTS_BEFORE_RUNS (10), REPORTS_WRITES (300 rows per write case;
 * 0 skips it), REPORTS_REUSE=1 (keep the database seeded by the last run; migrations still apply).
 *
 * Per interview: one application and candidate, two thank-yous and a status check (follow_ups),
 * one promise in the ledger (60% settled, a third of those late), an answer to one email in
 * 60%, a decision in 60% (with its application_decisions row); over 2 years, 5 recruiters, 200
 * districts of 5 schools, 3 contacts each.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { PgDialect } from 'drizzle-orm/pg-core';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { migrateDatabase } from '../src/db/migrate.js';
import type { Actor } from '../src/lib/access.js';
import { atLocal } from '../src/core/businessTime.js';
import { readFile } from 'node:fs/promises';
import { sql, type SQL } from 'drizzle-orm';
import { applicationStages } from '../src/db/schema/index.js';
import { readTenant } from '../src/db/client.js';
import { employersReport, followUpsReport, pipelineReport, pipelineReportAll } from '../src/modules/reports/reports.service.js';
import { employersStatement, followUpsStatement, pipelinePageStatement, pipelineStatement, type Period, type Query } from '../src/modules/reports/reports.statements.js';
import { percentile, recreateDatabase } from './lib.js';
import { employersBefore, followUpsBefore, pipelineBefore } from './reportsBefore.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/afterview_bench_reports';
const APP_URL = 'postgres://afterview_app:afterview_app@127.0.0.1:5432/afterview_bench_reports';
const N = Number(process.env.REPORTS_INTERVIEWS ?? 300_000);
const RUNS = Number(process.env.REPORTS_RUNS ?? 30);
const BEFORE_RUNS = Math.min(RUNS, Number(process.env.REPORTS_BEFORE_RUNS ?? 10));
const WRITES = Number(process.env.REPORTS_WRITES ?? 300);
const NOW = new Date('2027-06-30T16:00:00Z');
const TENANT = '0190e000-0000-7000-8000-000000000001';
/** The seed's ids: md5('district7')::uuid in SQL. */
const md5uuid = (s: string) => createHash('md5').update(s).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

async function seed(c: pg.Client) {
  const t0 = Date.now();
  await c.query('SET synchronous_commit = off');
  await c.query("SET work_mem = '128MB'");
  const q = (text: string, values: unknown[] = []) => c.query(text, values);
  await q(`INSERT INTO tenants (id, name, slug, time_zone, created_at, updated_at) VALUES ($1, 'Bench Reports Agency', 'bench-reports', 'America/New_York', $2, $2)`, [TENANT, NOW]);
  await q(`INSERT INTO users (tenant_id, id, email, name, role, password_hash, created_at, updated_at)
           SELECT $1, md5('user' || g)::uuid, 'r' || g || '@bench.example.org', 'Recruiter ' || g, 'recruiter', '!no-login', $2, $2 FROM generate_series(1, 5) g`, [TENANT, NOW]);
  await q(`INSERT INTO employers (tenant_id, id, name, kind, time_zone, created_at, updated_at)
           SELECT $1, md5('district' || g)::uuid, 'District ' || g, 'district', 'America/New_York', $2, $2 FROM generate_series(1, 200) g`, [TENANT, NOW]);
  await q(`INSERT INTO employers (tenant_id, id, parent_id, name, kind, time_zone, created_at, updated_at)
           SELECT $1, md5('school' || g)::uuid, md5('district' || (1 + g % 200))::uuid, 'School ' || g, 'school', 'America/New_York', $2, $2 FROM generate_series(1, 1000) g`, [TENANT, NOW]);
  await q(`INSERT INTO contacts (tenant_id, id, employer_id, name, email, created_at, updated_at)
           SELECT $1, md5('contact' || g)::uuid, md5('school' || (1 + g % 1000))::uuid, 'Contact ' || g, 'c' || g || '@school.example.org', $2, $2 FROM generate_series(1, 3000) g`, [TENANT, NOW]);
  const positions = Math.max(50, Math.floor(N / 10));
  await q(`INSERT INTO positions (tenant_id, id, employer_id, title, created_at, updated_at)
           SELECT $1, md5('position' || g)::uuid, md5('school' || (1 + g % 1000))::uuid, 'Position ' || g, $2, $2 FROM generate_series(1, $3::int) g`, [TENANT, NOW, positions]);
  await q(`INSERT INTO candidates (tenant_id, id, name, email, created_at, updated_at)
           SELECT $1, md5('cand' || g)::uuid, 'Candidate ' || g, 'cand' || g || '@example.org', $2, $2 FROM generate_series(1, $3::int) g`, [TENANT, NOW, N]);
  // Interview g at a time spread over the two years before NOW; its application created a week before.
  const at = `($2::timestamptz - (interval '730 days' * (g::float8 / $3)))`;
  await q(`INSERT INTO applications (tenant_id, id, candidate_id, position_id, owner_id, stage, stage_changed_at, created_at, updated_at)
           SELECT $1, md5('app' || g)::uuid, md5('cand' || g)::uuid, md5('position' || (1 + g % $4::int))::uuid, md5('user' || (1 + g % 5))::uuid,
                  CASE WHEN g % 10 < 3 THEN 'rejected' WHEN g % 10 < 5 THEN 'offer' WHEN g % 10 = 5 THEN 'hired' ELSE 'interviewing' END,
                  ${at} + interval '10 days', ${at} - interval '7 days', ${at}
           FROM generate_series(1, $3::int) g`, [TENANT, NOW, N, positions]);
  await q(`INSERT INTO interviews (tenant_id, id, application_id, format, starts_at, ends_at, time_zone, arranged_via, status, completed_at, decision_expected_by, created_at, updated_at)
           SELECT $1, md5('iv' || g)::uuid, md5('app' || g)::uuid, 'onsite', ${at}, ${at} + interval '1 hour', 'America/New_York', 'email', 'completed',
                  ${at} + interval '70 minutes', (${at} + interval '7 days')::date, ${at}, ${at}
           FROM generate_series(1, $3::int) g`, [TENANT, NOW, N]);
  await q(`INSERT INTO interview_participants (tenant_id, id, interview_id, contact_id, role)
           SELECT $1, md5('ip' || g)::uuid, md5('iv' || g)::uuid, md5('contact' || (1 + g % 3000))::uuid, 'hiring_manager' FROM generate_series(1, $2::int) g`, [TENANT, N]);
  await q(`INSERT INTO outcomes (tenant_id, id, application_id, kind, actor_type, decided_at, created_at)
           SELECT $1, md5('out' || g)::uuid, md5('app' || g)::uuid, CASE WHEN g % 10 < 3 THEN 'rejected' WHEN g % 10 < 5 THEN 'offer' ELSE 'hired' END, 'user',
                  ${at} + interval '1 day' * (3 + g % 12), ${at} + interval '1 day' * (3 + g % 12)
           FROM generate_series(1, $3::int) g WHERE g % 10 < 6`, [TENANT, NOW, N]);
  await q(`INSERT INTO application_decisions (tenant_id, application_id, position_id, owner_id, kind, decided_at, interview_ended_at)
           SELECT o.tenant_id, o.application_id, a.position_id, a.owner_id, o.kind, o.decided_at, iv.ends_at
           FROM outcomes o JOIN applications a ON a.id = o.application_id JOIN interviews iv ON iv.application_id = a.id`);
  for (const [k, kind, offset] of [[1, 'thank_you', "interval '2 hours'"], [2, 'thank_you', "interval '2 hours'"], [3, 'status_check', "interval '6 days'"]] as const) {
    await q(`INSERT INTO follow_ups (tenant_id, id, interview_id, application_id, candidate_id, key, kind, channel, voice, recipient, contact_id,
                                     due_at, rule_due_at, planned_due_at, reason, status, sent_at, owner_id, vars, created_at, updated_at)
             SELECT $1, md5('fu${k}-' || g)::uuid, md5('iv' || g)::uuid, md5('app' || g)::uuid, md5('cand' || g)::uuid, '${kind}:' || ${k}, '${kind}', 'email', 'on_behalf',
                    jsonb_build_object('type', 'contact', 'contactId', md5('contact' || (1 + (g + ${k}) % 3000))::uuid, 'name', 'Contact', 'email', 'c@x.org'),
                    md5('contact' || (1 + (g + ${k}) % 3000))::uuid,
                    ${at} + ${offset}, ${at} + ${offset}, ${at} + ${offset}, 'bench',
                    CASE WHEN ${at} + ${offset} > $2 THEN 'pending' WHEN g % 50 = 0 THEN 'pending' ELSE 'sent' END,
                    CASE WHEN ${at} + ${offset} > $2 OR g % 50 = 0 THEN NULL ELSE ${at} + ${offset} + interval '1 minute' * (g % 9) END,
                    md5('user' || (1 + g % 5))::uuid, '{}'::jsonb, ${at}, ${at}
             FROM generate_series(1, $3::int) g`, [TENANT, NOW, N]);
  }
  await q(`INSERT INTO employer_replies (tenant_id, id, application_id, channel, summary, received_at, source, actor_type, created_at)
           SELECT $1, md5('reply' || g)::uuid, md5('app' || g)::uuid, 'email', 'bench', ${at} + interval '3 days', 'manual', 'user', ${at} + interval '3 days'
           FROM generate_series(1, $3::int) g WHERE g % 10 < 6`, [TENANT, NOW, N]);
  await q(`INSERT INTO email_answers (tenant_id, follow_up_id, application_id, contact_id, employer_id, sent_at, answered_at, reply_id)
           SELECT $1, md5('fu1-' || g)::uuid, md5('app' || g)::uuid, md5('contact' || (1 + (g + 1) % 3000))::uuid, md5('school' || (1 + (1 + g % $4::int) % 1000))::uuid,
                  ${at} + interval '2 hours', ${at} + interval '3 days', md5('reply' || g)::uuid
           FROM generate_series(1, $3::int) g WHERE g % 10 < 6 AND g % 50 <> 0`, [TENANT, NOW, N, positions]);
  await q(`INSERT INTO employer_promises (tenant_id, id, application_id, interview_id, employer_id, contact_id, owner_id, promised_date, given_at, source, actor_type, status, decided_at, late_business_days, created_at)
           SELECT $1, md5('pr' || g)::uuid, md5('app' || g)::uuid, md5('iv' || g)::uuid, md5('school' || (1 + (1 + g % $4::int) % 1000))::uuid, md5('contact' || (1 + g % 3000))::uuid,
                  md5('user' || (1 + g % 5))::uuid, (${at} + interval '7 days')::date, ${at} + interval '70 minutes', 'interview', 'user',
                  CASE WHEN g % 10 < 6 THEN (CASE WHEN g % 3 = 0 THEN 'late' ELSE 'kept' END) ELSE 'open' END,
                  CASE WHEN g % 10 < 6 THEN ${at} + interval '1 day' * (3 + g % 12) END,
                  CASE WHEN g % 10 < 6 THEN (CASE WHEN g % 3 = 0 THEN 1 + g % 6 ELSE 0 END) END, ${at}
           FROM generate_series(1, $3::int) g`, [TENANT, NOW, N, positions]);
  await q('ANALYZE');
  console.log(`seeded ${N} interviews in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const periodOf = (from: string, to: string): Period => ({
  from,
  to,
  timeZone: 'America/New_York',
  start: atLocal(from, '00:00', 'America/New_York').at,
  end: atLocal(new Date(Date.parse(`${to}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10), '00:00', 'America/New_York').at,
});

async function explain(sqlText: string, params: unknown[]) {
  const c = new pg.Client({ connectionString: APP_URL });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query("SELECT set_config('app.tenant_id', $1, true)", [TENANT]);
    const res = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${sqlText}`, params);
    await c.query('ROLLBACK');
    return res.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  } finally {
    await c.end();
  }
}

/** The summaries hold what their facts say: app_private.*_from_facts() against the tables, both ways (a row at zero is no row). */
async function summariesAgree(c: pg.Client): Promise<boolean> {
  const differ = async (table: string, fn: string, zero: string) =>
    Number(
      (
        await c.query(`SELECT count(*) AS n FROM ((SELECT * FROM ${table} WHERE NOT (${zero}) EXCEPT SELECT * FROM app_private.${fn}())
                       UNION ALL (SELECT * FROM app_private.${fn}() EXCEPT TABLE ${table})) x`)
      ).rows[0].n,
    );
  const zeroDay = 'due = 0 AND sent = 0 AND sent_on_time = 0 AND unsent = 0 AND awaiting_approval = 0 AND answered = 0';
  return (await differ('follow_up_day_counts', 'follow_up_day_counts_from_facts', zeroDay)) + (await differ('position_open_counts', 'position_open_counts_from_facts', 'n = 0')) === 0;
}

/**
 * What the summaries' triggers cost a write: single-row updates as the worker and the API make
 * them (each its own transaction, synchronous_commit off so the disk does not hide it), with the
 * trigger and with it disabled, in turns. Each update is undone by a second one the same way, so
 * the summaries stay right.
 */
async function writeCost(): Promise<string[]> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query('SET synchronous_commit = off');
  const ids = async (text: string) => (await c.query<{ id: string }>(text)).rows.map((r) => r.id);
  const cases = [
    {
      name: 'follow-up marked sent (follow_ups)',
      table: 'follow_ups',
      trigger: 'follow_ups_day_counts_update',
      ids: await ids(`SELECT id FROM follow_ups WHERE status = 'pending' ORDER BY id LIMIT ${WRITES}`),
      change: `UPDATE follow_ups SET status = 'sent', sent_at = due_at WHERE id = $1`,
      undo: `UPDATE follow_ups SET status = 'pending', sent_at = NULL WHERE id = $1`,
    },
    {
      name: 'application moved to offer (applications)',
      table: 'applications',
      trigger: 'applications_open_counts_update',
      ids: await ids(`SELECT id FROM applications WHERE stage = 'interviewing' ORDER BY id LIMIT ${WRITES}`),
      change: `UPDATE applications SET stage = 'offer' WHERE id = $1`,
      undo: `UPDATE applications SET stage = 'interviewing' WHERE id = $1`,
    },
  ];
  const lines: string[] = [];
  try {
    for (const w of cases) {
      const us: Record<'with' | 'without', number[]> = { with: [], without: [] };
      for (let round = 0; round < 3; round++) {
        for (const variant of ['with', 'without'] as const) {
          await c.query(`ALTER TABLE ${w.table} ${variant === 'with' ? 'ENABLE' : 'DISABLE'} TRIGGER ${w.trigger}`);
          const t0 = performance.now();
          for (const id of w.ids) {
            await c.query(w.change, [id]);
            await c.query(w.undo, [id]);
          }
          us[variant].push(((performance.now() - t0) * 1000) / (2 * w.ids.length));
          await c.query(`ALTER TABLE ${w.table} ENABLE TRIGGER ${w.trigger}`);
        }
      }
      const med = (a: number[]) => [...a].sort((x, y) => x - y)[1]!;
      lines.push(`${w.name.padEnd(42)} ${med(us.with).toFixed(0).padStart(5)} µs with the trigger, ${med(us.without).toFixed(0).padStart(5)} µs without (median of 3 rounds of ${2 * w.ids.length})`);
    }
  } finally {
    for (const w of cases) await c.query(`ALTER TABLE ${w.table} ENABLE TRIGGER ${w.trigger}`);
    await c.end();
  }
  return lines;
}

async function main() {
  const reuse = process.env.REPORTS_REUSE === '1';
  if (!reuse) await recreateDatabase(ADMIN_URL);
  await migrateDatabase(ADMIN_URL, APP_URL);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  if (!reuse) await seed(admin);
  // Index-only scans need the visibility map, as autovacuum keeps it on a live database.
  await admin.query('VACUUM ANALYZE');

  const deps = createDeps(
    loadConfig({ DATABASE_URL: APP_URL, DATABASE_ADMIN_URL: ADMIN_URL, REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'afterview-bench-reports', LOG_LEVEL: 'warn', JWT_SECRET: 'afterview-bench-secret-not-for-production-0123456789', SEED_DEMO: '0', MIGRATE_ON_START: '0' }),
    { clock: { now: () => NOW } },
  );
  const actor: Actor = { tenantId: TENANT, kind: 'user', userId: null, apiKeyId: null, role: 'owner', scopes: [] };
  const dialect = new PgDialect();
  const period = { from: '2027-04-01', to: '2027-06-30' };
  const p = periodOf(period.from, period.to);
  const district = { ...period, employerId: md5uuid('district7') };
  const recruiter = { ...period, recruiterId: md5uuid('user2') };
  // The pipeline through the service is its first page (the JSON answer; default limit 100).
  const page1 = (d: typeof deps, a: Actor, q: Query) => pipelineReport(d, a, { ...q, limit: 100 });
  const cases = [
    { name: 'employers (90 days)', query: period, run: employersReport, now: employersStatement, before: employersBefore, plan: true },
    { name: 'follow-ups (90 days)', query: period, run: followUpsReport, now: followUpsStatement, before: followUpsBefore, plan: true },
    { name: 'pipeline (90 days)', query: period, run: page1, now: pipelineStatement, before: pipelineBefore, plan: true },
    { name: 'employers (90 days, one district)', query: district, run: employersReport, now: employersStatement, before: employersBefore, plan: false },
    { name: 'follow-ups (90 days, one district)', query: district, run: followUpsReport, now: followUpsStatement, before: followUpsBefore, plan: false },
    { name: 'pipeline (90 days, one district)', query: district, run: page1, now: pipelineStatement, before: pipelineBefore, plan: false },
    { name: 'employers (90 days, one recruiter)', query: recruiter, run: employersReport, now: employersStatement, before: employersBefore, plan: false },
    { name: 'follow-ups (90 days, one recruiter)', query: recruiter, run: followUpsReport, now: followUpsStatement, before: followUpsBefore, plan: false },
    { name: 'pipeline (90 days, one recruiter)', query: recruiter, run: page1, now: pipelineStatement, before: pipelineBefore, plan: false },
  ];
  const rowsOf = (statement: SQL) => readTenant(deps.db, TENANT, async (tx) => (await tx.execute<Record<string, unknown>>(statement)).rows);
  const lines: string[] = [];
  let allSame = true;
  for (const c of cases) {
    const now = c.now(c.query, p, NOW);
    const before = c.before(c.query, p, NOW);
    const same = JSON.stringify(await rowsOf(now)) === JSON.stringify(await rowsOf(before));
    allSame &&= same;
    const ms: number[] = [];
    const statementMs: number[] = [];
    const beforeMs: number[] = [];
    const timed = async (into: number[], fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      into.push(performance.now() - t0);
    };
    let rows = 0;
    await c.run(deps, actor, c.query); // warm
    for (let i = 0; i < RUNS; i++) {
      await timed(ms, async () => (rows = (await c.run(deps, actor, c.query)).data.length));
      if (i % Math.ceil(RUNS / BEFORE_RUNS) === 0) {
        await timed(statementMs, () => rowsOf(now));
        await timed(beforeMs, () => rowsOf(before));
      }
    }
    const p50 = (a: number[]) => percentile([...a].sort((x, y) => x - y), 50);
    lines.push(
      `${c.name.padEnd(36)} p50 ${p50(ms).toFixed(1).padStart(6)} ms  p95 ${percentile([...ms].sort((x, y) => x - y), 95).toFixed(1).padStart(6)} ms  rows ${String(rows).padStart(5)}` +
        `  | statement alone, in turns: ${p50(statementMs).toFixed(0).padStart(4)} ms, before ${p50(beforeMs).toFixed(0).padStart(5)} ms; same rows: ${same ? 'yes' : 'NO'}`,
    );
    if (c.plan) {
      const { sql: text, params } = dialect.sqlToQuery(now);
      console.log(`\n=== ${c.name}: plan ===\n${await explain(text, params)}`);
    }
  }
  {
    // The pipeline's pages, first (default 100) then all of them: every row of the whole report
    // (the CSV, pipelineReportAll) once, and its plan.
    const { sql: text, params } = dialect.sqlToQuery(pipelinePageStatement(period, p, undefined, 100));
    console.log(`\n=== pipeline (90 days): plan of the first page ===\n${await explain(text, params)}`);
    const all = await pipelineReportAll(deps, actor, period);
    const paged: typeof all.data = [];
    let cursor: string | undefined;
    let pages = 0;
    const t0 = performance.now();
    do {
      const page = await pipelineReport(deps, actor, { ...period, limit: 1000, cursor });
      paged.push(...page.data);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    const pagesMs = performance.now() - t0;
    const byId = (a: { positionId: string }, b: { positionId: string }) => (a.positionId < b.positionId ? -1 : 1);
    const pagesSame = JSON.stringify([...all.data].sort(byId)) === JSON.stringify(paged);
    allSame &&= pagesSame;
    const csvMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t1 = performance.now();
      await pipelineReportAll(deps, actor, period);
      csvMs.push(performance.now() - t1);
    }
    lines.push(
      `${'pipeline (90 days), every row (CSV)'.padEnd(36)} p50 ${percentile([...csvMs].sort((x, y) => x - y), 50).toFixed(1).padStart(6)} ms  rows ${String(all.data.length).padStart(5)}` +
        `  | ${pages} pages of 1000 in ${pagesMs.toFixed(0)} ms; together the same rows: ${pagesSame ? 'yes' : 'NO'}`,
    );
  }
  // What the pipeline's rows cost to read whatever the statement: as many rows of its columns,
  // taken from positions with nothing aggregated (a floor for that report at this size).
  const floor = sql`
    SELECT pos.id AS position_id, 3 AS candidates, ${sql.raw(applicationStages.map((st) => `1 AS stage_${st}`).join(', '))},
           1 AS decided, 2.5::float8 AS median_days, pos.title, pos.employer_id, e.name AS employer_name
    FROM positions pos JOIN employers e ON e.id = pos.employer_id ORDER BY e.name, pos.title, pos.id`;
  const floorMs: number[] = [];
  let floorRows = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    floorRows = (await rowsOf(floor)).length;
    floorMs.push(performance.now() - t0);
  }
  lines.push(`${`floor: ${floorRows} rows of the pipeline's columns`.padEnd(36)} p50 ${percentile([...floorMs].sort((x, y) => x - y), 50).toFixed(1).padStart(6)} ms  (nothing aggregated)`);
  const agree = await summariesAgree(admin);
  const writes = process.env.REPORTS_WRITES === '0' ? [] : await writeCost();
  const load = (await readFile('/proc/loadavg', 'utf8').catch(() => '?')).split(' ').slice(0, 3).join(' ');
  console.log(`\n${N} interviews; through the service at one connection, ${RUNS} runs each (each statement alone and as it was before issue 18: ${BEFORE_RUNS} runs, in turns); load average ${load}:`);
  console.log(lines.join('\n'));
  console.log(`summaries agree with the facts: ${agree ? 'yes' : 'NO'}; every report gives the same rows as before: ${allSame ? 'yes' : 'NO'}`);
  if (writes.length) console.log(`\nwhat the summaries' triggers cost a write:\n${writes.join('\n')}`);
  await admin.end();
  await deps.close();
  if (!agree || !allSame) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
