import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
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

  app.post('/v1/applications/:id/outcomes', {
    schema: {
      tags,
      security,
      summary: 'Log a decision on an application',
      description:
        'The stage follows: offer → offer, hired → hired, rejected and filled_by_other → rejected, on_hold → on_hold, ' +
        'withdrawn → withdrawn; no_decision leaves it. A closed application, or a stage move the rules forbid ' +
        '(hired before an offer), is 409 and nothing is logged.',
      params: idParam,
      headers: idempotencyHeader,
      body: logOutcomeBody,
      response: { 201: loggedOutcomeSchema, ...problemResponses(409, 422) },
    },
    config: write,
    handler: async (req, reply) => {
      const o = await logOutcome(deps, actorOf(req), req.params.id, req.body);
      return reply.code(201).header('location', `/v1/applications/${req.params.id}/outcomes/${o.id}`).send(o);
    },
  });
  app.get('/v1/applications/:id/outcomes', {
    schema: {
      tags,
      security,
      summary: 'The decisions logged on an application, newest first',
      params: idParam,
      querystring: listSubresourceQuery,
      response: { 200: pageOf(outcomeSchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => listOutcomes(deps, actorOf(req), req.params.id, req.query),
  });
  app.get('/v1/applications/:id/outcomes/:outcomeId', {
    schema: { tags, security, summary: 'Get an outcome', params: outcomeParams, response: { 200: outcomeSchema, ...problemResponses() } },
    config: read,
    handler: async (req) => getOutcome(deps, actorOf(req), req.params.id, req.params.outcomeId),
  });

  app.post('/v1/applications/:id/replies', {
    schema: {
      tags,
      security,
      summary: 'Record an employer’s reply',
      description:
        'With `newDecisionExpectedBy`, the new timeline is set on the interview named by `interviewId`, else on the ' +
        'application’s latest interview that was not cancelled; `updatedInterview` says which. Allowed on a closed application.',
      params: idParam,
      headers: idempotencyHeader,
      body: recordReplyBody,
      response: { 201: recordedReplySchema, ...problemResponses(422) },
    },
    config: write,
    handler: async (req, reply) => {
      const r = await recordReply(deps, actorOf(req), req.params.id, req.body);
      return reply.code(201).header('location', `/v1/applications/${req.params.id}/replies/${r.id}`).send(r);
    },
  });
  app.get('/v1/applications/:id/replies', {
    schema: {
      tags,
      security,
      summary: 'The employer’s replies on an application, newest recorded first',
      params: idParam,
      querystring: listSubresourceQuery,
      response: { 200: pageOf(replySchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => listReplies(deps, actorOf(req), req.params.id, req.query),
  });
  app.get('/v1/applications/:id/replies/:replyId', {
    schema: { tags, security, summary: 'Get an employer reply', params: replyParams, response: { 200: replySchema, ...problemResponses() } },
    config: read,
    handler: async (req) => getReply(deps, actorOf(req), req.params.id, req.params.replyId),
  });
}
