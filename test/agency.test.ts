import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/lib/clock.js';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview } from './helpers/story.js';

const clock = fixedClock('2026-11-26T12:00:00Z');
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp({ clock });
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Agency = Schemas['AgencySettings'];
const patch = (payload: object, headers: Record<string, string> = {}, token = tenant.token) =>
  t.app.inject({ method: 'PATCH', url: '/v1/agency', headers: { ...bearer(token), ...headers }, payload });

describe('the agency', () => {
  it('reads its own settings; an admin changes them with If-Match; a stale version is 412', async () => {
    const res = await t.app.inject({ url: '/v1/agency', headers: bearer(tenant.token) });
    expect(res.statusCode).toBe(200);
    const agency = json<Agency>(res);
    expect(agency).toMatchObject({ id: tenant.tenantId, slug: tenant.slug, holidays: [], version: 1 });
    expect(res.headers.etag).toBe('"1"');
    const changed = await patch({ name: 'Brightpath Staffing', holidays: [{ start: '2026-12-24', end: '2026-12-26', name: 'Christmas' }] }, { 'if-match': '"1"' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json<Agency>(changed)).toMatchObject({ name: 'Brightpath Staffing', version: 2, holidays: [{ start: '2026-12-24', end: '2026-12-26', name: 'Christmas' }] });
    expectProblem(await patch({ name: 'Stale' }, { 'if-match': '"1"' }), 412, 'precondition_failed');
    const activity = json<{ data: { action: string }[] }>(await t.app.inject({ url: `/v1/activity?subjectId=${tenant.tenantId}`, headers: bearer(tenant.token) }));
    expect(activity.data.map((a) => a.action)).toContain('agency.updated');
  });

  it('refuses bad input naming the field and changes nothing', async () => {
    const before = json<Agency>(await t.app.inject({ url: '/v1/agency', headers: bearer(tenant.token) }));
    const cases: [object, string][] = [
      [{ timeZone: 'Mars/Olympus' }, 'body.timeZone'],
      [{ holidays: [{ start: '2026-12-26', end: '2026-12-24', name: 'Backwards' }] }, 'body.holidays.0.end'],
      [{ holidays: [{ start: 'tomorrow', end: '2026-12-24', name: 'x' }] }, 'body.holidays.0.start'],
      [{ slug: 'taken-over' }, 'body.slug'],
      [{ name: '' }, 'body.name'],
    ];
    for (const [payload, field] of cases) {
      expect(expectProblem(await patch(payload), 400, 'validation_failed').errors?.map((e) => e.field), JSON.stringify(payload)).toContain(field);
    }
    expect(json<Agency>(await t.app.inject({ url: '/v1/agency', headers: bearer(tenant.token) }))).toEqual(before);
  });

  it('recruiters and API keys read it; only admins (users) change it', async () => {
    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    expect((await t.app.inject({ url: '/v1/agency', headers: bearer(recruiter.token) })).statusCode).toBe(200);
    expectProblem(await patch({ name: 'Mine now' }, {}, recruiter.token), 403, 'forbidden');
    const key = await apiKey(t.app, tenant, ['agency:read']);
    expect((await t.app.inject({ url: '/v1/agency', headers: bearer(key.secret) })).statusCode).toBe(200);
    expect((await patch({ name: 'Key' }, {}, key.secret)).statusCode).toBe(403);
    const admin = await userWithRole(t.app, tenant, 'admin');
    expect((await patch({ timeZone: 'America/Chicago' }, {}, admin.token)).statusCode).toBe(200);
  });

  it('a day off set here moves the follow-ups planned afterwards past it', async () => {
    const own = await newTenant(t.app);
    // The interview ends Thu 3 Dec 2026 11:00 New York: the thank-yous would be due at 13:00 that day.
    expect((await patch({ holidays: [{ start: '2026-12-03', end: '2026-12-03', name: 'Staff retreat' }] }, {}, own.token)).statusCode).toBe(200);
    const story = await recruitingStory(t.app, own);
    const interview = await scheduledInterview(t.app, own, story);
    clock.set('2026-12-03T16:10:00Z');
    const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: bearer(own.token), payload: {} });
    expect(done.statusCode, done.body).toBe(200);
    const rows = json<{ data: Schemas['FollowUp'][] }>(
      await t.app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&kind=thank_you`, headers: bearer(own.token) }),
    ).data;
    expect(rows.length).toBeGreaterThan(0);
    for (const f of rows) {
      expect(f.dueAt.startsWith('2026-12-03'), `${f.dueAt} ${f.reason}`).toBe(false);
      expect(f.dueAt.startsWith('2026-12-04'), `${f.dueAt} ${f.reason}`).toBe(true);
    }
  });
});
