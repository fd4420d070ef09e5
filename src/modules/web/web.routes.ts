import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { sendProblem } from '../../http/errors.js';
import { securityHeaders } from '../../http/securityHeaders.js';

/** The built web client (`npm run build`); the API serves it at `/`, itself staying under `/v1`. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Paths that belong to the API or its docs: never answered with the SPA. */
const API_PATHS = /^\/(v1|docs|openapi\.json|healthz|readyz)(\/|$)/;

/**
 * The SPA's own headers: the API's helmet set, with a stricter script policy (the built client
 * has no inline script) and no framing. Nothing is loosened for it.
 */
const spaHeaders = () =>
  securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
  });

/**
 * `GET /` and every path that is not the API's: a file of web/dist if there is one (hashed
 * assets cached for a year), else index.html (never cached) so that client-side routes such as
 * /interviews/… load on refresh. Unknown API paths keep their problem+json 404.
 */
export function webRoutes(app: App, deps: Deps, dist = WEB_DIST) {
  if (!existsSync(join(dist, 'index.html'))) {
    deps.log.info({ dist }, 'web client not built (npm run build): not serving it');
    return;
  }
  const headers = spaHeaders();
  app.register(async (scope) => {
    await scope.register(fastifyStatic, { root: dist, serve: false, preCompressed: true });
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      let path: string;
      try {
        path = decodeURIComponent(req.url.split('?')[0]!);
      } catch {
        return sendProblem(req, reply, 'route_not_found', { detail: 'The path is not valid' });
      }
      if (API_PATHS.test(path)) {
        return sendProblem(req, reply, 'route_not_found', { detail: `${req.method} ${path} is not a route` });
      }
      reply.headers(headers);
      const file = path.replace(/^\/+/, '');
      if (file && !file.includes('..') && existsSync(join(dist, file))) {
        const immutable = file.startsWith('assets/');
        return reply.sendFile(file, { immutable, maxAge: immutable ? '365d' : 0, cacheControl: true });
      }
      if (extname(path)) {
        return sendProblem(req, reply, 'route_not_found', { detail: `${req.method} ${path} is not a file of the web client` });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    };
    const opts = { schema: { hide: true }, config: { access: { public: true as const }, rateLimit: false as const } };
    scope.get('/', opts, handler);
    scope.get('/*', opts, handler);
  });
}
