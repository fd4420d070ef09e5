import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createTestApp, expectProblem, newTenant, userWithRole, type TestApp, type TestTenant } from '../helpers/app.js';
import { adminPool } from '../helpers/db.js';
import { recruitingStory, scheduledInterview, type Story } from '../helpers/story.js';

/**
 * Ids sent in bodies and query strings, where the isolation suite (path ids) does not look:
 * tenant A sends tenant B's real ids. A body id is refused (a 4xx problem naming the field) and
 * nothing is written in A; a query filter answers an empty list (or a 4xx), never B's rows.
 *
 * The fields come from the OpenAPI document (properties and query parameters named `*Id`/`*Ids`
 * or with format uuid), so a new route with such a field fails here until it has a fixture below
 * or an entry, with its reason, in `exceptions`.
 */

let t: TestApp;
let a: TestTenant;
let b: TestTenant;

interface World {
  tenant: TestTenant;
  story: Story;
  /** Scheduled three hours ago and not completed: can be completed, takes participants. */
  interview: { id: string };
  recruiter: { id: string };
}
let A: World & { freeCandidate: string; inboundSecret: string; inbound: string };
let B: World & { followUp: string; inbound: { id: string; messageId: string } };

const post = async (tenant: TestTenant, url: string, payload: object) => {
  const res = await t.app.inject({ method: 'POST', url, headers: bearer(tenant.token), payload });
  if (res.statusCode >= 300) throw new Error(`${url} failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string } & Record<string, unknown>;
};

async function world(tenant: TestTenant): Promise<World> {
  const story = await recruitingStory(t.app, tenant);
  const [interview, recruiter] = await Promise.all([
    scheduledInterview(t.app, tenant, story, new Date(Date.now() - 3 * 3600_000).toISOString()),
    userWithRole(t.app, tenant, 'recruiter'),
  ]);
  return { tenant, story, interview, recruiter };
}

const inboundEmail = (secret: string, payload: object) =>
  t.app.inject({ method: 'POST', url: '/v1/inbound/email', headers: { authorization: `Bearer ${secret}` }, payload });

beforeAll(async () => {
  t = await createTestApp();
  [a, b] = await Promise.all([newTenant(t.app), newTenant(t.app)]);
  const [wa, wb] = await Promise.all([world(a), world(b)]);
  // A: a candidate without an application, and an unmatched inbound email to assign.
  const freeCandidate = (await post(a, '/v1/candidates', { name: 'Free Candidate', email: `free-${a.slug}@example.org` })).id;
  const inboundSecret = (await post(a, '/v1/inbound/secret', {})).secret as string;
  const inbound = (await inboundEmail(inboundSecret, { from: 'someone@a.example.org', subject: 'Hello', text: 'Unmatched' })).json().id as string;
  A = { ...wa, freeCandidate, inboundSecret, inbound };
  // B: its interview completed (follow-ups planned: an email to a contact is picked), and an inbound email.
  const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${wb.interview.id}/complete`, headers: bearer(b.token), payload: {} });
  if (done.statusCode !== 200) throw new Error(`complete failed: ${done.statusCode} ${done.body}`);
  const fus = (await t.app.inject({ url: `/v1/follow-ups?interviewId=${wb.interview.id}&limit=100`, headers: bearer(b.token) })).json().data as {
    id: string;
    channel: string;
    recipient: { type: string };
  }[];
  const followUp = fus.find((f) => f.channel === 'email' && f.recipient.type === 'contact')!.id;
  const bSecret = (await post(b, '/v1/inbound/secret', {})).secret as string;
  const messageId = `<b-${b.slug}@mail.example.org>`;
  const bInbound = (await inboundEmail(bSecret, { from: 'someone@b.example.org', subject: 'Hi', text: 'B text', messageId })).json().id as string;
  const linked = await t.app.inject({ method: 'PUT', url: '/v1/external-ids/candidate/bullhorn/b-1', headers: bearer(b.token), payload: { id: wb.story.candidate.id } });
  if (linked.statusCode !== 201) throw new Error(`link failed: ${linked.body}`);
  B = { ...wb, followUp, inbound: { id: bInbound, messageId } };
}, 120_000);
afterAll(() => t.close());

