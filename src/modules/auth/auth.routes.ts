import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { login, logout, me, refresh, signup } from './auth.service.js';
import { clientOf, tokensOf } from './tokens.js';
import { loginBody, meResponse, refreshBody, signupBody, tokenResponse } from './auth.schemas.js';

export function authRoutes(app: App, deps: Deps) {
  const tokens = tokensOf(app, deps);
  // Per address here (ten accounts' worth of attempts); per account in the login service, so
  // neither rotating addresses nor spraying accounts buys more guesses.
  const loginLimit = {
    max: deps.config.LOGIN_RATE_LIMIT_MAX * 10,
    timeWindow: deps.config.RATE_LIMIT_WINDOW_MS,
    keyGenerator: (req: { ip: string }) => `login-ip:${req.ip}`,
  };

  app.post('/v1/signup', {
    schema: {
      tags: ['auth'],
      summary: 'Create an agency and its owner',
      description: 'Open when SIGNUP_ENABLED is on. Returns tokens for the new owner.',
      body: signupBody,
      response: { 201: tokenResponse, ...problemResponses(409) },
    },
    config: { access: { public: true }, rateLimit: { ...loginLimit, keyGenerator: (r: { ip: string }) => `signup:${r.ip}` } },
    handler: async (req, reply) => reply.code(201).send(tokens(await signup(deps, req.body, clientOf(req)))),
  });

  app.post('/v1/auth/login', {
    schema: {
      tags: ['auth'],
      summary: 'Sign in with agency slug, email and password',
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
