import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { createContact, deleteContact, getContact, listContacts, listEmployerContacts, updateContact } from './contacts.service.js';
import { contactSchema, createContactBody, listContactsQuery, listEmployerContactsQuery, updateContactBody } from './contacts.schemas.js';

const read = { access: { role: 'viewer' as const, scope: 'employers:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'employers:write' as const } };

export function contactsRoutes(app: App, deps: Deps) {
  const tags = ['contacts'];
  const security = [{ bearer: [] }];
  app.get('/v1/contacts', {
    schema: { tags, security, summary: 'List contacts by name', querystring: listContactsQuery, response: { 200: pageOf(contactSchema), ...problemResponses() } },
    config: read,
    handler: async (req) => listContacts(deps, actorOf(req), req.query),
  });
  app.get('/v1/employers/:id/contacts', {
    schema: {
      tags,
      security,
      summary: 'List an employer’s contacts by name',
      params: idParam,
      querystring: listEmployerContactsQuery,
      response: { 200: pageOf(contactSchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => listEmployerContacts(deps, actorOf(req), req.params.id, req.query),
  });
  app.post('/v1/contacts', {
    schema: {
      tags,
      security,
      summary: 'Add a contact (a person at an employer; interviewers are contacts)',
      headers: idempotencyHeader,
      body: createContactBody,
      response: { 201: contactSchema, ...problemResponses(409, 422) },
    },
    config: write,
    handler: async (req, reply) => {
      const contact = await createContact(deps, actorOf(req), req.body);
      return reply.code(201).header('location', `/v1/contacts/${contact.id}`).send(withEtag(reply, contact));
    },
  });
  app.get('/v1/contacts/:id', {
    schema: { tags, security, summary: 'Get a contact', params: idParam, response: { 200: contactSchema, ...problemResponses() } },
    config: read,
    handler: async (req, reply) => {
      const contact = await getContact(deps, actorOf(req), req.params.id);
      return reply.send(withEtag(reply, contact));
    },
  });
  app.patch('/v1/contacts/:id', {
    schema: {
      tags,
      security,
      summary: 'Change a contact, or move them to another employer',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updateContactBody,
      response: { 200: contactSchema, ...problemResponses(412) },
    },
    config: write,
    handler: async (req, reply) => {
      const contact = await updateContact(deps, actorOf(req), req.params.id, req.body, req.headers['if-match']);
      return reply.send(withEtag(reply, contact));
    },
  });
  app.delete('/v1/contacts/:id', {
    schema: {
      tags,
      security,
      summary: 'Delete a contact who took part in no interview',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      response: { 204: z.null(), ...problemResponses(409, 412) },
    },
    config: write,
    handler: async (req, reply) => {
      await deleteContact(deps, actorOf(req), req.params.id, req.headers['if-match']);
      return reply.code(204).send(null);
    },
  });
}