// ---------------------------------------------------------------------------------------------
// What A's request leaves behind: per tenant table, its rows of A and their latest update.

let tables: { name: string; updated: boolean }[] | undefined;
async function snapshot(tenantId: string): Promise<Record<string, string>> {
  tables ??= (
    await adminPool().query<{ table_name: string; updated: boolean }>(`
      SELECT c.table_name, bool_or(u.column_name IS NOT NULL) AS updated
      FROM information_schema.columns c
      LEFT JOIN information_schema.columns u ON u.table_schema = c.table_schema AND u.table_name = c.table_name AND u.column_name = 'updated_at'
      WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'
      GROUP BY c.table_name ORDER BY c.table_name`)
  ).rows.map((r) => ({ name: r.table_name, updated: r.updated }));
  const parts = [
    `SELECT 'tenants' AS t, count(*)::text || ' ' || coalesce(max(updated_at)::text, '') AS v FROM tenants WHERE id = $1`,
    ...tables.map(
      (x) => `SELECT '${x.name}', count(*)::text || ' ' || ${x.updated ? `coalesce(max(updated_at)::text, '')` : `''`} FROM "${x.name}" WHERE tenant_id = $1`,
    ),
  ];
  const res = await adminPool().query<{ t: string; v: string }>(parts.join(' UNION ALL '), [tenantId]);
  return Object.fromEntries(res.rows.map((r) => [r.t, r.v]));
}
const changed = (before: Record<string, string>, after: Record<string, string>) =>
  Object.keys(after).filter((k) => before[k] !== after[k]).map((k) => `${k}: ${before[k]} -> ${after[k]}`);

// ---------------------------------------------------------------------------------------------
// The fixtures: one per id-like field, keyed `METHOD /route field` (OpenAPI's path as Fastify
// writes it, the field as found: `body.x`, `body.list[].x`, `query.x`).

interface Request {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  payload?: object;
  /** Tenant A's owner unless given. */
  headers?: Record<string, string>;
}
type Case =
  /** A body id of B's: a 4xx problem (naming `field` when the app names one); nothing written in A. */
  | (Request & { expect: 'refused'; status: 400 | 404 | 422; code: string; field: string | null })
  /** A query filter with B's id: an empty list or a 4xx, nothing written; `bUrl` shows B does get rows. */
  | (Request & { expect: 'filtered'; bUrl: string })
  /** Anything else: the case checks the answer itself. */
  | (Request & { expect: 'custom'; check: (res: LightMyRequestResponse) => Promise<void> });

const refused = (req: Request, field: string | null, status: 400 | 404 | 422 = 400, code = 'validation_failed'): Case => ({
  ...req,
  expect: 'refused',
  status,
  code,
  field,
});
const filter = (path: string, param: string, id: () => string): (() => Case) => () => ({
  method: 'GET',
  url: `${path}?${param}=${id()}&limit=100`,
  bUrl: `${path}?${param}=${id()}&limit=100`,
  expect: 'filtered',
});

/** A report filtered by B's id: 200 and no rows, whatever A has. */
const reportFor = (report: string, param: string, id: () => string): Case => ({
  method: 'GET',
  url: `/v1/reports/${report}?from=2025-01-01&to=2027-12-31&${param}=${id()}`,
  expect: 'custom',
  check: async (res) => {
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual([]);
  },
});

const schedule = (applicationId: string, contactId: string) => ({
  applicationId,
  format: 'video',
  startsAt: '2099-01-05T15:00:00Z',
  endsAt: '2099-01-05T16:00:00Z',
  timeZone: 'America/New_York',
  arrangedVia: 'email',
  participants: [{ contactId, role: 'interviewer' }],
});

