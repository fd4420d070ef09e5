import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf, credentialKey } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { changePassword, endMyOtherSessions, endMySession, endUserSessions, listMySessions } from './sessions.service.js';
import { changePasswordBody, listSessionsQuery, passwordChanged, sessionSchema, sessionsEnded } from './sessions.schemas.js';

// Sessions belong to people: API keys have none and cannot end anyone's.
const self = { access: { role: 'viewer' as const, scope: null } };
const ended = 'Its access tokens are refused on every API process within a second; its refresh token no longer works.';

export function sessionsRoutes(app: App, deps: Deps) {
  const tags = ['sessions'];
  const security = [{ bearer: [] }];
  app.get('/v1/me/sessions', {
    schema: {
      tags,
      security,
      summary: 'Your sessions: where you are signed in',
      description: 'Open sessions, newest first; `current` is the one making this request.',
      querystring: listSessionsQuery,
      response: { 200: pageOf(sessionSchema), ...problemResponses() },
    },
    config: self,
    handler: async (req) => listMySessions(deps, actorOf(req), req.query),
  });
  app.delete('/v1/me/sessions/:id', {
    schema: { tags, security, summary: 'Sign out one of your sessions', description: ended, params: idParam, response: { 204: z.null(), ...problemResponses() } },
    config: self,
    handler: async (req, reply) => {
      await endMySession(deps, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  });
  app.delete('/v1/me/sessions', {
    schema: {
      tags,
      security,
      summary: 'Sign out everywhere else',
      description: `Ends every session of yours but the one making this request. ${ended}`,
      response: { 200: sessionsEnded, ...problemResponses() },
    },
    config: self,
    handler: async (req) => endMyOtherSessions(deps, actorOf(req)),
  });
  app.patch('/v1/me/password', {
    schema: {
      tags,
      security,
      summary: 'Change your password',
      description: `With your current password. Your other sessions end (this one stays signed in), and you are told by email. Limited like sign-in attempts (LOGIN_RATE_LIMIT_MAX a window).`,
      body: changePasswordBody,
      response: { 200: passwordChanged, ...problemResponses() },
    },
    config: { ...self, rateLimit: { max: deps.config.LOGIN_RATE_LIMIT_MAX, keyGenerator: (req) => credentialKey(app, req) } },
    handler: async (req) => changePassword(deps, actorOf(req), req.body),
  });
  app.delete('/v1/users/:id/sessions', {
    schema: {
      tags: ['users'],
      security,
      summary: 'End every session of a user (admins)',
      description: `Their access tokens are refused on every API process within a second; they sign in again. Only an owner can end an owner’s sessions.`,
      params: idParam,
      response: { 200: sessionsEnded, ...problemResponses() },
    },
    config: { access: { role: 'admin', scope: null } },
    handler: async (req) => endUserSessions(deps, actorOf(req), req.params.id),
  });
}
