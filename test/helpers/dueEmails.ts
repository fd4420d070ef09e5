import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Clock } from '../../src/lib/clock.js';
import type { TestTenant } from './app.js';
import { bearer } from './app.js';
import { adminPool } from './db.js';
import { recruitingStory, scheduledInterview } from './story.js';
import { UNDO_WINDOW_MS } from './undoWindow.js';

/**
 * `n` email follow-ups of the tenant that leave at `now` (the app's clock): due one undo window
 * earlier (docs/followups.md#the-undo-window), to one of a new story's
 * contacts: one interview is planned through the API and a thank-you of it copied under
 * new keys (planning n real ones takes n / 3 interviews). The plan's own rows are cancelled, so
 * only the copies go out. Returns their ids. `db`: the database's admin pool when it is not the
 * run's (a private one); `dueAt`: another due time (they leave one undo window after it).
 */
export async function dueEmails(
  t: { app: FastifyInstance; deps: { clock: Clock } },
  tenant: TestTenant,
  n: number,
  opts: { db?: pg.Pool; dueAt?: Date } = {},
): Promise<string[]> {
  const now = t.deps.clock.now();
  const story = await recruitingStory(t.app, tenant);
  // Ten days ago: a backfilled interview's plan is stale and sends nothing by itself, so a worker
  // already running cannot send one of its steps before they are cancelled below.
  const interview = await scheduledInterview(t.app, tenant, story, new Date(now.getTime() - 10 * 86_400_000).toISOString());
  const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: bearer(tenant.token), payload: {} });
  if (done.statusCode !== 200) throw new Error(`complete failed: ${done.statusCode} ${done.body}`);
  const db = opts.db ?? adminPool();
  const [template] = (
    // A thank-you: n of them are n emails (timeline requests, check-ins and status checks to one
    // contact on one day would go as one combined email).
    await db.query<{ id: string }>(
      "SELECT id FROM follow_ups WHERE interview_id = $1 AND channel = 'email' AND kind = 'thank_you' AND recipient->>'type' = 'contact' ORDER BY id LIMIT 1",
      [interview.id],
    )
  ).rows;
  await db.query("UPDATE follow_ups SET status = 'cancelled', cancelled_by = 'plan' WHERE interview_id = $1", [interview.id]);
  const copies = await db.query<{ id: string }>(
    `INSERT INTO follow_ups (tenant_id, id, interview_id, application_id, candidate_id, key, kind, channel, voice, recipient, contact_id,
                             due_at, rule_due_at, planned_due_at, reason, status, vars, owner_id, version, created_at, updated_at)
     SELECT f.tenant_id, gen_random_uuid(), f.interview_id, f.application_id, f.candidate_id, f.key || ':copy:' || k, f.kind, f.channel, f.voice,
            f.recipient, f.contact_id, $2, $2, $2, f.reason, 'pending', f.vars, f.owner_id, 1, $4, $4
     FROM follow_ups f CROSS JOIN generate_series(1, $3::int) k WHERE f.id = $1
     RETURNING id`,
    [template!.id, opts.dueAt ?? new Date(now.getTime() - UNDO_WINDOW_MS), n, now],
  );
  return copies.rows.map((r) => r.id);
}
