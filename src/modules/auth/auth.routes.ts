import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { login, logout, me, refresh, signup } from './auth.service.js';
import { clientOf, tokensOf } from './tokens.js';
import { forgotPasswordBody, forgotPasswordResponse, loginBody, meResponse, refreshBody, resetPasswordBody, signupBody, tokenResponse } from './auth.schemas.js';
import { publicLimit } from './links.js';
import { requestPasswordReset, resetRequestsDone, resetPassword } from './passwordReset.js';

export function authRoutes(app: App, deps: Deps) {
  const tokens = tokensOf(app, deps);
  // Per address here (ten accounts' worth of attempts); per account in the login service, so
  // neither rotating addresses nor spraying accounts buys more guesses.
  const loginLimit = publicLimit(deps, 'login-ip');

  app.post('/v1/signup', {
    schema: {
      tags: ['auth'],
      summary: 'Create an agency and its owner',
      description: 'Open when SIGNUP_ENABLED is on. Returns tokens for the new owner.',
      body: signupBody,
      response: { 201: tokenResponse, ...problemResponses(409) },
    },
    config: { access: { public: true }, rateLimit: publicLimit(deps, 'signup') },
    handler: async (req, reply) => reply.code(201).send(tokens(await signup(deps, req.body, clientOf(req)))),
  });

  app.post('/v1/auth/login', {
    schema: {
      tags: ['auth'],
      summary: 'Sign in with agency slug, email and password',
      description:
        'Starts a session (see GET /v1/me/sessions). Attempts are counted per account before the password is checked, the same whether the account exists or not: past LOGIN_RATE_LIMIT_MAX a window, 429 with Retry-After. An address the account signed in from before is counted apart, so guesses from elsewhere do not lock its user out there; a password reset is the way in from a new one.',
      body: loginBody,
      response: { 200: tokenResponse, ...problemResponses() },
    },
    config: { access: { public: true }, rateLimit: loginLimit },
    handler: async (req) => tokens(await login(deps, req.body, clientOf(req))),
  });

  app.post('/v1/auth/refresh', {
    schema: {
      tags: ['auth'],
      summary: 'Trade a refresh token for new tokens',
      description: 'Refresh tokens are single use. Presenting one twice revokes every token of its session.',
      body: refreshBody,
      response: { 200: tokenResponse, ...problemResponses() },
    },
    config: { access: { public: true } },
    handler: async (req) => tokens(await refresh(deps, req.body.refreshToken, clientOf(req))),
  });

  app.post('/v1/auth/logout', {
    schema: {
      tags: ['auth'],
      summary: 'End the session a refresh token belongs to',
      description: 'Its access tokens stop working too, on every API process within a second.',
      body: refreshBody,
      response: { 204: z.null().describe('Signed out'), ...problemResponses() },
    },
    config: { access: { public: true } },
    handler: async (req, reply) => {
      await logout(deps, req.body.refreshToken);
      return reply.code(204).send(null);
    },
  });

  app.post('/v1/auth/forgot-password', {
    schema: {
      tags: ['auth'],
      summary: 'Ask for a password reset link by email',
      description:
        'The same answer (202) whether or not the agency and an active account with this email exist: the link, single use and valid 30 minutes, goes out after the answer. At most 3 emails per account an hour; limited per address too.',
      body: forgotPasswordBody,
      response: { 202: forgotPasswordResponse, ...problemResponses() },
    },
    config: { access: { public: true }, rateLimit: publicLimit(deps, 'forgot') },
    handler: async (req, reply) => {
      requestPasswordReset(deps, req.body);
      return reply.code(202).send({
        status: 'accepted' as const,
        detail: 'If this agency has an active account with this email, a link to reset its password is on its way. It works once, for 30 minutes.',
      });
    },
  });
  app.addHook('onClose', () => resetRequestsDone(deps));

  app.post('/v1/auth/reset-password', {
    schema: {
      tags: ['auth'],
      summary: 'Choose a new password with a reset link, and sign in',
      description:
        'Ends every session of the user (their access tokens on every API process within a second) and starts a new one here. An invalid, altered or foreign link is 400 link_invalid, an old one 410 link_expired, a used one 410 link_used, each naming body.token; a weak password is 400 naming body.password, and the link stays usable.',
      body: resetPasswordBody,
      response: { 200: tokenResponse, ...problemResponses(410) },
    },
    config: { access: { public: true }, rateLimit: publicLimit(deps, 'reset') },
    handler: async (req) => tokens(await resetPassword(deps, req.body, clientOf(req))),
  });

  app.get('/v1/me', {
    schema: {
      tags: ['auth'],
      summary: 'Who am I: the agency and the signed-in user or API key',
      security: [{ bearer: [] }],
      response: { 200: meResponse, ...problemResponses() },
    },
    config: { access: { role: 'viewer', scope: 'agency:read' } },
    handler: async (req) => me(deps, actorOf(req)),
  });
}
