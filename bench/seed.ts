/**
 * The bench data set: one big agency (the one the bench signs in as) and ten small ones beside
 * it, generated with set-based SQL as the admin role (a superuser: RLS does not apply to it).
 *
 * Sizes at BENCH_SCALE=1 for the main agency: 20 recruiters (beside the owner, who signs in and
 * owns none), 2k employers (200 districts, 1,800 schools), 6k contacts (3 per employer), 20k
 * positions, 100k candidates, 150k applications (a candidate's all owned by one recruiter, the
 * candidates dealt round the recruiters), 300k interviews (two rounds per application, spread over
 * about two years: 600 days back to 120 days ahead) with one or two participants each (contacts of
 * the position's employer), an activity row per candidate, per application and per interview, and
 * the follow-ups of each completed interview (a thank-you to the hiring manager; a timeline request
 * when no decision date was given): done, sent, skipped, ... when due more than two days before
 * generation, pending (some queued) after. Each of the ten other agencies gets a tenth of that
 * (2 recruiters). BENCH_SCALE multiplies everything (0.1, 2, ...).
 *
 * Ids are UUIDv7-like (time-ordered by created_at, like the app's), so "newest first" lists and
 * index locality look like production. Every NOT NULL, CHECK and foreign key holds: the foreign
 * keys stay on during the load and check every row.
 *
 * The database is kept between runs: a fingerprint of the migrations, this generator's version and
 * the scale is stored as the database's comment once loading finished. A run whose fingerprint
 * matches reuses the data (after deleting the rows earlier runs' POSTs added); otherwise, or with
 * BENCH_RESEED=1, the database is dropped, migrated and generated again.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';

/** Bump when the generated data changes shape: kept databases are then generated again. */
const SEED_VERSION = 3;

const MIGRATIONS = new URL('../drizzle/', import.meta.url);

export interface Sizes {
  /** Recruiter users, who own the applications (and so the follow-ups). */
  recruiters: number;
  employers: number;
  contacts: number;
  positions: number;
  candidates: number;
  applications: number;
  interviews: number;
}

export interface SeedMeta {
  fingerprint: string;
  scale: number;
  /** When generation finished: rows created after it were written by bench runs. */
  seededAt: string;
  /** The interview window of the list target: seven days starting the day after generation. */
  window: { from: string; to: string };
  seconds: number;
  rows: { main: Record<string, number>; others: Record<string, number> };
}

export function sizesFor(scale: number, share = 1): Sizes {
  const n = (base: number) => Math.max(1, Math.round(base * scale * share));
  const employers = Math.max(2, n(2_000));
  const applications = n(150_000);
  return {
    recruiters: n(20),
    employers,
    contacts: employers * 3,
    positions: n(20_000),
    candidates: n(100_000),
    applications,
    interviews: applications * 2,
  };
}

export function scaleFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.BENCH_SCALE;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 20) throw new Error(`BENCH_SCALE must be a number in (0, 20] (got "${raw}")`);
  return n;
}

/** Changes when a migration, this generator or the scale changes. */
export async function fingerprintOf(scale: number): Promise<string> {
  const hash = createHash('sha256').update(`seed v${SEED_VERSION} scale ${scale}\n`);
  const walk = async (dir: URL): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) await walk(new URL(`${entry.name}/`, dir));
      else if (entry.name.endsWith('.sql') || entry.name === '_journal.json') {
        hash.update(`${entry.name}\n`).update(await readFile(new URL(entry.name, dir)));
      }
    }
  };
  await walk(MIGRATIONS);
  return hash.digest('hex').slice(0, 16);
}

