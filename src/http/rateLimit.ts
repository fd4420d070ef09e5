import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler } from 'fastify';
import type { Deps } from '../deps.js';
import { AppError } from '../lib/errors.js';
import { leasedRedisStore } from './rateLimitStore.js';

/** A route's own limit (`config.rateLimit`), or `false` for none; unset fields take the global ones. */
export interface RouteRateLimit {
  max?: number;
  timeWindow?: number;
  keyGenerator?: (req: FastifyRequest) => string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: RouteRateLimit | false;
  }
  interface FastifyRequest {
    /** The key the request was counted under, and in which limit (null on a route without one). */
    rateLimitKey: string | null;
    rateLimitRoute: RouteLimit | null;
  }
  interface FastifyInstance {
    /**
     * Counts the request once more, under `key`, in its route's limit; rejects with 429 over it.
     * For a credential that is only known once authenticated (a key this process has not seen).
     */
    chargeRateLimit(req: FastifyRequest, reply: FastifyReply, key: string): Promise<void>;
  }
}

type Limit = Required<RouteRateLimit>;
interface Store {
  incr(key: string, cb: (err: Error | null, res?: { current: number; ttl: number }) => void, timeWindow: number, max: number): void;
}
interface RouteLimit {
  limit: Limit;
  store: Store;
  /** The policy's name in the `RateLimit` fields (a structured-field string, quoted). */
  name: string;
  /** `RateLimit-Policy`, the same on every answer of the route: built once. */
  policy: string;
}

/** A route's limit as draft-ietf-httpapi-ratelimit-headers names it: `"<name>";q=<quota>;w=<window s>`. */
function routeLimit(limit: Limit, store: Store, name: string): RouteLimit {
  const quoted = `"${name}"`;
  return { limit, store, name: quoted, policy: `${quoted};q=${limit.max};w=${Math.round(limit.timeWindow / 1000)}` };
}

/**
 * Rate limits per credential, counted in Redis (docs/auth.md), as a plain callback hook: when the
 * process holds a lease for the key (almost always), the check is synchronous — no promise per
 * request (@fastify/rate-limit's promises cost 8 points of `/v1/me`, docs/performance.md).
 *
 * Every route is limited unless its `config.rateLimit` is `false`; a route with its own limit
 * counts in its own buckets. The hook is added before authentication (register this first), so
 * a flood of bad credentials is limited too. Responses carry `RateLimit-Policy` and `RateLimit`
 * (draft-ietf-httpapi-ratelimit-headers: `"default";q=600;w=60`, `"default";r=599;t=60`) and,
 * for one release more, `x-ratelimit-limit`, `-remaining` and `-reset`; over the limit, 429
 * with `Retry-After`. Redis down: requests are served (fail
 * open) and /readyz reports it.
 */
export function registerRateLimit(app: FastifyInstance, deps: Deps, keyGenerator: (req: FastifyRequest) => string): void {
  const Store = leasedRedisStore(deps.redis, `${deps.config.QUEUE_PREFIX}:rl:`);
  const global: Limit = { max: deps.config.RATE_LIMIT_MAX, timeWindow: deps.config.RATE_LIMIT_WINDOW_MS, keyGenerator };
  const globalStore = new Store();
  const defaultLimit = routeLimit(global, globalStore, 'default');
  app.decorateRequest('rateLimitKey', null);
  app.decorateRequest('rateLimitRoute', null);

  /** Counts one request under `key`; `done` gets the 429 when it is over the limit. */
  const count = ({ limit, store, name, policy }: RouteLimit, key: string, reply: FastifyReply, done: (err?: Error) => void) =>
    store.incr(
      key,
      (err, res) => {
        if (err || !res) return done();
        const reset = Math.ceil(res.ttl / 1000);
        const remaining = Math.max(0, limit.max - res.current);
        reply.header('ratelimit-policy', policy);
        reply.header('ratelimit', `${name};r=${remaining};t=${reset}`);
        // Deprecated: kept for one release beside the fields above (docs/auth.md#rate-limits).
        reply.header('x-ratelimit-limit', limit.max);
        reply.header('x-ratelimit-remaining', remaining);
        reply.header('x-ratelimit-reset', reset);
        if (res.current <= limit.max) return done();
        reply.header('retry-after', reset);
        done(
          new AppError('rate_limited', `Rate limit of ${limit.max} requests per ${Math.round(limit.timeWindow / 1000)} s exceeded`, [], {
            retryAfterSeconds: reset,
          }),
        );
      },
      limit.timeWindow,
      limit.max,
    );

  app.decorate('chargeRateLimit', (req: FastifyRequest, reply: FastifyReply, key: string) => {
    const route = req.rateLimitRoute;
    if (!route) return Promise.resolve();
    req.rateLimitKey = key;
    return new Promise<void>((resolve, reject) => count(route, key, reply, (err) => (err ? reject(err) : resolve())));
  });

  app.addHook('onRoute', (route) => {
    const own = route.config?.rateLimit;
    if (own === false) return;
    const limit: Limit = { ...global, ...own };
    // A route's own limit has its own buckets (login attempts do not eat the API allowance).
    const entry = own
      ? routeLimit(limit, globalStore.child(`${String(route.method)}${route.url}-`), route.url.replace(/^\/v1\//, '').replace(/[^a-z0-9]+/gi, '-'))
      : defaultLimit;
    const hook: onRequestHookHandler = (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const key = limit.keyGenerator(req);
      req.rateLimitKey = key;
      req.rateLimitRoute = entry;
      count(entry, key, reply, done);
    };
    route.onRequest = [...[route.onRequest ?? []].flat(), hook];
  });
}
