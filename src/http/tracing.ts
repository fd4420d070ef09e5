import { context, type Span } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { endRequestSpan, startRequestSpan, tracingEnabled } from '../lib/tracing.js';

const spans = new WeakMap<object, Span>();

/** A span per request when traces are on (src/lib/tracing.ts); nothing at all when they are off. */
export function registerTracing(app: FastifyInstance): void {
  if (!tracingEnabled()) return;
  app.addHook('onRequest', (req, _reply, done) => {
    const { span, ctx } = startRequestSpan(req.method, req.headers, String(req.id));
    spans.set(req, span);
    context.with(ctx, done);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const span = spans.get(req);
    if (span) endRequestSpan(span, req.method, req.routeOptions.url, reply.statusCode);
    done();
  });
}