const fixtures: Record<string, () => Case> = {
  // employers, contacts, positions
  'GET /v1/employers query.parentId': filter('/v1/employers', 'parentId', () => B.story.district.id),
  'POST /v1/employers body.parentId': () => refused({ method: 'POST', url: '/v1/employers', payload: { name: 'A School', kind: 'school', parentId: B.story.district.id } }, 'body.parentId'),
  'PATCH /v1/employers/:id body.parentId': () => refused({ method: 'PATCH', url: `/v1/employers/${A.story.school.id}`, payload: { parentId: B.story.district.id } }, 'body.parentId'),
  'GET /v1/contacts query.employerId': filter('/v1/contacts', 'employerId', () => B.story.school.id),
  'POST /v1/contacts body.employerId': () => refused({ method: 'POST', url: '/v1/contacts', payload: { employerId: B.story.school.id, name: 'A Contact' } }, 'body.employerId'),
  'PATCH /v1/contacts/:id body.employerId': () => refused({ method: 'PATCH', url: `/v1/contacts/${A.story.teacher.id}`, payload: { employerId: B.story.school.id } }, 'body.employerId'),
  'GET /v1/positions query.employerId': filter('/v1/positions', 'employerId', () => B.story.school.id),
  'POST /v1/positions body.employerId': () => refused({ method: 'POST', url: '/v1/positions', payload: { employerId: B.story.school.id, title: 'A Position' } }, 'body.employerId'),
  'PATCH /v1/positions/:id body.employerId': () => refused({ method: 'PATCH', url: `/v1/positions/${A.story.position.id}`, payload: { employerId: B.story.school.id } }, 'body.employerId'),
  // applications
  'GET /v1/applications query.positionId': filter('/v1/applications', 'positionId', () => B.story.position.id),
  'GET /v1/applications query.candidateId': filter('/v1/applications', 'candidateId', () => B.story.candidate.id),
  'GET /v1/applications query.ownerId': filter('/v1/applications', 'ownerId', () => b.ownerId),
  'POST /v1/applications body.candidateId': () => refused({ method: 'POST', url: '/v1/applications', payload: { candidateId: B.story.candidate.id, positionId: A.story.position.id } }, 'body.candidateId'),
  'POST /v1/applications body.positionId': () => refused({ method: 'POST', url: '/v1/applications', payload: { candidateId: A.freeCandidate, positionId: B.story.position.id } }, 'body.positionId'),
  'POST /v1/applications body.ownerId': () =>
    refused({ method: 'POST', url: '/v1/applications', payload: { candidateId: A.freeCandidate, positionId: A.story.position.id, ownerId: B.recruiter.id } }, 'body.ownerId'),
  'PATCH /v1/applications/:id body.ownerId': () => refused({ method: 'PATCH', url: `/v1/applications/${A.story.application.id}`, payload: { ownerId: B.recruiter.id } }, 'body.ownerId'),
  'POST /v1/applications/:id/replies body.interviewId': () =>
    refused({ method: 'POST', url: `/v1/applications/${A.story.application.id}/replies`, payload: { channel: 'email', summary: 'From B', interviewId: B.interview.id } }, 'body.interviewId'),
  // interviews
  'GET /v1/interviews query.employerId': filter('/v1/interviews', 'employerId', () => B.story.school.id),
  'GET /v1/interviews query.recruiterId': filter('/v1/interviews', 'recruiterId', () => b.ownerId),
  'GET /v1/interviews query.candidateId': filter('/v1/interviews', 'candidateId', () => B.story.candidate.id),
  'GET /v1/interviews query.applicationId': filter('/v1/interviews', 'applicationId', () => B.story.application.id),
  'POST /v1/interviews body.applicationId': () => refused({ method: 'POST', url: '/v1/interviews', payload: schedule(B.story.application.id, A.story.principal.id) }, 'body.applicationId'),
  'POST /v1/interviews body.participants[].contactId': () =>
    refused({ method: 'POST', url: '/v1/interviews', payload: schedule(A.story.application.id, B.story.principal.id) }, 'body.participants.0.contactId'),
  'POST /v1/interviews/:id/complete body.participants[].contactId': () =>
    refused({ method: 'POST', url: `/v1/interviews/${A.interview.id}/complete`, payload: { participants: [{ contactId: B.story.principal.id, notes: 'From B' }] } }, 'body.participants.0.contactId'),
  'POST /v1/interviews/:id/participants body.contactId': () =>
    refused({ method: 'POST', url: `/v1/interviews/${A.interview.id}/participants`, payload: { contactId: B.story.teacher.id } }, 'body.contactId'),
  // reports: another agency's employer or recruiter reports nothing (a period of 3 years around now)
  'GET /v1/reports/employers query.employerId': () => reportFor('employers', 'employerId', () => B.story.school.id),
  'GET /v1/reports/employers query.recruiterId': () => reportFor('employers', 'recruiterId', () => b.ownerId),
  'GET /v1/reports/follow-ups query.employerId': () => reportFor('follow-ups', 'employerId', () => B.story.school.id),
  'GET /v1/reports/follow-ups query.recruiterId': () => reportFor('follow-ups', 'recruiterId', () => b.ownerId),
  'GET /v1/reports/pipeline query.employerId': () => reportFor('pipeline', 'employerId', () => B.story.school.id),
  'GET /v1/reports/pipeline query.recruiterId': () => reportFor('pipeline', 'recruiterId', () => b.ownerId),
  // follow-ups
  'GET /v1/follow-ups query.recruiterId': filter('/v1/follow-ups', 'recruiterId', () => b.ownerId),
  // B has no declines to show: A asking with B's owner gets an empty list (test/interviews.responses.test.ts shows rows).
  'GET /v1/interview-declines query.recruiterId': () => ({
    method: 'GET',
    url: `/v1/interview-declines?recruiterId=${b.ownerId}`,
    expect: 'custom',
    check: async (res) => {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ data: [] });
    },
  }),
  'GET /v1/follow-ups query.candidateId': filter('/v1/follow-ups', 'candidateId', () => B.story.candidate.id),
  'GET /v1/follow-ups query.interviewId': filter('/v1/follow-ups', 'interviewId', () => B.interview.id),
  'POST /v1/follow-up-templates/:templateId/preview body.followUpId': () =>
    refused({ method: 'POST', url: '/v1/follow-up-templates/thank_you.email.candidate/preview', payload: { followUpId: B.followUp } }, 'body.followUpId'),
  // activity
  'GET /v1/activity query.candidateId': filter('/v1/activity', 'candidateId', () => B.story.candidate.id),
  'GET /v1/activity query.applicationId': filter('/v1/activity', 'applicationId', () => B.story.application.id),
  'GET /v1/activity query.interviewId': filter('/v1/activity', 'interviewId', () => B.interview.id),
  'GET /v1/activity query.subjectId': filter('/v1/activity', 'subjectId', () => B.story.school.id),
  // other systems' ids
  'GET /v1/external-ids query.id': filter('/v1/external-ids', 'id', () => B.story.candidate.id),
  'PUT /v1/external-ids/:type/:source/:externalId body.id': () =>
    refused({ method: 'PUT', url: '/v1/external-ids/candidate/bullhorn/from-b', payload: { id: B.story.candidate.id } }, 'body.id'),
  // upserts by another system's id: an unknown id creates, so B's ids are refused as the create refuses them
  'PUT /v1/employers/by-external-id/:source/:externalId body.parentId': () =>
    refused({ method: 'PUT', url: '/v1/employers/by-external-id/bullhorn/from-b', payload: { name: 'A School', parentId: B.story.district.id } }, 'body.parentId'),
  'PUT /v1/contacts/by-external-id/:source/:externalId body.employerId': () =>
    refused({ method: 'PUT', url: '/v1/contacts/by-external-id/bullhorn/from-b', payload: { employerId: B.story.school.id, name: 'A Contact' } }, 'body.employerId'),
  'PUT /v1/positions/by-external-id/:source/:externalId body.employerId': () =>
    refused({ method: 'PUT', url: '/v1/positions/by-external-id/bullhorn/from-b', payload: { employerId: B.story.school.id, title: 'A Position' } }, 'body.employerId'),
  'PUT /v1/applications/by-external-id/:source/:externalId body.candidateId': () =>
    refused({ method: 'PUT', url: '/v1/applications/by-external-id/bullhorn/from-b', payload: { candidateId: B.story.candidate.id, positionId: A.story.position.id } }, 'body.candidateId'),
  'PUT /v1/applications/by-external-id/:source/:externalId body.positionId': () =>
    refused({ method: 'PUT', url: '/v1/applications/by-external-id/bullhorn/from-b', payload: { candidateId: A.freeCandidate, positionId: B.story.position.id } }, 'body.positionId'),
  'PUT /v1/applications/by-external-id/:source/:externalId body.ownerId': () =>
    refused(
      { method: 'PUT', url: '/v1/applications/by-external-id/bullhorn/from-b', payload: { candidateId: A.freeCandidate, positionId: A.story.position.id, ownerId: B.recruiter.id } },
      'body.ownerId',
    ),
  'PUT /v1/interviews/by-external-id/:source/:externalId body.applicationId': () =>
    refused({ method: 'PUT', url: '/v1/interviews/by-external-id/bullhorn/from-b', payload: schedule(B.story.application.id, A.story.principal.id) }, 'body.applicationId'),
  'PUT /v1/interviews/by-external-id/:source/:externalId body.participants[].contactId': () =>
    refused({ method: 'PUT', url: '/v1/interviews/by-external-id/bullhorn/from-b', payload: schedule(A.story.application.id, B.story.principal.id) }, 'body.participants.0.contactId'),
  // inbound replies
  'POST /v1/inbound-replies/:id/assign body.applicationId': () =>
    refused({ method: 'POST', url: `/v1/inbound-replies/${A.inbound}/assign`, payload: { applicationId: B.story.application.id } }, 'body.applicationId'),
  'POST /v1/inbound-replies/:id/assign body.interviewId': () =>
    refused({ method: 'POST', url: `/v1/inbound-replies/${A.inbound}/assign`, payload: { applicationId: A.story.application.id, interviewId: B.interview.id } }, 'body.interviewId'),
  // Not a record id but the email's own Message-ID, unique per agency: B's Message-ID arriving
  // at A is a new email of A's (202), never "a duplicate" answered with B's record (200).
  'POST /v1/inbound/email body.messageId': () => ({
    method: 'POST',
    url: '/v1/inbound/email',
    headers: { authorization: `Bearer ${A.inboundSecret}` },
    payload: { from: 'x@a.example.org', subject: 'Same id', text: 'A text', messageId: B.inbound.messageId },
    expect: 'custom',
    check: async (res) => {
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json().id).not.toBe(B.inbound.id);
      expect(res.json().text).toBe('A text');
    },
  }),
};

