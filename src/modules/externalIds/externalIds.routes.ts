import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { pageOf } from '../../lib/pagination.js';
import * as svc from './externalIds.service.js';
import { upsertByExternalIdRoutes } from './externalIds.upsertRoutes.js';
import { externalIdParams, externalIdSchema, linkExternalIdBody, listExternalIdsQuery } from './externalIds.schemas.js';

const PATH = '/v1/external-ids/:type/:source/:externalId';

export function externalIdsRoutes(app: App, deps: Deps) {
  upsertByExternalIdRoutes(app, deps);
  app.get('/v1/external-ids', {
    schema: {
      tags: ['sync'],
      security: [{ bearer: [] }],
      summary: 'Other systems’ ids for our records',
      description: 'Filter by type and source, or pass `id` for the ids one Afterview record has elsewhere.',
      querystring: listExternalIdsQuery,
      response: { 200: pageOf(externalIdSchema), ...problemResponses() },
    },
    config: { access: { role: 'viewer', scope: 'external_ids:read' } },
    handler: async (req) => svc.listExternalIds(deps, actorOf(req), req.query),
  });

  app.get(PATH, {
    schema: {
      tags: ['sync'],
      security: [{ bearer: [] }],
      summary: 'The Afterview record another system’s id stands for',
      params: externalIdParams,
      response: { 200: externalIdSchema, ...problemResponses() },
    },
    config: { access: { role: 'viewer', scope: 'external_ids:read' } },
    handler: async (req) => svc.lookupExternalId(deps, actorOf(req), req.params),
  });

  app.put(PATH, {
    schema: {
      tags: ['sync'],
      security: [{ bearer: [] }],
      summary: 'Say which Afterview record another system’s id stands for',
      description:
        'Idempotent: the same link again is 200. An id that stands for another record is 409; a record’s earlier id from the same source is replaced. 201 when the link is new.',
      params: externalIdParams,
      body: linkExternalIdBody,
      response: { 200: externalIdSchema, 201: externalIdSchema, ...problemResponses() },
    },
    config: { access: { role: 'recruiter', scope: 'external_ids:write' } },
    handler: async (req, reply) => {
      const { link, created } = await svc.linkExternalId(deps, actorOf(req), req.params, req.body);
      return reply.code(created ? 201 : 200).send(link);
    },
  });

  app.delete(PATH, {
    schema: {
      tags: ['sync'],
      security: [{ bearer: [] }],
      summary: 'Forget another system’s id (the record stays)',
      params: externalIdParams,
      response: { 204: z.null().describe('Forgotten'), ...problemResponses() },
    },
    config: { access: { role: 'recruiter', scope: 'external_ids:write' } },
    handler: async (req, reply) => {
      await svc.unlinkExternalId(deps, actorOf(req), req.params);
      return reply.code(204).send(null);
    },
  });
}
