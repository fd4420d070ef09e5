import { interviewCalendar } from './interviews.calendar.js';
import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag as etag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import * as svc from './interviews.service.js';
import {
  addParticipantBody,
  cancelBody,
  completeBody,
  interviewSchema,
  listInterviewsQuery,
  noShowBody,
  participantParams,
  rescheduleBody,
  scheduleInterviewBody,
  timelineBody,
  updateInterviewBody,
} from './interviews.schemas.js';
import { LIMITS } from '../../lib/limits.js';

const read = { access: { role: 'viewer' as const, scope: 'interviews:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'interviews:write' as const } };
const ifMatchAndKey = idempotencyHeader.extend({ 'if-match': ifMatchHeader });

export function interviewsRoutes(app: App, deps: Deps) {
  const tags = ['interviews'];
  const security = [{ bearer: [] }];
  const one = { 200: interviewSchema, ...problemResponses(409, 412) };

  app.get('/v1/interviews', {
    schema: {
      tags,
      security,
      summary: 'Interviews by start time, with filters',
      querystring: listInterviewsQuery,
      response: { 200: pageOf(interviewSchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => svc.listInterviews(deps, actorOf(req), req.query),
  });
  app.post('/v1/interviews', {
    schema: {
      tags,
      security,
      summary: 'Schedule an interview with its participants',
      description: 'Participants are contacts of the position’s employer or of a district above it. The application moves to `interviewing`.',
      headers: idempotencyHeader,
      body: scheduleInterviewBody,
      response: { 201: interviewSchema, ...problemResponses(409, 422) },
    },
    config: write,
    handler: async (req, reply) => {
      const i = await svc.scheduleInterview(deps, actorOf(req), req.body);
      return reply.code(201).header('location', `/v1/interviews/${i.id}`).send(etag(reply, i));
    },
  });
  app.get('/v1/interviews/:id', {
    schema: { tags, security, summary: 'Get an interview', params: idParam, response: { 200: interviewSchema, ...problemResponses() } },
    config: read,
    handler: async (req, reply) => etag(reply, await svc.getInterview(deps, actorOf(req), req.params.id)),
  });
  app.get('/v1/interviews/:id/calendar.ics', {
    schema: {
      tags,
      security,
      summary: 'The interview as an iCalendar event (text/calendar, RFC 5545)',
      description: 'One UID per interview; SEQUENCE is its version, so an import after a change replaces the earlier copy; a cancelled interview is STATUS:CANCELLED. Times in UTC.',
      params: idParam,
      produces: ['text/calendar'],
      response: { 200: z.string().max(LIMITS.calendar).meta({ example: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n…\r\nEND:VCALENDAR' }), ...problemResponses() },
    },
    config: read,
    handler: async (req, reply) => {
      const ics = await interviewCalendar(deps, actorOf(req), req.params.id);
      return reply.type('text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="interview-${req.params.id}.ics"`).send(ics);
    },
  });
  app.patch('/v1/interviews/:id', {
    schema: {
      tags,
      security,
      summary: 'Change an interview’s format, channel, place, notes or highlights',
      description: 'Times change with reschedule; status with cancel, no-show and complete.',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updateInterviewBody,
      response: one,
    },
    config: write,
    handler: async (req, reply) => etag(reply, await svc.updateInterview(deps, actorOf(req), req.params.id, req.body, req.headers['if-match'])),
  });

  app.delete('/v1/interviews/:id', {
    schema: {
      tags,
      security,
      summary: 'Delete an interview entered by mistake',
      description:
        'With its participants; the timeline keeps that it existed. A completed interview, or one with follow-ups or employer replies, answers 409: cancel it instead.',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      response: { 204: z.null(), ...problemResponses(409, 412) },
    },
    config: write,
    handler: async (req, reply) => {
      await svc.deleteInterview(deps, actorOf(req), req.params.id, req.headers['if-match']);
      return reply.code(204).send(null);
    },
  });

  const action = <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    run: (actor: ReturnType<typeof actorOf>, id: string, body: z.output<B>, ifMatch?: number) => ReturnType<typeof svc.getInterview>,
    description?: string,
  ) =>
    app.post(`/v1/interviews/:id/${path}`, {
      schema: { tags, security, summary, ...(description ? { description } : {}), params: idParam, headers: ifMatchAndKey, body, response: one },
      config: write,
      handler: async (req, reply) =>
        etag(reply, await run(actorOf(req), req.params.id, req.body as z.output<B>, req.headers['if-match'] as number | undefined)),
    });

  action('reschedule', 'Move a scheduled interview', rescheduleBody, (a, id, b, m) => svc.rescheduleInterview(deps, a, id, b, m));
  action('cancel', 'Cancel a scheduled interview', cancelBody, (a, id, b, m) => svc.cancelInterview(deps, a, id, b, m));
  action('no-show', 'The candidate did not attend', noShowBody, (a, id, b, m) => svc.markNoShow(deps, a, id, b, m));
  action(
    'complete',
    'Complete an interview',
    completeBody,
    (a, id, b, m) => svc.completeInterview(deps, a, id, b, m),
    'Records highlights, per-participant notes and the employer’s projected decision date. A cancelled or completed interview answers 409.',
  );
  action('timeline', 'Set or change the employer’s projected decision date', timelineBody, (a, id, b, m) => svc.setTimeline(deps, a, id, b, m));
  action(
    'participants',
    'Add a participant',
    addParticipantBody,
    (a, id, b, m) => svc.addParticipant(deps, a, id, b, m),
    'The interview’s version goes up, as with every change to it: send `If-Match` with the version you read to get 412 instead of adding to a changed interview.',
  );

  app.delete('/v1/interviews/:id/participants/:contactId', {
    schema: {
      tags,
      security,
      summary: 'Remove a participant',
      description: 'The interview keeps at least one participant (409). Its version goes up; a stale `If-Match` answers 412 and removes no one.',
      params: participantParams,
      headers: z.object({ 'if-match': ifMatchHeader }),
      response: one,
    },
    config: write,
    handler: async (req, reply) =>
      etag(reply, await svc.removeParticipant(deps, actorOf(req), req.params.id, req.params.contactId, req.headers['if-match'])),
  });
}
