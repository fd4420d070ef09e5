/**
 * Throughput benchmark: our app against bare Fastify baselines, on loopback only.
 *
 *   npm run bench                      # 10 s per target, 50 connections
 *   BENCH_DURATION=5 BENCH_CONNECTIONS=20 npm run bench
 *   BENCH_ONLY=/v1/me npm run bench    # a subset (plus the baselines it is compared with)
 *   BENCH_ROUNDS=3 npm run bench       # every target 3 times, median reported (noisy machines)
 *   BENCH_ONLY=paced npm run bench     # the list routes' capacity, then each at half of it (bench/paced.ts)
 *   BENCH_ONLY=respond npm run bench   # the answer page's POST and its baseline (bench/respond.ts)
 *
 * Also BENCH_WARMUP (seconds, default 2) and BENCH_WORKERS (autocannon worker threads, default 1;
 * 0 fires requests from the main thread, which the servers under test share).
 *
 * Data (bench/seed.ts): the database afterview_bench holds one agency with 100k candidates, 20k
 * positions and 300k interviews, and ten agencies a tenth of that size beside it. It is generated
 * once and kept: a run re-creates it only when a migration, the generator or BENCH_SCALE changed,
 * or with BENCH_RESEED=1. BENCH_SCALE (default 1) multiplies every size. BENCH_PLANS=0 skips the
 * EXPLAIN ANALYZE of the list queries (bench/plans.ts) printed before the load.
 *
 * Results go to stdout and bench/results/latest.json. Exits non-zero on setup errors and when any
 * measured request failed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import Fastify from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { v7 as uuidv7 } from 'uuid';
import {
  compare,
  formatTable,
  gitRevision,
  listen,
  machineBusyPct,
  measure,
  medianRound,
  recreateDatabase,
  selectTargets,
  settingsFrom,
  waitForIdleDatabase,
  waitForRedis,
  type Stats,
  type Target,
} from './lib.js';
import { explainCandidateSearch, explainCases, flagged, formatPlans, listCases, type PlanReport, type PlanSamples } from './plans.js';
import { fingerprintOf, generate, keptData, removeRunRows, scaleFrom, type SeedMeta } from './seed.js';
import { runFollowUpsBench } from './followups.js';
import { formatPaced, pacedRun, type PacedResult } from './paced.js';
import { answerLinks, answersSince, replanAll } from './respond.js';
import { removeQueueKeys } from '../src/jobs/queues.js';
import { publicUrl } from '../src/config.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/afterview_bench';
const APP_URL = 'postgres://afterview_app:afterview_app@127.0.0.1:5432/afterview_bench';
const APP_ROLE = new URL(APP_URL).username;
const RESULTS = new URL('./results/latest.json', import.meta.url);

const settings = settingsFrom(process.env);
const scale = scaleFrom(process.env);
const MAIN_SLUG = 'bench-agency';
const OWNER = { email: 'owner@bench.example.org', password: 'bench-password-123' };
/** Distinct candidates GET /v1/candidates/:id and its baseline rotate over. */
const CANDIDATE_SAMPLE = 500;
const config = loadConfig({
  DATABASE_URL: APP_URL,
  DATABASE_ADMIN_URL: ADMIN_URL,
  REDIS_URL: 'redis://127.0.0.1:6379',
  QUEUE_PREFIX: 'afterview-bench',
  LOG_LEVEL: 'warn',
  JWT_SECRET: 'afterview-bench-secret-not-for-production-0123456789',
  ACCESS_TOKEN_TTL_SECONDS: '3600', // outlives a long run with many targets
  // The limiters still run (one Redis call per request) but never refuse, even across quick re-runs.
  RATE_LIMIT_MAX: '100000000',
  LOGIN_RATE_LIMIT_MAX: '100000000',
  // The answer page's per-address limit (every request here comes from 127.0.0.1), and per link.
  RESPONSE_RATE_LIMIT_MAX: '100000000',
  SEED_DEMO: '0',
  MIGRATE_ON_START: '0',
});

const closers: Array<() => Promise<unknown>> = [];

