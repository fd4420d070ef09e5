import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import type { Scope } from '../../lib/access.js';
import { actorOf } from '../../http/auth.js';
import { withEtag } from '../../http/ifMatch.js';
import { problemResponses } from '../../http/problem.js';
import { applicationDetailSchema } from '../applications/applications.schemas.js';
import { candidateSchema } from '../candidates/candidates.schemas.js';
import { contactSchema } from '../contacts/contacts.schemas.js';
import { employerSchema } from '../employers/employers.schemas.js';
import { interviewSchema } from '../interviews/interviews.schemas.js';
import { positionSchema } from '../positions/positions.schemas.js';
import { byExternalIdParams } from './externalIds.schemas.js';
import { getByExternalId, upsertBodies, upsertByExternalId, type UpsertKind } from './externalIds.upsert.js';

/** Where each kind lives, what it answers, the scopes of its own routes, and what its PUT does beyond a PATCH. */
const RESOURCES: Record<UpsertKind, { path: string; tag: string; schema: z.ZodType; read: Scope; write: Scope; more?: string }> = {
  candidate: { path: 'candidates', tag: 'candidates', schema: candidateSchema, read: 'candidates:read', write: 'candidates:write' },
  employer: { path: 'employers', tag: 'employers', schema: employerSchema, read: 'employers:read', write: 'employers:write' },
  contact: { path: 'contacts', tag: 'contacts', schema: contactSchema, read: 'employers:read', write: 'employers:write' },
  position: { path: 'positions', tag: 'positions', schema: positionSchema, read: 'employers:read', write: 'employers:write' },
  application: {
    path: 'applications',
    tag: 'applications',
    schema: applicationDetailSchema,
    read: 'candidates:read',
    write: 'candidates:write',
    more: ' Once created, its `candidateId` and `positionId` do not change (another is 409); `ownerId` hands it over as PATCH does. Its stage and outcomes move through their own routes.',
  },
  interview: {
    path: 'interviews',
    tag: 'interviews',
    schema: interviewSchema,
    read: 'interviews:read',
    write: 'interviews:write',
    more:
      ' Once it exists, other times reschedule it as POST /v1/interviews/{id}/reschedule would (a scheduled interview only, 409 otherwise); ' +
      'participants are matched by contact: new ones are added and those left out removed as the participants routes do, one already there keeps their role and highlight; ' +
      'its `applicationId` does not change (409). Invites and follow-ups are planned as by those routes. Completion, cancellation and no-shows go through their own routes.',
  },
};

const NAMES: Record<UpsertKind, string> = { candidate: 'Candidate', employer: 'Employer', contact: 'Contact', position: 'Position', application: 'Application', interview: 'Interview' };

/** `GET` and `PUT /v1/<records>/by-external-id/{source}/{externalId}` (docs/api.md#sync). */
export function upsertByExternalIdRoutes(app: App, deps: Deps) {
  for (const [kind, r] of Object.entries(RESOURCES) as [UpsertKind, (typeof RESOURCES)[UpsertKind]][]) {
    const url = `/v1/${r.path}/by-external-id/:source/:externalId`;
    app.get(url, {
      schema: {
        tags: [r.tag],
        security: [{ bearer: [] }],
        operationId: `get${NAMES[kind]}ByExternalId`,
        summary: `The ${kind} another system’s id stands for`,
        params: byExternalIdParams,
        response: { 200: r.schema, ...problemResponses() },
      },
      config: { access: { role: 'viewer', scope: r.read } },
      handler: async (req, reply) => withEtag(reply, await getByExternalId(deps, actorOf(req), kind, req.params)),
    });
    app.put(url, {
      schema: {
        tags: [r.tag],
        security: [{ bearer: [] }],
        operationId: `upsert${NAMES[kind]}ByExternalId`,
        summary: `Create or update the ${kind} another system’s id stands for`,
        description:
          `The ${kind} the id is linked to is changed as PATCH /v1/${r.path}/{id} would change it (200). An unknown id creates the ${kind} as POST /v1/${r.path} would, ` +
          `with the fields that create requires, and links the id to it (201), in one transaction. Idempotent: the same body again changes nothing. ` +
          `Two upserts of one id at once make one ${kind}.${r.more ?? ''}`,
        params: byExternalIdParams,
        body: upsertBodies(kind).update,
        response: { 200: r.schema, 201: r.schema, ...problemResponses(409, 422) },
      },
      config: { access: { role: 'recruiter', scope: r.write } },
      handler: async (req, reply) => {
        const { record, created } = await upsertByExternalId(deps, actorOf(req), kind, req.params, req.body as never);
        if (created) reply.code(201).header('location', `/v1/${r.path}/${record.id}`);
        return reply.send(withEtag(reply, record));
      },
    });
  }
}
