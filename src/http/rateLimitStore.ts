import { AsyncResource } from 'node:async_hooks';
import type { Redis } from 'ioredis';

// INCRBY a block of slots; the first block of a window starts its expiry.
const LEASE_LUA = `
local total = redis.call('INCRBY', KEYS[1], ARGV[2])
if total == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {total, ttl}`;

interface Lease {
  next: number;
  end: number;
  expiresAt: number;
}
type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;

/**
 * Rate-limit counts (src/http/rateLimit.ts) reserved from Redis in blocks. Redis holds the
 * count per credential and window, shared by every process; each process takes up to
 * `max / 20` slots at a time (1 for small limits, so they stay exact) and hands them out
 * locally, so a busy credential costs one Redis call per block instead of one per request. The
 * price: a process may hold a few unused slots when the window ends (docs/auth.md).
 */
export function leasedRedisStore(redis: Redis, prefix: string, clock: () => number = Date.now) {
  if (!(redis as unknown as { rateLimitLease?: unknown }).rateLimitLease) {
    redis.defineCommand('rateLimitLease', { numberOfKeys: 1, lua: LEASE_LUA });
  }
  const lease = redis as unknown as {
    rateLimitLease(key: string, windowMs: number, n: number, cb: (err: Error | null, res: [number, number]) => void): void;
  };

  return class LeasedStore {
    private readonly leases = new Map<string, Lease>();
    private readonly waiting = new Map<string, Array<(err: Error | null) => void>>();
    private readonly keyPrefix: string;

    constructor(keyPrefix = prefix) {
      this.keyPrefix = keyPrefix;
    }

    incr(key: string, cb: Callback, timeWindow: number, max: number): void {
      const now = clock();
      const held = this.leases.get(key);
      if (held && held.expiresAt > now && held.next <= held.end) {
        cb(null, { current: held.next++, ttl: held.expiresAt - now });
        return;
      }
      // One block request per key at a time; callers arriving meanwhile wait for it. Each waiter
      // resumes in its own async context (its request's), not in the one whose Redis call woke it.
      const waiter = AsyncResource.bind((err: Error | null) => (err ? cb(err) : this.incr(key, cb, timeWindow, max)));
      const queue = this.waiting.get(key);
      if (queue) {
        queue.push(waiter);
        return;
      }
      this.waiting.set(key, [waiter]);
      const block = Math.max(1, Math.min(100, Math.floor(max / 20)));
      lease.rateLimitLease(this.keyPrefix + key, timeWindow, block, (err, res) => {
        const waiters = this.waiting.get(key) ?? [];
        this.waiting.delete(key);
        if (err) {
          for (const w of waiters) w(err);
          return;
        }
        const [total, ttl] = res;
        this.leases.set(key, { next: total - block + 1, end: total, expiresAt: clock() + ttl });
        if (this.leases.size > 50_000) this.sweep();
        for (const w of waiters) w(null);
      });
    }

    private sweep() {
      const now = clock();
      for (const [k, l] of this.leases) if (l.expiresAt <= now) this.leases.delete(k);
    }

    /** A store whose keys are this one's under a further prefix (a route's own buckets). */
    child(prefix: string) {
      return new LeasedStore(`${this.keyPrefix}${prefix}`);
    }
  };
}
