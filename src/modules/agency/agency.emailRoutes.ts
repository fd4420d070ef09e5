import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { agencyEmailBody, agencyEmailSchema, deleteAgencyEmail, getAgencyEmail, putAgencyEmail, testAgencyEmail, testEmailBody, testEmailResult } from './agency.email.js';

/** The agency's own outgoing mail (docs/email.md): admins only; secrets are write-only. */
export function agencyEmailRoutes(app: App, deps: Deps) {
  const tags = ['agency'];
  const security = [{ bearer: [] }];
  const admin = { access: { role: 'admin' as const, scope: null } };
  app.get('/v1/agency/email', {
    schema: { tags, security, summary: 'The agency’s outgoing mail settings (never the password or the DKIM key)', response: { 200: agencyEmailSchema, ...problemResponses() } },
    config: admin,
    handler: async (req) => getAgencyEmail(deps, actorOf(req)),
  });
  app.put('/v1/agency/email', {
    schema: {
      tags,
      security,
      summary: 'Send the agency’s email through its own SMTP server and From address, optionally DKIM-signed (admins)',
      description:
        'The password and DKIM key are stored encrypted (AES-256-GCM, SECRETS_KEY) and never returned, logged or put in events; omitted, the saved ones stay. ' +
        'A From address outside `domain` or a DKIM key that is not a PEM private key is 400 naming the field. Check it with POST /v1/agency/email/test.',
      body: agencyEmailBody,
      response: { 200: agencyEmailSchema, ...problemResponses(409) },
    },
    config: admin,
    handler: async (req) => putAgencyEmail(deps, actorOf(req), req.body),
  });
  app.delete('/v1/agency/email', {
    schema: { tags, security, summary: 'Go back to the platform’s sender (admins)', response: { 200: agencyEmailSchema, ...problemResponses() } },
    config: admin,
    handler: async (req) => deleteAgencyEmail(deps, actorOf(req)),
  });
  app.post('/v1/agency/email/test', {
    schema: {
      tags,
      security,
      summary: 'Send a test email through the saved settings; answers what the mail server said (delivered or not)',
      headers: idempotencyHeader,
      body: testEmailBody,
      response: { 200: testEmailResult, ...problemResponses() },
    },
    config: admin,
    handler: async (req) => testAgencyEmail(deps, actorOf(req), req.body),
  });
}
