/**
 * Follow-up engine benchmark (issue 4, "Performance"), beside a bare BullMQ baseline in the same run.
 *
 *   BENCH_ONLY=followups npm run bench        # this bench alone (npm run bench runs it after the HTTP targets)
 *   BENCH_FU_INTERVIEWS=2000 BENCH_ONLY=followups npm run bench   # smaller
 *
 * 1. Seeds a fresh database (afterview_bench_followups) with one agency and N interviews (default
 *    10,000) of 3 participants each, ending one after another across one minute.
 * 2. Planning: completes every interview through the API (POST /v1/interviews/{id}/complete, the
 *    product path: lock, plan, insert, activity and events), BENCH_FU_PLAN_CONCURRENCY at a time.
 *    The 3N thank-you notes fall due 2 h after each end: spread evenly over one minute.
 * 3. Delivery: the clock (injected, real time plus an offset) jumps to a minute before the first
 *    note is due; the sweep enqueues the delayed deliver jobs; the worker claims, renders and sends
 *    each through nodemailer to an SMTP sink (smtp-server) in this process. Lateness is the
 *    follow-up's sent_at minus the moment it was to leave (its due_at plus its undo window, 30 s).
 * 4. Burst: the N timeline requests are all due at the same instant (09:30 the next morning): how
 *    fast a backlog drains (emails/s) and how late the last ones are. Beside them, a second agency's
 *    10 timeline requests due at the same instant and queued after all of them (bench/fairness.ts):
 *    their lateness shows whether agencies take turns.
 * 5. Baseline: the same numbers of bare BullMQ delayed jobs (across one minute; all at one instant)
 *    on a worker with the same concurrency and a processor that does nothing.
 *
 * Candidates opt out of status updates, so the minute holds exactly the 3N notes (30,000 at the
 * default: 500 a second). The SMTP sink runs in a child process (bench/receiver.ts), as a mail
 * server would. Results go to stdout and bench/results/followups.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { removeQueueKeys } from '../src/jobs/queues.js';
import { startWorkers } from '../src/jobs/worker.js';
import { reconcileFollowUps } from '../src/modules/followups/followups.jobs.js';
import { defaultPlaybook } from '../src/core/followups/playbook.js';
import { bareBullmq, gitRevision, machineBusyPct, percentile as pct, recreateDatabase } from './lib.js';
import { startReceiver } from './receiver.js';
import { latenessOf, secondAgency } from './fairness.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/afterview_bench_followups';
const APP_URL = 'postgres://afterview_app:afterview_app@127.0.0.1:5432/afterview_bench_followups';
const RESULTS = new URL('./results/followups.json', import.meta.url);

const int = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
};

/** The first interview ends Wed 10 Jun 2026 11:00 New York; its notes are due 13:00 (17:00Z). */
const FIRST_END = Date.parse('2026-06-10T15:00:00Z');
const FIRST_DUE = FIRST_END + 2 * 3600_000;
/** The notes fall due across this span (BENCH_FU_SPREAD_SECONDS, default one minute). */
const SPREAD_MS = Number(process.env.BENCH_FU_SPREAD_SECONDS ?? 60) * 1000;
/** The timeline requests: all due at 09:30 New York the next business day, one burst. */
const BURST_DUE = Date.parse('2026-06-11T13:30:00Z');
/** Every email leaves this long after it falls due (playbook undoSeconds, its default). */
const UNDO_MS = defaultPlaybook.undoSeconds * 1000;

/** One email per follow-up: the agency's playbook with combining off. */
async function turnOffCombining(app: FastifyInstance, token: string) {
  const res = await app.inject({ method: 'PUT', url: '/v1/playbook', headers: { authorization: `Bearer ${token}` }, payload: { combinePerContact: false } });
  if (res.statusCode !== 200) throw new Error(`playbook answered ${res.statusCode}: ${res.body}`);
}

