import type { FastifyInstance } from 'fastify';
import { sendProblem } from './errors.js';

/**
 * Shutdown (SIGTERM, docs/chaos.md): once `app.close()` begins, a request already running is
 * finished and its answer closes its connection (left open, a keep-alive connection would hold the
 * close for fastify's 72 s keep-alive timeout, past the grace period); one that arrives on an open
 * connection meanwhile gets a 503 problem with Retry-After, as every error is a problem (fastify's
 * own 503 for this is plain JSON, so `return503OnClosing` is off in app.ts). New connections are
 * refused: the listening socket is closed.
 */
export function registerDrain(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!closing) return;
    reply.header('connection', 'close').header('retry-after', '1');
    return sendProblem(req, reply, 'service_unavailable', { detail: 'The server is shutting down; send the request again (a POST with the same Idempotency-Key)' });
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}
