import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { searchQuery, searchResultSchema } from './search.schemas.js';
import { search } from './search.service.js';

export function searchRoutes(app: App, deps: Deps) {
  app.get('/v1/search', {
    schema: {
      tags: ['search'],
      security: [{ bearer: [] }],
      summary: 'Find candidates, employers, contacts and positions by part of a name, email or title',
      description:
        'The first matches of each kind (`perKind` each, newest or by name as each list orders them) and whether there are more; each list’s own `?q=` pages ' +
        'through the rest. An API key needs `candidates:read`; employers, contacts and positions come with `employers:read`.',
      querystring: searchQuery,
      response: { 200: searchResultSchema, ...problemResponses() },
    },
    config: { access: { role: 'viewer', scope: 'candidates:read' } },
    handler: async (req) => search(deps, actorOf(req), req.query),
  });
}
