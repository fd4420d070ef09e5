import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag as etag } from '../../http/ifMatch.js';
import { problemResponses } from '../../http/problem.js';
import { getAgency, updateAgency } from './agency.service.js';
import { agencySchema, updateAgencyBody } from './agency.schemas.js';

export function agencyRoutes(app: App, deps: Deps) {
  const tags = ['agency'];
  const security = [{ bearer: [] }];
  app.get('/v1/agency', {
    schema: { tags, security, summary: 'The agency: name, sign-in slug, time zone and days off', response: { 200: agencySchema, ...problemResponses() } },
    config: { access: { role: 'viewer', scope: 'agency:read' } },
    handler: async (req, reply) => etag(reply, await getAgency(deps, actorOf(req))),
  });
  app.patch('/v1/agency', {
    schema: {
      tags,
      security,
      summary: 'Change the agency’s name, time zone or days off (admins)',
      description: 'Follow-ups already planned keep their times; re-plans from now on skip the new days off.',
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updateAgencyBody,
      response: { 200: agencySchema, ...problemResponses(412) },
    },
    config: { access: { role: 'admin', scope: null } },
    handler: async (req, reply) => etag(reply, await updateAgency(deps, actorOf(req), req.body, req.headers['if-match'])),
  });
}
