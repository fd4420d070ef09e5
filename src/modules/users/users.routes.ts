import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { createUser, getUser, listUsers, updateSelf, updateUser } from './users.service.js';
import { createUserBody, listUsersQuery, updateMeBody, updateUserBody, userExample, userSchema } from './users.schemas.js';
import { LIMITS } from '../../lib/limits.js';

const createdUser = userSchema
  .extend({ initialPassword: z.string().max(LIMITS.token).optional().describe('Only when no password was sent; shown once') })
  .meta({
    id: 'CreatedUser',
    example: { ...userExample, lastLoginAt: null, initialPassword: 'k3VqN8sWd0pZ-7hLxE2a' },
  });

export function usersRoutes(app: App, deps: Deps) {
  const security = [{ bearer: [] }];
  app.get('/v1/users', {
    schema: { tags: ['users'], summary: 'List the agency’s users', security, querystring: listUsersQuery, response: { 200: pageOf(userSchema), ...problemResponses() } },
    config: { access: { role: 'viewer', scope: 'users:read' } },
    handler: async (req) => listUsers(deps, actorOf(req), req.query),
  });
  app.post('/v1/users', {
    schema: {
      tags: ['users'],
      summary: 'Add a user with a password (admins; people are better invited)',
      description:
        'For provisioning from scripts and imports: the admin sets (or has generated) the first password, which the user should change. People join better through POST /v1/invitations, choosing their own. Only an owner can add an owner. A generated password is kept for an `Idempotency-Key` replay encrypted, never in clear.',
      security,
      headers: idempotencyHeader,
      body: createUserBody,
      response: { 201: createdUser, ...problemResponses(409) },
    },
    config: { access: { role: 'admin', scope: null }, secretAnswer: true },
    handler: async (req, reply) => reply.code(201).send(await createUser(deps, actorOf(req), req.body)),
  });
  app.get('/v1/users/:id', {
    schema: { tags: ['users'], summary: 'Get a user', security, params: idParam, response: { 200: userSchema, ...problemResponses() } },
    config: { access: { role: 'viewer', scope: 'users:read' } },
    handler: async (req, reply) => {
      const user = await getUser(deps, actorOf(req), req.params.id);
      return reply.send(withEtag(reply, user));
    },
  });
  app.patch('/v1/users/:id', {
    schema: {
      tags: ['users'],
      summary: 'Change a user’s name, role, time zone or status (admins)',
      description: 'Deactivating a user ends their sessions. The agency keeps at least one active owner.',
      security,
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updateUserBody,
      response: { 200: userSchema, ...problemResponses(409, 412) },
    },
    config: { access: { role: 'admin', scope: null } },
    handler: async (req, reply) => {
      const user = await updateUser(deps, actorOf(req), req.params.id, req.body, req.headers['if-match']);
      return reply.send(withEtag(reply, user));
    },
  });
  app.patch('/v1/me', {
    schema: {
      tags: ['users'],
      summary: 'Change your own name, time zone or daily digest',
      description: 'Any signed-in user, for themselves (API keys have no self). `If-Match` with the version is optional.',
      security,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updateMeBody,
      response: { 200: userSchema, ...problemResponses(412) },
    },
    config: { access: { role: 'viewer', scope: null } },
    handler: async (req, reply) => {
      const user = await updateSelf(deps, actorOf(req), req.body, req.headers['if-match']);
      return reply.send(withEtag(reply, user));
    },
  });
}
