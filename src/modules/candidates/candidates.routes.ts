import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import {
  createCandidate,
  getCandidate,
  listCandidates,
  updateCandidate,
} from './candidates.service.js';
import { eraseCandidate, exportCandidate } from '../privacy/privacy.service.js';
import { candidateNotesRoutes } from './notes.routes.js';
import {
  candidateExportSchema,
  candidateListItemSchema,
  candidateSchema,
  createCandidateBody,
  listCandidatesQuery,
  updateCandidateBody,
} from './candidates.schemas.js';

const read = { access: { role: 'viewer' as const, scope: 'candidates:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'candidates:write' as const } };

export function candidatesRoutes(app: App, deps: Deps) {
  const tags = ['candidates'];
  const security = [{ bearer: [] }];
  app.get('/v1/candidates', {
    schema: {
      tags,
      security,
      summary: 'Search candidates, newest first',
      querystring: listCandidatesQuery,
      response: { 200: pageOf(candidateListItemSchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => listCandidates(deps, actorOf(req), req.query),
  });
  app.post('/v1/candidates', {
    schema: {
      tags,
      security,
      summary: 'Add a candidate',
      description: 'A duplicate email in the agency is 409 with `existingId`. An email of a person erased at their request is 409 `previously_erased` unless `overrideErasure` is true.',
      headers: idempotencyHeader,
      body: createCandidateBody,
      response: { 201: candidateSchema, ...problemResponses(409, 422) },
    },
    config: write,
    handler: async (req, reply) => {
      const c = await createCandidate(deps, actorOf(req), req.body);
      return reply.code(201).header('location', `/v1/candidates/${c.id}`).send(withEtag(reply, c));
    },
  });
  app.get('/v1/candidates/:id', {
    schema: { tags, security, summary: 'Get a candidate', params: idParam, response: { 200: candidateSchema, ...problemResponses() } },
    config: read,
    handler: async (req, reply) => withEtag(reply, await getCandidate(deps, actorOf(req), req.params.id)),
  });
  app.patch('/v1/candidates/:id', {
    schema: {
      tags,
      security,
      summary: 'Change a candidate',
      description: 'Turning `relayConsent` on records when; turning it off clears it. An email of a person erased at their request is refused (409 `previously_erased`) unless `overrideErasure` is true.',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updateCandidateBody,
      response: { 200: candidateSchema, ...problemResponses(409, 412) },
    },
    config: write,
    handler: async (req, reply) =>
      withEtag(reply, await updateCandidate(deps, actorOf(req), req.params.id, req.body, req.headers['if-match'])),
  });
  app.get('/v1/candidates/:id/export', {
    schema: {
      tags,
      security,
      summary: 'Export everything held on a candidate (JSON)',
      params: idParam,
      response: { 200: candidateExportSchema, ...problemResponses() },
    },
    config: { access: { role: 'recruiter' as const, scope: 'candidates:privacy' as const } },
    handler: async (req) => exportCandidate(deps, actorOf(req), req.params.id),
  });
  app.post('/v1/candidates/:id/erase', {
    schema: {
      tags,
      security,
      summary: 'Erase a candidate’s personal data (admins)',
      description: 'Personal fields are emptied everywhere, timeline included, with the free text written about the person (interview highlights and notes, outcome and stage reasons, reply summaries, employers’ emails, and those texts in stored events); the record and its history stay without them. Erasing twice is harmless.',
      params: idParam,
      headers: idempotencyHeader,
      response: { 200: candidateSchema, ...problemResponses() },
    },
    config: { access: { role: 'admin' as const, scope: 'candidates:privacy' as const } },
    handler: async (req) => eraseCandidate(deps, actorOf(req), req.params.id),
  });
  candidateNotesRoutes(app, deps);
}
