import type { FastifyInstance } from 'fastify';
import { apiKey, bearer, userWithRole, type TestTenant } from './app.js';

/** What to send to a route that takes an id, with the id of a resource that exists in tenant B. */
export interface IsolationCase {
  params: Record<string, string>;
  body?: unknown;
  /** After tenant A's attempt: is B's resource exactly as it was? */
  unchanged?: () => Promise<boolean>;
}

export type IsolationFixture = (app: FastifyInstance, b: TestTenant) => Promise<IsolationCase>;

const userFixture =
  (body?: unknown): IsolationFixture =>
  async (app, b) => {
    const user = await userWithRole(app, b, 'viewer');
    const read = async () => (await app.inject({ url: `/v1/users/${user.id}`, headers: bearer(b.token) })).body;
    const before = await read();
    return { params: { id: user.id }, body, unchanged: async () => (await read()) === before };
  };

/** A signed-in user of tenant B; `unchanged` reads their sessions with their own token. */
const sessionFixture =
  (param: 'session' | 'user'): IsolationFixture =>
  async (app, b) => {
    const user = await userWithRole(app, b, 'viewer');
    const sid = (JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    const read = async () => {
      const res = await app.inject({ url: '/v1/me/sessions', headers: bearer(user.token) });
      return `${res.statusCode} ${res.body}`;
    };
    const before = await read();
    return { params: { id: param === 'session' ? sid : user.id }, unchanged: async () => (await read()) === before };
  };

const invitationFixture: IsolationFixture = async (app, b) => {
  const res = await app.inject({ method: 'POST', url: '/v1/invitations', headers: bearer(b.token), payload: { email: `b-${Math.random().toString(36).slice(2)}@example.org`, role: 'viewer' } });
  const id = res.json().id as string;
  const read = async () => (await app.inject({ url: `/v1/invitations/${id}`, headers: bearer(b.token) })).body;
  const before = await read();
  return { params: { id }, unchanged: async () => (await read()) === before };
};

const keyFixture: IsolationFixture = async (app, b) => {
  const key = await apiKey(app, b, ['agency:read']);
  const read = async () => (await app.inject({ url: `/v1/api-keys/${key.id}`, headers: bearer(b.token) })).body;
  const before = await read();
  return { params: { id: key.id }, unchanged: async () => (await read()) === before };
};

const employerFixture =
  (body?: unknown): IsolationFixture =>
  async (app, b) => {
    const res = await app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(b.token), payload: { name: 'B District', kind: 'district' } });
    const id = res.json().id as string;
    const read = async () => (await app.inject({ url: `/v1/employers/${id}`, headers: bearer(b.token) })).body;
    const before = await read();
    return { params: { id }, body, unchanged: async () => (await read()) === before };
  };

/** A record that hangs off an employer (a contact, a position), both created in tenant B. */
const employerChildFixture =
  (resource: 'contacts' | 'positions', payload: object, body?: unknown): IsolationFixture =>
  async (app, b) => {
    const employer = await app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(b.token), payload: { name: 'B School' } });
    const res = await app.inject({
      method: 'POST',
      url: `/v1/${resource}`,
      headers: bearer(b.token),
      payload: { employerId: employer.json().id, ...payload },
    });
    const id = res.json().id as string;
    const read = async () => (await app.inject({ url: `/v1/${resource}/${id}`, headers: bearer(b.token) })).body;
    const before = await read();
    return { params: { id }, body, unchanged: async () => (await read()) === before };
  };
const contactFixture = (body?: unknown) => employerChildFixture('contacts', { name: 'B Contact', email: 'b.contact@example.org' }, body);
const positionFixture = (body?: unknown) => employerChildFixture('positions', { title: 'B Position' }, body);

const candidateFixture =
  (body?: unknown): IsolationFixture =>
  async (app, b) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/candidates',
      headers: bearer(b.token),
      payload: { name: 'B Candidate', email: `b-${Math.random().toString(36).slice(2)}@example.org` },
    });
    const id = res.json().id as string;
    const read = async () => (await app.inject({ url: `/v1/candidates/${id}`, headers: bearer(b.token) })).body;
    const before = await read();
    return { params: { id }, body, unchanged: async () => (await read()) === before };
  };

