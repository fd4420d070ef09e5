import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { addNote, deleteNote, editNote, listNotes } from './notes.service.js';
import { candidateNoteParams, candidateNoteSchema, listCandidateNotesQuery, writeCandidateNoteBody } from './notes.schemas.js';

const read = { access: { role: 'viewer' as const, scope: 'candidates:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'candidates:write' as const } };

/** Notes on a candidate: each its own record, with its author, history and events. */
export function candidateNotesRoutes(app: App, deps: Deps) {
  const tags = ['candidates'];
  const security = [{ bearer: [] }];
  app.get('/v1/candidates/:id/notes', {
    schema: {
      tags,
      security,
      summary: 'A candidate’s notes, newest first',
      params: idParam,
      querystring: listCandidateNotesQuery,
      response: { 200: pageOf(candidateNoteSchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => listNotes(deps, actorOf(req), req.params.id, req.query),
  });
  app.post('/v1/candidates/:id/notes', {
    schema: {
      tags,
      security,
      summary: 'Write a note on a candidate',
      description: 'Not on an erased candidate (409).',
      params: idParam,
      headers: idempotencyHeader,
      body: writeCandidateNoteBody,
      response: { 201: candidateNoteSchema, ...problemResponses(409) },
    },
    config: write,
    handler: async (req, reply) => {
      const note = await addNote(deps, actorOf(req), req.params.id, req.body);
      return reply.code(201).header('location', `/v1/candidates/${req.params.id}/notes/${note.id}`).send(withEtag(reply, note));
    },
  });
  app.patch('/v1/candidates/:id/notes/:noteId', {
    schema: {
      tags,
      security,
      summary: 'Change a note (its author, or an admin)',
      params: candidateNoteParams,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: writeCandidateNoteBody,
      response: { 200: candidateNoteSchema, ...problemResponses(412) },
    },
    config: write,
    handler: async (req, reply) =>
      withEtag(reply, await editNote(deps, actorOf(req), req.params.id, req.params.noteId, req.body, req.headers['if-match'])),
  });
  app.delete('/v1/candidates/:id/notes/:noteId', {
    schema: {
      tags,
      security,
      summary: 'Delete a note (its author, or an admin)',
      params: candidateNoteParams,
      headers: z.object({ 'if-match': ifMatchHeader }),
      response: { 204: z.null(), ...problemResponses(412) },
    },
    config: write,
    handler: async (req, reply) => {
      await deleteNote(deps, actorOf(req), req.params.id, req.params.noteId, req.headers['if-match']);
      return reply.code(204).send(null);
    },
  });
}