/**
 * Ids that travel inside other values, which the OpenAPI walk cannot see: checked too. Each key
 * must not be found by the walk (it would belong in `fixtures`).
 */
const embeddedFixtures: Record<string, () => Case | Promise<Case>> = {
  // `<fu-<follow-up id>@afterview>` in In-Reply-To/References: B's follow-up, quoted in an email
  // to A, matches nothing in A (unmatched, no reply written) and is B's reply only at B.
  'POST /v1/inbound/email body.inReplyTo': () => {
    const quoted = `<fu-${B.followUp}@afterview>`;
    const email = { from: 'principal@b.example.org', subject: 'Re: thanks', text: 'We decide on Friday.', inReplyTo: quoted, references: quoted };
    return {
      method: 'POST',
      url: '/v1/inbound/email',
      headers: { authorization: `Bearer ${A.inboundSecret}` },
      payload: email,
      expect: 'custom',
      check: async (res) => {
        expect(res.statusCode, res.body).toBe(202);
        expect(res.json()).toMatchObject({ status: 'unmatched', followUpId: null, applicationId: null, replyId: null });
        // The fixture is real: at B the same email is the employer's reply.
        const atB = await inboundEmail((await post(b, '/v1/inbound/secret', {})).secret as string, email);
        expect(atB.json()).toMatchObject({ status: 'matched', followUpId: B.followUp });
      },
    };
  },
  // A keyset cursor names the last row of B's page: at A it pages A's rows only.
  'GET /v1/employers query.cursor': async () => {
    const page = (await t.app.inject({ url: '/v1/employers?limit=1', headers: bearer(b.token) })).json() as { nextCursor: string | null };
    if (!page.nextCursor) throw new Error('B has one employer only');
    const bIds = [B.story.district.id, B.story.school.id];
    return {
      method: 'GET',
      url: `/v1/employers?limit=100&cursor=${encodeURIComponent(page.nextCursor)}`,
      expect: 'custom',
      check: async (res) => {
        if (res.statusCode >= 400) return void expectProblem(res, res.statusCode);
        expect(res.statusCode, res.body).toBe(200);
        const ids = (res.json().data as { id: string }[]).map((e) => e.id);
        expect(ids.filter((id) => bIds.includes(id))).toEqual([]);
      },
    };
  },
};