/**
 * An application in tenant B (employer, open position, candidate), with one outcome and one
 * reply so the sub-resource routes have ids; `unchanged` compares the application, its outcomes
 * and its replies.
 */
const applicationFixture =
  (body?: object | ((app: FastifyInstance, b: TestTenant) => Promise<object>), sub?: 'outcomeId' | 'replyId'): IsolationFixture =>
  async (app, b) => {
    const post = async (url: string, payload: object) =>
      (await app.inject({ method: 'POST', url, headers: bearer(b.token), payload })).json().id as string;
    const employerId = await post('/v1/employers', { name: 'B School' });
    const positionId = await post('/v1/positions', { employerId, title: 'B Position' });
    const candidateId = await post('/v1/candidates', { name: 'B Candidate', email: `b-${Math.random().toString(36).slice(2)}@example.org` });
    const id = await post('/v1/applications', { candidateId, positionId });
    const outcomeId = await post(`/v1/applications/${id}/outcomes`, { kind: 'no_decision' });
    const replyId = await post(`/v1/applications/${id}/replies`, { channel: 'email', summary: 'Still deciding' });
    const read = async () =>
      (await Promise.all(['', '/outcomes', '/replies'].map(async (s) => (await app.inject({ url: `/v1/applications/${id}${s}`, headers: bearer(b.token) })).body))).join();
    const before = await read();
    return {
      params: { id, ...(sub === 'outcomeId' ? { outcomeId } : sub === 'replyId' ? { replyId } : {}) },
      body: typeof body === 'function' ? await body(app, b) : body,
      unchanged: async () => (await read()) === before,
    };
  };

const interviewFixture =
  (suffix = '', body?: unknown, extraParam?: 'contactId'): IsolationFixture =>
  async (app, b) => {
    const { recruitingStory, scheduledInterview } = await import('./story.js');
    const story = await recruitingStory(app, b);
    const interview = await scheduledInterview(app, b, story);
    const read = async () => (await app.inject({ url: `/v1/interviews/${interview.id}`, headers: bearer(b.token) })).body;
    const before = await read();
    return {
      params: { id: interview.id, ...(extraParam ? { contactId: story.teacher.id } : {}) },
      body: body ?? (suffix ? {} : undefined),
      unchanged: async () => (await read()) === before,
    };
  };

/** A note on a candidate in tenant B; with the note's id when the route takes one. */
const noteFixture =
  (body?: unknown): IsolationFixture =>
  async (app, b) => {
    const c = await app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(b.token), payload: { name: 'B Noted', email: `bn-${Math.random().toString(36).slice(2)}@example.org` } });
    const id = c.json().id as string;
    const note = await app.inject({ method: 'POST', url: `/v1/candidates/${id}/notes`, headers: bearer(b.token), payload: { body: 'B’s own note' } });
    const noteId = note.json().id as string;
    const read = async () => (await app.inject({ url: `/v1/candidates/${id}/notes`, headers: bearer(b.token) })).body;
    const before = await read();
    return { params: { id, noteId }, body, unchanged: async () => (await read()) === before };
  };

/** A previewed import of one candidate in tenant B; `unchanged`: still previewed, nothing run. */
const importFixture =
  (body?: unknown): IsolationFixture =>
  async (app, b) => {
    const csv = `name,email\nB Imported,bi-${Math.random().toString(36).slice(2)}@example.org\n`;
    const res = await app.inject({ method: 'POST', url: '/v1/imports', headers: bearer(b.token), payload: { kind: 'candidates', csv } });
    if (res.statusCode !== 201) throw new Error(`import preview failed: ${res.statusCode} ${res.body}`);
    const id = res.json().id as string;
    const read = async () => (await app.inject({ url: `/v1/imports/${id}`, headers: bearer(b.token) })).body;
    const before = await read();
    return { params: { id }, body, unchanged: async () => (await read()) === before };
  };

