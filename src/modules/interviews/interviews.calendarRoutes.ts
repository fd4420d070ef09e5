import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { readTenant } from '../../db/client.js';
import { idParam, instant } from '../../lib/schemas.js';
import { notFound } from '../../lib/errors.js';
import { calendarFeed, revokeCalendarFeed, rotateCalendarFeed } from './interviews.feed.js';
import { invitesOf } from './interviews.invites.js';
import { loadInterview } from './interviews.repo.js';
import { listDeclines } from './interviews.responses.js';
import { LIMITS } from '../../lib/limits.js';

const INV = '01938a8e-6e7f-7081-9293-a4b5c6d7e8f9';

const inviteSchema = z
  .object({
    id: z.uuid(),
    attendee: z.string().max(LIMITS.address).describe('`contact:<id>` or `candidate`'),
    contactId: z.uuid().nullable(),
    method: z.enum(['REQUEST', 'CANCEL']),
    sequence: z.number().int().describe('The iCalendar SEQUENCE it carries: the interview’s version at the change'),
    status: z.enum(['pending', 'sending', 'sent', 'failed', 'superseded']).describe('superseded: a newer invite to the same person replaced it before it went out'),
    attempts: z.number().int(),
    lastError: z.string().max(LIMITS.text).nullable().describe('The mail server’s answer to its last failed attempt'),
    to: z.string().max(LIMITS.addresses).nullable(),
    messageId: z.string().max(LIMITS.messageId).nullable(),
    sentAt: instant.nullable(),
    createdAt: instant,
  })
  .meta({
    id: 'CalendarInvite',
    example: {
      id: INV,
      attendee: 'contact:01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8',
      contactId: '01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8',
      method: 'REQUEST',
      sequence: 2,
      status: 'sent',
      attempts: 1,
      lastError: null,
      to: 'pat@lincoln.example.org',
      messageId: `<inv-${INV}@afterview>`,
      sentAt: '2026-11-26T14:30:02.000Z',
      createdAt: '2026-11-26T14:30:00.000Z',
    },
  });

const feedSchema = z
  .object({
    url: z.string().max(LIMITS.url).describe('The private feed URL (shown once): subscribe to it in Google Calendar, Outlook or Apple Calendar'),
    createdAt: instant,
  })
  .meta({ id: 'CalendarFeed', example: { url: 'https://api.afterview.example/v1/calendar-feeds/cal_01938a8e1c2b7d3e8f405a6b7c8d9e0f_3q2-7wAb0Yk6xPqfL1n8hX4mZsT9vRcD2eJuGiKoN5w', createdAt: '2026-11-26T14:30:00.000Z' } });

const feedToken = z.strictObject({ token: z.string().min(1).max(200).describe('The token of a feed URL (`cal_…`)') });

export function calendarRoutes(app: App, deps: Deps) {
  const tags = ['interviews'];
  const security = [{ bearer: [] }];
  app.get('/v1/interviews/:id/invites', {
    schema: {
      tags,
      security,
      summary: 'The calendar invites an interview sent (or is sending), newest first, with the mail server’s answers',
      params: idParam,
      response: { 200: z.object({ data: z.array(inviteSchema).max(LIMITS.page) }).meta({ id: 'CalendarInviteList' }), ...problemResponses() },
    },
    config: { access: { role: 'viewer', scope: 'interviews:read' } },
    handler: async (req) =>
      readTenant(deps.db, actorOf(req).tenantId, async (tx) => {
        if (!(await loadInterview(tx, req.params.id))) throw notFound('Interview');
        const rows = await invitesOf(tx, req.params.id);
        return {
          data: rows.map((r) => ({
            id: r.id,
            attendee: r.attendee,
            contactId: r.contactId,
            method: r.method,
            sequence: r.sequence,
            status: r.status,
            attempts: r.attempts,
            lastError: r.lastError,
            to: r.toAddress,
            messageId: r.messageId,
            sentAt: r.sentAt,
            createdAt: r.createdAt,
          })),
        };
      }),
  });
  app.get('/v1/interview-declines', {
    schema: {
      tags,
      security,
      summary: 'Participants who declined the invite to an interview still to come, soonest first (at most 200): Today’s warnings',
      querystring: z.strictObject({
        recruiterId: z.uuid().optional().describe('Only the interviews of applications this user owns'),
      }),
      response: {
        200: z
          .object({
            data: z.array(
              z.object({
                interviewId: z.uuid(),
                applicationId: z.uuid(),
                candidateId: z.uuid(),
                ownerId: z.uuid(),
                startsAt: instant,
                timeZone: z.string().max(LIMITS.timeZone),
                contactId: z.uuid(),
                name: z.string().max(LIMITS.name),
                role: z.enum(['interviewer', 'hiring_manager', 'coordinator']),
                respondedAt: instant.nullable(),
              }),
            ).max(LIMITS.page),
          })
          .meta({
            id: 'InterviewDeclineList',
            example: {
              data: [
                {
                  interviewId: '01938a8e-4c5d-7e6f-8071-8293a4b5c6d7',
                  applicationId: '01938a8e-3a4b-7c5d-8e6f-708192a3b4c5',
                  candidateId: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
                  ownerId: '01938a8e-0a1b-7c2d-8e3f-405162738495',
                  startsAt: '2026-12-03T15:00:00.000Z',
                  timeZone: 'America/New_York',
                  contactId: '01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8',
                  name: 'Pat Principal',
                  role: 'hiring_manager',
                  respondedAt: '2026-11-27T14:02:00.000Z',
                },
              ],
            },
          }),
        ...problemResponses(),
      },
    },
    config: { access: { role: 'viewer', scope: 'interviews:read' } },
    handler: async (req) => listDeclines(deps, actorOf(req), req.query),
  });
  app.post('/v1/me/calendar-feed', {
    schema: {
      tags,
      security,
      summary: 'Create or replace your private calendar feed URL of your interviews (the previous URL stops working)',
      headers: idempotencyHeader,
      response: { 200: feedSchema, ...problemResponses() },
    },
    config: { access: { role: 'viewer', scope: null }, secretAnswer: true },
    handler: async (req) => rotateCalendarFeed(deps, actorOf(req)),
  });
  app.delete('/v1/me/calendar-feed', {
    schema: {
      tags,
      security,
      summary: 'Revoke your calendar feed URL: calendar apps polling it get 404 from then on',
      response: { 200: z.object({ revoked: z.boolean().describe('Whether there was a feed to revoke') }).meta({ id: 'CalendarFeedRevoked', example: { revoked: true } }), ...problemResponses() },
    },
    config: { access: { role: 'viewer', scope: null } },
    handler: async (req) => ({ revoked: await revokeCalendarFeed(deps, actorOf(req)) }),
  });
  app.get('/v1/calendar-feeds/:token', {
    schema: {
      tags,
      summary: 'A recruiter’s interviews as an iCalendar feed (text/calendar) that calendar apps poll; the token in the URL is the credential',
      params: feedToken,
      produces: ['text/calendar'],
      response: { 200: z.string().max(LIMITS.calendar).meta({ example: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\n…\r\nEND:VCALENDAR' }), ...problemResponses() },
    },
    config: { access: { public: true } },
    handler: async (req, reply) => {
      const ics = await calendarFeed(deps, req.params.token);
      return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').send(ics);
    },
  });
}