/**
 * Id-like fields that cannot take "another agency's id", each with its reason. Empty today:
 * every field found has a fixture (`body.messageId` is an email header, tested above as such).
 */
const exceptions: Record<string, string> = {};

// ---------------------------------------------------------------------------------------------
// The fields, from the served OpenAPI document.

type Schema = Record<string, unknown> & { $ref?: string; properties?: Record<string, Schema>; items?: Schema; format?: string };
async function idFields(): Promise<string[]> {
  const doc = (await t.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const deref = (s: Schema | undefined): Schema | undefined => {
    while (s?.$ref) s = s.$ref.split('/').slice(1).reduce<any>((o, k) => o[k], doc) as Schema;
    return s;
  };
  const isUuid = (s: Schema | undefined): boolean =>
    deref(s)?.format === 'uuid' || ['anyOf', 'oneOf', 'allOf'].some((k) => ((deref(s)?.[k] as Schema[] | undefined) ?? []).some(isUuid));
  const idLike = (name: string, s: Schema | undefined) => /Ids?$/.test(name) || isUuid(s) || isUuid(deref(s)?.items);
  const found = new Set<string>();
  const walk = (s: Schema | undefined, path: string, depth = 0): void => {
    s = deref(s);
    if (!s || depth > 8) return;
    for (const k of ['anyOf', 'oneOf', 'allOf']) for (const x of (s[k] as Schema[] | undefined) ?? []) walk(x, path, depth + 1);
    if (s.items) walk(s.items, `${path}[]`, depth + 1);
    for (const [name, p] of Object.entries(s.properties ?? {})) {
      if (idLike(name, p)) found.add(`${path}.${name}`);
      walk(p, `${path}.${name}`, depth + 1);
    }
  };
  const out: string[] = [];
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      found.clear();
      for (const prm of (op.parameters as { in: string; name: string; schema?: Schema }[] | undefined) ?? []) {
        if (prm.in === 'query' && idLike(prm.name, prm.schema)) found.add(`query.${prm.name}`);
      }
      const body = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content?.['application/json']?.schema;
      walk(body, 'body');
      for (const f of found) out.push(`${method.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')} ${f}`);
    }
  }
  return out.sort();
}

