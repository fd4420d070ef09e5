import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { createDatabase, type Database } from './db/client.js';
import { createLogger } from './lib/logger.js';
import { createRedis } from './lib/redis.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createQueues, type Queues } from './jobs/queues.js';
import { coalescingEnqueue, type JobRequest } from './jobs/enqueue.js';
import { randomToken } from './lib/secrets.js';
import { createMailer, type Mailer } from './lib/mailer.js';
import { createMetrics, watchResources, type Metrics } from './lib/metrics.js';
import { queueNames } from './jobs/queues.js';

/** Everything a service needs, created once per process and passed down explicitly. */
export interface Deps {
  config: Config;
  log: Logger;
  db: Database;
  /** Fail-fast Redis client for the request path (rate limits, readiness). */
  redis: Redis;
  queues: Queues;
  mailer: Mailer;
  clock: Clock;
  /** This process's Prometheus metrics (src/lib/metrics.ts). */
  metrics: Metrics;
  jwtSecret: string;
  close(): Promise<void>;
}

export function createDeps(config: Config, overrides: Partial<Pick<Deps, 'clock' | 'log' | 'mailer'>> = {}): Deps {
  const log = overrides.log ?? createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const db = createDatabase({
    url: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    idleMs: config.DATABASE_POOL_IDLE_MS,
    waitMs: config.DATABASE_POOL_WAIT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    readPipelines: config.DATABASE_READ_PIPELINES,
  });
  const redis = createRedis(config.REDIS_URL, 'fast');
  const queues = createQueues(config);
  const mailer = overrides.mailer ?? createMailer(config, log);
  // What a transaction asks to enqueue at its commit goes to this process's queues, the commits of
  // one event-loop turn together.
  const enqueueCommitted = coalescingEnqueue({ queues, redis });
  db.enqueueCommitted = (jobs) => enqueueCommitted(jobs as readonly JobRequest[]);
  const metrics = createMetrics();
  watchResources(metrics, db.pool, () => queueNames.map((name) => [name, queues.get(name)] as const));
  let jwtSecret = config.JWT_SECRET;
  if (!jwtSecret) {
    jwtSecret = randomToken(48);
    log.warn('JWT_SECRET is not set: using a random secret, so tokens end with this process (set it in production)');
  }
  return {
    config,
    log,
    db,
    redis,
    queues,
    mailer,
    clock: overrides.clock ?? systemClock,
    metrics,
    jwtSecret,
    async close() {
      await queues.close();
      mailer.close();
      redis.disconnect();
      await db.close();
    },
  };
}
