/**
 * The fairness rounds (issue 15, finding 2) of `npm run bench`, and what the webhook bench shares
 * with them: committing events as the API does, and committing them at a pace.
 *
 * - Webhooks (bench/webhooks.ts): the bench agency's events paced, first alone, then while another
 *   agency's receiver hangs (takes the connection, never answers) with 300 events of its own
 *   committed one by one. Commit → received of the bench agency, p50/p99, both times.
 * - Follow-ups (bench/followups.ts): a second agency with 10 emails due at the instant the
 *   10,000 timeline requests are, queued after all of them; their lateness.
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Deps } from '../src/deps.js';
import { withTenant } from '../src/db/client.js';
import { pgArray } from '../src/db/arrays.js';
import { newId } from '../src/lib/ids.js';
import { epochMs, type Receiver } from './receiver.js';

export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sortNum = (a: number[]) => [...a].sort((x, y) => x - y);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Commits `n` candidate.updated events of a tenant in transactions of `batch`, as the API writes them; notes each commit's instant by public id. */
export async function commitEvents(deps: Deps, tenantId: string, n: number, batch: number, commits: Map<string, number>) {
  for (let done = 0; done < n; done += batch) {
    const rows = Array.from({ length: Math.min(batch, n - done) }, () => {
      const id = newId();
      const payload = {
        id: `evt_${id.replaceAll('-', '')}`,
        type: 'candidate.updated',
        version: 1,
        occurredAt: new Date().toISOString(),
        tenantId,
        data: { candidateId: newId(), changedFields: ['tags', 'timeZone'], actor: { type: 'user', id: newId() } },
      };
      return { id, type: payload.type, payload };
    });
    // One prepared multi-row insert, as the API writes its events (not drizzle's builder, whose
    // 3,000 parameters a batch would be billed to the worker sharing this process).
    await withTenant(deps.db, tenantId, (tx) =>
      tx.execute(sql`
        INSERT INTO events (tenant_id, id, type, payload)
        SELECT ${tenantId}, r.id, r.type, r.payload::jsonb
        FROM unnest(${pgArray(rows.map((r) => r.id), 'uuid')}, ${pgArray(rows.map((r) => r.type), 'text')}, ${pgArray(rows.map((r) => JSON.stringify(r.payload)), 'text')}) AS r(id, type, payload)`),
    );
    const at = epochMs();
    for (const r of rows) commits.set(r.payload.id, at);
  }
}

/** Calls `commit(k)` every 50 ms so that `total` events go at `perSec`. */
export async function commitPaced(commit: (n: number) => Promise<void>, perSec: number, total: number) {
  const tick = 50;
  const perTick = Math.max(1, Math.round((perSec * tick) / 1000));
  const start = performance.now();
  for (let sent = 0; sent < total; sent += perTick) {
    const wait = start + (sent / perTick) * tick - performance.now();
    if (wait > 0) await sleep(wait);
    await commit(Math.min(perTick, total - sent));
  }
}

/** Commit → received of every arrival at paths that `keep` accepts, sorted (arrivals keyed `path webhook-id`). */
export function delaysOf(arrivals: Map<string, number[]>, commits: Map<string, number>, keep: (path: string) => boolean = () => true) {
  return sortNum(
    [...arrivals.entries()].filter(([key]) => keep(key.split(' ')[0]!)).flatMap(([key, at]) => at.map((t) => t - (commits.get(key.split(' ')[1]!) ?? t))),
  );
}

export interface WebhookFairness {
  eventsPerSec: number;
  alone: { p50Ms: number; p99Ms: number };
  beside: { p50Ms: number; p99Ms: number; maxMs: number };
  hanging: { events: number; requestsArrived: number; circuit: unknown };
}

/**
 * The bench agency (`tenantId`, its endpoints on `/ep<n>`) commits events at `eventsPerSec` for
 * `seconds`, alone; then agency S signs up with one endpoint on the receiver's `/hang` (it takes
 * each request and never answers), commits HANGING_EVENTS events one per transaction, and the bench
 * agency does the same again beside it. The worker runs at its defaults (15 s timeout).
 */
