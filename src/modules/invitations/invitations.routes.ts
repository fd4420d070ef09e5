import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { tokenResponse } from '../auth/auth.schemas.js';
import { publicLimit } from '../auth/links.js';
import { clientOf, tokensOf } from '../auth/tokens.js';
import { acceptInvitation, previewInvitation } from './invitations.accept.js';
import { createInvitation, getInvitation, listInvitations, resendInvitation, revokeInvitation } from './invitations.service.js';
import { acceptInvitationBody, createInvitationBody, invitationPreview, invitationSchema, invitationTokenBody, listInvitationsQuery } from './invitations.schemas.js';

// Who joins the agency is for signed-in admins: API keys cannot invite.
const manage = { access: { role: 'admin' as const, scope: null } };
const badLink = 'A link that is not valid, altered, from another agency or replaced by a resend is 400 link_invalid; one past its 72 hours or withdrawn 410 link_expired; one already accepted 410 link_used; each names body.token.';

export function invitationsRoutes(app: App, deps: Deps) {
  const tags = ['invitations'];
  const security = [{ bearer: [] }];
  const base = '/v1/invitations';
  app.post(base, {
    schema: {
      tags,
      security,
      summary: 'Invite someone by email, with a role (admins)',
      description:
        'They get an email with a single-use link, valid 72 hours, to choose their name and password. Only an owner can invite an owner. 409 when the email is a user already, or has a pending invitation (`existingId`: resend that one).',
      headers: idempotencyHeader,
      body: createInvitationBody,
      response: { 201: invitationSchema, ...problemResponses(409) },
    },
    config: manage,
    handler: async (req, reply) => reply.code(201).send(await createInvitation(deps, actorOf(req), req.body)),
  });
  app.get(base, {
    schema: { tags, security, summary: 'List invitations, newest first (pending ones unless `status` says)', querystring: listInvitationsQuery, response: { 200: pageOf(invitationSchema), ...problemResponses() } },
    config: manage,
    handler: async (req) => listInvitations(deps, actorOf(req), req.query),
  });
  app.get(`${base}/:id`, {
    schema: { tags, security, summary: 'Get an invitation', params: idParam, response: { 200: invitationSchema, ...problemResponses() } },
    config: manage,
    handler: async (req) => getInvitation(deps, actorOf(req), req.params.id),
  });
  app.post(`${base}/:id/resend`, {
    schema: {
      tags,
      security,
      summary: 'Send an invitation again, with a new link valid 72 hours',
      description: 'The earlier link stops working. 409 for an invitation accepted or withdrawn.',
      params: idParam,
      headers: idempotencyHeader,
      response: { 200: invitationSchema, ...problemResponses(409) },
    },
    config: manage,
    handler: async (req) => resendInvitation(deps, actorOf(req), req.params.id),
  });
  app.delete(`${base}/:id`, {
    schema: { tags, security, summary: 'Withdraw an invitation: its link stops working', description: '409 for one accepted already.', params: idParam, response: { 204: z.null(), ...problemResponses(409) } },
    config: manage,
    handler: async (req, reply) => {
      await revokeInvitation(deps, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  });

  // The invitee's side: public, the link's token is the credential.
  const tokens = tokensOf(app, deps);
  app.post('/v1/auth/invitation', {
    schema: {
      tags: ['auth'],
      summary: 'What an invitation link offers: the agency, the email and the role',
      description: badLink,
      body: invitationTokenBody,
      response: { 200: invitationPreview, ...problemResponses(410) },
    },
    config: { access: { public: true }, rateLimit: publicLimit(deps, 'invitation') },
    handler: async (req) => previewInvitation(deps, req.body.token),
  });
  app.post('/v1/auth/accept-invitation', {
    schema: {
      tags: ['auth'],
      summary: 'Accept an invitation: choose your name and password, and sign in',
      description: `Creates the user with the invited email and role. ${badLink} A weak password is 400 naming body.password, and the link stays usable.`,
      body: acceptInvitationBody,
      response: { 201: tokenResponse, ...problemResponses(409, 410) },
    },
    config: { access: { public: true }, rateLimit: publicLimit(deps, 'accept') },
    handler: async (req, reply) => reply.code(201).send(tokens(await acceptInvitation(deps, req.body, clientOf(req)))),
  });
}
