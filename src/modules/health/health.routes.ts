import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../lib/errors.js';
import { problemResponses } from '../../http/problem.js';
import { missingSchedules } from '../../jobs/schedules.js';
import { revocationListenerOf } from '../auth/revocations.js';
import { LIMITS } from '../../lib/limits.js';

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/**
 * What this process depends on, each as it is now. Only PostgreSQL decides readiness: every
 * request needs it. Redis unreachable or a schedule missing is reported (`status: degraded`) but
 * keeps the process in rotation: requests are served while Redis is down (rate limits fail open,
 * due follow-ups are sent from PostgreSQL), and a missing schedule means no worker is running,
 * which taking every API process out of rotation would not mend (docs/jobs.md). Alert on
 * `status` other than `ready`.
 */
export async function readiness(deps: Deps) {
  const [postgres, redis, missing] = await Promise.all([
    withTimeout(deps.db.pool.query('SELECT 1'), 2_000).then(() => 'ok' as const, () => 'unreachable' as const),
    withTimeout(deps.redis.ping(), 2_000).then(() => 'ok' as const, () => 'unreachable' as const),
    withTimeout(missingSchedules(deps.queues), 2_000).catch(() => null),
  ]);
  const schedules = missing === null ? 'unknown' : missing.length === 0 ? 'ok' : `missing ${missing.join(', ')}`;
  const listener = revocationListenerOf(deps);
  const revocations = !listener ? 'off' : listener.listening ? 'listening' : 'polling';
  const status = postgres !== 'ok' ? 'unready' : redis === 'ok' && schedules === 'ok' && revocations !== 'polling' ? 'ready' : 'degraded';
  return { status, postgres, redis, schedules, revocations } as const;
}

const readyBody = z
  .object({
    status: z.enum(['ready', 'degraded']).describe('`degraded`: served, but Redis, a schedule or the revocation feed needs an operator (the fields say which)'),
    postgres: z.literal('ok'),
    redis: z.enum(['ok', 'unreachable']),
    schedules: z.string().max(LIMITS.text).describe('`ok`, `unknown` (Redis unreachable) or `missing <id>, …`: no worker has put them back'),
    revocations: z.enum(['listening', 'polling', 'off']).describe('`polling`: the LISTEN connection is down; revocation still holds within a second (docs/auth.md)'),
  })
  .meta({ example: { status: 'ready', postgres: 'ok', redis: 'ok', schedules: 'ok', revocations: 'listening' } });

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
      summary: 'Readiness: 503 when PostgreSQL is unreachable; otherwise 200, `degraded` naming what needs an operator',
      response: { 200: readyBody, 503: problemResponses()[500]! },
    },
    config: { access: { public: true }, rateLimit: false },
    logLevel: 'warn',
    handler: async () => {
      const checks = await readiness(deps);
      if (checks.status === 'unready') {
        throw new AppError('service_unavailable', `postgres: ${checks.postgres}, redis: ${checks.redis}, schedules: ${checks.schedules}`, [], { checks });
      }
      return { ...checks, status: checks.status, postgres: 'ok' as const };
    },
  });
}
