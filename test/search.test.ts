import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, uniq, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, type Story } from './helpers/story.js';

/**
 * Finding anyone: one search over candidates, employers, contacts and positions (GET /v1/search),
 * and the lists a recruiter scans: candidates with where they stand, applications with names.
 */
let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let story: Story;
const word = uniq('Zephyrine').replace('-', '');
beforeAll(async () => {
  t = await createTestApp();
  [a, b] = await Promise.all([newTenant(t.app), newTenant(t.app)]);
  story = await recruitingStory(t.app, a);
  const post = (tenant: TestTenant, url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: bearer(tenant.token), payload });
  // The same word in a candidate's name, a school's name, a contact's email and a position's title, in both agencies.
  for (const tenant of [a, b]) {
    await post(tenant, '/v1/candidates', { name: `Robin ${word}`, email: `robin-${uniq()}@example.org` });
    const school = json<{ id: string }>(await post(tenant, '/v1/employers', { name: `${word} Academy`, kind: 'school' }));
    await post(tenant, '/v1/contacts', { employerId: school.id, name: 'Dana Office', email: `${word.toLowerCase()}-office@school.example.org` });
    await post(tenant, '/v1/positions', { employerId: school.id, title: `${word} art teacher` });
  }
});
afterAll(() => t.close());

type Result = Schemas['SearchResult'];
const search = (q: string, token = a.token, extra = '') => t.app.inject({ url: `/v1/search?q=${encodeURIComponent(q)}${extra}`, headers: bearer(token) });

describe('GET /v1/search', () => {
  it('finds each kind by part of a name, an email or a title, in the caller’s agency only', async () => {
    const res = await search(word.slice(0, 9).toLowerCase());
    expect(res.statusCode, res.body).toBe(200);
    const r = json<Result>(res);
    expect(r.candidates.map((c) => c.name)).toEqual([`Robin ${word}`]);
    expect(r.employers.map((e) => e.name)).toEqual([`${word} Academy`]);
    expect(r.contacts.map((c) => c.name)).toEqual(['Dana Office']);
    expect(r.positions.map((p) => p.title)).toEqual([`${word} art teacher`]);
    expect(r.more).toEqual({ candidates: false, employers: false, contacts: false, positions: false });
    // B's records with the same word never show in A's answer.
    const mine = new Set([...r.candidates, ...r.employers, ...r.contacts, ...r.positions].map((x) => x.id));
    const theirs = json<Result>(await search(word, b.token));
    expect([...theirs.candidates, ...theirs.employers, ...theirs.contacts, ...theirs.positions].some((x) => mine.has(x.id))).toBe(false);
    expect(theirs.candidates).toHaveLength(1);
  });

  it('shows the first few of each kind and says there are more', async () => {
    const h = bearer(a.token);
    const many = uniq('Quillon').replace('-', '');
    for (let i = 0; i < 3; i++) await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: h, payload: { name: `${many} ${i}` } });
    const r = json<Result>(await search(many, a.token, '&perKind=2'));
    expect(r.candidates).toHaveLength(2);
    expect(r.more.candidates).toBe(true);
    expect(r.employers).toEqual([]);
  });

  it('an API key gets the kinds its scopes read', async () => {
    const key = await apiKey(t.app, a, ['candidates:read']);
    const r = json<Result>(await search(word, key.secret));
    expect(r.candidates).toHaveLength(1);
    expect(r.employers).toEqual([]);
    expect(r.contacts).toEqual([]);
    expect(r.positions).toEqual([]);
    const both = await apiKey(t.app, a, ['candidates:read', 'employers:read']);
    expect(json<Result>(await search(word, both.secret)).positions).toHaveLength(1);
  });

  it('a search of one letter, none, or an unknown parameter is 400 naming it', async () => {
    expectProblem(await search('z'), 400, 'validation_failed');
    expect(json<{ errors: { field: string }[] }>(await search('z')).errors[0]!.field).toBe('query.q');
    expect(json<{ errors: { field: string }[] }>(await t.app.inject({ url: '/v1/search', headers: bearer(a.token) })).errors[0]!.field).toBe('query.q');
    expect(json<{ errors: { field: string }[] }>(await search('zz', a.token, '&perKind=50')).errors[0]!.field).toBe('query.perKind');
  });
});

describe('lists with what a recruiter scans for', () => {
  it('a candidate row says where they stand: open applications, the latest stage and position, the last activity', async () => {
    const h = bearer(a.token);
    const rows = json<{ data: Schemas['CandidateListItem'][] }>(await t.app.inject({ url: `/v1/candidates?q=${encodeURIComponent('Jordan Lee')}`, headers: h })).data;
    const row = rows.find((c) => c.id === story.candidate.id)!;
    expect(row.openApplications).toBe(1);
    expect(row.latestApplication).toMatchObject({ id: story.application.id, stage: 'submitted', positionId: story.position.id, positionTitle: '5th grade teacher', employerName: story.school.name });
    expect(row.lastActivityAt).not.toBeNull();
    const before = row.lastActivityAt!;

    // Withdrawn: no open application, the closed one still shown, and a newer activity.
    const moved = await t.app.inject({ method: 'POST', url: `/v1/applications/${story.application.id}/stage`, headers: h, payload: { stage: 'withdrawn', reason: 'Took another job' } });
    expect(moved.statusCode, moved.body).toBe(200);
    const after = json<{ data: Schemas['CandidateListItem'][] }>(await t.app.inject({ url: `/v1/candidates?q=${encodeURIComponent('Jordan Lee')}`, headers: h })).data.find((c) => c.id === story.candidate.id)!;
    expect(after.openApplications).toBe(0);
    expect(after.latestApplication?.stage).toBe('withdrawn');
    expect(Date.parse(after.lastActivityAt!)).toBeGreaterThanOrEqual(Date.parse(before));

    // A candidate with nothing yet.
    const fresh = json<{ id: string }>(await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: h, payload: { name: `Nobody ${uniq()}` } }));
    const page = json<{ data: Schemas['CandidateListItem'][] }>(await t.app.inject({ url: '/v1/candidates?limit=5', headers: h })).data;
    expect(page.find((c) => c.id === fresh.id)).toMatchObject({ openApplications: 0, latestApplication: null });
    // A sync read carries the same fields.
    const synced = json<{ data: Schemas['CandidateListItem'][] }>(await t.app.inject({ url: '/v1/candidates?updatedSince=2000-01-01T00:00:00Z&limit=100', headers: h })).data;
    expect(synced.find((c) => c.id === story.candidate.id)?.latestApplication?.stage).toBe('withdrawn');
  });

  it('an application row names its candidate, position and employer, so a pipeline needs one call', async () => {
    const res = await t.app.inject({ url: `/v1/applications?positionId=${story.position.id}`, headers: bearer(a.token) });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<{ data: Schemas['ApplicationListItem'][] }>(res).data).toEqual([
      expect.objectContaining({ id: story.application.id, candidateName: 'Jordan Lee', positionTitle: '5th grade teacher', employerId: story.school.id, employerName: story.school.name }),
    ]);
  });
});
