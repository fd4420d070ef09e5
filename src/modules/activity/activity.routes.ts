import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { pageOf } from '../../lib/pagination.js';
import { listActivity } from './activity.service.js';
import { activitySchema, listActivityQuery } from './activity.schemas.js';

export function activityRoutes(app: App, deps: Deps) {
  app.get('/v1/activity', {
    schema: {
      tags: ['activity'],
      security: [{ bearer: [] }],
      summary: 'The timeline, newest first',
      description: 'The whole agency’s, or with one filter a candidate’s, an application’s, an interview’s or one record’s.',
      querystring: listActivityQuery,
      response: { 200: pageOf(activitySchema), ...problemResponses() },
    },
    config: { access: { role: 'viewer', scope: 'activity:read' } },
    handler: async (req) => listActivity(deps, actorOf(req), req.query),
  });
}
