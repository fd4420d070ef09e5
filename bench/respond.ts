/**
 * The public answer page's POST (issue 18): an employer's contact answers a response link
 * (docs/response-links.md), against the bare INSERT route in the same run (goal >= 50%).
 *
 * Links are made as the worker makes them (src/modules/responses/responses.issue.ts): a token
 * `rsp_<tenant>_<256 random bits>`, only its SHA-256 stored, bound to an application and a contact;
 * here straight into the table, many at once, on BENCH_RESPOND_APPLICATIONS (1,000) open
 * applications of the main agency whose latest interview is completed (link k to application k mod
 * that, so requests in flight together are about different applications, as real answers are).
 *
 * Every request is a real answer, "still deciding, ask me again on <date>", on a link of its own
 * with a date that varies (7 to 36 days ahead): the reply, its activity and events and the
 * interview's new decision date, in one statement; the status checks are re-planned by the worker
 * after the commit (`followups.replan`), which runs no worker here during the load: its share is
 * measured after it (`replanAll`). Each autocannon run (warm-up, measured) takes
 * its own slice of the links, sized by its seconds; a run faster than its slice answers links of
 * the slice again (with other dates), which the report counts. BENCH_RESPOND_LINKS (20,000 per
 * round) links are made. The bench raises RESPONSE_RATE_LIMIT_MAX, the per-address limit all these
 * requests from 127.0.0.1 share (and the per-link one, which no link here comes near).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Deps } from '../src/deps.js';
import { newId } from '../src/lib/ids.js';
import { replanAfterReply } from '../src/modules/followups/followups.replanJob.js';
import { makeTenantToken, sha256 } from '../src/lib/secrets.js';
import { RESPONSE_PREFIX } from '../src/modules/responses/responses.links.js';
import type { Target } from './lib.js';

const DAY_MS = 86_400_000;
const FIRST_DAY_AHEAD = 7;
const DATES = 30;
const REQUEST_MODULE = fileURLToPath(new URL('./respondRequest.cjs', import.meta.url));

export interface AnswerLinks {
  /** The target's autocannon settings beside url/headers: the request module and each run's slice. */
  target: Pick<Target, 'requestModule' | 'context'>;
  /** When the links were made: replies and links from then on are this run's. */
  since: Date;
  links: number;
  applications: number;
  close(): Promise<void>;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be an integer >= 1 (got "${raw}")`);
  return n;
}

/** Makes the links; the target reads them from a file. */
export async function answerLinks(pool: pg.Pool, tenantId: string, opts: { rounds: number; secondsPerRound: number }): Promise<AnswerLinks> {
  const wantedApps = envInt('BENCH_RESPOND_APPLICATIONS', 1_000);
  const links = envInt('BENCH_RESPOND_LINKS', 20_000 * opts.rounds);
  const since = new Date();
  const { rows: apps } = await pool.query<{ application_id: string; contact_id: string }>(
    `SELECT a.id AS application_id, hm.contact_id
     FROM applications a
     CROSS JOIN LATERAL (SELECT i.id, i.status FROM interviews i WHERE i.tenant_id = a.tenant_id AND i.application_id = a.id AND i.status <> 'cancelled'
                         ORDER BY i.starts_at DESC, i.id DESC LIMIT 1) li
     CROSS JOIN LATERAL (SELECT ip.contact_id FROM interview_participants ip WHERE ip.tenant_id = a.tenant_id AND ip.interview_id = li.id
                         ORDER BY (ip.role = 'hiring_manager') DESC, ip.id LIMIT 1) hm
     WHERE a.tenant_id = $1 AND a.stage IN ('submitted', 'interviewing', 'on_hold', 'offer') AND li.status = 'completed'
     ORDER BY md5(a.id::text)
     LIMIT $2`,
    [tenantId, wantedApps],
  );
  if (apps.length === 0) throw new Error('the bench data has no open application with a completed interview (BENCH_RESEED=1 generates it again)');
  const tokens = Array.from({ length: links }, () => makeTenantToken(RESPONSE_PREFIX, tenantId));
  const expires = new Date(since.getTime() + 60 * DAY_MS);
  for (let i = 0; i < tokens.length; i += 5_000) {
    const chunk = tokens.slice(i, i + 5_000);
    const app = (k: number) => apps[(i + k) % apps.length]!;
    await pool.query(
      `INSERT INTO response_links (tenant_id, id, token_hash, application_id, contact_id, expires_at, created_at)
       SELECT $1, id, hash, app, contact, $6, $7 FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::uuid[]) AS t(id, hash, app, contact)`,
      [tenantId, chunk.map(() => newId()), chunk.map(sha256), chunk.map((_, k) => app(k).application_id), chunk.map((_, k) => app(k).contact_id), expires, since],
    );
  }
  const firstDay = Date.parse(`${since.toISOString().slice(0, 10)}T00:00:00Z`) + FIRST_DAY_AHEAD * DAY_MS;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'afterview-bench-respond-'));
  const file = path.join(dir, 'paths.txt');
  await writeFile(file, tokens.map((t) => `/respond/${t}`).join('\n'));
  let cursor = 0;
  return {
    since,
    links,
    applications: apps.length,
    target: {
      requestModule: REQUEST_MODULE,
      // A slice of the links per autocannon run, in proportion to its seconds.
      context: (seconds) => {
        const window = Math.max(1, Math.floor((links * seconds) / (opts.rounds * opts.secondsPerRound)));
        const start = cursor;
        cursor = (cursor + window) % links;
        return { file, start, window, firstDay, dates: DATES };
      },
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** What the answers wrote: replies from links, and how many links were answered once or more. */
export async function answersSince(pool: pg.Pool, tenantId: string, since: Date) {
  const { rows } = await pool.query<{ replies: string; links: string; again: string; answers: string }>(
    `SELECT (SELECT count(*) FROM employer_replies WHERE tenant_id = $1 AND source = 'link' AND created_at >= $2) AS replies,
            count(*) FILTER (WHERE answers > 0) AS links, count(*) FILTER (WHERE answers > 1) AS again, coalesce(sum(answers), 0) AS answers
     FROM response_links WHERE tenant_id = $1 AND created_at >= $2`,
    [tenantId, since],
  );
  const r = rows[0]!;
  return { replies: Number(r.replies), answers: Number(r.answers), linksAnswered: Number(r.links), answeredMoreThanOnce: Number(r.again) };
}

/**
 * The worker's share of the answers, once the load is over: every reply of the run still to re-plan,
 * re-planned as the worker's `followups.replan` jobs do it, 10 at a time (the `followups` queue's
 * concurrency per worker), timed. Straight through `replanAfterReply`, not the queue: the jobs the
 * run enqueued are left to be removed with the bench's queue keys.
 */
export async function replanAll(deps: Deps, pool: pg.Pool, tenantId: string, since: Date) {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM employer_replies WHERE tenant_id = $1 AND source = 'link' AND created_at >= $2 AND replanned_at IS NULL ORDER BY created_at`,
    [tenantId, since],
  );
  const started = performance.now();
  const cpu = process.cpuUsage();
  let next = 0;
  const lane = async () => {
    while (next < rows.length) await replanAfterReply(deps, { tenantId, replyId: rows[next++]!.id });
  };
  await Promise.all(Array.from({ length: 10 }, lane));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    replies: rows.length,
    seconds: Number(seconds.toFixed(1)),
    perSecond: Number((rows.length / seconds).toFixed(1)),
    cpuMsEach: rows.length ? Number(((used.user + used.system) / 1000 / rows.length).toFixed(1)) : 0,
  };
}