export async function webhookFairnessRound(ctx: {
  app: FastifyInstance;
  deps: Deps;
  receiver: Receiver;
  tenantId: string;
  endpoints: number;
  eventsPerSec: number;
  seconds: number;
}): Promise<WebhookFairness> {
  const HANGING_EVENTS = 300;
  const { receiver, eventsPerSec } = ctx;
  const total = eventsPerSec * ctx.seconds;
  const paced = async () => {
    const commits = new Map<string, number>();
    await commitPaced((n) => commitEvents(ctx.deps, ctx.tenantId, n, n, commits), eventsPerSec, total);
    for (;;) {
      const arrived = await receiver.arrivals();
      const delays = delaysOf(arrived, commits, (path) => path.startsWith('/ep'));
      if (delays.length >= total * ctx.endpoints) return { delays, hang: [...arrived.keys()].filter((k) => k.startsWith('/hang ')).length };
      await sleep(200);
    }
  };
  await receiver.reset();
  const alone = (await paced()).delays;

  const signup = await ctx.app.inject({
    method: 'POST',
    url: '/v1/signup',
    payload: { agencyName: 'Hanging Receiver', slug: `bench-hang-${process.pid}`, owner: { name: 'S', email: 'owner@bench-hang.example.org', password: 'bench-password-123' } },
  });
  if (signup.statusCode !== 201) throw new Error(`signup: ${signup.body}`);
  const token = signup.json().accessToken as string;
  const auth = { authorization: `Bearer ${token}` };
  const sTenant = (await ctx.app.inject({ url: '/v1/me', headers: auth })).json().agency.id as string;
  const ep = await ctx.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: auth, payload: { url: receiver.url('/hang'), eventTypes: ['candidate.updated'] } });
  if (ep.statusCode !== 201) throw new Error(`endpoint: ${ep.body}`);
  await receiver.reset();
  await commitEvents(ctx.deps, sTenant, HANGING_EVENTS, 1, new Map());
  const beside = await paced();
  const endpoint = (await ctx.app.inject({ url: `/v1/webhook-endpoints/${ep.json().id}`, headers: auth })).json();
  // Its retries would reach the receiver in the rounds after this one.
  await ctx.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${ep.json().id}/pause`, headers: auth });
  return {
    eventsPerSec,
    alone: { p50Ms: Math.round(pct(alone, 50)), p99Ms: Math.round(pct(alone, 99)) },
    beside: { p50Ms: Math.round(pct(beside.delays, 50)), p99Ms: Math.round(pct(beside.delays, 99)), maxMs: Math.round(beside.delays.at(-1) ?? NaN) },
    hanging: { events: HANGING_EVENTS, requestsArrived: beside.hang, circuit: endpoint.circuit },
  };
}

/**
 * A second agency for the follow-up bench: `seed` makes its 10 interviews, the API completes them,
 * and only their 10 timeline requests stay (due at the burst's instant, with the first agency's
 * 10,000); the rest is cancelled, so the measured minute holds the first agency's notes only.
 */
export async function secondAgency(app: FastifyInstance, admin: pg.Pool, seed: (tenantId: string, ownerId: string) => Promise<void>) {
  const signup = await app.inject({
    method: 'POST',
    url: '/v1/signup',
    payload: { agencyName: 'Agency B', slug: `bench-followups-b-${process.pid}`, owner: { name: 'B Owner', email: 'owner@b.bench.example.org', password: 'bench-password-123' } },
  });
  if (signup.statusCode !== 201) throw new Error(`signup answered ${signup.statusCode}: ${signup.body}`);
  const auth = { authorization: `Bearer ${signup.json().accessToken as string}` };
  // One email per timeline request, as agency A's (bench/followups.ts).
  const off = await app.inject({ method: 'PUT', url: '/v1/playbook', headers: auth, payload: { combinePerContact: false } });
  if (off.statusCode !== 200) throw new Error(`playbook answered ${off.statusCode}: ${off.body}`);
  const me = (await app.inject({ url: '/v1/me', headers: auth })).json() as { user: { id: string }; agency: { id: string } };
  await seed(me.agency.id, me.user.id);
  const ids = (await admin.query<{ id: string }>('SELECT id FROM interviews WHERE tenant_id = $1', [me.agency.id])).rows.map((r) => r.id);
  for (const id of ids) {
    const res = await app.inject({ method: 'POST', url: `/v1/interviews/${id}/complete`, headers: auth, payload: {} });
    if (res.statusCode !== 200) throw new Error(`complete answered ${res.statusCode}: ${res.body}`);
  }
  await admin.query("UPDATE follow_ups SET status = 'cancelled', cancelled_by = 'user' WHERE tenant_id = $1 AND kind <> 'timeline_request'", [me.agency.id]);
  return me.agency.id;
}

/** Lateness of the agency's emails due at `due` (sent_at minus the moment they were to leave: due_at plus the undo window), sorted. */
export async function latenessOf(admin: pg.Pool, tenantId: string, due: Date): Promise<number[]> {
  const rows = await admin.query<{ ms: number }>(
    "SELECT extract(epoch FROM sent_at - (due_at + undo_seconds * interval '1 second')) * 1000 AS ms FROM follow_ups WHERE tenant_id = $1 AND status = 'sent' AND due_at = $2 ORDER BY ms",
    [tenantId, due],
  );
  return rows.rows.map((r) => Number(r.ms));
}
