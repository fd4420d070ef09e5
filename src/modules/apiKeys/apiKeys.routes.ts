import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from './apiKeys.service.js';
import { apiKeySchema, createApiKeyBody, createdApiKeySchema, listApiKeysQuery } from './apiKeys.schemas.js';

// Keys are managed by signed-in admins only: a key cannot mint or revoke keys.
const manage = { access: { role: 'admin' as const, scope: null } };

export function apiKeysRoutes(app: App, deps: Deps) {
  const security = [{ bearer: [] }];
  app.post('/v1/api-keys', {
    schema: {
      tags: ['api keys'],
      summary: 'Create an API key; its secret is shown once',
      description: 'Retry with the same `Idempotency-Key` to get the same key again: the answer is kept for the replay encrypted, never in clear.',
      security,
      headers: idempotencyHeader,
      body: createApiKeyBody,
      response: { 201: createdApiKeySchema, ...problemResponses() },
    },
    config: { ...manage, secretAnswer: true },
    handler: async (req, reply) => reply.code(201).send(await createApiKey(deps, actorOf(req), req.body)),
  });
  app.get('/v1/api-keys', {
    schema: { tags: ['api keys'], summary: 'List API keys', security, querystring: listApiKeysQuery, response: { 200: pageOf(apiKeySchema), ...problemResponses() } },
    config: manage,
    handler: async (req) => listApiKeys(deps, actorOf(req), req.query),
  });
  app.get('/v1/api-keys/:id', {
    schema: { tags: ['api keys'], summary: 'Get an API key', security, params: idParam, response: { 200: apiKeySchema, ...problemResponses() } },
    config: manage,
    handler: async (req) => getApiKey(deps, actorOf(req), req.params.id),
  });
  app.delete('/v1/api-keys/:id', {
    schema: { tags: ['api keys'], summary: 'Revoke an API key', security, params: idParam, response: { 204: z.null(), ...problemResponses() } },
    config: manage,
    handler: async (req, reply) => {
      await revokeApiKey(deps, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  });
}
