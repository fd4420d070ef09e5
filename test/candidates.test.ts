import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, uniq, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, asAppRole } from './helpers/db.js';
import { fixedClock } from '../src/lib/clock.js';

let t: TestApp;
let tenant: TestTenant;
const clock = fixedClock('2026-11-20T15:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ clock });
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Candidate = Schemas['Candidate'];
const email = () => `${uniq('c')}@example.org`;
const post = (payload: object, token = tenant.token) =>
  t.app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(token), payload });
const patch = (id: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'PATCH', url: `/v1/candidates/${id}`, headers: { ...bearer(tenant.token), ...headers }, payload });
const list = async (qs: string, token = tenant.token) =>
  (await t.app.inject({ url: `/v1/candidates?${qs}`, headers: bearer(token) })).json().data as Candidate[];

describe('candidates', () => {
  it('when a candidate is added with consent, then the consent time is recorded by the server', async () => {
    const c = json<Candidate>(
      await post({ name: 'Jordan Lee', email: email(), phone: '+15555550123', relayConsent: true, tags: ['Math', 'math', 'grade-5'], timeZone: 'America/New_York' }),
    );
    expect(c).toMatchObject({ relayConsent: true, relayConsentAt: '2026-11-20T15:00:00.000Z', statusUpdatesOptIn: true, tags: ['math', 'grade-5'], version: 1 });
    clock.advance(60_000);
    const off = json<Candidate>(await patch(c.id, { relayConsent: false }));
    expect(off).toMatchObject({ relayConsent: false, relayConsentAt: null, version: 2 });
    const on = json<Candidate>(await patch(c.id, { relayConsent: true }));
    expect(on.relayConsentAt).toBe('2026-11-20T15:01:00.000Z');
  });

  it('when the email is already a candidate (any case), then 409 names the existing record', async () => {
    const e = email();
    const first = json<Candidate>(await post({ name: 'First', email: e }));
    const p = expectProblem(await post({ name: 'Second', email: e.toUpperCase() }), 409, 'already_exists');
    expect(p.existingId).toBe(first.id);
    expect(p.errors).toEqual([{ field: 'body.email', message: 'Already used' }]);
    const other = json<Candidate>(await post({ name: 'Other', email: email() }));
    expect(expectProblem(await patch(other.id, { email: e }), 409, 'already_exists').existingId).toBe(first.id);
  });

  it('searches by part of name or email, and by tag', async () => {
    const own = await newTenant(t.app);
    await post({ name: 'Ada Lovelace', email: 'ada@math.example.org', tags: ['math'] }, own.token);
    await post({ name: 'Grace Hopper', email: 'grace@navy.example.org', tags: ['cs', 'math'] }, own.token);
    await post({ name: 'Alan Turing', email: 'alan@example.org', tags: ['cs'] }, own.token);
    expect((await list('q=hopper', own.token)).map((c) => c.name)).toEqual(['Grace Hopper']);
    expect((await list('q=MATH.example', own.token)).map((c) => c.name)).toEqual(['Ada Lovelace']);
    expect((await list('tag=math', own.token)).map((c) => c.name)).toEqual(['Grace Hopper', 'Ada Lovelace']);
    const page1 = await t.app.inject({ url: '/v1/candidates?limit=2', headers: bearer(own.token) });
    const page2 = await t.app.inject({ url: `/v1/candidates?limit=2&cursor=${page1.json().nextCursor}`, headers: bearer(own.token) });
    expect([...page1.json().data, ...page2.json().data].map((c: Candidate) => c.name)).toEqual(['Alan Turing', 'Grace Hopper', 'Ada Lovelace']);
    expect(page2.json().nextCursor).toBeNull();
  });

  it('a search sees only its own agency, treats % and _ literally, combines q and tag, and pages', async () => {
    const own = await newTenant(t.app);
    const other = await newTenant(t.app);
    await post({ name: 'Maria Lopez', email: 'maria@own.example.org', tags: ['spanish'] }, own.token);
    await post({ name: 'Mario Lopez', email: 'mario@own.example.org', tags: ['music'] }, own.token);
    await post({ name: 'Marta 100% Lopez', email: 'marta_l@own.example.org', tags: ['spanish'] }, own.token);
    await post({ name: 'Maria Lopez', email: 'maria@other.example.org', tags: ['spanish'] }, other.token);
    const names = async (qs: string, token = own.token) => (await list(qs, token)).map((c) => `${c.name} <${c.email}>`);

    expect(await names('q=lopez')).toEqual(['Marta 100% Lopez <marta_l@own.example.org>', 'Mario Lopez <mario@own.example.org>', 'Maria Lopez <maria@own.example.org>']);
    expect(await names('q=maria')).toEqual(['Maria Lopez <maria@own.example.org>']);
    expect(await names('q=maria', other.token)).toEqual(['Maria Lopez <maria@other.example.org>']);
    expect(await names('tag=spanish&q=ria')).toEqual(['Maria Lopez <maria@own.example.org>']);
    expect(await names('q=100%25')).toEqual(['Marta 100% Lopez <marta_l@own.example.org>']);
    expect(await names('q=rta_l')).toEqual(['Marta 100% Lopez <marta_l@own.example.org>']);
    expect(await names('q=rt__')).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url = `/v1/candidates?q=lopez&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const body: { data: Candidate[]; nextCursor: string | null } = (await t.app.inject({ url, headers: bearer(own.token) })).json();
      seen.push(...body.data.map((c) => c.name));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Marta 100% Lopez', 'Mario Lopez', 'Maria Lopez']);
  });

  it('the search function returns nothing without a tenant context (it reads past row-level security)', async () => {
    const own = await newTenant(t.app);
    await post({ name: 'Context Check', email: email() }, own.token);
    // As the app's role, on a connection of its own: no context, or another agency's, finds nothing.
    const search = "SELECT app_private.search_candidates('%Context Check%', NULL, false, NULL, 10) AS id";
    expect(await asAppRole(null, search)).toEqual([]);
    expect(await asAppRole(tenant.tenantId, search)).toEqual([]);
    expect(await asAppRole(own.tenantId, search)).toHaveLength(1);
  });

  it.each([
    [{ name: '' }, 'body.name'],
    [{ name: 'X', email: 'not-an-email' }, 'body.email'],
    [{ name: 'X', phone: '555-0123' }, 'body.phone'],
    [{ name: 'X', linkedinUrl: 'https://evil.example.com/in/x' }, 'body.linkedinUrl'],
    [{ name: 'X', timeZone: 'Mars/Base' }, 'body.timeZone'],
    [{ name: 'X', tags: ['x'.repeat(51)] }, 'body.tags.0'],
    [{ name: 'X', relayConsent: 'yes' }, 'body.relayConsent'],
    [{ name: 'X', relayConsentAt: '2020-01-01T00:00:00Z' }, 'body.relayConsentAt'],
  ])('when the body is %j, then 400 names %s', async (payload, field) => {
    const p = expectProblem(await post(payload), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual([field]);
  });

  it('a viewer reads but cannot write; only admins erase', async () => {
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    const c = json<Candidate>(await post({ name: 'Role Test', email: email() }, recruiter.token));
    expect((await t.app.inject({ url: `/v1/candidates/${c.id}`, headers: bearer(viewer.token) })).statusCode).toBe(200);
    expectProblem(await post({ name: 'Nope' }, viewer.token), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'POST', url: `/v1/candidates/${c.id}/erase`, headers: bearer(recruiter.token) }), 403);
  });
});

/** Every row of every table that holds an agency's rows, as text (the admin connection bypasses RLS). */
async function agencyDump(tenantId: string) {
  const tables = await adminPool().query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name",
  );
  expect(tables.rows.length).toBeGreaterThan(15);
  const parts = await Promise.all(
    tables.rows.map(async ({ table_name }) => {
      const res = await adminPool().query(`SELECT coalesce(json_agg(t)::text, '') AS rows FROM "${table_name}" t WHERE tenant_id = $1`, [tenantId]);
      return `${table_name}: ${res.rows[0].rows}`;
    }),
  );
  return parts.join('\n');
}

describe('personal data', () => {
  it('export holds the candidate and their timeline', async () => {
    const c = json<Candidate>(await post({ name: 'Export Me', email: email() }));
    await patch(c.id, { notes: 'Prefers mornings' });
    const res = await t.app.inject({ url: `/v1/candidates/${c.id}/export`, headers: bearer(tenant.token) });
    expect(res.statusCode).toBe(200);
    const body = json<Schemas['CandidateExport']>(res);
    expect(body.candidate).toMatchObject({ id: c.id, name: 'Export Me', notes: 'Prefers mornings' });
    expect(body.activity.map((a) => a.action)).toEqual(['candidate.created', 'candidate.updated']);
  });

  it('erasure leaves no personal field anywhere, timeline and events included; re-adding needs an override', async () => {
    const e = email();
    // Created with an Idempotency-Key: the answer kept for replays quotes the person too.
    const body = { name: 'Forget Me', email: e, phone: '+15555550199', linkedinUrl: 'https://www.linkedin.com/in/forget-me', notes: 'Secret note', tags: ['private-tag'] };
    const key = uniq('erase');
    const create = () => t.app.inject({ method: 'POST', url: '/v1/candidates', headers: { ...bearer(tenant.token), 'idempotency-key': key }, payload: body });
    const c = json<Candidate>(await create());
    expect((await create()).headers['idempotent-replayed']).toBe('true');
    await patch(c.id, { name: 'Forget Me Please', notes: 'Another secret' });
    const res = await t.app.inject({ method: 'POST', url: `/v1/candidates/${c.id}/erase`, headers: bearer(tenant.token) });
    expect(res.statusCode).toBe(200);
    expect(json<Candidate>(res)).toMatchObject({ name: 'Erased candidate', email: null, phone: null, linkedinUrl: null, notes: null, tags: [] });
    const personal = [e, 'Forget Me', '+15555550199', 'forget-me', 'Secret note', 'Another secret', 'private-tag'];
    // Every table of the agency, not only those erasure is known to touch.
    const all = await agencyDump(tenant.tenantId);
    for (const value of personal) expect(all, value).not.toContain(value);
    // A replay of the create now says the change was made, without the erased answer.
    const replay = expectProblem(await create(), 409, 'idempotency_answer_lost');
    expect(replay.detail).toMatch(/erased/);
    const actions = (await t.app.inject({ url: `/v1/activity?candidateId=${c.id}`, headers: bearer(tenant.token) })).json().data;
    expect(actions.map((a: { action: string }) => a.action)).toEqual(['candidate.erased', 'candidate.updated', 'candidate.created']);
    expect(await list('q=Forget')).toEqual([]);
    expectProblem(await patch(c.id, { name: 'Back' }), 409, 'conflict');
    const again = expectProblem(await post({ name: 'Forget Me', email: e }), 409, 'previously_erased');
    expect(again.errors?.[0]?.field).toBe('body.email');
    expect((await post({ name: 'Forget Me', email: e, overrideErasure: true })).statusCode).toBe(201);
  });

  it('an edit with a stale If-Match answers 412 with the current version and changes nothing; the right one goes through', async () => {
    const c = json<Candidate>(await post({ name: 'Version Check', email: email() }));
    expect((await patch(c.id, { notes: 'first' }, { 'if-match': '"1"' })).statusCode).toBe(200);
    const stale = await patch(c.id, { notes: 'second' }, { 'if-match': '"1"' });
    expect(expectProblem(stale, 412, 'precondition_failed')).toMatchObject({ currentVersion: 2 });
    const now = json<Candidate>(await t.app.inject({ url: `/v1/candidates/${c.id}`, headers: bearer(tenant.token) }));
    expect(now).toMatchObject({ notes: 'first', version: 2 });
    expectProblem(await patch(c.id, { notes: 'x' }, { 'if-match': 'soon' }), 400, 'validation_failed');
    const fresh = await patch(c.id, { notes: 'second' }, { 'if-match': '"2"' });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers.etag).toBe('"3"');
  });

  it('an edit does not bring an erased person back either: changing an email to theirs needs the override', async () => {
    const e = email();
    const gone = json<Candidate>(await post({ name: 'Gone Person', email: e }));
    expect((await t.app.inject({ method: 'POST', url: `/v1/candidates/${gone.id}/erase`, headers: bearer(tenant.token) })).statusCode).toBe(200);
    const other = json<Candidate>(await post({ name: 'Someone Else', email: email() }));
    const refused = expectProblem(await patch(other.id, { email: e.toUpperCase() }), 409, 'previously_erased');
    expect(refused.errors?.[0]?.field).toBe('body.email');
    const unchanged = json<Candidate>(await t.app.inject({ url: `/v1/candidates/${other.id}`, headers: bearer(tenant.token) }));
    expect(unchanged).toMatchObject({ email: other.email, version: 1 });
    expectProblem(await patch(other.id, { overrideErasure: true }), 400, 'validation_failed');
    const changed = await patch(other.id, { email: e, overrideErasure: true });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json<Candidate>(changed)).toMatchObject({ email: e, version: 2 });
  });
});

describe('erasure reaches the applications', () => {
  it('outcome notes, reply summaries, interview notes and highlights, stage reasons and their timeline and events are wiped too', async () => {
    const { recruitingStory, scheduledInterview } = await import('./helpers/story.js');
    const own = await newTenant(t.app);
    const story = await recruitingStory(t.app, own);
    const interview = await scheduledInterview(t.app, own, story);
    const ok = (res: { statusCode: number; body: string }) => expect(res.statusCode, res.body).toBeLessThan(300);
    clock.set('2026-12-03T16:30:00Z');
    ok(
      await t.app.inject({
        method: 'POST',
        url: `/v1/interviews/${interview.id}/complete`,
        // Its answer, kept for replays, quotes the highlights.
        headers: { ...bearer(own.token), 'idempotency-key': uniq('complete') },
        payload: { highlights: 'Jordan Lee taught a strong lesson', participants: [{ contactId: story.principal.id, notes: 'Jordan Lee seemed nervous', highlight: 'Liked Jordan Lee' }] },
      }),
    );
    ok(await t.app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/replies`, headers: bearer(own.token), payload: { channel: 'email', summary: 'They liked Jordan Lee a lot' } }));
    ok(await t.app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/stage`, headers: bearer(own.token), payload: { stage: 'offer', reason: 'Jordan Lee impressed the panel' } }));
    ok(await t.app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/outcomes`, headers: bearer(own.token), payload: { kind: 'rejected', reason: 'Jordan Lee lacks certification', notes: 'Jordan Lee to reapply' } }));
    // The whole agency: this test's own, so the candidate's name may appear nowhere once erased.
    const dumpAll = () => agencyDump(own.tenantId);
    // Everything above wrote the name somewhere, or the check below would prove nothing.
    const before = await dumpAll();
    for (const text of ['taught a strong lesson', 'seemed nervous', 'Liked Jordan', 'liked Jordan Lee a lot', 'impressed the panel', 'lacks certification', 'to reapply']) {
      expect(before).toContain(text);
    }
    // The export holds all of it, each where it belongs.
    const res = await t.app.inject({ url: `/v1/candidates/${story.candidate.id}/export`, headers: bearer(own.token) });
    expect(res.statusCode, res.body).toBe(200);
    const exported = json<Schemas['CandidateExport']>(res);
    expect(exported.applications.map((a) => a.id)).toEqual([story.application.id]);
    expect(exported.applications[0]!.stageHistory.map((s) => s.reason)).toContain('Jordan Lee impressed the panel');
    expect(exported.interviews).toMatchObject([{ id: interview.id, highlights: 'Jordan Lee taught a strong lesson' }]);
    expect(exported.interviews[0]!.participants.find((p) => p.contactId === story.principal.id)).toMatchObject({ notes: 'Jordan Lee seemed nervous', highlight: 'Liked Jordan Lee' });
    expect(exported.outcomes).toMatchObject([{ kind: 'rejected', reason: 'Jordan Lee lacks certification', notes: 'Jordan Lee to reapply' }]);
    expect(exported.employerReplies.map((r) => r.summary)).toEqual(['They liked Jordan Lee a lot']);
    expect(exported.followUps.length).toBeGreaterThan(0);
    expect(new Set(exported.followUps.map((f) => f.candidateId))).toEqual(new Set([story.candidate.id]));
    expect(exported.activity.map((a) => a.action)).toContain('outcome.logged');
    expect((await t.app.inject({ method: 'POST', url: `/v1/candidates/${story.candidate.id}/erase`, headers: bearer(own.token) })).statusCode).toBe(200);
    expect(await dumpAll()).not.toContain('Jordan Lee');
    // The timeline still says what happened to the application, stage by stage.
    const stages = (await t.app.inject({ url: `/v1/activity?subjectId=${story.application.id}`, headers: bearer(own.token) })).json().data;
    expect(stages.some((a: { changes: Record<string, { after: unknown }> }) => a.changes.stage?.after === 'offer')).toBe(true);
    clock.set('2026-11-20T15:00:00Z');
  });
});

describe('the activity timeline', () => {
  it('lists the agency’s activity newest first and filters by subject', async () => {
    const own = await newTenant(t.app);
    const c = json<Candidate>(await post({ name: 'Timeline', email: email() }, own.token));
    await t.app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(own.token), payload: { name: 'An Employer' } });
    const all = (await t.app.inject({ url: '/v1/activity', headers: bearer(own.token) })).json().data;
    expect(all.map((a: { action: string }) => a.action)).toEqual(['employer.created', 'candidate.created', 'user.created']);
    expect(all[1]).toMatchObject({ subject: { type: 'candidate', id: c.id }, actor: { type: 'user', id: own.ownerId }, candidateId: c.id });
    const mine = (await t.app.inject({ url: `/v1/activity?subjectId=${c.id}`, headers: bearer(own.token) })).json().data;
    expect(mine).toHaveLength(1);
    expectProblem(await t.app.inject({ url: '/v1/activity?candidateId=nope', headers: bearer(own.token) }), 400);
  });
});
