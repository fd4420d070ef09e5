import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeps, type Deps } from '../src/deps.js';
import { jobRegistry } from '../src/jobs/registry.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { fixedClock } from '../src/lib/clock.js';
import { reconcileFollowUps } from '../src/modules/followups/followups.jobs.js';
import { createTestApp, newTenant, type TestApp, type TestTenant } from './helpers/app.js';
import { dueEmails } from './helpers/dueEmails.js';
import { testConfig } from './helpers/env.js';
import { smtpSink } from './helpers/smtpSink.js';

/**
 * Issue 15, finding 2, for email: agency A's large burst due at one instant does not hold back
 * agency B's thank-you due at the same instant. B's is queued last, after all of A's (the order
 * in which a first-come queue would serve it last); it must still go out before A's burst has
 * drained. Ordering at the SMTP sink, not timing. The world is Mon 12 Jun 2028 (no other test
 * file plans in June 2028).
 */
const clock = fixedClock('2028-06-12T18:00:00Z');
const BURST = 120;

const sink = smtpSink();

let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let workerDeps: Deps;
let running: RunningWorkers | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  const port = await sink.listen();
  env = {
    QUEUE_PREFIX: `afterview-fu-fair-${process.pid}`,
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    MAIL_FROM: 'followups@agency.example',
  };
  t = await createTestApp({ clock, env });
  [a, b] = await Promise.all([newTenant(t.app), newTenant(t.app)]);
});

afterAll(async () => {
  await running?.close();
  await workerDeps?.close();
  await t.close();
  await sink.close();
});

describe('emails of two agencies due at the same instant', () => {
  it('sends agency B’s one email before agency A’s burst has drained, though it was queued after all of A’s', async () => {
    const burst = await dueEmails(t, a, BURST);
    const [thanks] = await dueEmails(t, b, 1);
    // Planning queued nothing (its rows are cancelled; the copies were written directly): the
    // sweep queues A's burst first, then B's.
    expect(await reconcileFollowUps(t.deps, { tenantId: a.tenantId })).toMatchObject({ enqueued: BURST });
    expect(await reconcileFollowUps(t.deps, { tenantId: b.tenantId })).toMatchObject({ enqueued: 1 });

    // One worker, two emails at a time: A's burst takes many turns.
    workerDeps = createDeps(testConfig(env), { clock });
    running = await startWorkers(workerDeps, { concurrency: 2, relay: false });
    for (const def of jobRegistry) if (def.schedule) await workerDeps.queues.get(def.queue).removeJobScheduler(def.schedule.id);
    await vi.waitFor(() => expect(sink.received).toHaveLength(BURST + 1), { timeout: 30_000, interval: 20 });
    const arrivals = sink.messageIds();

    const bAt = arrivals.indexOf(`<fu-${thanks}@afterview>`);
    const aLeft = burst.filter((id) => arrivals.indexOf(`<fu-${id}@afterview>`) > bAt).length;
    // B's email went out while most of A's were still waiting (in turn: within the first few).
    expect(aLeft, `B's email was number ${bAt + 1} of ${arrivals.length}`).toBeGreaterThan(BURST / 2);
    expect(new Set(arrivals).size).toBe(BURST + 1);
  }, 60_000);
});
