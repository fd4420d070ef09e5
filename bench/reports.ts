/**
 * The reports over one agency with REPORTS_INTERVIEWS completed interviews (default 300,000; the
 * issue's bench size): p50 and p95 of each report at one connection, through the service as the
 * API calls it, and the EXPLAIN (ANALYZE, BUFFERS) of each statement, run as the app's role with
 * the tenant context set. Its own database (afterview_bench_reports), seeded in SQL:
 *
 *   REPORTS_INTERVIEWS=3000 npx tsx bench/reports.ts     # a quick smoke
 *   npx tsx bench/reports.ts                             # the full size (takes minutes to seed)
 *
 * Per interview: one application and candidate, two thank-yous and a status check (follow_ups),
 * one promise in the ledger (80% settled, a third of those late), an answer to one email in
 * 60%, a decision in 60% (with its application_decisions row); over 2 years, 5 recruiters, 200 districts of 5 schools, 3 contacts each.
 */
import pg from 'pg';
import { PgDialect } from 'drizzle-orm/pg-core';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { migrateDatabase } from '../src/db/migrate.js';
import type { Actor } from '../src/lib/access.js';
import { atLocal } from '../src/core/businessTime.js';
import {
  employersReport,
  employersStatement,
  followUpsReport,
  followUpsStatement,
  pipelineReport,
  pipelineStatement,
  type Period,
} from '../src/modules/reports/reports.service.js';
import { percentile, recreateDatabase } from './lib.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/afterview_bench_reports';
const APP_URL = 'postgres://afterview_app:afterview_app@127.0.0.1:5432/afterview_bench_reports';
const N = Number(process.env.REPORTS_INTERVIEWS ?? 300_000);
const RUNS = Number(process.env.REPORTS_RUNS ?? 30);
const NOW = new Date('2027-06-30T16:00:00Z');
const TENANT = '0190e000-0000-7000-8000-000000000001';

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
  await q(`INSERT INTO outcomes (tenant_id, id, application_id, kind, actor_type, created_at)
           SELECT $1, md5('out' || g)::uuid, md5('app' || g)::uuid, CASE WHEN g % 10 < 3 THEN 'rejected' WHEN g % 10 < 5 THEN 'offer' ELSE 'hired' END, 'user',
                  ${at} + interval '1 day' * (3 + g % 12)
           FROM generate_series(1, $3::int) g WHERE g % 10 < 6`, [TENANT, NOW, N]);
  await q(`INSERT INTO application_decisions (tenant_id, application_id, position_id, owner_id, kind, decided_at, interview_ended_at)
           SELECT o.tenant_id, o.application_id, a.position_id, a.owner_id, o.kind, o.created_at, iv.ends_at
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

async function main() {
  await recreateDatabase(ADMIN_URL);
  await migrateDatabase(ADMIN_URL, APP_URL);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await seed(admin);
  await admin.end();

  const deps = createDeps(
    loadConfig({ DATABASE_URL: APP_URL, DATABASE_ADMIN_URL: ADMIN_URL, REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'afterview-bench-reports', LOG_LEVEL: 'warn', JWT_SECRET: 'afterview-bench-secret-not-for-production-0123456789', SEED_DEMO: '0', MIGRATE_ON_START: '0' }),
    { clock: { now: () => NOW } },
  );
  const actor: Actor = { tenantId: TENANT, kind: 'user', userId: null, apiKeyId: null, role: 'owner', scopes: [] };
  const dialect = new PgDialect();
  const query = { from: '2027-04-01', to: '2027-06-30' };
  const p = periodOf(query.from, query.to);
  const cases = [
    { name: 'GET /v1/reports/employers (90 days)', run: () => employersReport(deps, actor, query), statement: employersStatement(query, p) },
    { name: 'GET /v1/reports/follow-ups (90 days)', run: () => followUpsReport(deps, actor, query), statement: followUpsStatement(query, p, NOW) },
    { name: 'GET /v1/reports/pipeline (90 days)', run: () => pipelineReport(deps, actor, query), statement: pipelineStatement(query, p) },
  ];
  const lines: string[] = [];
  for (const c of cases) {
    await c.run(); // warm
    const ms: number[] = [];
    let rows = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      rows = (await c.run()).data.length;
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    lines.push(`${c.name.padEnd(42)} p50 ${percentile(ms, 50).toFixed(1).padStart(7)} ms  p95 ${percentile(ms, 95).toFixed(1).padStart(7)} ms  rows ${rows}`);
    const { sql: text, params } = dialect.sqlToQuery(c.statement);
    console.log(`\n=== ${c.name}: plan ===\n${await explain(text, params)}`);
  }
  console.log(`\n${N} interviews, ${RUNS} runs each at one connection:\n${lines.join('\n')}`);
  await deps.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
