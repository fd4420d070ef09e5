import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import * as svc from './inbound.service.js';
import { assignInboundBody, inboundEmailBody, inboundReplySchema, inboundSecretSchema, listInboundQuery } from './inbound.schemas.js';

const read = { access: { role: 'viewer' as const, scope: 'followups:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'followups:write' as const } };

export function inboundRoutes(app: App, deps: Deps) {
  const tags = ['inbound replies'];
  const security = [{ bearer: [] }];

  app.post('/v1/inbound/email', {
    schema: {
      tags,
      security: [{ inboundSecret: [] }],
      summary: 'The mail provider’s inbound webhook: an email answering a follow-up',
      description:
        'Authenticated by the agency’s inbound secret (`Authorization: Bearer ins_…`, see POST /v1/inbound/secret). ' +
        'Matched by our Message-ID in In-Reply-To/References, the email is recorded as the employer’s reply and the status checks pause; ' +
        'an out-of-office answer is kept but changes nothing; an unmatched one waits in GET /v1/inbound-replies?status=unmatched. ' +
        'The same messageId posted again answers 200 with the first record.',
      body: inboundEmailBody,
      response: { 200: inboundReplySchema, 202: inboundReplySchema, ...problemResponses() },
    },
    // An email is stored cleaned rather than refused: the provider would retry a 400 forever.
    config: { access: { public: true }, bodyText: 'clean' },
    handler: async (req, reply) => {
      const result = await svc.receiveInboundEmail(deps, req.headers.authorization, req.body);
      return reply.code(result.duplicate ? 200 : 202).send(result.reply);
    },
  });
  app.post('/v1/inbound/secret', {
    schema: {
      tags,
      security,
      summary: 'Create or replace the agency’s inbound secret (shown once; the old one stops working)',
      headers: idempotencyHeader,
      response: { 200: inboundSecretSchema, ...problemResponses() },
    },
    config: { access: { role: 'admin', scope: null }, secretAnswer: true },
    handler: async (req) => svc.rotateInboundSecret(deps, actorOf(req)),
  });
  app.get('/v1/inbound-replies', {
    schema: {
      tags,
      security,
      summary: 'Inbound emails, newest first; `?status=unmatched` is what waits for a recruiter',
      querystring: listInboundQuery,
      response: { 200: pageOf(inboundReplySchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => svc.listInbound(deps, actorOf(req), req.query),
  });
  app.get('/v1/inbound-replies/:id', {
    schema: { tags, security, summary: 'An inbound email', params: idParam, response: { 200: inboundReplySchema, ...problemResponses() } },
    config: read,
    handler: async (req) => svc.getInbound(deps, actorOf(req), req.params.id),
  });
  app.post('/v1/inbound-replies/:id/assign', {
    schema: {
      tags,
      security,
      summary: 'Assign an unmatched email to an application: it becomes the employer’s reply',
      params: idParam,
      headers: idempotencyHeader,
      body: assignInboundBody,
      response: { 200: inboundReplySchema, ...problemResponses(409) },
    },
    config: write,
    handler: async (req) => svc.assignInbound(deps, actorOf(req), req.params.id, req.body),
  });
}