/** A follow-up in tenant B: an interview that started three hours ago, completed, its latest step taken. */
const followUpFixture =
  (body?: unknown, of: 'followUp' | 'interview' = 'followUp'): IsolationFixture =>
  async (app, b) => {
    const { recruitingStory, scheduledInterview } = await import('./story.js');
    const story = await recruitingStory(app, b);
    const interview = await scheduledInterview(app, b, story, new Date(Date.now() - 3 * 3600_000).toISOString());
    const done = await app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: bearer(b.token), payload: {} });
    if (done.statusCode !== 200) throw new Error(`complete failed: ${done.statusCode} ${done.body}`);
    const list = await app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&limit=100`, headers: bearer(b.token) });
    const id = (list.json().data as { id: string }[]).at(-1)!.id;
    const read = async () =>
      of === 'interview'
        ? (await app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&limit=100`, headers: bearer(b.token) })).body
        : (await app.inject({ url: `/v1/follow-ups/${id}`, headers: bearer(b.token) })).body;
    const before = await read();
    return { params: { id: of === 'interview' ? interview.id : id }, body, unchanged: async () => (await read()) === before };
  };

/**
 * A paused webhook endpoint in tenant B with one delivery (its test event): paused, so no relay
 * running in another test file attempts it and `unchanged` compares like with like.
 */
const webhookFixture =
  (body?: unknown, sub?: 'deliveryId'): IsolationFixture =>
  async (app, b) => {
    const h = bearer(b.token);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/webhook-endpoints',
      headers: h,
      payload: { url: 'http://127.0.0.1:9/b-hook', eventTypes: ['candidate.erased'] },
    });
    const id = res.json().id as string;
    await app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${id}/pause`, headers: h });
    const delivery = await app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${id}/test`, headers: h });
    const deliveryId = delivery.json().id as string;
    const read = async () =>
      [
        (await app.inject({ url: `/v1/webhook-endpoints/${id}`, headers: h })).body,
        (await app.inject({ url: `/v1/webhook-endpoints/${id}/deliveries/${deliveryId}`, headers: h })).body,
      ].join('\n');
    const before = await read();
    const params: Record<string, string> = sub ? { id, deliveryId } : { id };
    return { params, body, unchanged: async () => (await read()) === before };
  };

/** An unmatched inbound email in tenant B; A tries to read or assign it. */
const inboundFixture =
  (body?: unknown): IsolationFixture =>
  async (app, b) => {
    const h = bearer(b.token);
    const secret = (await app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: h })).json().secret as string;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/inbound/email',
      headers: { authorization: `Bearer ${secret}` },
      payload: { from: 'someone@b.example.org', subject: 'Hello', text: 'Unmatched' },
    });
    const id = res.json().id as string;
    const read = async () => (await app.inject({ url: `/v1/inbound-replies/${id}`, headers: h })).body;
    const before = await read();
    return { params: { id }, body, unchanged: async () => (await read()) === before };
  };

/**
 * One entry per route that takes an id, keyed `METHOD url`. The suite fails for any such route
 * without an entry, so a new route cannot skip the isolation check: add its fixture here.
 */
