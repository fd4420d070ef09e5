import { Redis, type RedisOptions } from 'ioredis';

/**
 * Two kinds of connection, as BullMQ's production guide says: workers wait for Redis forever
 * (`maxRetriesPerRequest: null`); anything on the request path fails fast instead of hanging.
 */
export function createRedis(url: string, kind: 'worker' | 'fast', extra: RedisOptions = {}): Redis {
  const common: RedisOptions = { lazyConnect: false, ...extra };
  const opts: RedisOptions =
    kind === 'worker'
      ? { ...common, maxRetriesPerRequest: null, enableReadyCheck: true }
      : {
          ...common,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 1_000,
          // Commands issued in the same tick (rate-limit checks of concurrent requests) share one write.
          enableAutoPipelining: true,
        };
  const redis = new Redis(url, opts);
  redis.on('error', () => {
    // ioredis reconnects by itself; the readiness probe and the callers report the outage.
  });
  return redis;
}
