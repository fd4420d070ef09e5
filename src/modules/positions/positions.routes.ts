import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { createPosition, deletePosition, getPosition, listEmployerPositions, listPositions, updatePosition } from './positions.service.js';
import { listReengagement, reengagementQuery, reengagementSchema } from './positions.reengagement.js';
import { createPositionBody, listEmployerPositionsQuery, listPositionsQuery, positionSchema, updatePositionBody } from './positions.schemas.js';

const read = { access: { role: 'viewer' as const, scope: 'employers:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'employers:write' as const } };

export function positionsRoutes(app: App, deps: Deps) {
  const tags = ['positions'];
  const security = [{ bearer: [] }];
  app.get('/v1/positions', {
    schema: { tags, security, summary: 'List positions, newest first', querystring: listPositionsQuery, response: { 200: pageOf(positionSchema), ...problemResponses() } },
    config: read,
    handler: async (req) => listPositions(deps, actorOf(req), req.query),
  });
  app.get('/v1/employers/:id/positions', {
    schema: {
      tags,
      security,
      summary: 'List an employer’s positions, newest first',
      params: idParam,
      querystring: listEmployerPositionsQuery,
      response: { 200: pageOf(positionSchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => listEmployerPositions(deps, actorOf(req), req.params.id, req.query),
  });
  app.post('/v1/positions', {
    schema: {
      tags,
      security,
      summary: 'Open a position (a vacancy at an employer)',
      headers: idempotencyHeader,
      body: createPositionBody,
      response: { 201: positionSchema, ...problemResponses(409, 422) },
    },
    config: write,
    handler: async (req, reply) => {
      const position = await createPosition(deps, actorOf(req), req.body);
      return reply.code(201).header('location', `/v1/positions/${position.id}`).send(withEtag(reply, position));
    },
  });
  app.get('/v1/positions/:id', {
    schema: { tags, security, summary: 'Get a position', params: idParam, response: { 200: positionSchema, ...problemResponses() } },
    config: read,
    handler: async (req, reply) => {
      const position = await getPosition(deps, actorOf(req), req.params.id);
      return reply.send(withEtag(reply, position));
    },
  });
  app.get('/v1/positions/:id/re-engagement', {
    schema: {
      tags,
      security,
      summary: 'Candidates to re-engage for a position: turned down before by the same employer family',
      description:
        'The talent pool for this position: candidates whose latest application at its employer, the district it belongs to or ' +
        'that district’s other schools ended `rejected` or `filled_by_other`; not erased, not applied to this position yet. ' +
        'Most recently turned down first.',
      params: idParam,
      querystring: reengagementQuery,
      response: { 200: pageOf(reengagementSchema), ...problemResponses() },
    },
    // It lists people: the candidates' read access, not the employers'.
    config: { access: { role: 'viewer' as const, scope: 'candidates:read' as const } },
    handler: async (req) => listReengagement(deps, actorOf(req), req.params.id, req.query),
  });
  app.patch('/v1/positions/:id', {
    schema: {
      tags,
      security,
      summary: 'Change a position: its details, status or openings',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updatePositionBody,
      response: { 200: positionSchema, ...problemResponses(412) },
    },
    config: write,
    handler: async (req, reply) => {
      const position = await updatePosition(deps, actorOf(req), req.params.id, req.body, req.headers['if-match']);
      return reply.send(withEtag(reply, position));
    },
  });
  app.delete('/v1/positions/:id', {
    schema: {
      tags,
      security,
      summary: 'Delete a position without applications',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      response: { 204: z.null(), ...problemResponses(409, 412) },
    },
    config: write,
    handler: async (req, reply) => {
      await deletePosition(deps, actorOf(req), req.params.id, req.headers['if-match']);
      return reply.code(204).send(null);
    },
  });
}