const serverUrl = (adminUrl: string) => {
  const url = new URL(adminUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  return { name, url: url.toString() };
};

/** The metadata of a fully generated bench database, or undefined (missing, unfinished, other fingerprint). */
export async function keptData(adminUrl: string, fingerprint: string): Promise<SeedMeta | undefined> {
  const { name, url } = serverUrl(adminUrl);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ comment: string | null }>(
      "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
      [name],
    );
    const comment = rows[0]?.comment;
    if (!comment) return undefined;
    const meta = JSON.parse(comment) as SeedMeta;
    return meta.fingerprint === fingerprint ? meta : undefined;
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

/**
 * Deletes what earlier runs added (POSTed candidates with their activity rows and events, inserts
 * of the INSERT baseline; the answer page's links, replies, promises and the follow-ups its answers
 * planned), so every run measures the same data set; then vacuums those tables. (The answers also
 * moved the decision dates of the few hundred interviews bench/respond.ts answers about, and
 * cancelled their planned steps: those rows stay as the last run left them.)
 */
export async function removeRunRows(adminUrl: string, meta: SeedMeta): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    let removed = 0;
    // In this order for the foreign keys (a reply's email answers go with it).
    const tables = ['activities', 'events', 'candidates', 'employer_promises', 'employer_replies', 'response_links', 'follow_ups'];
    for (const table of tables) {
      const res = await client.query(`DELETE FROM ${table} WHERE created_at > $1`, [meta.seededAt]);
      removed += res.rowCount ?? 0;
    }
    if (removed > 0) await client.query(`VACUUM (ANALYZE) ${tables.join(', ')}`);
    return removed;
  } finally {
    await client.end();
  }
}

export interface Agency {
  tenantId: string;
  ownerId: string;
  slug: string;
}

/**
 * Generates the data set. `main` is the agency the bench signs in as (created through the API
 * signup before this runs). Two connections load in parallel: the main agency on one, the ten
 * others on the other (about the same number of rows). Records the metadata last.
 */
