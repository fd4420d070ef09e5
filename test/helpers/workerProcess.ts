/**
 * A worker in a process of its own, as `npm run start:worker` runs one, for tests that kill it
 * (test/followups.crash.test.ts): startWorkers on the test database and the queue prefix in
 * QUEUE_PREFIX, with real time moved by WORKER_CLOCK_OFFSET_MS, so the parent's injected clock and
 * this process agree on what is due. Its schedules are removed at once, as the browser tests'
 * worker's are: their purges would run on the moved clock against the whole test database. It
 * prints `ready` when it takes jobs.
 */
import { createDeps } from '../../src/deps.js';
import { jobRegistry } from '../../src/jobs/registry.js';
import { startWorkers } from '../../src/jobs/worker.js';
import { testConfig } from './env.js';

const offset = Number(process.env.WORKER_CLOCK_OFFSET_MS ?? 0);
const env = Object.fromEntries(
  ['QUEUE_PREFIX', 'SMTP_URL', 'MAIL_FROM', 'FOLLOWUP_CLAIM_LEASE_MS'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
);
const deps = createDeps(testConfig(env), { clock: { now: () => new Date(Date.now() + offset) } });
const running = await startWorkers(deps, { relay: false });
for (const def of jobRegistry) if (def.schedule) await deps.queues.get(def.queue).removeJobScheduler(def.schedule.id);
process.stdout.write('ready\n');
process.once('SIGTERM', () => void running.close().then(() => deps.close()).finally(() => process.exit(0)));
