import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyJwt from '@fastify/jwt';
import type { Deps } from '../deps.js';
import { AppError } from '../lib/errors.js';
import { roleAtLeast, roleSchema, type Access, type Actor } from '../lib/access.js';
import { z } from 'zod';
import { requestContext } from '../lib/requestContext.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** Every route with what it demands: the security suites walk it, so no route escapes them. */
    routeTable: RouteAccess[];
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

/** The claims of an access token; anything else is refused. */
const accessClaims = z.object({
  sub: z.string().uuid(),
  tid: z.string().uuid(),
  role: roleSchema,
  sid: z.string().uuid(),
  /** The user's session generation when it was issued: a raised one refuses it (revocations.ts). */
  gen: z.number().int().min(0),
  typ: z.literal('access'),
  exp: z.number().int(),
});
export type AccessClaims = z.infer<typeof accessClaims>;

/**
 * What authentication needs from the modules, handed over by src/app.ts: the edge imports no
 * module. `apiKeys` looks keys up (modules/apiKeys); `revocations` is the list of ended sessions
 * and users kept current from the database (modules/auth/revocations.ts).
 */
export interface AuthPorts {
  apiKeys: { prefix: string; authenticate(token: string): Promise<Actor | null>; knownId(token: string): string | null | undefined };
  revocations: { list: RevocationView; listen(): Promise<{ close(): Promise<void> }> };
}

/** Whether a session and a user's token generation are still allowed; `epoch` moves with every revocation. */
export interface RevocationView {
  readonly epoch: number;
  allows(sessionId: string, userId: string, generation: number): boolean;
}

// Plugin-served documentation routes are public by nature; every other route must say.
const PUBLIC_PREFIXES = ['/docs', '/openapi.json'];

export function registerAuth(app: FastifyInstance, deps: Deps, ports: AuthPorts): void {
  app.register(fastifyJwt, {
    secret: deps.jwtSecret,
    sign: {
      algorithm: 'HS256',
      iss: deps.config.JWT_ISSUER,
      aud: deps.config.JWT_AUDIENCE,
      // @fastify/jwt reads a number as seconds (and hands fast-jwt milliseconds itself).
      expiresIn: deps.config.ACCESS_TOKEN_TTL_SECONDS,
    },
    verify: {
      algorithms: ['HS256'],
      allowedIss: deps.config.JWT_ISSUER,
      allowedAud: deps.config.JWT_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'iss', 'aud', 'sub'],
      // Verified tokens are remembered by verifyAccessToken below, keyed by the token itself.
      cache: false,
    },
  });
  app.decorateRequest('actor', null);
  // Revoked sessions and users, kept current from the database for as long as the app runs.
  verifiers.set(app, { cache: new Map(), revocations: ports.revocations.list, apiKeys: ports.apiKeys });
  let listener: { close(): Promise<void> } | undefined;
  app.addHook('onReady', async () => {
    listener = await ports.revocations.listen();
  });
  app.addHook('onClose', async () => {
    await listener?.close();
  });
  const table: RouteAccess[] = [];
  app.decorate('routeTable', table);

  app.addHook('onRoute', (route) => {
    if (!route.config?.access) {
      if (!PUBLIC_PREFIXES.some((p) => route.url.startsWith(p))) {
        throw new Error(`route ${route.method} ${route.url} does not declare config.access`);
      }
      route.config = { ...route.config, access: { public: true } };
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') table.push({ method, url: route.url, access: route.config.access! });
    }
    if (!('public' in route.config.access!)) route.onRequest = [...[route.onRequest ?? []].flat(), authenticateRoute];
  });

  // A route-level hook, added after the rate limiter's: requests are counted before they are
  // authenticated, so a flood of bad credentials is limited too.
  const authenticateRoute = async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config.access;
    if (!access || 'public' in access) return;
    const actor = await authenticate(app, request);
    // A key this process had not seen yet was counted by address: its own count starts now too.
    if (actor.kind === 'api_key' && request.rateLimitKey !== `key:${actor.apiKeyId}`) {
      await app.chargeRateLimit(request, reply, `key:${actor.apiKeyId}`);
    }
    if (actor.kind === 'user') {
      if (!roleAtLeast(actor.role!, access.role)) {
        throw new AppError('forbidden', `This needs the ${access.role} role or higher`);
      }
    } else if (access.scope === null) {
      throw new AppError('forbidden', 'API keys cannot call this; sign in as a user');
    } else if (!actor.scopes.includes(access.scope)) {
      throw new AppError('insufficient_scope', `The API key needs the ${access.scope} scope`, [], {
        requiredScope: access.scope,
      });
    }
    request.actor = actor;
    // The log mixin adds these to every line of the request (cheaper than a child logger each time).
    const ctx = requestContext.getStore();
    if (ctx) {
      ctx.tenantId = actor.tenantId;
      ctx.actor = actor.userId ?? actor.apiKeyId ?? undefined;
    }
  };
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new AppError('unauthenticated', 'Send Authorization: Bearer <token>');
  const match = /^Bearer ([\x21-\x7e]{1,2048})$/.exec(header);
  if (!match) throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <token>"');
  return match[1]!;
}