export interface FollowUpsBenchResult {
  interviews: number;
  followUpsPlanned: number;
  planning: { seconds: number; interviewsPerSec: number; followUpsPerSec: number; concurrency: number };
  delivery: { emails: number; sent: number; seconds: number; sendsPerSec: number; p50LatenessMs: number; p99LatenessMs: number; maxLatenessMs: number; sweepSeconds: number; concurrency: number };
  baseline: { jobs: number; seconds: number; jobsPerSec: number; p50LatenessMs: number; p99LatenessMs: number; maxLatenessMs: number };
  burst: { emails: number; sent: number; sendsPerSec: number; p50LatenessMs: number; p99LatenessMs: number };
  /** Agency B's emails due at the burst's instant, queued after all of the burst: their lateness. */
  otherAgency: { emails: number; sent: number; p50LatenessMs: number; p99LatenessMs: number; maxLatenessMs: number };
  baselineBurst: { jobs: number; jobsPerSec: number; p50LatenessMs: number; p99LatenessMs: number };
  backgroundCpuPct: number;
}


export async function runFollowUpsBench(): Promise<FollowUpsBenchResult> {
  const N = int('BENCH_FU_INTERVIEWS', 10_000);
  const planConcurrency = int('BENCH_FU_PLAN_CONCURRENCY', 8);
  const workerConcurrency = int('BENCH_FU_CONCURRENCY', 50);
  const closers: Array<() => Promise<unknown>> = [];
  try {
    // The SMTP sink, in its own process as a mail server is: counts what it accepts.
    const sink = await startReceiver('smtp');
    closers.push(() => sink.close());
    const smtpPort = sink.port;
    let onReceived: (() => void) | undefined;
    sink.onCount = () => onReceived?.();

    await recreateDatabase(ADMIN_URL);
    await migrateDatabase(ADMIN_URL, APP_URL);

    // The injected clock: real time plus an offset, so the app lives on the bench's Wednesday.
    let offset = 0;
    const clock = { now: () => new Date(Date.now() + offset) };
    const setNow = (iso: number) => {
      offset = iso - Date.now();
    };
    const config = loadConfig({
      DATABASE_URL: APP_URL,
      DATABASE_ADMIN_URL: ADMIN_URL,
      DATABASE_POOL_MAX: String(Math.max(20, planConcurrency + 2)),
      DATABASE_READ_PIPELINES: process.env.DATABASE_READ_PIPELINES ?? '2',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `afterview-bench-fu-${process.pid}`,
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'afterview-bench-secret-not-for-production-0123456789',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      RATE_LIMIT_MAX: '100000000',
      LOGIN_RATE_LIMIT_MAX: '100000000',
      SEED_DEMO: '0',
      MIGRATE_ON_START: '0',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}${process.env.BENCH_FU_SMTP_QUERY ?? ""}`,
      MAIL_FROM: 'followups@bench.example.org',
      // The worker relays events too, as in production; WEBHOOK_RELAY=0 measures without it.
      WEBHOOK_RELAY: process.env.WEBHOOK_RELAY ?? '1',
      WEBHOOK_POLL_MS: process.env.WEBHOOK_POLL_MS ?? '1000',
    });
    const deps = createDeps(config, { clock });
    closers.push(async () => {
      await removeQueueKeys(deps.redis, config.QUEUE_PREFIX).catch(() => undefined);
      await deps.close();
    });
    const app = await buildApp(deps);
    closers.push(() => app.close());

    setNow(Date.parse('2026-06-01T12:00:00Z'));
    const signup = await app.inject({
      method: 'POST',
      url: '/v1/signup',
      payload: { agencyName: 'Bench Agency', slug: 'bench-followups', owner: { name: 'Bench Owner', email: 'owner@bench.example.org', password: 'bench-password-123' } },
    });
    if (signup.statusCode !== 201) throw new Error(`signup answered ${signup.statusCode}: ${signup.body}`);
    const token = signup.json<{ accessToken: string }>().accessToken;
    const me = (await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${token}` } })).json<{ user: { id: string }; agency: { id: string } }>();
    const tenantId = me.agency.id;
    // Each email measured alone: combining (playbook combinePerContact) would make the burst's
    // 10,000 timeline requests to 100 hiring managers about 100 emails, not a backlog to drain.
    await turnOffCombining(app, token);

    process.stdout.write(`followups: seeding ${N} interviews with 3 participants each ... `);
    const admin = new pg.Pool({ connectionString: ADMIN_URL, max: 2 });
    closers.push(() => admin.end());
    const t0 = Date.now();
    await seed(admin, tenantId, me.user.id, N);
    console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const ids = (await admin.query<{ id: string }>('SELECT id FROM interviews WHERE tenant_id = $1 ORDER BY ends_at', [tenantId])).rows.map((r) => r.id);

    const backgroundCpuPct = await machineBusyPct();

    // Planning: every interview completed through the API at 11:10 New York.
    setNow(Date.parse('2026-06-10T15:10:00Z'));
    const auth = { authorization: `Bearer ${token}` };
    let next = 0;
    const p0 = performance.now();
    await Promise.all(
      Array.from({ length: planConcurrency }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const res = await app.inject({ method: 'POST', url: `/v1/interviews/${id}/complete`, headers: auth, payload: {} });
          if (res.statusCode !== 200) throw new Error(`complete answered ${res.statusCode}: ${res.body}`);
        }
      }),
    );
    const planSeconds = (performance.now() - p0) / 1000;
    const planned = Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM follow_ups WHERE tenant_id = $1', [tenantId])).rows[0]!.n);
    const notes = Number(
      (
        await admin.query<{ n: string }>(
          "SELECT count(*) AS n FROM follow_ups WHERE tenant_id = $1 AND channel = 'email' AND status = 'pending' AND due_at >= $2 AND due_at < $3",
          [tenantId, new Date(FIRST_DUE), new Date(FIRST_DUE + SPREAD_MS)],
        )
      ).rows[0]!.n,
    );
    console.log(`followups: planned ${N} interviews (${planned} follow-ups) in ${planSeconds.toFixed(1)} s; ${notes} emails due within one minute`);
    if (process.env.BENCH_FU_PLAN_ONLY === '1') throw new Error('BENCH_FU_PLAN_ONLY=1: stopped after planning');
    // Agency B: 10 emails due with the burst below (bench/fairness.ts).
    const tenantB = await secondAgency(app, admin, (id, owner) => seed(admin, id, owner, 10));

    // Delivery: a minute before the first note, the sweep enqueues them; the worker sends them.
    // The clock only ever moves forward from here, and no measured note is queued before its last
    // move: a job's delay is counted on the clock of the moment it is added (the worker's own
    // sweep runs as it starts and every minute, so with a warm-up it starts half an hour early,
    // far from the measured notes however long the relay's backlog and the warm-up take).
    const warmup = Number(process.env.BENCH_FU_WARMUP ?? 2000);
    setNow(warmup > 0 ? FIRST_DUE - 30 * 60_000 : FIRST_DUE - 60_000);
    const workers = await startWorkers(deps, { concurrency: workerConcurrency });
    closers.push(() => workers.close());
    // A long-running worker's relay keeps up with events as they commit; this one starts after
    // planning, so it first publishes the planning's backlog (not part of the measured minute).
    await workers.relay?.kick();
    // Warm-up (as a long-running worker is): BENCH_FU_WARMUP check-ins (default 2,000, not measured)
    // are made due now and sent, so JIT, pools and SMTP connections are warm when the minute starts.
    if (warmup > 0) {
      const { rowCount } = await admin.query(
        // Due one undo window ago: they leave now.
        `UPDATE follow_ups SET due_at = $2::timestamptz - undo_seconds * interval '1 second' WHERE id IN (SELECT id FROM follow_ups WHERE tenant_id = $1 AND kind = 'recruiter_check_in' AND status = 'pending' LIMIT $3)`,
        [tenantId, clock.now(), warmup],
      );
      const warm = new Promise<void>((resolve) => {
        onReceived = () => sink.count >= (rowCount ?? 0) && resolve();
      });
      await reconcileFollowUps(deps, { tenantId });
      await Promise.race([warm, new Promise<void>((resolve) => setTimeout(resolve, 25_000).unref())]);
      console.log(`followups: warm-up sent ${sink.count} of ${rowCount} check-ins`);
      setNow(FIRST_DUE - 60_000);
    }
    const warmed = sink.count;

    const s0 = performance.now();
    const sweep = await reconcileFollowUps(deps, { tenantId });
    const sweepSeconds = (performance.now() - s0) / 1000;
    console.log(`followups: the sweep enqueued ${sweep.enqueued} deliver jobs in ${sweepSeconds.toFixed(1)} s`);
    const allIn = new Promise<void>((resolve) => {
      onReceived = () => sink.count >= warmed + notes && resolve();
      onReceived();
    });
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, FIRST_DUE + SPREAD_MS - clock.now().getTime()) + 180_000).unref());
    await Promise.race([allIn, deadline]);
    const lateness = await admin.query<{ ms: number; sent_at: Date }>(
      `SELECT extract(epoch FROM sent_at - (due_at + undo_seconds * interval '1 second')) * 1000 AS ms, sent_at FROM follow_ups
       WHERE tenant_id = $1 AND status = 'sent' AND due_at >= $2 AND due_at < $3 ORDER BY ms`,
      [tenantId, new Date(FIRST_DUE), new Date(FIRST_DUE + SPREAD_MS)],
    );
    const late = lateness.rows.map((r) => Number(r.ms));
    const lastSent = Math.max(...lateness.rows.map((r) => r.sent_at.getTime()));
    const deliverySeconds = (lastSent - FIRST_DUE - UNDO_MS) / 1000;
    const delivery = {
      emails: notes,
      sent: late.length,
      seconds: deliverySeconds,
      sendsPerSec: late.length / deliverySeconds,
      p50LatenessMs: pct(late, 50),
      p99LatenessMs: pct(late, 99),
      maxLatenessMs: late.at(-1) ?? NaN,
      sweepSeconds,
      concurrency: workerConcurrency,
    };
    console.log(
      `followups: sent ${late.length}/${notes} (sink: ${sink.count - warmed}) from the first due time in ${deliverySeconds.toFixed(1)} s: ${delivery.sendsPerSec.toFixed(0)} emails/s, ` +
        `lateness p50 ${delivery.p50LatenessMs.toFixed(0)} ms, p99 ${delivery.p99LatenessMs.toFixed(0)} ms, max ${delivery.maxLatenessMs.toFixed(0)} ms`,
    );

    // Burst: the N timeline requests are all due at 09:30 New York the next morning. How fast does
    // a backlog drain? Lateness here is mostly queueing: the last one waits for all the others.
    setNow(BURST_DUE - 20_000);
    const burstCount = Number(
      (await admin.query<{ n: string }>("SELECT count(*) AS n FROM follow_ups WHERE tenant_id = $1 AND channel = 'email' AND status = 'pending' AND due_at = $2", [tenantId, new Date(BURST_DUE)])).rows[0]!.n,
    );
    await reconcileFollowUps(deps, { tenantId });
    // Agency B's 10 due at the same instant, queued after all of A's: served in turn, not last.
    const otherCount = (await reconcileFollowUps(deps, { tenantId: tenantB })).enqueued;
    const burstIn = new Promise<void>((resolve) => {
      onReceived = () => sink.count >= warmed + notes + burstCount + otherCount && resolve();
      onReceived();
    });
    await Promise.race([burstIn, new Promise<void>((resolve) => setTimeout(resolve, 20_000 + 300_000).unref())]);
    await workers.close();
    const burstRows = await admin.query<{ ms: number }>(
      "SELECT extract(epoch FROM sent_at - (due_at + undo_seconds * interval '1 second')) * 1000 AS ms FROM follow_ups WHERE tenant_id = $1 AND status = 'sent' AND due_at = $2 ORDER BY ms",
      [tenantId, new Date(BURST_DUE)],
    );
    const burstLate = burstRows.rows.map((r) => Number(r.ms));
    const burst = {
      emails: burstCount,
      sent: burstLate.length,
      sendsPerSec: burstLate.length / ((burstLate.at(-1) ?? NaN) / 1000),
      p50LatenessMs: pct(burstLate, 50),
      p99LatenessMs: pct(burstLate, 99),
    };
    console.log(`followups: burst of ${burstCount} due at one instant: sent ${burst.sent}, drained at ${burst.sendsPerSec.toFixed(0)} emails/s`);
    const otherLate = await latenessOf(admin, tenantB, new Date(BURST_DUE));
    const otherAgency = {
      emails: otherCount,
      sent: otherLate.length,
      p50LatenessMs: pct(otherLate, 50),
      p99LatenessMs: pct(otherLate, 99),
      maxLatenessMs: otherLate.at(-1) ?? NaN,
    };
    console.log(`followups: agency B's ${otherCount} due with the burst: lateness p99 ${otherAgency.p99LatenessMs.toFixed(0)} ms`);
    // Threading is on for every email (docs/email.md): each is recorded in its thread, and the burst's
    // timeline requests to the hiring managers answer the thank-you each had the day before.
    const threading = (
      await admin.query<{ messages: string; replies: string }>(
        'SELECT count(*) AS messages, count(*) FILTER (WHERE in_reply_to IS NOT NULL) AS replies FROM email_messages WHERE tenant_id = $1',
        [tenantId],
      )
    ).rows[0]!;
    console.log(`followups: threading: ${threading.messages} messages recorded in their threads, ${threading.replies} sent In-Reply-To an earlier one`);

    const baseline = await bareBullmq(config.REDIS_URL, `afterview-bench-fu-base-${process.pid}`, notes, workerConcurrency, SPREAD_MS);
    const baselineBurst = await bareBullmq(config.REDIS_URL, `afterview-bench-fu-burst-${process.pid}`, burstCount, workerConcurrency, 0);
    console.log(`followups: bare BullMQ burst of ${burstCount}: drained at ${baselineBurst.jobsPerSec.toFixed(0)} jobs/s`);
    console.log(
      `followups: bare BullMQ ${baseline.jobs} delayed jobs over one minute: ${baseline.jobsPerSec.toFixed(0)} jobs/s, ` +
        `lateness p50 ${baseline.p50LatenessMs.toFixed(0)} ms, p99 ${baseline.p99LatenessMs.toFixed(0)} ms`,
    );

    const result: FollowUpsBenchResult = {
      interviews: N,
      followUpsPlanned: planned,
      planning: { seconds: planSeconds, interviewsPerSec: N / planSeconds, followUpsPerSec: planned / planSeconds, concurrency: planConcurrency },
      delivery,
      baseline,
      burst,
      otherAgency,
      baselineBurst: { jobs: baselineBurst.jobs, jobsPerSec: baselineBurst.jobsPerSec, p50LatenessMs: baselineBurst.p50LatenessMs, p99LatenessMs: baselineBurst.p99LatenessMs },
      backgroundCpuPct,
    };
    console.log(`\n${formatFollowUps(result)}\n`);
    await mkdir(new URL('.', RESULTS), { recursive: true });
    await writeFile(RESULTS, `${JSON.stringify({ at: new Date().toISOString(), revision: gitRevision(), node: process.version, cpus: os.cpus().length, ...result }, null, 2)}\n`);
    console.log(`written to ${RESULTS.pathname}`);
    return result;
  } finally {
    for (const close of closers.reverse()) await close().catch((err) => console.error('close failed:', err));
  }
}

