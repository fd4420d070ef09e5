/**
 * An Afterview process as `npm run start:api` / `start:worker` / `npm start` runs one (src/server.ts:
 * the same start, shutdown and signal handling), for the chaos suite to kill. The only difference
 * is its clock: real time moved by CHAOS_CLOCK_OFFSET_MS, and moved further by a line
 * `advance <ms>` on stdin (answered by a line `{"chaos":"clock","now":"…"}` on stdout), so a test
 * can pass a deadline (a claim lease, a requeue delay, an open circuit) without waiting for it.
 * CHAOS_PARTS: `api`, `worker` or `api,worker`. Logs are pino's JSON lines on stdout.
 */
import { createInterface } from 'node:readline';
import { configOrExit, runUntilSignal, start } from '../../src/server.js';

let offset = Number(process.env.CHAOS_CLOCK_OFFSET_MS ?? 0);
const clock = { now: () => new Date(Date.now() + offset) };
const parts = new Set((process.env.CHAOS_PARTS ?? 'api,worker').split(','));

createInterface({ input: process.stdin }).on('line', (line) => {
  const advance = /^advance (\d+)$/.exec(line.trim());
  if (!advance) return;
  offset += Number(advance[1]);
  process.stdout.write(`${JSON.stringify({ chaos: 'clock', now: clock.now().toISOString() })}\n`);
});

const config = configOrExit();
runUntilSignal(await start(config, { api: parts.has('api'), worker: parts.has('worker') }, { clock }), config.SHUTDOWN_GRACE_MS);