async function main() {
  // BENCH_ONLY=followups: the follow-up engine alone (bench/followups.ts); a full run ends with it.
  if (settings.only?.test('followups')) {
    await runFollowUpsBench();
    return;
  }
  // BENCH_ONLY=webhooks: only bench/webhooks.ts, which `npm run bench` runs after this one.
  if (settings.only?.test('webhooks')) return;
  const fingerprint = await fingerprintOf(scale);
  const kept = process.env.BENCH_RESEED === '1' ? undefined : await keptData(ADMIN_URL, fingerprint);
  if (!kept) await recreateDatabase(ADMIN_URL);
  await migrateDatabase(ADMIN_URL, APP_URL);

  // Baseline A: Fastify with nothing on it.
  const bare = Fastify();
  bare.get('/json', async () => ({ hello: 'world' }));
  closers.push(() => bare.close());
  const bareUrl = await listen(bare);

  // Our app, with the main agency whose owner signs the requests.
  const deps = createDeps(config);
  closers.push(() => deps.close());
  const app = await buildApp(deps);
  closers.push(() => app.close());
  const appUrl = await listen(app);
  await waitForRedis(deps.redis);

  let data: SeedMeta;
  let session: Session;
  if (kept) {
    session = await logIn(app);
    const removed = await removeRunRows(ADMIN_URL, kept);
    console.log(
      `data: kept from ${kept.seededAt} (scale ${kept.scale}, generated in ${kept.seconds} s); ` +
        `removed ${removed} rows earlier runs added. BENCH_RESEED=1 generates it again.`,
    );
    data = kept;
  } else {
    session = await signUp(app);
    console.log(`data: generating (scale ${scale}) ...`);
    data = await generate(ADMIN_URL, { tenantId: session.tenantId, ownerId: session.userId, slug: MAIN_SLUG }, scale, fingerprint);
    console.log(`data: generated in ${data.seconds} s`);
  }
  console.log(`data: rows of the main agency ${JSON.stringify(data.rows.main)}; of the ten others ${JSON.stringify(data.rows.others)}`);
  const auth = { authorization: `Bearer ${session.accessToken}` };
  const tenantId = session.tenantId;

  const pool = new pg.Pool({ connectionString: ADMIN_URL, max: config.DATABASE_POOL_MAX });
  closers.push(() => pool.end());
  const sample = await samplesOf(pool, tenantId, data);
  console.log(
    `data: interview window ${data.window.from} .. ${data.window.to} has ${sample.scheduledInWindow} scheduled interviews; ` +
      `${sample.candidateIds.length} candidate ids in rotation`,
  );
  console.log(`data: the plans' samples ${JSON.stringify(sample.plans)}`);

  let plans: PlanReport[] = [];
  if (process.env.BENCH_PLANS !== '0') {
    const actor = { tenantId, kind: 'user' as const, userId: session.userId, apiKeyId: null, role: 'owner' as const, scopes: [] };
    plans = await explainCases(APP_URL, actor, listCases(sample.plans));
    plans.push(...(await explainCandidateSearch(ADMIN_URL, actor.tenantId, [{ pattern: 'smith', tag: 'math' }, { pattern: 'no-such-person' }, { tag: 'math' }])));
    console.log(`\n${formatPlans(plans)}\n`);
    if (!sample.plans.endpointId) {
      console.log('plans: no webhook endpoint in the bench data, so GET /v1/webhook-endpoints/:id/deliveries is not explained (bench/webhooks.ts has its own database)\n');
    }
  }

  // Baselines B: Fastify plus hand-written SQL through a plain pg pool (superuser: no RLS, so the
  // tenant is filtered explicitly), no auth, no validation, no serializer schemas.
  const pk = Fastify();
  pk.get<{ Params: { id: string } }>('/pk/:id', async (req, reply) => {
    const { rows } = await pool.query('SELECT id, email, name, role FROM users WHERE id = $1', [req.params.id]);
    return rows[0] ?? reply.code(404).send({ error: 'not found' });
  });
  pk.get<{ Params: { id: string } }>('/pk/candidates/:id', async (req, reply) => {
    const { rows } = await pool.query('SELECT * FROM candidates WHERE id = $1', [req.params.id]);
    return rows[0] ?? reply.code(404).send({ error: 'not found' });
  });
  // The two queries findInterviews sends: a keyset page by (starts_at, id), then its participants.
  pk.get<{ Querystring: { from: string; to: string; status: string; limit: string } }>('/keyset/interviews', async (req) => {
    const q = req.query;
    const limit = Number(q.limit);
    const { rows } = await pool.query(
      `SELECT i.*, a.candidate_id, a.position_id, p.employer_id
       FROM interviews i
       JOIN applications a ON a.id = i.application_id
       JOIN positions p ON p.id = a.position_id
       WHERE i.tenant_id = $1 AND i.starts_at >= $2 AND i.starts_at < $3 AND i.status = $4
       ORDER BY i.starts_at, i.id
       LIMIT $5`,
      [tenantId, q.from, q.to, q.status, limit + 1],
    );
    const people = rows.length
      ? (
          await pool.query(
            `SELECT ip.interview_id, ip.contact_id, c.name, c.email, ip.role, ip.highlight, ip.notes
             FROM interview_participants ip JOIN contacts c ON c.id = ip.contact_id
             WHERE ip.tenant_id = $1 AND ip.interview_id = ANY($2::uuid[])
             ORDER BY ip.id`,
            [tenantId, rows.map((r: { id: string }) => r.id)],
          )
        ).rows
      : [];
    const page = rows.slice(0, limit);
    return {
      data: page.map((r: { id: string }) => ({ ...r, participants: people.filter((p: { interview_id: string }) => p.interview_id === r.id) })),
      nextCursor: rows.length > limit ? 'more' : null,
    };
  });
  pk.post<{ Body: { name: string; email: string } }>('/insert/candidates', async (req, reply) => {
    const { rows } = await pool.query(
      `INSERT INTO candidates (tenant_id, id, name, email, created_at, updated_at)
       VALUES ($1, $2, $3, $4, now(), now()) RETURNING *`,
      [tenantId, uuidv7(), req.body.name, req.body.email.toLowerCase()],
    );
    return reply.code(201).send(rows[0]);
  });
  closers.push(() => pk.close());
  const pkUrl = await listen(pk);

  const listQuery = `from=${data.window.from}&to=${data.window.to}&status=scheduled&limit=50`;
  const json = { 'content-type': 'application/json' };
  const newCandidate = (domain: string) => JSON.stringify({ name: 'Bench Candidate', email: `c-[<id>]@${domain}`, tags: ['math'] });
  const candidatePaths = (prefix: string) => sample.candidateIds.map((id) => `${prefix}${id}`);
  // The first page of each list the web client shows (the follow-ups: Today's), paced after.
  const list = (path: string, query = 'limit=50'): Target => ({ name: `app GET ${path}`, url: `${appUrl}${path}?${query}`, headers: auth, paced: true });
  // A form post from the page itself, as a browser sends it.
  const form = { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(publicUrl(config)).origin, 'sec-fetch-site': 'same-origin' };
  const targets = selectTargets(settings.only, [
    { name: 'bare GET /json', url: `${bareUrl}/json` },
    { name: 'bare GET /pk/:id', url: `${pkUrl}/pk/${session.userId}` },
    { name: 'app GET /v1/me', url: `${appUrl}/v1/me`, headers: auth, baseline: 'bare GET /pk/:id', goalPct: 75 },
    { name: 'bare GET /keyset/interviews', url: `${pkUrl}/keyset/interviews?${listQuery}`, paced: true },
    {
      name: 'app GET /v1/interviews',
      url: `${appUrl}/v1/interviews?${listQuery}`,
      headers: auth,
      baseline: 'bare GET /keyset/interviews',
      goalPct: 75,
      p99GoalMs: 25,
      paced: true,
    },
    list('/v1/candidates'),
    list('/v1/applications'),
    list('/v1/employers'),
    list('/v1/contacts'),
    list('/v1/positions'),
    list('/v1/follow-ups', `status=pending&dueBefore=${sample.plans.dueBefore}&limit=50`),
    { name: 'bare GET /pk/candidates/:id', url: pkUrl, paths: candidatePaths('/pk/candidates/') },
    {
      name: 'app GET /v1/candidates/:id',
      url: appUrl,
      paths: candidatePaths('/v1/candidates/'),
      headers: auth,
      baseline: 'bare GET /pk/candidates/:id',
      goalPct: 75,
      p99GoalMs: 25,
    },
    {
      name: 'bare POST /insert/candidates',
      url: `${pkUrl}/insert/candidates`,
      method: 'POST',
      headers: json,
      body: newCandidate('insert.bench.example.org'),
      uniqueIds: true,
    },
    {
      name: 'app POST /v1/candidates',
      url: `${appUrl}/v1/candidates`,
      method: 'POST',
      headers: { ...auth, ...json },
      body: newCandidate('post.bench.example.org'),
      uniqueIds: true,
      baseline: 'bare POST /insert/candidates',
      goalPct: 50,
    },
    // Its requests (each a link of its own) are set up below, once the links are made.
    { name: 'app POST /respond/:token (answer page)', url: appUrl, method: 'POST', headers: form, baseline: 'bare POST /insert/candidates', goalPct: 50 },
  ] satisfies Target[]);
  const respond = targets.find((t) => t.name.startsWith('app POST /respond/'));
  const links = respond ? await answerLinks(pool, tenantId, { rounds: settings.rounds, secondsPerRound: settings.warmup + settings.duration }) : undefined;
  if (respond && links) {
    closers.push(() => links.close());
    Object.assign(respond, links.target);
    console.log(`respond: ${links.links} response links made on ${links.applications} applications`);
  }

  console.log(
    `bench: ${settings.duration}s per target (+${settings.warmup}s warm-up), ${settings.connections} connections, ` +
      `${settings.rounds} round(s), ${settings.workers} autocannon worker thread(s), ${os.cpus().length} CPUs`,
  );
  const rounds: Stats[][] = targets.map(() => []);
  for (let round = 1; round <= settings.rounds; round++) {
    for (const [i, target] of targets.entries()) {
      // Sampled while everything of ours is idle: CPU someone else is using now is missing from the run.
      await waitForIdleDatabase(pool, APP_ROLE);
      const backgroundCpuPct = await machineBusyPct();
      process.stdout.write(`  ${settings.rounds > 1 ? `round ${round}: ` : ''}${target.name} ... `);
      const stats = await measure(target, settings, () => waitForIdleDatabase(pool, APP_ROLE));
      console.log(`${stats.requestsPerSec.toFixed(0)} req/s`);
      rounds[i]!.push({ ...stats, backgroundCpuPct });
    }
  }
  const results = compare(rounds.map(medianRound), targets);

  console.log(`\n${formatTable(results)}\n`);
  await waitForIdleDatabase(pool, APP_ROLE);
  const answers = links ? await answersSince(pool, tenantId, links.since) : undefined;
  if (answers) {
    console.log(
      `respond: ${answers.answers} answers recorded (${answers.replies} replies from links, warm-up included) on ${answers.linksAnswered} links, ` +
        `${answers.answeredMoreThanOnce} of them answered more than once (BENCH_RESPOND_LINKS)`,
    );
  }
  // The worker's share of those answers, after the load: the re-plans their requests left it.
  const replans = links ? await replanAll(deps, pool, tenantId, links.since) : undefined;
  if (replans) {
    console.log(
      `respond: the worker's re-plans after the load: ${replans.replies} replies in ${replans.seconds} s ` +
        `(${replans.perSecond}/s, 10 at a time, ${replans.cpuMsEach} ms of CPU each)\n`,
    );
    // Their jobs, still in the bench's queues, have nothing left to do.
    await removeQueueKeys(deps.redis, config.QUEUE_PREFIX);
  }

  // The paced round: each list route at half the capacity just measured.
  const paced: PacedResult[] = [];
  const pacedTargets = !settings.only || settings.only.test('paced') ? targets.filter((t) => t.paced) : [];
  for (const target of pacedTargets) {
    const capacity = results.find((r) => r.name === target.name)!;
    await waitForIdleDatabase(pool, APP_ROLE);
    const backgroundCpuPct = await machineBusyPct();
    process.stdout.write(`  paced: ${target.name} at ${Math.round(capacity.requestsPerSec / 2)} req/s ... `);
    const r = await pacedRun(target, capacity, { seconds: settings.duration, warmupSeconds: settings.warmup, connections: settings.connections });
    console.log(`p99 ${r.p99Ms} ms`);
    paced.push({ ...r, backgroundCpuPct });
  }
  if (paced.length > 0) console.log(`\n${formatPaced(paced)}\n`);
  await mkdir(new URL('.', RESULTS), { recursive: true });
  const report = {
    at: new Date().toISOString(),
    revision: gitRevision(),
    node: process.version,
    cpus: os.cpus().length,
    settings: { ...settings, only: settings.only?.source, scale },
    data: { ...data, reused: kept !== undefined, scheduledInWindow: sample.scheduledInWindow },
    results,
    ...(settings.rounds > 1 ? { rounds } : {}),
    ...(paced.length > 0 ? { paced } : {}),
    ...(answers ? { respond: { links: links!.links, applications: links!.applications, ...answers, replans } } : {}),
    plans: plans.map(({ plan: _plan, ...p }) => p),
  };
  await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${RESULTS.pathname}`);

  const badPlans = plans.filter(flagged);
  if (badPlans.length > 0) {
    console.warn(`!!! list queries that scan instead of seeking (plans above): ${badPlans.map((p) => p.name).join('; ')}`);
  }
  const busy = [...results, ...paced].filter((r) => (r.backgroundCpuPct ?? 0) > 20);
  if (busy.length > 0) {
    console.warn(
      `note: the machine was busy before ${busy.map((r) => r.name).join(', ')} (bg cpu column): ` +
        'something else is using the CPUs, so those numbers are low and noisy; re-run on a quiet machine.',
    );
  }
  const failed = rounds
    .flatMap((runs) => runs.map((r, i) => ({ ...r, round: i + 1 })))
    .filter((r) => r.non2xx > 0 || r.errors > 0 || r.requests === 0);
  for (const r of failed) {
    const round = settings.rounds > 1 ? ` (round ${r.round})` : '';
    console.error(
      r.requests === 0
        ? `\n!!! ${r.name}${round}: no request completed during the measured run`
        : `\n!!! ${r.name}${round}: ${r.non2xx} non-2xx responses and ${r.errors} connection errors ` +
            `(${r.timeouts} timeouts) during the measured run; status codes: ${JSON.stringify(r.statusCodes)}`,
    );
  }
  for (const r of paced.filter((p) => p.non2xx > 0 || p.errors > 0)) {
    console.error(`\n!!! paced ${r.name}: ${r.non2xx} non-2xx responses and ${r.errors} errors; status codes: ${JSON.stringify(r.statusCodes)}`);
  }
  if (failed.length > 0 || paced.some((p) => p.non2xx > 0 || p.errors > 0)) process.exitCode = 1;
  if (!settings.only) await runFollowUpsBench();
}

interface Session {
  accessToken: string;
  userId: string;
  tenantId: string;
}

/**
 * Candidate ids to rotate over, how many rows the interview list's window holds, and the ids the
 * plans filter by (PlanSamples), picked from the data so that every filter has rows to find.
 */
async function samplesOf(pool: pg.Pool, tenantId: string, data: SeedMeta) {
  const ids = await pool.query<{ id: string }>(
    "SELECT id FROM candidates WHERE tenant_id = $1 AND email LIKE '%@mail.example.org' ORDER BY md5(id::text) LIMIT $2",
    [tenantId, CANDIDATE_SAMPLE],
  );
  const window = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM interviews WHERE tenant_id = $1 AND status = 'scheduled' AND starts_at >= $2 AND starts_at < $3",
    [tenantId, data.window.from, data.window.to],
  );
  const scheduledInWindow = Number(window.rows[0]!.n);
  if (scheduledInWindow < 51) throw new Error(`the interview window holds ${scheduledInWindow} scheduled interviews, fewer than a page`);
  if (ids.rows.length === 0) throw new Error('no candidates in the bench data');
  return { candidateIds: ids.rows.map((r) => r.id), scheduledInWindow, plans: await planSamplesOf(pool, tenantId, data) };
}

/** The first row of a sample query, or a setup error naming what the data lacks. */
async function one<R extends pg.QueryResultRow>(pool: pg.Pool, what: string, text: string, values: unknown[]): Promise<R> {
  const { rows } = await pool.query<R>(text, values);
  if (!rows[0]) throw new Error(`the bench data has no ${what} (BENCH_RESEED=1 generates it again)`);
  return rows[0];
}

async function planSamplesOf(pool: pg.Pool, tenantId: string, data: SeedMeta): Promise<PlanSamples> {
  // The school with the most interviews in the window (the interview filter by employer, with and
  // without the window), its district, contacts and positions.
  const employer = await one<{ id: string; parent_id: string | null }>(
    pool,
    'employer with interviews in the window, contacts and positions',
    `SELECT e.id, e.parent_id
     FROM (SELECT p.employer_id, count(*) AS n
           FROM interviews i JOIN applications a ON a.id = i.application_id JOIN positions p ON p.id = a.position_id
           WHERE i.tenant_id = $1 AND i.starts_at >= $2 AND i.starts_at < $3
           GROUP BY p.employer_id) w
     JOIN employers e ON e.id = w.employer_id
     WHERE e.parent_id IS NOT NULL
       AND EXISTS (SELECT FROM contacts c WHERE c.tenant_id = $1 AND c.employer_id = e.id)
     ORDER BY w.n DESC, e.id
     LIMIT 1`,
    [tenantId, data.window.from, data.window.to],
  );
  // A completed interview with follow-ups (a thank-you and a timeline request) and activity: its
  // application, candidate and recruiter (a recruiter user, not the owner who signs in).
  const interview = await one<{ interview_id: string; application_id: string; candidate_id: string; owner_id: string }>(
    pool,
    'completed interview with follow-ups and activity, owned by a recruiter',
    `SELECT f.interview_id, f.application_id, f.candidate_id, a.owner_id
     FROM follow_ups f
     JOIN applications a ON a.id = f.application_id
     JOIN users u ON u.id = a.owner_id AND u.role = 'recruiter'
     WHERE f.tenant_id = $1 AND f.kind = 'timeline_request'
       AND EXISTS (SELECT FROM activities x WHERE x.tenant_id = $1 AND x.interview_id = f.interview_id)
       AND EXISTS (SELECT FROM follow_ups o WHERE o.tenant_id = $1 AND o.owner_id = a.owner_id AND o.status = 'pending')
     ORDER BY md5(f.interview_id::text)
     LIMIT 1`,
    [tenantId],
  );
  const position = await one<{ position_id: string }>(
    pool,
    'position with applications',
    'SELECT position_id FROM applications WHERE tenant_id = $1 GROUP BY position_id ORDER BY count(*) DESC, position_id LIMIT 1',
    [tenantId],
  );
  const endpoint = await pool.query<{ id: string }>(
    `SELECT e.id FROM webhook_endpoints e
     WHERE e.tenant_id = $1 AND EXISTS (SELECT FROM webhook_deliveries d WHERE d.tenant_id = $1 AND d.endpoint_id = e.id)
     ORDER BY e.id LIMIT 1`,
    [tenantId],
  );
  const now = new Date();
  return {
    from: data.window.from,
    to: data.window.to,
    nameFragment: 'smith',
    tag: 'math',
    employerId: employer.id,
    districtId: employer.parent_id!,
    recruiterId: interview.owner_id,
    candidateId: interview.candidate_id,
    applicationId: interview.application_id,
    interviewId: interview.interview_id,
    positionId: position.position_id,
    dueBefore: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString(),
    endpointId: endpoint.rows[0]?.id,
  };
}

/** Creates the main agency through the API; returns the owner's session. */
async function signUp(app: Awaited<ReturnType<typeof buildApp>>): Promise<Session> {
  const signup = await app.inject({
    method: 'POST',
    url: '/v1/signup',
    payload: { agencyName: 'Bench Agency', slug: MAIN_SLUG, owner: { name: 'Bench Owner', ...OWNER } },
  });
  if (signup.statusCode !== 201) throw new Error(`signup answered ${signup.statusCode}: ${signup.body}`);
  return sessionOf(app, signup.json<{ accessToken: string }>().accessToken);
}

/** Signs the owner of the kept main agency in. */
async function logIn(app: Awaited<ReturnType<typeof buildApp>>): Promise<Session> {
  const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { agency: MAIN_SLUG, ...OWNER } });
  if (login.statusCode !== 200) throw new Error(`login answered ${login.statusCode}: ${login.body} (BENCH_RESEED=1 starts over)`);
  return sessionOf(app, login.json<{ accessToken: string }>().accessToken);
}

async function sessionOf(app: Awaited<ReturnType<typeof buildApp>>, accessToken: string): Promise<Session> {
  const me = await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${accessToken}` } });
  if (me.statusCode !== 200) throw new Error(`GET /v1/me answered ${me.statusCode}: ${me.body}`);
  const body = me.json<{ user: { id: string }; agency: { id: string } }>();
  return { accessToken, userId: body.user.id, tenantId: body.agency.id };
}

try {
  await main();
} catch (err) {
  console.error('\n!!! bench failed:', err);
  process.exitCode = 1;
} finally {
  for (const close of closers.reverse()) await close().catch((err) => console.error('close failed:', err));
}