describe('ids in bodies and query strings: another agency’s id gets nothing', () => {
  let fields: string[] = [];
  beforeAll(async () => {
    fields = await idFields();
  });

  it('every id-like body or query field has a fixture or a stated exception (a new one cannot escape)', () => {
    expect(fields.length).toBeGreaterThan(20);
    expect(fields.filter((f) => !fixtures[f] && !exceptions[f])).toEqual([]);
  });

  it('every fixture and exception names a field the API has', () => {
    expect([...Object.keys(fixtures), ...Object.keys(exceptions)].filter((k) => !fields.includes(k))).toEqual([]);
    expect(Object.keys(embeddedFixtures).filter((k) => fields.includes(k)), 'found by the walk: move to fixtures').toEqual([]);
  });

  const run = async (c: Request) =>
    t.app.inject({ method: c.method, url: c.url, headers: c.headers ?? bearer(a.token), ...(c.payload ? { payload: c.payload } : {}) });

  for (const [key, fixture] of Object.entries({ ...fixtures, ...embeddedFixtures })) {
    it(`${key}: B's id at A`, async () => {
      const c = await fixture();
      const before = await snapshot(a.tenantId);
      const res = await run(c);
      if (c.expect === 'custom') return c.check(res);
      const written = changed(before, await snapshot(a.tenantId));
      if (c.expect === 'refused') {
        const p = expectProblem(res, c.status, c.code);
        expect(p.errors?.map((e) => e.field) ?? [], res.body).toEqual(c.field ? [c.field] : []);
        expect(written, 'rows written in A').toEqual([]);
        return;
      }
      // filtered: B's own request with the same filter finds rows, so an empty answer at A means something.
      const atB = await t.app.inject({ url: c.bUrl, headers: bearer(b.token) });
      expect(atB.statusCode).toBe(200);
      expect((atB.json().data as unknown[]).length, `${c.bUrl} at B`).toBeGreaterThan(0);
      if (res.statusCode >= 400) expectProblem(res, res.statusCode);
      else expect({ status: res.statusCode, data: res.json().data }).toEqual({ status: 200, data: [] });
      expect(written, 'rows written in A').toEqual([]);
    });
  }
});
