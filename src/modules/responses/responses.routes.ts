import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { publicUrl } from '../../config.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { securityHeaders } from '../../http/securityHeaders.js';
import { AppError } from '../../lib/errors.js';
import { pageOf } from '../../lib/pagination.js';
import { sha256 } from '../../lib/secrets.js';
import { localDateOf } from '../../core/businessTime.js';
import { answerLink, linkAnswers, openLink, type LinkForm, type LinkProblem, type LinkView } from './responses.links.js';
import { answerPage, problemPage, thanksPage, type FormState } from './responses.page.js';
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
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_NOTE = 2000;

/** The form as typed, checked: each mistake named by its field, for the page to show beside it. */
export function readForm(body: unknown, view: LinkView, now: Date): { form: LinkForm } | { state: FormState } {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const answer = str(raw.answer);
  const date = str(raw.date);
  const note = str(raw.note).replace(/\r\n/g, '\n');
  const errors: { field: string; message: string }[] = [];
  if (!(linkAnswers as readonly string[]).includes(answer)) errors.push({ field: 'answer', message: 'Choose one of the answers.' });
  const needsDate = answer === 'decide_by' || answer === 'ask_again';
  const today = localDateOf(now, view.employerZone);
  if (needsDate) {
    const valid = ISO_DATE.test(date) && !Number.isNaN(Date.parse(`${date}T12:00:00Z`)) && new Date(`${date}T12:00:00Z`).toISOString().startsWith(date);
    if (!valid) errors.push({ field: 'date', message: 'Give the date, e.g. 2026-12-18.' });
    else if (date < today) errors.push({ field: 'date', message: 'The date has passed: give a date from today on.' });
    else if (Date.parse(`${date}T12:00:00Z`) - Date.parse(`${today}T12:00:00Z`) > 366 * 86_400_000) errors.push({ field: 'date', message: 'Give a date within a year.' });
  }
  if (note.length > MAX_NOTE) errors.push({ field: 'note', message: `The note is longer than ${MAX_NOTE} characters.` });
  if (errors.length) return { state: { answer, date, note, errors } };
  return { form: { answer: answer as LinkForm['answer'], date: needsDate ? date : null, note: note || null } };
}

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
      // CSRF: no cookie carries authority here (the token in the URL does); still, only this page may post.
      const from = req.headers.origin;
      const site = req.headers['sec-fetch-site'];
      if ((from && from !== origin && from !== 'null') || (site && site !== 'same-origin' && site !== 'none')) {
        return html(reply, 403, problemPage('forbidden'));
      }
      await perLink(req, reply, req.params.token);
      const action = req.url.split('?')[0]!;
      const found = await openLink(deps, req.params.token);
      if ('problem' in found) return html(reply, STATUS[found.problem], problemPage(found.problem));
      const read = readForm(req.body, found.view, deps.clock.now());
      if ('state' in read) return html(reply, 400, answerPage(found.view, action, read.state));
      const done = await answerLink(deps, req.params.token, read.form);
      if ('problem' in done) return html(reply, STATUS[done.problem], problemPage(done.problem));
      deps.log.info({ tenantId: done.view.tenantId, responseLinkId: done.view.linkId, answer: read.form.answer }, 'response link answered');
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

