import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../lib/errors.js';
import { problemResponses } from '../../http/problem.js';
import { missingSchedules } from '../../jobs/schedules.js';

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/**
 * PostgreSQL and Redis answer, and Redis holds every schedule of the registry. A schedule missing
 * means follow-ups would silently stop: a worker puts it back within SCHEDULE_CHECK_MS, so one
 * missing for longer means no worker is running (docs/jobs.md).
 */
export async function readiness(deps: Deps) {
  const [postgres, redis, missing] = await Promise.all([
    withTimeout(deps.db.pool.query('SELECT 1'), 2_000).then(() => 'ok' as const, () => 'unreachable' as const),
    withTimeout(deps.redis.ping(), 2_000).then(() => 'ok' as const, () => 'unreachable' as const),
    withTimeout(missingSchedules(deps.queues), 2_000).catch(() => null),
  ]);
  const schedules = missing === null ? `unknown` : missing.length === 0 ? 'ok' : `missing ${missing.join(', ')}`;
  return { postgres, redis, schedules };
}

export function healthRoutes(app: App, deps: Deps) {
  app.get('/healthz', {
    schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: z.object({ status: z.literal('ok') }).meta({ example: { status: 'ok' } }) } },
    config: { access: { public: true }, rateLimit: false },
    logLevel: 'warn',
    handler: async () => ({ status: 'ok' as const }),
  });
  app.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: PostgreSQL and Redis are reachable, and Redis holds every schedule',
      response: {
        200: z
          .object({ status: z.literal('ready'), postgres: z.literal('ok'), redis: z.literal('ok'), schedules: z.literal('ok') })
          .meta({ example: { status: 'ready', postgres: 'ok', redis: 'ok', schedules: 'ok' } }),
        503: problemResponses()[500]!,
      },
    },
    config: { access: { public: true }, rateLimit: false },
    logLevel: 'warn',
    handler: async () => {
      const checks = await readiness(deps);
      if (checks.postgres !== 'ok' || checks.redis !== 'ok' || checks.schedules !== 'ok') {
        throw new AppError('service_unavailable', `postgres: ${checks.postgres}, redis: ${checks.redis}, schedules: ${checks.schedules}`, [], { checks });
      }
      return { status: 'ready' as const, postgres: 'ok' as const, redis: 'ok' as const, schedules: 'ok' as const };
    },
  });
}
