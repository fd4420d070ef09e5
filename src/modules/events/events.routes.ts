import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { listEvents } from './events.service.js';
import { eventFeedSchema, listEventsQuery } from './events.schemas.js';

export function eventsRoutes(app: App, deps: Deps) {
  app.get('/v1/events', {
    schema: {
      tags: ['events'],
      security: [{ bearer: [] }],
      summary: 'The event feed: every webhook event, in commit order, to catch up without webhooks',
      description:
        'Follow `nextCursor` (pass it as `after`) to read every event once, in the order the changes committed; deletions and erasures included. Events are kept 30 days. An integrator back from downtime pages through what it missed; one without webhooks polls.',
      querystring: listEventsQuery,
      response: { 200: eventFeedSchema, ...problemResponses() },
    },
    // Admins: the feed carries every type, API keys', webhook endpoints' and users' included.
    config: { access: { role: 'admin', scope: 'events:read' } },
    handler: async (req) => listEvents(deps, actorOf(req), req.query),
  });
}
