import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import type { Metrics } from '../lib/metrics.js';
import { AppError } from '../lib/errors.js';

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Every answer is counted by method, route pattern and status, with its duration; `GET /metrics`
 * serves them (Prometheus text) to a scraper holding METRICS_TOKEN, and is 404 without one set.
 */
export function registerMetrics(app: FastifyInstance, deps: Deps): void {
  const { httpDuration, registry } = deps.metrics;
  app.addHook('onResponse', (req, reply, done) => {
    httpDuration.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true }, config: { access: { public: true }, rateLimit: false }, logLevel: 'warn' }, async (req, reply) => {
    const token = deps.config.METRICS_TOKEN;
    if (!token) throw new AppError('not_found', 'Metrics are off: set METRICS_TOKEN (or METRICS_PORT)');
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!sameSecret(given, token)) throw new AppError('invalid_token', 'GET /metrics takes `Authorization: Bearer <METRICS_TOKEN>`');
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

/** METRICS_PORT: `/metrics` on a listener of its own (the worker's only HTTP), for a scraper inside the network. */
export async function serveMetrics(metrics: Metrics, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}
