import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

const NO_QUERY = z.strictObject({});

/**
 * A /v1 route that declares no query parameters refuses any (400 naming `query.<it>`), as a route
 * with a query schema refuses the ones it does not know: a misspelt filter never passes silently.
 */
export function registerStrictQuery(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/') || route.schema?.querystring) return;
    route.schema = { ...route.schema, querystring: NO_QUERY };
  });
}
