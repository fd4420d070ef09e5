import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { createEmployer, deleteEmployer, getEmployer, listEmployers, updateEmployer } from './employers.service.js';
import { createEmployerBody, employerSchema, listEmployersQuery, updateEmployerBody } from './employers.schemas.js';

const read = { access: { role: 'viewer' as const, scope: 'employers:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'employers:write' as const } };

export function employersRoutes(app: App, deps: Deps) {
  const tags = ['employers'];
  const security = [{ bearer: [] }];
  app.get('/v1/employers', {
    schema: { tags, security, summary: 'List employers by name', querystring: listEmployersQuery, response: { 200: pageOf(employerSchema), ...problemResponses() } },
    config: read,
    handler: async (req) => listEmployers(deps, actorOf(req), req.query),
  });
  app.post('/v1/employers', {
    schema: {
      tags,
      security,
      summary: 'Add an employer (a district, a school inside it, a company)',
      headers: idempotencyHeader,
      body: createEmployerBody,
      response: { 201: employerSchema, ...problemResponses(409, 422) },
    },
    config: write,
    handler: async (req, reply) => {
      const employer = await createEmployer(deps, actorOf(req), req.body);
      return reply.code(201).header('location', `/v1/employers/${employer.id}`).send(withEtag(reply, employer));
    },
  });
  app.get('/v1/employers/:id', {
    schema: { tags, security, summary: 'Get an employer', params: idParam, response: { 200: employerSchema, ...problemResponses() } },
    config: read,
    handler: async (req, reply) => {
      const employer = await getEmployer(deps, actorOf(req), req.params.id);
      return reply.send(withEtag(reply, employer));
    },
  });
  app.patch('/v1/employers/:id', {
    schema: {
      tags,
      security,
      summary: 'Change an employer',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updateEmployerBody,
      response: { 200: employerSchema, ...problemResponses(409, 412) },
    },
    config: write,
    handler: async (req, reply) => {
      const employer = await updateEmployer(deps, actorOf(req), req.params.id, req.body, req.headers['if-match']);
      return reply.send(withEtag(reply, employer));
    },
  });
  app.delete('/v1/employers/:id', {
    schema: {
      tags,
      security,
      summary: 'Delete an employer without schools, contacts or positions',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      response: { 204: z.null(), ...problemResponses(409, 412) },
    },
    config: write,
    handler: async (req, reply) => {
      await deleteEmployer(deps, actorOf(req), req.params.id, req.headers['if-match']);
      return reply.code(204).send(null);
    },
  });
}