export const isolationFixtures: Record<string, IsolationFixture> = {
  'GET /v1/users/:id': userFixture(),
  'PATCH /v1/users/:id': userFixture({ name: 'Taken Over', role: 'owner' }),
  'DELETE /v1/users/:id/sessions': sessionFixture('user'),
  'DELETE /v1/me/sessions/:id': sessionFixture('session'),
  'GET /v1/invitations/:id': invitationFixture,
  'POST /v1/invitations/:id/resend': invitationFixture,
  'DELETE /v1/invitations/:id': invitationFixture,
  'GET /v1/api-keys/:id': keyFixture,
  'DELETE /v1/api-keys/:id': keyFixture,
  'GET /v1/employers/:id': employerFixture(),
  'PATCH /v1/employers/:id': employerFixture({ name: 'Taken over' }),
  'DELETE /v1/employers/:id': employerFixture(),
  'GET /v1/employers/:id/contacts': employerFixture(),
  'GET /v1/employers/:id/positions': employerFixture(),
  'GET /v1/contacts/:id': contactFixture(),
  'PATCH /v1/contacts/:id': contactFixture({ name: 'Taken over' }),
  'DELETE /v1/contacts/:id': contactFixture(),
  'GET /v1/positions/:id': positionFixture(),
  'PATCH /v1/positions/:id': positionFixture({ status: 'closed' }),
  'DELETE /v1/positions/:id': positionFixture(),
  'GET /v1/positions/:id/re-engagement': positionFixture(),
  'GET /v1/candidates/:id': candidateFixture(),
  'PATCH /v1/candidates/:id': candidateFixture({ name: 'Taken over' }),
  'GET /v1/candidates/:id/export': candidateFixture(),
  'POST /v1/candidates/:id/erase': candidateFixture(),
  'GET /v1/candidates/:id/notes': noteFixture(),
  'POST /v1/candidates/:id/notes': noteFixture({ body: 'Written from A' }),
  'PATCH /v1/candidates/:id/notes/:noteId': noteFixture({ body: 'Changed from A' }),
  'DELETE /v1/candidates/:id/notes/:noteId': noteFixture(),
  'GET /v1/imports/:id': importFixture(),
  'POST /v1/imports/:id/run': importFixture(),
  'GET /v1/imports/:id/rows': importFixture(),
  'GET /v1/applications/:id': applicationFixture(),
  'PATCH /v1/applications/:id': applicationFixture(async (app, b) => ({ ownerId: (await userWithRole(app, b, 'recruiter')).id })),
  'DELETE /v1/applications/:id': applicationFixture(),
  'POST /v1/applications/:id/stage': applicationFixture({ stage: 'rejected' }),
  'POST /v1/applications/:id/outcomes': applicationFixture({ kind: 'rejected' }),
  'GET /v1/applications/:id/outcomes': applicationFixture(),
  'GET /v1/applications/:id/outcomes/:outcomeId': applicationFixture(undefined, 'outcomeId'),
  'POST /v1/applications/:id/replies': applicationFixture({ channel: 'email', summary: 'Taken over' }),
  'GET /v1/applications/:id/replies': applicationFixture(),
  'GET /v1/applications/:id/messages': applicationFixture(),
  'GET /v1/applications/:id/replies/:replyId': applicationFixture(undefined, 'replyId'),
  'GET /v1/interviews/:id': interviewFixture(),
  'GET /v1/interviews/:id/calendar.ics': interviewFixture(),
  'GET /v1/interviews/:id/invites': interviewFixture(),
  'PATCH /v1/interviews/:id': interviewFixture('', { location: 'Elsewhere' }),
  'DELETE /v1/interviews/:id': interviewFixture(),
  'POST /v1/interviews/:id/reschedule': interviewFixture('r', { startsAt: '2026-12-04T15:00:00Z', endsAt: '2026-12-04T16:00:00Z', timeZone: 'America/New_York' }),
  'POST /v1/interviews/:id/cancel': interviewFixture('c', { reason: 'Taken over' }),
  'POST /v1/interviews/:id/no-show': interviewFixture('n', {}),
  'POST /v1/interviews/:id/complete': interviewFixture('d', {}),
  'POST /v1/interviews/:id/timeline': interviewFixture('t', { decisionExpectedBy: '2026-12-31' }),
  'POST /v1/interviews/:id/participants': interviewFixture('p', { contactId: '00000000-0000-4000-8000-000000000000' }),
  'DELETE /v1/interviews/:id/participants/:contactId': interviewFixture('', undefined, 'contactId'),
  'GET /v1/follow-ups/:id': followUpFixture(),
  'GET /v1/follow-ups/:id/thread': followUpFixture(),
  'PATCH /v1/follow-ups/:id': followUpFixture({ subject: 'Taken over' }),
  'POST /v1/follow-ups/:id/reschedule': followUpFixture({ dueAt: '2099-01-05T15:00:00Z', reason: 'Taken over' }),
  'POST /v1/follow-ups/:id/complete': followUpFixture({ notes: 'Taken over' }),
  'POST /v1/follow-ups/:id/skip': followUpFixture({ reason: 'Taken over' }),
  'POST /v1/follow-ups/:id/cancel': followUpFixture({ reason: 'Taken over' }),
  'GET /v1/inbound-replies/:id': inboundFixture(),
  'POST /v1/inbound-replies/:id/assign': inboundFixture({ applicationId: '00000000-0000-4000-8000-000000000000' }),
  'GET /v1/webhook-endpoints/:id': webhookFixture(),
  'PATCH /v1/webhook-endpoints/:id': webhookFixture({ url: 'http://127.0.0.1:9/taken-over' }),
  'DELETE /v1/webhook-endpoints/:id': webhookFixture(),
  'POST /v1/webhook-endpoints/:id/pause': webhookFixture(),
  'POST /v1/webhook-endpoints/:id/resume': webhookFixture(),
  'POST /v1/webhook-endpoints/:id/rotate-secret': webhookFixture(),
  'POST /v1/webhook-endpoints/:id/test': webhookFixture(),
  'GET /v1/webhook-endpoints/:id/deliveries': webhookFixture(),
  'POST /v1/webhook-endpoints/:id/recover': webhookFixture({ since: '2000-01-01T00:00:00Z' }),
  'GET /v1/webhook-endpoints/:id/deliveries/:deliveryId': webhookFixture(undefined, 'deliveryId'),
  'POST /v1/webhook-endpoints/:id/deliveries/:deliveryId/redeliver': webhookFixture(undefined, 'deliveryId'),
  'POST /v1/follow-ups/:id/send-now': followUpFixture({ reason: 'Taken over' }),
  'POST /v1/follow-ups/:id/resend': followUpFixture({ reason: 'Taken over' }),
  'POST /v1/follow-ups/:id/mark-sent': followUpFixture({ reason: 'Taken over' }),
  'POST /v1/follow-ups/:id/undo': followUpFixture({ reason: 'Taken over' }),
  'POST /v1/follow-ups/:id/approve': followUpFixture({ body: 'Taken over' }),
  'POST /v1/follow-ups/:id/decline': followUpFixture({ reason: 'Taken over' }),
  'POST /v1/interviews/:id/follow-ups/approve': followUpFixture({ reason: 'Taken over' }, 'interview'),
};