async function authenticate(app: FastifyInstance, request: FastifyRequest): Promise<Actor> {
  const token = bearer(request);
  const { apiKeys } = verifiers.get(app)!;
  if (token.startsWith(`${apiKeys.prefix}_`)) {
    const actor = await apiKeys.authenticate(token);
    if (!actor) throw new AppError('invalid_token', 'The API key is invalid or revoked');
    return actor;
  }
  const actor = verifyAccessToken(app, token);
  if (!actor) throw new AppError('invalid_token');
  return actor;
}

interface Verified {
  actor: Actor;
  expiresAt: number;
  sessionId: string;
  generation: number;
  /** The revocation list's epoch when the verdict was last checked against it. */
  epoch: number;
}

/**
 * Per app (each has its own signing secret and revocation list): verified access tokens and their
 * actor, until they expire; the oldest go first past the cap.
 */
const verifiers = new WeakMap<FastifyInstance, { cache: Map<string, Verified>; revocations: RevocationView; apiKeys: AuthPorts['apiKeys'] }>();
const VERIFIED_CAP = 10_000;

/**
 * The actor of a valid access token, or null. A token verified once is remembered until its
 * `exp`, keyed by the token string (fast-jwt's own cache hashes every token with SHA-256 first,
 * and the rate limiter and the authentication both ask): a repeat costs one map lookup, and a
 * look at the revocation list only when something was revoked since (its epoch moved).
 */
function verifyAccessToken(app: FastifyInstance, token: string): Actor | null {
  const { cache, revocations } = verifiers.get(app)!;
  const now = Date.now();
  const hit = cache.get(token);
  if (hit) {
    if (hit.expiresAt > now && (hit.epoch === revocations.epoch || revocations.allows(hit.sessionId, hit.actor.userId!, hit.generation))) {
      hit.epoch = revocations.epoch;
      return hit.actor;
    }
    cache.delete(token);
    return null;
  }
  let decoded: unknown;
  try {
    decoded = app.jwt.verify(token);
  } catch {
    return null;
  }
  const claims = accessClaims.safeParse(decoded);
  if (!claims.success) return null;
  const { sub, tid, role, sid, gen, exp } = claims.data;
  const epoch = revocations.epoch;
  if (!revocations.allows(sid, sub, gen)) return null;
  const actor: Actor = Object.freeze({ tenantId: tid, kind: 'user' as const, userId: sub, apiKeyId: null, role, scopes: [], sessionId: sid });
  if (cache.size >= VERIFIED_CAP) cache.delete(cache.keys().next().value!);
  cache.set(token, { actor, expiresAt: exp * 1000, sessionId: sid, generation: gen, epoch });
  return actor;
}

/**
 * The rate-limit key of a request: the user of a valid JWT, a known API key, else the address.
 * It runs before authentication, so it only trusts what verifies (the JWT check is cached).
 */
export function credentialKey(app: FastifyInstance, request: FastifyRequest): string {
  const match = /^Bearer ([\x21-\x7e]{1,2048})$/.exec(request.headers.authorization ?? '');
  const token = match?.[1];
  const { apiKeys } = verifiers.get(app)!;
  if (token?.startsWith(`${apiKeys.prefix}_`)) {
    const id = apiKeys.knownId(token);
    if (id) return `key:${id}`;
  } else if (token) {
    // Not a valid token: limited by address.
    const actor = verifyAccessToken(app, token);
    if (actor) return `user:${actor.userId}`;
  }
  return `ip:${request.ip}`;
}

/** The actor of an authenticated route (the onRequest hook guarantees it). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthenticated');
  return request.actor;
}
