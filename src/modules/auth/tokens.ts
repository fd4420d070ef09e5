import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import type { Client, Session } from './sessions.store.js';

/** The token response of a new or refreshed session: the access token signed here (JWTs are an HTTP concern). */
export const tokensOf = (app: FastifyInstance, deps: Deps) => (s: Session) => ({
  tokenType: 'Bearer' as const,
  accessToken: app.jwt.sign({ sub: s.userId, tid: s.tenantId, role: s.role, sid: s.sessionId, gen: s.generation, typ: 'access' }),
  expiresIn: deps.config.ACCESS_TOKEN_TTL_SECONDS,
  refreshToken: s.refreshToken,
});

/** Where a request came from, for the sessions list. */
export const clientOf = (req: FastifyRequest): Client => ({ ip: req.ip, userAgent: req.headers['user-agent'] });
