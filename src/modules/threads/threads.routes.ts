import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { followUpThread, listApplicationThreads } from './threads.service.js';
import { followUpThreadSchema, threadListSchema } from './threads.schemas.js';

const read = { access: { role: 'viewer' as const, scope: 'followups:read' as const } };

export function threadsRoutes(app: App, deps: Deps) {
  const security = [{ bearer: [] }];
  app.get('/v1/applications/:id/messages', {
    schema: {
      tags: ['follow-ups'],
      security,
      summary: 'The application’s email threads (one per contact, one with the candidate), each with its messages in order',
      params: idParam,
      response: { 200: threadListSchema, ...problemResponses() },
    },
    config: read,
    handler: async (req) => listApplicationThreads(deps, actorOf(req), req.params.id),
  });
  app.get('/v1/follow-ups/:id/thread', {
    schema: {
      tags: ['follow-ups'],
      security,
      summary: 'The email thread a follow-up is part of, with its messages in order',
      params: idParam,
      response: { 200: followUpThreadSchema, ...problemResponses() },
    },
    config: read,
    handler: async (req) => followUpThread(deps, actorOf(req), req.params.id),
  });
}
