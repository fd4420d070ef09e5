import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import type { Actor } from '../../lib/access.js';
import { ifMatchHeader, withEtag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { createApplication, deleteApplication, getApplication, listApplications, moveApplicationStage, updateApplication } from './applications.service.js';
import { getOutcome, listOutcomes, logOutcome } from './applications.outcomes.js';
import { getReply, listReplies, recordReply } from './applications.replies.js';
import {
  applicationDetailSchema,
  applicationListItemSchema,
  applicationSchema,
  createApplicationBody,
  listApplicationsQuery,
  listSubresourceQuery,
  logOutcomeBody,
  loggedOutcomeSchema,
  moveStageBody,
  outcomeSchema,
  recordReplyBody,
  recordedReplySchema,
  replySchema,
  updateApplicationBody,
} from './applications.schemas.js';

const read = { access: { role: 'viewer' as const, scope: 'candidates:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'candidates:write' as const } };
const outcomeParams = z.strictObject({ id: z.uuid('Must be a UUID'), outcomeId: z.uuid('Must be a UUID') });
const replyParams = z.strictObject({ id: z.uuid('Must be a UUID'), replyId: z.uuid('Must be a UUID') });

export function applicationsRoutes(app: App, deps: Deps) {
  const tags = ['applications'];
  const security = [{ bearer: [] }];

  app.get('/v1/applications', {
    schema: {
      tags,
      security,
      summary: 'List applications, newest first',
      querystring: listApplicationsQuery,
      response: { 200: pageOf(applicationListItemSchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => listApplications(deps, actorOf(req), req.query),
  });
  app.post('/v1/applications', {
    schema: {
      tags,
      security,
      summary: 'Put a candidate forward for a position',
      description:
        'Starts at `submitted`. The candidate must not be erased and the position must be `open` (409 otherwise). ' +
        'A candidate goes forward once per position: a second time is 409 `already_exists` with `existingId`.',
      headers: idempotencyHeader,
      body: createApplicationBody,
      response: { 201: applicationDetailSchema, ...problemResponses(409, 422) },
    },
    config: write,
    handler: async (req, reply) => {
      const a = await createApplication(deps, actorOf(req), req.body);
      return reply.code(201).header('location', `/v1/applications/${a.id}`).send(withEtag(reply, a));
    },
  });
  app.get('/v1/applications/:id', {
    schema: {
      tags,
      security,
      summary: 'Get an application with its stage history and latest outcome',
      params: idParam,
      response: { 200: applicationDetailSchema, ...problemResponses() },
    },
    config: read,
    handler: async (req, reply) => withEtag(reply, await getApplication(deps, actorOf(req), req.params.id)),
  });
  app.patch('/v1/applications/:id', {
    schema: {
      tags,
      security,
      summary: 'Hand an application to another recruiter',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updateApplicationBody,
      response: { 200: applicationDetailSchema, ...problemResponses(412) },
    },
    config: write,
    handler: async (req, reply) =>
      withEtag(reply, await updateApplication(deps, actorOf(req), req.params.id, req.body, req.headers['if-match'])),
  });
  app.delete('/v1/applications/:id', {
    schema: {
      tags,
      security,
      summary: 'Delete an application made by mistake',
      description:
        'With its stage history, outcomes and replies; the timeline keeps that it existed. An application with interviews answers 409: withdraw it instead.',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      response: { 204: z.null(), ...problemResponses(409, 412) },
    },
    config: write,
    handler: async (req, reply) => {
      await deleteApplication(deps, actorOf(req), req.params.id, req.headers['if-match']);
      return reply.code(204).send(null);
    },
  });
  app.post('/v1/applications/:id/stage', {
    schema: {
      tags,
      security,
      summary: 'Move an application to another stage',
      description:
        'submitted → interviewing, offer, rejected, withdrawn, on_hold; interviewing → offer, rejected, withdrawn, on_hold; ' +
        'offer → hired, rejected, withdrawn, on_hold; on_hold → submitted, interviewing, offer, rejected, withdrawn. ' +
        'hired, rejected and withdrawn are final. Any other move is 409 with the allowed stages.',
      params: idParam,
      headers: idempotencyHeader.extend({ 'if-match': ifMatchHeader }),
      body: moveStageBody,
      response: { 200: applicationDetailSchema, ...problemResponses(409, 412, 422) },
    },
    config: write,
    handler: async (req, reply) =>
      withEtag(reply, await moveApplicationStage(deps, actorOf(req), req.params.id, req.body, req.headers['if-match'])),
  });

  // An application's logs (decisions, employers' replies): POST adds one (201, its location), GET lists them, GET …/{xId} reads one.
  const log = <B extends z.ZodType, R extends z.ZodType, I extends z.ZodType>(l: {
    path: 'outcomes' | 'replies';
    key: 'outcomeId' | 'replyId';
    params: z.ZodType<{ id: string }>;
    item: I;
    add: { summary: string; description: string; body: B; response: R; problems: number[] };
    listSummary: string;
    getSummary: string;
    create: (actor: Actor, applicationId: string, body: z.output<B>) => Promise<z.output<R> & { id: string }>;
    list: (actor: Actor, applicationId: string, q: z.output<typeof listSubresourceQuery>) => Promise<{ data: z.output<I>[]; nextCursor: string | null }>;
    get: (actor: Actor, applicationId: string, id: string) => Promise<z.output<I>>;
  }) => {
    app.post(`/v1/applications/:id/${l.path}`, {
      schema: {
        tags,
        security,
        summary: l.add.summary,
        description: l.add.description,
        params: idParam,
        headers: idempotencyHeader,
        body: l.add.body,
        response: { 201: l.add.response as z.ZodType, ...problemResponses(...l.add.problems) },
      },
      config: write,
      handler: async (req, reply) => {
        const made = await l.create(actorOf(req), req.params.id, req.body as z.output<B>);
        return reply.code(201).header('location', `/v1/applications/${req.params.id}/${l.path}/${made.id}`).send(made);
      },
    });
    app.get(`/v1/applications/:id/${l.path}`, {
      schema: {
        tags,
        security,
        summary: l.listSummary,
        params: idParam,
        querystring: listSubresourceQuery,
        response: { 200: pageOf(l.item), ...problemResponses() },
      },
      config: read,
      handler: async (req) => l.list(actorOf(req), req.params.id, req.query),
    });
    app.get(`/v1/applications/:id/${l.path}/:${l.key}`, {
      schema: { tags, security, summary: l.getSummary, params: l.params, response: { 200: l.item as z.ZodType, ...problemResponses() } },
      config: read,
      handler: async (req) => {
        const params = req.params as { id: string } & Record<typeof l.key, string>;
        return l.get(actorOf(req), params.id, params[l.key]);
      },
    });
  };

  log({
    path: 'outcomes',
    key: 'outcomeId',
    params: outcomeParams,
    item: outcomeSchema,
    add: {
      summary: 'Log a decision on an application',
      description:
        'The stage follows: offer → offer, hired → hired, rejected and filled_by_other → rejected, on_hold → on_hold, ' +
        'withdrawn → withdrawn; no_decision leaves it. A closed application, or a stage move the rules forbid ' +
        '(hired before an offer), is 409 and nothing is logged.',
      body: logOutcomeBody,
      response: loggedOutcomeSchema,
      problems: [409, 422],
    },
    listSummary: 'The decisions logged on an application, newest first',
    getSummary: 'Get an outcome',
    create: (actor, id, body) => logOutcome(deps, actor, id, body),
    list: (actor, id, q) => listOutcomes(deps, actor, id, q),
    get: (actor, id, outcomeId) => getOutcome(deps, actor, id, outcomeId),
  });
  log({
    path: 'replies',
    key: 'replyId',
    params: replyParams,
    item: replySchema,
    add: {
      summary: 'Record an employer’s reply',
      description:
        'With `newDecisionExpectedBy`, the new timeline is set on the interview named by `interviewId`, else on the ' +
        'application’s latest interview that was not cancelled; `updatedInterview` says which. Allowed on a closed application.',
      body: recordReplyBody,
      response: recordedReplySchema,
      problems: [422],
    },
    listSummary: 'The employer’s replies on an application, newest recorded first',
    getSummary: 'Get an employer reply',
    create: (actor, id, body) => recordReply(deps, actor, id, body),
    list: (actor, id, q) => listReplies(deps, actor, id, q),
    get: (actor, id, replyId) => getReply(deps, actor, id, replyId),
  });
}
