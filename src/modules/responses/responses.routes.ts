import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { publicUrl } from '../../config.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { DATABASE_BUSY_RETRY_AFTER_S } from '../../http/errors.js';
import { securityHeaders } from '../../http/securityHeaders.js';
import { AppError } from '../../lib/errors.js';
import { pageOf } from '../../lib/pagination.js';
import { sha256 } from '../../lib/secrets.js';
import { databaseBusy, databaseUnavailable } from '../../db/client.js';
import { openLink, type LinkProblem } from './responses.links.js';
import { answerLink, readForm } from './responses.answer.js';
import { answerPage, problemPage, thanksPage } from './responses.page.js';
import { listSuggestedOutcomes } from './responses.today.js';
import { suggestedOutcomeSchema, suggestedOutcomesQuery } from './responses.schemas.js';

/** The page's own headers: nothing but itself, no script at all, no referrer (the URL is the credential), not framed. */
const pageHeaders = {
  ...securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  }),
  'cache-control': 'no-store',
  'content-type': 'text/html; charset=utf-8',
};

const STATUS: Record<LinkProblem, number> = { invalid: 404, expired: 410, revoked: 410 };


export function responsesRoutes(app: App, deps: Deps) {
  const origin = new URL(publicUrl(deps.config)).origin;
  // Per address: the route's own buckets (the rate-limit store); per link: charged in the handler.
  const limit = { max: deps.config.RESPONSE_RATE_LIMIT_MAX, timeWindow: 600_000, keyGenerator: (req: FastifyRequest) => `respond:${req.ip}` };
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).headers(pageHeaders).send(body);

  app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    // Everything here answers a person in a browser: plain pages, never problem+json.
    scope.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      if (err instanceof AppError && err.code === 'rate_limited') return html(reply, 429, problemPage('rate_limited'));
      // No database connection free in time (overload), or none at all: nothing was recorded; try again shortly.
      if (databaseUnavailable(err)) {
        req.log.warn({ err: err.message }, 'response page: database unavailable');
        return html(reply.header('retry-after', String(databaseBusy(err) ? DATABASE_BUSY_RETRY_AFTER_S : 1)), 503, problemPage('unavailable'));
      }
      const status = err instanceof AppError ? 400 : (err.statusCode ?? 500);
      if (status >= 500) req.log.error({ err }, 'response page failed');
      else req.log.info({ code: err instanceof AppError ? err.code : status, detail: err.message }, 'response page refused');
      return html(reply, status >= 500 ? 500 : 400, problemPage(status >= 500 ? 'invalid' : 'forbidden'));
    });

    const perLink = (req: FastifyRequest, reply: FastifyReply, token: string) => scope.chargeRateLimit(req, reply, `respond-link:${sha256(token)}`);
    const opts = { schema: { hide: true }, config: { access: { public: true as const }, rateLimit: limit } };

    scope.get<{ Params: { token: string } }>('/respond/:token', opts, async (req, reply) => {
      await perLink(req, reply, req.params.token);
      const found = await openLink(deps, req.params.token);
      if ('problem' in found) return html(reply, STATUS[found.problem], problemPage(found.problem));
      return html(reply, 200, answerPage(found.view, req.url.split('?')[0]!));
    });

    // Loose on purpose: the form's own checks name each mistake on the page (readForm).
    const formBody = z.object({ answer: z.string().max(64).optional(), date: z.string().max(64).optional(), note: z.string().max(16_384).optional() });
    const postOpts = { schema: { hide: true, body: formBody }, config: { ...opts.config, bodyText: 'clean' as const } };
    scope.post<{ Params: { token: string } }>('/respond/:token', postOpts, async (req, reply) => {
      // CSRF, stateless: no cookie carries authority here (the token in the URL does); still, only this page may post.
      const from = req.headers.origin;
      const site = req.headers['sec-fetch-site'];
      if ((from && from !== origin && from !== 'null') || (site && site !== 'same-origin' && site !== 'none')) {
        return html(reply, 403, problemPage('forbidden'));
      }
      await perLink(req, reply, req.params.token);
      const action = req.url.split('?')[0]!;
      const now = deps.clock.now();
      const read = readForm(req.body, null, now);
      if ('state' in read) {
        // A mistake: the page again, for a link that works, with every mistake (the date's against the employer's today too).
        const found = await openLink(deps, req.params.token);
        if ('problem' in found) return html(reply, STATUS[found.problem], problemPage(found.problem));
        const again = readForm(req.body, found.view.employerZone, now);
        return html(reply, 400, answerPage(found.view, action, 'state' in again ? again.state : read.state));
      }
      // One statement: the link checked and the answer recorded, or nothing (the worker re-plans).
      const done = await answerLink(deps, req.params.token, read.form);
      if ('problem' in done) return html(reply, STATUS[done.problem], problemPage(done.problem));
      if ('dateError' in done) {
        const again = readForm(req.body, done.view.employerZone, now);
        const state = 'state' in again ? again.state : { ...read.form, date: read.form.date ?? '', note: read.form.note ?? '', errors: [{ field: 'date', message: done.dateError }] };
        return html(reply, 400, answerPage(done.view, action, state));
      }
      deps.log.info({ tenantId: done.view.tenantId, responseLinkId: done.view.linkId, replyId: done.replyId, answer: read.form.answer }, 'response link answered');
      return html(reply, 200, thanksPage(done.view, action));
    });
  });

  app.get('/v1/suggested-outcomes', {
    schema: {
      tags: ['applications'],
      security: [{ bearer: [] }],
      summary: 'Decisions employers gave (through a response link or a recorded reply) that wait for a recruiter to confirm them',
      description:
        'A line each on Today: the reply that suggests the outcome, oldest first. Confirm one by logging the outcome (POST /v1/applications/{id}/outcomes); ' +
        'a suggestion leaves the list once an outcome is logged on its application after it, or the application closes.',
      querystring: suggestedOutcomesQuery,
      response: { 200: pageOf(suggestedOutcomeSchema), ...problemResponses() },
    },
    config: { access: { role: 'viewer', scope: 'candidates:read' } },
    handler: async (req) => listSuggestedOutcomes(deps, actorOf(req), req.query),
  });
}

