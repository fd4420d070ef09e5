import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createDeps, type Deps } from '../src/deps.js';
import { jobRegistry } from '../src/jobs/registry.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { reconcileFollowUps } from '../src/modules/followups/followups.jobs.js';
import { createTestApp, newTenant, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { testConfig } from './helpers/env.js';
import { dueEmails } from './helpers/dueEmails.js';
import { smtpSink } from './helpers/smtpSink.js';

/**
 * Issue 15, finding 5: a worker killed mid-burst of due emails. Every email arrives at most once,
 * and every follow-up ends sent or uncertain: none stays queued unseen.
 *
 * The world is Wednesday 8 March 2028 (no other test file plans in March 2028): the test's clock
 * and the worker process's are real time moved there by the same offset, so what one makes due
 * the other sends. The lease that ends a dead worker's claim is the default 5 minutes; the test's
 * clock is moved past it, not waited for.
 */
const WORLD = Date.parse('2028-03-08T19:00:00Z');
let offset = WORLD - Date.now();
const clock = { now: () => new Date(Date.now() + offset) };
const prefix = `afterview-crash-${process.pid}`;
const LEASE_MS = 300_000;
const EMAILS = 60;

const sink = smtpSink();

let t: TestApp;
let tenant: TestTenant;
let env: Record<string, string>;
let child: ChildProcess | undefined;
let workerDeps: Deps | undefined;
let running: RunningWorkers | undefined;

beforeAll(async () => {
  const port = await sink.listen();
  env = { QUEUE_PREFIX: prefix, SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@agency.example' };
  t = await createTestApp({ clock, env });
  tenant = await newTenant(t.app);
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await running?.close();
  await workerDeps?.close();
  await t.close();
  await sink.close();
});

/** src/jobs/worker.ts's workers in a child process, on this file's queues and clock. */
async function startChild(): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./helpers/workerProcess.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env, WORKER_CLOCK_OFFSET_MS: String(offset) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'ready' && resolve());
    proc.once('exit', (code) => reject(new Error(`the worker process exited with ${code}`)));
  });
  return proc;
}

const statuses = async (ids: string[]) =>
  Object.fromEntries((await adminPool().query<{ id: string; status: string }>('SELECT id, status FROM follow_ups WHERE id = ANY($1::uuid[])', [ids])).rows.map((r) => [r.id, r.status]));

describe('a worker killed while it sends a burst of due emails', () => {
  it('sends every email at most once, and leaves each follow-up sent or uncertain, never queued', async () => {
    const ids = await dueEmails(t, tenant, EMAILS);
    await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId });
    child = await startChild();

    // Mid-burst: once a third has arrived, the sink stops answering, so the worker is in the middle
    // of sends (the message is in, the server's answer is not); it is killed with some held.
    await vi.waitFor(() => expect(sink.received.length).toBeGreaterThanOrEqual(EMAILS / 3), { timeout: 30_000, interval: 10 });
    sink.hold(true);
    const beforeHold = sink.received.length;
    await vi.waitFor(() => expect(sink.held).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 5 });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const heldIds = sink.messageIds().slice(beforeHold);
    sink.hold(false);
    sink.release();
    const atKill = await statuses(ids);
    expect(Object.values(atKill).filter((s) => s === 'queued').length, 'some sends were cut off mid-flight').toBeGreaterThan(0);

    // The dead worker's jobs are lost with it (BullMQ would hand them out again once their lock
    // lapses, 30 s on); the sweep finds what is still pending either way. Its claims run out.
    await t.deps.queues.get('followups').obliterate({ force: true });
    offset += LEASE_MS + 1_000;

    // Another worker sends what the dead one never claimed, while the every-minute sweep (run here
    // by hand) turns the dead one's claims into uncertain sends: also a claim it sent just before
    // it died, which PostgreSQL may still commit after the process is gone.
    workerDeps = createDeps(testConfig(env), { clock });
    running = await startWorkers(workerDeps, { concurrency: 5, relay: false });
    for (const def of jobRegistry) if (def.schedule) await workerDeps.queues.get(def.queue).removeJobScheduler(def.schedule.id);
    await vi.waitFor(
      async () => {
        await reconcileFollowUps(t.deps, { tenantId: tenant.tenantId });
        expect(Object.values(await statuses(ids)).filter((s) => s === 'pending' || s === 'queued')).toEqual([]);
      },
      { timeout: 30_000, interval: 100 },
    );

    const final = await statuses(ids);
    const times = new Map<string, number>();
    for (const m of sink.messageIds()) times.set(m!, (times.get(m!) ?? 0) + 1);
    // At most once, counting every message whose data reached the sink (answered or not).
    expect([...times.entries()].filter(([, n]) => n > 1)).toEqual([]);
    for (const id of ids) {
      expect(['sent', 'uncertain'], id).toContain(final[id]);
      // A follow-up marked sent was received, once.
      if (final[id] === 'sent') expect(times.get(`<fu-${id}@afterview>`), id).toBe(1);
    }
    // The sends cut off mid-flight are uncertain, each with its reason and event: not resent.
    for (const m of heldIds) expect(final[/^<fu-(.+)@afterview>$/.exec(m!)![1]!]).toBe('uncertain');
    const uncertain = ids.filter((id) => final[id] === 'uncertain');
    const rows = await adminPool().query<{ last_error: string }>('SELECT last_error FROM follow_ups WHERE id = ANY($1::uuid[])', [uncertain]);
    for (const r of rows.rows) expect(r.last_error).toMatch(/^The worker stopped while sending it .* it may or may not have gone out/);
    const events = await adminPool().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE type = 'followup.delivery_uncertain' AND payload->'data'->>'followUpId' = ANY($1::text[])",
      [uncertain],
    );
    expect(events.rows[0]!.n).toBe(uncertain.length);
  }, 90_000);
});