export function formatFollowUps(r: FollowUpsBenchResult): string {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const rows = [
    ['measure', 'follow-up engine', 'bare BullMQ', 'goal'],
    ['planning', `${r.planning.interviewsPerSec.toFixed(0)} interviews/s (${r.planning.followUpsPerSec.toFixed(0)} follow-ups/s)`, '', ''],
    [`${r.delivery.emails} due across one minute`, `${r.delivery.sendsPerSec.toFixed(0)} emails/s (${r.delivery.sent} sent)`, `${r.baseline.jobsPerSec.toFixed(0)} jobs/s`, '>= 500'],
    ['lateness p50', ms(r.delivery.p50LatenessMs), ms(r.baseline.p50LatenessMs), ''],
    ['lateness p99', ms(r.delivery.p99LatenessMs), ms(r.baseline.p99LatenessMs), '< 1000 ms'],
    ['lateness max', ms(r.delivery.maxLatenessMs), ms(r.baseline.maxLatenessMs), ''],
    [`burst of ${r.burst.emails} at one instant`, `drained at ${r.burst.sendsPerSec.toFixed(0)} emails/s`, `${r.baselineBurst.jobsPerSec.toFixed(0)} jobs/s`, ''],
    ['burst lateness p50 / p99', `${ms(r.burst.p50LatenessMs)} / ${ms(r.burst.p99LatenessMs)}`, `${ms(r.baselineBurst.p50LatenessMs)} / ${ms(r.baselineBurst.p99LatenessMs)}`, ''],
    [`another agency's ${r.otherAgency.emails} due with the burst: lateness p50 / p99`, `${ms(r.otherAgency.p50LatenessMs)} / ${ms(r.otherAgency.p99LatenessMs)} (${r.otherAgency.sent} sent)`, '', '< 2000 ms'],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

/** One agency: 100 New York schools with 3 contacts and a position each; N candidates, applications and interviews. */
async function seed(admin: pg.Pool, tenantId: string, ownerId: string, n: number) {
  const c = await admin.connect();
  try {
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO employers (tenant_id, id, name, kind, time_zone, created_at, updated_at)
       SELECT $1, gen_random_uuid(), 'School ' || e, 'school', 'America/New_York', now(), now() FROM generate_series(1, 100) e`,
      [tenantId],
    );
    await c.query(
      `INSERT INTO contacts (tenant_id, id, employer_id, name, title, email, created_at, updated_at)
       SELECT $1, gen_random_uuid(), e.id, (ARRAY['Pat Principal','Terry Teacher','Chris Coordinator'])[k] || ' ' || e.name,
              (ARRAY['Principal','Teacher','Coordinator'])[k], 'contact' || k || '.' || replace(lower(e.name), ' ', '') || '@school.example.org', now(), now()
       FROM employers e CROSS JOIN generate_series(1, 3) k WHERE e.tenant_id = $1`,
      [tenantId],
    );
    await c.query(
      `INSERT INTO positions (tenant_id, id, employer_id, title, status, openings, created_at, updated_at)
       SELECT $1, gen_random_uuid(), e.id, '5th grade teacher', 'open', 1, now(), now() FROM employers e WHERE e.tenant_id = $1`,
      [tenantId],
    );
    await c.query(
      `CREATE TEMP TABLE b AS
       SELECT g AS n, gen_random_uuid() AS cand, gen_random_uuid() AS app, gen_random_uuid() AS iv,
              (SELECT array_agg(id ORDER BY id) FROM positions WHERE tenant_id = $1) AS positions
       FROM generate_series(1, $2::int) g`,
      [tenantId, n],
    );
    await c.query(
      `INSERT INTO candidates (tenant_id, id, name, email, relay_consent, relay_consent_at, status_updates_opt_in, created_at, updated_at)
       SELECT $1, b.cand, 'Candidate ' || b.n, 'candidate' || b.n || '@mail.example.org', true, now(), false, now(), now() FROM b`,
      [tenantId],
    );
    await c.query(
      `INSERT INTO applications (tenant_id, id, candidate_id, position_id, owner_id, stage, stage_changed_at, created_at, updated_at)
       SELECT $1, b.app, b.cand, b.positions[1 + b.n % 100], $2, 'interviewing', now(), now(), now() FROM b`,
      [tenantId, ownerId],
    );
    await c.query(
      `INSERT INTO interviews (tenant_id, id, application_id, round, format, starts_at, ends_at, time_zone, arranged_via, status, version, created_at, updated_at)
       SELECT $1, b.iv, b.app, 1, 'onsite', e - interval '1 hour', e, 'America/New_York', 'email', 'scheduled', 1, now(), now()
       FROM (SELECT b.*, $2::timestamptz + ((b.n - 1) * $3::float8 / $4) * interval '1 millisecond' AS e FROM b) b`,
      [tenantId, new Date(FIRST_END), SPREAD_MS, n],
    );
    await c.query(
      `INSERT INTO interview_participants (tenant_id, id, interview_id, contact_id, role, highlight, created_at)
       SELECT $1, gen_random_uuid(), b.iv, ct.id, CASE WHEN ct.title = 'Principal' THEN 'hiring_manager' ELSE 'interviewer' END,
              CASE WHEN ct.title = 'Teacher' THEN 'Loved the reading-corner idea' END, now()
       FROM b JOIN positions p ON p.id = b.positions[1 + b.n % 100] JOIN contacts ct ON ct.employer_id = p.employer_id`,
      [tenantId],
    );
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
}