/**
 * Routes whose path parameter is not a tenant's record, so "another tenant's id" has no meaning;
 * each says why. The isolation suite skips them; their tenant separation is tested with the module.
 */
export const notTenantIds: Record<string, string> = {
  'GET /v1/external-ids/:type/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here, 404 (test/external-ids.test.ts)',
  'PUT /v1/external-ids/:type/:source/:externalId': 'another system’s id, unique per agency; another agency’s record in body.id is refused (test/security/body-ids.test.ts)',
  'DELETE /v1/external-ids/:type/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here, 404 (test/external-ids.test.ts)',
  'GET /v1/candidates/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here, 404 (test/external-ids.upsert.test.ts)',
  'PUT /v1/candidates/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here and creates a record of this agency (test/external-ids.upsert.test.ts)',
  'GET /v1/employers/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here, 404 (test/external-ids.upsert.test.ts)',
  'PUT /v1/employers/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here and creates a record of this agency (test/external-ids.upsert.test.ts)',
  'GET /v1/contacts/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here, 404 (test/external-ids.upsert.test.ts)',
  'PUT /v1/contacts/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here and creates a record of this agency (test/external-ids.upsert.test.ts)',
  'GET /v1/positions/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here, 404 (test/external-ids.upsert.test.ts)',
  'PUT /v1/positions/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here and creates a record of this agency (test/external-ids.upsert.test.ts)',
  'GET /v1/applications/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here, 404 (test/external-ids.upsert.test.ts)',
  'PUT /v1/applications/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here and creates a record of this agency; another agency’s ids in the body are refused (test/security/body-ids.test.ts)',
  'GET /v1/interviews/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here, 404 (test/external-ids.upsert.test.ts)',
  'PUT /v1/interviews/by-external-id/:source/:externalId': 'another system’s id, unique per agency: another agency’s is unknown here and creates a record of this agency; another agency’s ids in the body are refused (test/security/body-ids.test.ts)',
  'GET /v1/calendar-feeds/:token': 'a feed token, not a record id; the token names its agency and is checked against its hash (test/interviews.invites.test.ts)',
  'GET /v1/follow-up-templates/:templateId': 'a template id of the shipped catalogue; each agency reads its own text (test/followups.templates.test.ts)',
  'PUT /v1/follow-up-templates/:templateId': 'a template id of the shipped catalogue; an agency writes only its own text (test/followups.templates.test.ts)',
  'DELETE /v1/follow-up-templates/:templateId': 'a template id of the shipped catalogue; an agency resets only its own text (test/followups.templates.test.ts)',
  'POST /v1/follow-up-templates/:templateId/preview':
    'a template id of the shipped catalogue; another agency’s follow-up in body.followUpId is refused as unknown (test/security/body-ids.test.ts)',
};

export const fillPath = (url: string, params: Record<string, string>) =>
  url.replace(/:(\w+)/g, (_, name: string) => {
    const v = params[name];
    if (!v) throw new Error(`fixture for ${url} lacks param ${name}`);
    return v;
  });