export async function generate(adminUrl: string, main: Agency, scale: number, fingerprint: string, log = console.log): Promise<SeedMeta> {
  const started = performance.now();
  const now = new Date();
  const connect = async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    // Rebuilt from scratch if lost: no need to wait for the WAL flush of every statement.
    await c.query('SET synchronous_commit = off');
    await c.query("SET work_mem = '64MB'");
    await c.query(UUID7_FUNCTION);
    return c;
  };
  const [a, b] = await Promise.all([connect(), connect()]);
  try {
    const others: Agency[] = [];
    await b.query(
      `INSERT INTO tenants (id, name, slug, time_zone, created_at, updated_at)
       SELECT gen_random_uuid(), 'Other Agency ' || g, 'bench-other-' || lpad(g::text, 2, '0'), 'America/Chicago', $1, $1
       FROM generate_series(1, 10) g`,
      [now],
    );
    const { rows } = await b.query<{ id: string; slug: string }>(
      "SELECT id, slug FROM tenants WHERE slug LIKE 'bench-other-%' ORDER BY slug",
    );
    for (const t of rows) {
      const ownerId = (
        await b.query<{ id: string }>(
          `INSERT INTO users (tenant_id, id, email, name, role, password_hash, created_at, updated_at)
           VALUES ($1, gen_random_uuid(), 'owner@' || $2 || '.example.org', 'Owner of ' || $2, 'owner', '!no-login', $3, $3)
           RETURNING id`,
          [t.id, t.slug, now],
        )
      ).rows[0]!.id;
      others.push({ tenantId: t.id, ownerId, slug: t.slug });
    }
    const rowsOf = (counts: Record<string, number>[]) => {
      const total: Record<string, number> = {};
      for (const c of counts) for (const [k, v] of Object.entries(c)) total[k] = (total[k] ?? 0) + v;
      return total;
    };
    const [mainRows, otherRows] = await Promise.all([
      seedAgency(a, main, sizesFor(scale), now, log),
      (async () => {
        const counts: Record<string, number>[] = [];
        for (const t of others) counts.push(await seedAgency(b, t, sizesFor(scale, 0.1), now));
        log(`  seed: ten other agencies done after ${elapsed(started)}`);
        return rowsOf(counts);
      })(),
    ]);
    const analyzeStart = performance.now();
    // VACUUM too: sets the visibility map (index-only scans) and hint bits, as on a settled database.
    await a.query('VACUUM (ANALYZE)');
    log(`  seed: VACUUM (ANALYZE) took ${elapsed(analyzeStart)}`);

    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
    const meta: SeedMeta = {
      fingerprint,
      scale,
      seededAt: new Date().toISOString(),
      window: { from: day.toISOString(), to: new Date(day.getTime() + 7 * 86_400_000).toISOString() },
      seconds: Math.round((performance.now() - started) / 100) / 10,
      rows: { main: mainRows, others: otherRows },
    };
    const { name } = serverUrl(adminUrl);
    await a.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(name)} IS ${pg.escapeLiteral(JSON.stringify(meta))}`);
    return meta;
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
}

const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** A UUIDv7 for a given time: 48-bit Unix milliseconds, version 7, the rest random. */
const UUID7_FUNCTION = `
CREATE OR REPLACE FUNCTION pg_temp.uuid7(ts timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send((extract(epoch FROM ts) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$`;

/**
 * One agency's rows. Scratch tables number every generated row (n) so that children find their
 * parents by arithmetic on n and a hash join, not by lookups.
 */
async function seedAgency(c: pg.Client, agency: Agency, s: Sizes, now: Date, log?: (line: string) => void): Promise<Record<string, number>> {
  const t0 = performance.now();
  const districts = Math.max(1, Math.round(s.employers / 10));
  const p = {
    t: agency.tenantId,
    owner: agency.ownerId,
    now: now.toISOString(),
  };
  // Positional parameters for each statement, named here for reading.
  const run = async (label: string, sql: string, values: unknown[] = []) => {
    const t = performance.now();
    const res = await c.query(sql, values);
    if (log) log(`  seed: ${label}: ${res.rowCount ?? 0} rows in ${elapsed(t)}`);
    return res.rowCount ?? 0;
  };
  await c.query('DROP TABLE IF EXISTS s_user, s_emp, s_contact, s_pos, s_cand, s_app, s_iv');
  const rows: Record<string, number> = {};

  // Recruiters (k = 1..R), inserted as the users are elsewhere: a password hash no login matches.
  await c.query(
    `CREATE TEMP TABLE s_user AS
     SELECT k, gen_random_uuid() AS id FROM generate_series(1, $1::int) k`,
    [s.recruiters],
  );
  rows.recruiters = await run(
    'recruiters',
    `INSERT INTO users (tenant_id, id, email, name, role, password_hash, created_at, updated_at)
     SELECT $1, u.id, 'recruiter' || u.k || '@' || $2 || '.example.org', ${NAME_SQL('u.k * 37')}, 'recruiter', '!no-login',
            $3::timestamptz - interval '860 days', $3::timestamptz - interval '860 days'
     FROM s_user u ORDER BY u.k`,
    [p.t, agency.slug, p.now],
  );

  // Employers: created over the two months before the data begins (800 days ago).
  await c.query(
    `CREATE TEMP TABLE s_emp AS
     SELECT n, pg_temp.uuid7(ts) AS id, ts,
            CASE WHEN n <= $2 THEN NULL ELSE 1 + (n % $2) END AS parent_n
     FROM (SELECT n, $3::timestamptz - interval '860 days' + n * (interval '60 days' / $1) AS ts
           FROM generate_series(1, $1::int) n) g`,
    [s.employers, districts, p.now],
  );
  const employerSql = (where: string) => `
    INSERT INTO employers (tenant_id, id, parent_id, name, kind, time_zone, website, created_at, updated_at)
    SELECT $1, e.id, parent.id,
           CASE WHEN e.parent_n IS NULL THEN 'District ' || e.n ELSE 'School ' || e.n || ' of District ' || e.parent_n END,
           CASE WHEN e.parent_n IS NULL THEN 'district' ELSE 'school' END,
           (ARRAY['America/New_York','America/Chicago','America/Denver','America/Los_Angeles'])[1 + e.n % 4],
           'https://school' || e.n || '.example.org', e.ts, e.ts
    FROM s_emp e LEFT JOIN s_emp parent ON parent.n = e.parent_n
    WHERE ${where}`;
  rows.employers = (await run('districts', employerSql('e.parent_n IS NULL'), [p.t])) + (await run('schools', employerSql('e.parent_n IS NOT NULL'), [p.t]));

  // Contacts: three per employer (contact k of employer e is number (e - 1) * 3 + k).
  await c.query(
    `CREATE TEMP TABLE s_contact AS
     SELECT (e.n - 1) * 3 + k AS n, pg_temp.uuid7(e.ts) AS id, e.id AS employer_id, e.n AS emp_n, k, e.ts
     FROM s_emp e CROSS JOIN generate_series(1, 3) k`,
  );
  rows.contacts = await run(
    'contacts',
    `INSERT INTO contacts (tenant_id, id, employer_id, name, title, email, phone, preferred_channel, created_at, updated_at)
     SELECT $1, ct.id, ct.employer_id, ${NAME_SQL('ct.n')},
            (ARRAY['Principal','Assistant Principal','HR Coordinator'])[ct.k],
            'contact' || ct.k || '.e' || ct.emp_n || '@school.example.org', '+1555' || lpad(ct.n::text, 7, '0'),
            (ARRAY['email','email','phone'])[ct.k], ct.ts, ct.ts
     FROM s_contact ct
     ORDER BY ct.n`,
    [p.t],
  );

  // Positions, at schools (employers after the districts), opened over the 800 days.
  await c.query(
    `CREATE TEMP TABLE s_pos AS
     SELECT n, pg_temp.uuid7(ts) AS id, ts, $2 + 1 + (n % ($3 - $2)) AS emp_n
     FROM (SELECT n, $4::timestamptz - interval '800 days' + n * (interval '780 days' / $1) AS ts
           FROM generate_series(1, $1::int) n) g`,
    [s.positions, districts, Math.max(districts + 1, s.employers), p.now],
  );
  rows.positions = await run(
    'positions',
    `INSERT INTO positions (tenant_id, id, employer_id, title, status, openings, target_fill_date, created_at, updated_at)
     SELECT $1, ps.id, e.id,
            (ARRAY['Grade 3 Teacher','Grade 5 Teacher','Math Teacher','Science Teacher','English Teacher',
                   'Special Education Teacher','Music Teacher','School Counselor','Assistant Principal','ESL Teacher'])[1 + ps.n % 10],
            (ARRAY['open','open','open','open','open','open','filled','filled','on_hold','closed'])[1 + (ps.n * 7) % 10],
            1 + ps.n % 3, (ps.ts + interval '90 days')::date, ps.ts, ps.ts
     FROM s_pos ps JOIN s_emp e ON e.n = ps.emp_n
     ORDER BY ps.n`,
    [p.t],
  );

  // Candidates, added over the 800 days; unique emails (the number is in them).
  await c.query(
    `CREATE TEMP TABLE s_cand AS
     SELECT n, pg_temp.uuid7(ts) AS id, ts
     FROM (SELECT n, $2::timestamptz - interval '800 days' + n * (interval '799 days' / $1) AS ts
           FROM generate_series(1, $1::int) n) g`,
    [s.candidates, p.now],
  );
  rows.candidates = await run(
    'candidates',
    `INSERT INTO candidates (tenant_id, id, name, email, phone, linkedin_url, time_zone, relay_consent, relay_consent_at,
                             status_updates_opt_in, tags, notes, created_at, updated_at)
     SELECT $1, cd.id, ${NAME_SQL('cd.n')},
            lower(${FIRST_SQL('cd.n')} || '.' || ${LAST_SQL('cd.n')} || '.' || cd.n) || '@mail.example.org',
            '+1555' || lpad(cd.n::text, 7, '0'),
            CASE WHEN cd.n % 4 = 0 THEN 'https://www.linkedin.com/in/candidate-' || cd.n END,
            (ARRAY['America/New_York','America/Chicago','America/Denver','America/Los_Angeles'])[1 + cd.n % 4],
            cd.n % 3 <> 0, CASE WHEN cd.n % 3 <> 0 THEN cd.ts END,
            cd.n % 10 <> 0,
            ARRAY(SELECT DISTINCT (ARRAY['math','science','english','history','art','music','sped','esl','k-2','grade-3',
                                'grade-4','grade-5','middle','high','counselor','admin','bilingual','stem','reading','pe'])[1 + (cd.n * j * 7 + j) % 20]
                  FROM generate_series(1, cd.n % 4) j),
            CASE WHEN cd.n % 5 = 0 THEN 'Prefers afternoon interviews; open to relocation.' END,
            cd.ts, cd.ts
     FROM s_cand cd
     ORDER BY cd.n`,
    [p.t],
  );

  // Applications: application n is for candidate (n - 1) % C + 1; the q-th application of a candidate
  // (q = (n - 1) / C) goes to position (r * 7919 + q) % P + 1, distinct for each q < P.
  // base_at is when its first interview starts: from 600 days ago to 120 days ahead.
  await c.query(
    `CREATE TEMP TABLE s_app AS
     SELECT n, pg_temp.uuid7(created) AS id, cand_n, pos_n, 1 + (cand_n - 1) % $5 AS owner_k, created, base_at, stage
     FROM (SELECT n, cand_n, pos_n, base_at, base_at - interval '5 days' - (n % 10) * interval '1 day' AS created,
                  CASE WHEN base_at > $4::timestamptz THEN 'interviewing'
                       ELSE (ARRAY['interviewing','interviewing','rejected','rejected','offer','hired','hired','withdrawn','on_hold','submitted'])[1 + (n * 13) % 10]
                  END AS stage
           FROM (SELECT n, (n - 1) % $2 + 1 AS cand_n,
                        (((n - 1) % $2)::bigint * 7919 + (n - 1) / $2) % $3 + 1 AS pos_n,
                        date_trunc('hour', $4::timestamptz - interval '600 days' + random() * interval '720 days')
                          + (random() * 4)::int * interval '15 minutes' AS base_at
                 FROM generate_series(1, $1::int) n) g) h
     ORDER BY created`,
    [s.applications, s.candidates, s.positions, p.now, s.recruiters],
  );
  rows.applications = await run(
    'applications',
    `INSERT INTO applications (tenant_id, id, candidate_id, position_id, owner_id, stage, stage_changed_at, created_at, updated_at)
     SELECT $1, ap.id, cd.id, ps.id, u.id, ap.stage, ap.created, ap.created, ap.created
     FROM s_app ap JOIN s_cand cd ON cd.n = ap.cand_n JOIN s_pos ps ON ps.n = ap.pos_n JOIN s_user u ON u.k = ap.owner_k
     ORDER BY ap.created`,
    [p.t],
  );

  // Interviews: two rounds per application, a week apart. Past ones mostly completed; future ones
  // scheduled, some cancelled.
  await c.query(
    `CREATE TEMP TABLE s_iv AS
     SELECT m, pg_temp.uuid7(starts - interval '3 days') AS id, app_n, round, starts,
            CASE WHEN starts < $3::timestamptz
                 THEN (ARRAY['completed','completed','completed','completed','completed','completed','completed','completed',
                             'cancelled','scheduled','no_show','completed','completed','completed','cancelled','completed',
                             'completed','completed','completed','scheduled'])[1 + (m * 7) % 20]
                 ELSE (ARRAY['scheduled','scheduled','scheduled','scheduled','scheduled','scheduled','scheduled','scheduled',
                             'scheduled','scheduled','scheduled','cancelled'])[1 + (m * 7) % 12]
            END AS status
     FROM (SELECT m, (m - 1) % $2 + 1 AS app_n, (m - 1) / $2 + 1 AS round,
                  ap.base_at + ((m - 1) / $2) * interval '7 days' AS starts
           FROM generate_series(1, $1::int) m JOIN s_app ap ON ap.n = (m - 1) % $2 + 1) g`,
    [s.interviews, s.applications, p.now],
  );
  rows.interviews = await run(
    'interviews',
    `INSERT INTO interviews (tenant_id, id, application_id, round, format, starts_at, ends_at, time_zone, arranged_via, status,
                             decision_expected_by, highlights, location, completed_at, cancel_reason, version, created_at, updated_at)
     SELECT $1, iv.id, ap.id, iv.round,
            (ARRAY['phone','video','onsite'])[1 + iv.m % 3],
            iv.starts, iv.starts + (ARRAY[30, 45, 60])[1 + iv.m % 3] * interval '1 minute',
            (ARRAY['America/New_York','America/Chicago','America/Denver','America/Los_Angeles'])[1 + iv.m % 4],
            (ARRAY['email','phone'])[1 + iv.m % 2],
            iv.status,
            CASE WHEN iv.status = 'completed' AND iv.m % 2 = 0 THEN (iv.starts + interval '10 days')::date END,
            CASE WHEN iv.status = 'completed' THEN 'Strong demo lesson; good rapport with the panel.' END,
            CASE WHEN iv.m % 3 = 2 THEN 'Main office, room ' || (iv.m % 40) END,
            CASE WHEN iv.status = 'completed' THEN iv.starts + interval '1 hour' END,
            CASE WHEN iv.status = 'cancelled' THEN 'Employer rescheduled the panel' END,
            CASE WHEN iv.status = 'scheduled' THEN 1 ELSE 2 END,
            iv.starts - interval '3 days',
            CASE WHEN iv.status = 'scheduled' THEN iv.starts - interval '3 days' ELSE iv.starts + interval '1 hour' END
     FROM s_iv iv JOIN s_app ap ON ap.n = iv.app_n
     ORDER BY iv.starts`,
    [p.t],
  );

  // Participants: one or two contacts of the position's employer (two for 40% of interviews).
  rows.interview_participants = await run(
    'participants',
    `INSERT INTO interview_participants (tenant_id, id, interview_id, contact_id, role, highlight, created_at)
     SELECT $1, pg_temp.uuid7(iv.starts - interval '3 days'), iv.id, ct.id,
            CASE WHEN j = 1 THEN 'hiring_manager' ELSE 'interviewer' END,
            CASE WHEN iv.status = 'completed' AND j = 1 THEN 'Shared vision for small-group reading' END,
            iv.starts - interval '3 days'
     FROM s_iv iv
     JOIN s_app ap ON ap.n = iv.app_n
     JOIN s_pos ps ON ps.n = ap.pos_n
     CROSS JOIN LATERAL generate_series(1, CASE WHEN iv.m % 5 < 2 THEN 2 ELSE 1 END) j
     JOIN s_contact ct ON ct.n = (ps.emp_n - 1) * 3 + 1 + (iv.m + j) % 3
     ORDER BY iv.starts`,
    [p.t],
  );

  // The timeline: a row for each candidate added, each application made (by its recruiter) and each
  // interview scheduled. Dated no later than now (an application or interview ahead is dated ahead):
  // a kept run deletes the activity rows created after generation as an earlier run's.
  rows.activities =
    (await run(
      'activities (candidates)',
      `INSERT INTO activities (tenant_id, id, actor_type, actor_id, action, subject_type, subject_id, candidate_id, changes, created_at)
       SELECT $1, pg_temp.uuid7(cd.ts), 'user', $2, 'candidate.created', 'candidate', cd.id, cd.id, '{}', cd.ts
       FROM s_cand cd ORDER BY cd.n`,
      [p.t, p.owner],
    )) +
    (await run(
      'activities (applications)',
      `INSERT INTO activities (tenant_id, id, actor_type, actor_id, action, subject_type, subject_id, candidate_id, application_id, changes, created_at)
       SELECT $1, pg_temp.uuid7(x.at), 'user', u.id, 'application.created', 'application', ap.id, cd.id, ap.id, '{}', x.at
       FROM s_app ap JOIN s_cand cd ON cd.n = ap.cand_n JOIN s_user u ON u.k = ap.owner_k
       CROSS JOIN LATERAL (SELECT LEAST(ap.created, $2::timestamptz) AS at) x
       ORDER BY x.at`,
      [p.t, p.now],
    )) +
    (await run(
      'activities (interviews)',
      `INSERT INTO activities (tenant_id, id, actor_type, actor_id, action, subject_type, subject_id, candidate_id, application_id,
                               interview_id, changes, created_at)
       SELECT $1, pg_temp.uuid7(x.at), 'user', u.id, 'interview.scheduled', 'interview', iv.id, cd.id, ap.id, iv.id, '{}', x.at
       FROM s_iv iv JOIN s_app ap ON ap.n = iv.app_n JOIN s_cand cd ON cd.n = ap.cand_n JOIN s_user u ON u.k = ap.owner_k
       CROSS JOIN LATERAL (SELECT LEAST(iv.starts - interval '3 days', $2::timestamptz) AS at) x
       ORDER BY x.at`,
      [p.t, p.now],
    ));

  // Follow-ups of the completed interviews, as the planner would have made them: a thank-you by
  // email to the hiring manager 2 h after the start, and (no decision date given: odd m, arranged by
  // phone) a timeline-request call two days later. Due more than two days before now: closed
  // (sent or done; some skipped, cancelled, failed); later: pending, some queued.
  // The scratch tables have no statistics yet: planned blind, this join of six of them became a
  // cross product of positions and interviews (billions of rows spilled to disk).
  await c.query('ANALYZE s_user, s_emp, s_contact, s_pos, s_cand, s_app, s_iv');
  rows.follow_ups = await run(
    'follow-ups',
    `INSERT INTO follow_ups (tenant_id, id, interview_id, application_id, candidate_id, key, kind, channel, voice, recipient,
                             contact_id, due_at, rule_due_at, planned_due_at, reason, status, subject, body, owner_id, notes,
                             cancel_reason, cancelled_by, sent_at, completed_at, attempts, last_error, message_id, version,
                             created_at, updated_at)
     SELECT $1, f.id, f.iv_id, f.app_id, f.cand_id, f.key, f.kind, f.channel, 'on_behalf',
            jsonb_build_object('type', 'contact', 'contactId', f.contact_id, 'name', f.contact_name, 'email', f.contact_email),
            f.contact_id, f.due, f.due, f.due, f.reason, f.status,
            CASE WHEN f.channel = 'email' THEN 'Thank you for today' END,
            CASE WHEN f.channel = 'email' THEN 'Dear ' || f.contact_name || ', thank you for meeting me today.' END,
            f.owner_id,
            CASE WHEN f.status = 'done' THEN 'Called; they decide next week.' END,
            CASE WHEN f.status = 'cancelled' THEN 'Candidate withdrew' END,
            CASE WHEN f.status = 'cancelled' THEN 'user' END,
            CASE WHEN f.status = 'sent' THEN f.due + interval '1 minute' END,
            CASE WHEN f.status = 'done' THEN f.due + interval '1 hour' END,
            CASE f.status WHEN 'sent' THEN 1 WHEN 'failed' THEN 5 ELSE 0 END,
            CASE WHEN f.status = 'failed' THEN '550 5.1.1 Mailbox unavailable' END,
            CASE WHEN f.status = 'sent' THEN '<fu-' || f.id || '@afterview>' END,
            CASE WHEN f.status IN ('pending', 'queued') THEN 1 ELSE 2 END,
            f.created, GREATEST(f.created, LEAST(f.due + interval '1 hour', $2::timestamptz))
     FROM (
       SELECT pg_temp.uuid7(LEAST(iv.starts + interval '1 hour', $2::timestamptz)) AS id,
              LEAST(iv.starts + interval '1 hour', $2::timestamptz) AS created,
              iv.id AS iv_id, ap.id AS app_id, cd.id AS cand_id, u.id AS owner_id,
              ct.id AS contact_id, ${NAME_SQL('ct.n')} AS contact_name,
              'contact' || ct.k || '.e' || ct.emp_n || '@school.example.org' AS contact_email,
              st.key, st.kind, st.channel, st.due, st.reason,
              CASE WHEN st.due >= $2::timestamptz - interval '2 days'
                     THEN CASE WHEN st.due < $2::timestamptz AND iv.m % 10 = 0 THEN 'queued' ELSE 'pending' END
                   WHEN iv.m % 17 = 3 THEN 'skipped'
                   WHEN iv.m % 19 = 5 THEN 'cancelled'
                   WHEN iv.m % 23 = 11 AND st.channel = 'email' THEN 'failed'
                   WHEN st.channel = 'email' THEN 'sent'
                   ELSE 'done'
              END AS status
       FROM s_iv iv
       JOIN s_app ap ON ap.n = iv.app_n
       JOIN s_cand cd ON cd.n = ap.cand_n
       JOIN s_user u ON u.k = ap.owner_k
       JOIN s_pos ps ON ps.n = ap.pos_n
       JOIN s_contact ct ON ct.n = (ps.emp_n - 1) * 3 + 1 + (iv.m + 1) % 3
       CROSS JOIN LATERAL (
         SELECT 'thank_you:' || ct.id AS key, 'thank_you' AS kind, 'email' AS channel, iv.starts + interval '2 hours' AS due,
                'thank-you 2 h after the start of the interview' AS reason
         UNION ALL
         SELECT 'timeline_request', 'timeline_request', 'phone', iv.starts + interval '2 days',
                'no decision date given: ask for the timeline two days later'
         WHERE iv.m % 2 = 1
       ) st
       WHERE iv.status = 'completed'
     ) f
     ORDER BY f.created`,
    [p.t, p.now],
  );

  await c.query('DROP TABLE s_user, s_emp, s_contact, s_pos, s_cand, s_app, s_iv');
  if (log) log(`  seed: ${agency.slug} done in ${elapsed(t0)}`);
  return rows;
}

const FIRSTS = ['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David','Elizabeth','William','Barbara',
  'Richard','Susan','Joseph','Jessica','Thomas','Sarah','Carlos','Karen','Daniel','Lisa','Matthew','Nancy','Anthony','Betty',
  'Mark','Sandra','Wei','Ashley','Steven','Kimberly','Andrew','Emily','Priya','Donna','Joshua','Michelle','Kenji','Carol'];
const LASTS = ['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez','Hernandez','Lopez',
  'Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson','White','Harris',
  'Sanchez','Clark','Ramirez','Lewis','Robinson','Walker','Young','Allen','King','Wright','Scott','Torres','Nguyen','Hill',
  'Flores','Green','Adams','Nelson','Baker','Hall','Rivera','Campbell','Mitchell','Carter','Roberts','Okafor','Kowalski'];
const FIRST_SQL = (n: string) => `(ARRAY[${FIRSTS.map((f) => `'${f}'`).join(',')}])[1 + (${n}) % ${FIRSTS.length}]`;
// A different stride so first and last names combine freely.
const LAST_SQL = (n: string) => `(ARRAY[${LASTS.map((l) => `'${l}'`).join(',')}])[1 + ((${n}) / ${FIRSTS.length}) % ${LASTS.length}]`;
const NAME_SQL = (n: string) => `${FIRST_SQL(n)} || ' ' || ${LAST_SQL(n)}`;
