import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyJwt from '@fastify/jwt';
import type { Deps } from '../deps.js';
import { AppError } from '../lib/errors.js';
import { roleAtLeast, roleSchema, type Access, type Actor } from '../lib/access.js';
import { authenticateApiKey, API_KEY_PREFIX, knownApiKeyId } from '../modules/apiKeys/apiKeys.service.js';
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
  typ: z.literal('access'),
  exp: z.number().int(),
});
export type AccessClaims = z.infer<typeof accessClaims>;

// Plugin-served documentation routes are public by nature; every other route must say.
const PUBLIC_PREFIXES = ['/docs', '/openapi.json'];

export function registerAuth(app: FastifyInstance, deps: Deps): void {
  app.register(fastifyJwt, {
    secret: deps.jwtSecret,
    sign: {
      algorithm: 'HS256',
      iss: deps.config.JWT_ISSUER,
      aud: deps.config.JWT_AUDIENCE,
      expiresIn: deps.config.ACCESS_TOKEN_TTL_SECONDS * 1000,
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
  const authenticateRoute = async (request: FastifyRequest) => {
    const access = request.routeOptions.config.access;
    if (!access || 'public' in access) return;
    const actor = await authenticate(app, deps, request);
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

async function authenticate(app: FastifyInstance, deps: Deps, request: FastifyRequest): Promise<Actor> {
  const token = bearer(request);
  if (token.startsWith(`${API_KEY_PREFIX}_`)) {
    const actor = await authenticateApiKey(deps, token);
    if (!actor) throw new AppError('invalid_token', 'The API key is invalid or revoked');
    return actor;
  }
  const actor = verifyAccessToken(app, token);
  if (!actor) throw new AppError('invalid_token');
  return actor;
}

/**
 * Per app (each has its own signing secret): verified access tokens and their actor, until they
 * expire; the oldest go first past the cap.
 */
const verifiedByApp = new WeakMap<FastifyInstance, Map<string, { actor: Actor; expiresAt: number }>>();
const VERIFIED_CAP = 10_000;

/**
 * The actor of a valid access token, or null. A token verified once is remembered until its
 * `exp`, keyed by the token string (fast-jwt's own cache hashes every token with SHA-256 first,
 * and the rate limiter and the authentication both ask): a repeat costs one map lookup.
 */
function verifyAccessToken(app: FastifyInstance, token: string): Actor | null {
  let verified = verifiedByApp.get(app);
  if (!verified) verifiedByApp.set(app, (verified = new Map()));
  const now = Date.now();
  const hit = verified.get(token);
  if (hit) {
    if (hit.expiresAt > now) return hit.actor;
    verified.delete(token);
  }
  let decoded: unknown;
  try {
    decoded = app.jwt.verify(token);
  } catch {
    return null;
  }
  const claims = accessClaims.safeParse(decoded);
  if (!claims.success) return null;
  const actor: Actor = Object.freeze({
    tenantId: claims.data.tid,
    kind: 'user' as const,
    userId: claims.data.sub,
    apiKeyId: null,
    role: claims.data.role,
    scopes: [],
  });
  if (verified.size >= VERIFIED_CAP) verified.delete(verified.keys().next().value!);
  verified.set(token, { actor, expiresAt: claims.data.exp * 1000 });
  return actor;
}

/**
 * The rate-limit key of a request: the user of a valid JWT, a known API key, else the address.
 * It runs before authentication, so it only trusts what verifies (the JWT check is cached).
 */
export function credentialKey(app: FastifyInstance, request: FastifyRequest): string {
  const match = /^Bearer ([\x21-\x7e]{1,2048})$/.exec(request.headers.authorization ?? '');
  const token = match?.[1];
  if (token?.startsWith(`${API_KEY_PREFIX}_`)) {
    const id = knownApiKeyId(token);
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
