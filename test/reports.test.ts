import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/lib/clock.js';
import { bearer, createTestApp, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import type { Story } from './helpers/story.js';
import { reportsFixture } from './helpers/reportsFixture.js';
import { adminPool } from './helpers/db.js';

// The reports over a fixture with known promises (docs/reports.md), every figure worked out by
// hand below. One school (its district the family), one position, three applications, New York:
//
//  app 1: interview Mon 1 Feb 2027 10–11, Pat hiring manager; completed with "by Fri 5 Feb" (P1).
//         Thank-yous to Pat and Terry sent Mon 18:00Z, on time. Reply Thu 4 Feb 15:00Z: "by Wed 10 Feb"
//         (P2; answers both thank-yous after 2.875 days). Offer logged Fri 12 Feb 20:00Z:
//         P1 late by Mon 8 … Fri 12 = 5 business days, P2 late by Thu 11, Fri 12 = 2.
//  app 2: interview Tue 2 Feb 10–11, Pat hiring manager; "by Tue 9 Feb" (P3). Thank-yous sent
//         Tue 18:00Z (Pat's) and 18:10Z (Terry's: 10 minutes late). Reply Wed 3 Feb 18:00Z, no date
//         (answers both after 1 day). Rejected Mon 8 Feb 15:00Z: P3 kept.
//  app 3: interview Wed 3 Feb 10–11, Terry hiring manager; "by Fri 19 Feb" (P4), still open.
//         Thank-yous due Wed 18:00Z never sent: overdue on 15 Feb.
//
// Family: promised 4, decided 3, kept 1 (0.3333), late [5, 2, 0] → median 2, open 1;
//         answers [2.875, 2.875, 1, 1] → median 1.9375 → 1.9.
// Pat: P1–P3 → promised 3, decided 3, kept 1, median late 2, open 0; answers [2.875, 1] → 1.9.
// Terry: P4 → promised 1, decided 0, kept 0 (share null), open 1; answers [2.875, 1] → 1.9.
// Thank-yous of the owner: due 6, sent 4, on time 3 (0.75), overdue 2, answered 4 (1).
// Pipeline: 3 candidates (offer 1, rejected 1, interviewing 1); decided 2 after
//         11 d 4 h (11.1667) and 5 d 23 h (5.9583) → median 8.5625 → 8.6.
//         Here only (not in the shared fixture), a second position at the school, "Art teacher",
//         with one candidate put forward on 15 Feb and no interview: submitted 1, decided 0,
//         median null. Two rows, so the report has two pages of one.
const clock = fixedClock('2027-01-25T15:00:00Z');
let t: TestApp;
let tenant: TestTenant;
let story: Story;
let artPosition: { id: string };
const PERIOD = 'from=2027-02-01&to=2027-02-28';

const h = () => bearer(tenant.token);
async function call(method: 'GET' | 'POST', url: string, payload?: object, at?: string) {
  if (at) clock.set(at);
  const res = await t.app.inject({ method, url, headers: h(), ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string } & Record<string, unknown>;
}

beforeAll(async () => {
  t = await createTestApp({ clock });
  tenant = await newTenant(t.app);
  ({ story } = await reportsFixture(t.app, tenant, clock));
  artPosition = await call('POST', '/v1/positions', { employerId: story.school.id, title: 'Art teacher' });
  const candidate = await call('POST', '/v1/candidates', { name: 'Jo Four', email: 'jo.four@example.org', relayConsent: true });
  await call('POST', '/v1/applications', { candidateId: candidate.id, positionId: artPosition.id });
});

afterAll(async () => {
  await t?.close();
});

const get = async <T>(url: string, accept?: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers: { ...h(), ...(accept ? { accept } : {}) } });
  expect(res.statusCode).toBe(200);
  return accept === 'text/csv' ? (res as unknown as T) : json<T>(res);
};

describe('the promise ledger', () => {
  it('keeps each date with when, through what and by whom, and settles it kept or late in business days', async () => {
    const rows = (
      await adminPool().query(
        `SELECT promised_date::text AS date, source, status, late_business_days AS late, contact_id, given_at
         FROM employer_promises WHERE tenant_id = $1 ORDER BY given_at`,
        [tenant.tenantId],
      )
    ).rows;
    expect(rows.map((r) => [r.date, r.source, r.status, r.late, r.contact_id])).toEqual([
      ['2027-02-05', 'interview', 'late', 5, story.principal.id],
      ['2027-02-09', 'interview', 'kept', 0, story.principal.id],
      ['2027-02-19', 'interview', 'open', null, story.teacher.id],
      ['2027-02-10', 'reply', 'late', 2, story.principal.id],
    ]);
    expect(rows[3].given_at).toEqual(new Date('2027-02-04T15:00:00Z'));
  });
});

describe('GET /v1/reports/employers', () => {
  it('matches the hand-computed figures per family and contact', async () => {
    const r = await get<Schemas['EmployersReport']>(`/v1/reports/employers?${PERIOD}`);
    expect(r).toMatchObject({ from: '2027-02-01', to: '2027-02-28' });
    const pick = ({ level, familyId, contactId, promised, decided, kept, keptShare, medianLateBusinessDays, open, emailsAnswered, medianAnswerDays }: Schemas['EmployersReport']['data'][number]) =>
      ({ level, familyId, contactId, promised, decided, kept, keptShare, medianLateBusinessDays, open, emailsAnswered, medianAnswerDays });
    expect(r.data.map(pick)).toEqual([
      { level: 'family', familyId: story.district.id, contactId: null, promised: 4, decided: 3, kept: 1, keptShare: 0.3333, medianLateBusinessDays: 2, open: 1, emailsAnswered: 4, medianAnswerDays: 1.9 },
      { level: 'contact', familyId: story.district.id, contactId: story.principal.id, promised: 3, decided: 3, kept: 1, keptShare: 0.3333, medianLateBusinessDays: 2, open: 0, emailsAnswered: 2, medianAnswerDays: 1.9 },
      { level: 'contact', familyId: story.district.id, contactId: story.teacher.id, promised: 1, decided: 0, kept: 0, keptShare: null, medianLateBusinessDays: null, open: 1, emailsAnswered: 2, medianAnswerDays: 1.9 },
    ]);
    expect(r.data[1]!.contactName).toBe('Pat Principal');
  });

  it('filters by employer (the school or its district), recruiter and period', async () => {
    for (const id of [story.school.id, story.district.id]) {
      expect((await get<Schemas['EmployersReport']>(`/v1/reports/employers?${PERIOD}&employerId=${id}`)).data).toHaveLength(3);
    }
    const other = await call('POST', '/v1/employers', { name: 'Elsewhere', kind: 'company', timeZone: 'America/Chicago' });
    expect((await get<Schemas['EmployersReport']>(`/v1/reports/employers?${PERIOD}&employerId=${other.id}`)).data).toEqual([]);
    expect((await get<Schemas['EmployersReport']>(`/v1/reports/employers?${PERIOD}&recruiterId=${tenant.ownerId}`)).data).toHaveLength(3);
    const idle = await userWithRole(t.app, tenant, 'recruiter');
    expect((await get<Schemas['EmployersReport']>(`/v1/reports/employers?${PERIOD}&recruiterId=${idle.id}`)).data).toEqual([]);
    expect((await get<Schemas['EmployersReport']>('/v1/reports/employers?from=2027-01-01&to=2027-01-31')).data).toEqual([]);
  });

  it('refuses a period that ends before it starts, naming query.to', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/reports/employers?from=2027-02-10&to=2027-02-01', headers: h() });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: 'query.to', message: 'Must be on or after from' }]);
  });
});

describe('GET /v1/reports/follow-ups', () => {
  it('matches the hand-computed thank-you figures of the recruiter', async () => {
    const r = await get<Schemas['FollowUpsReport']>(`/v1/reports/follow-ups?${PERIOD}`);
    const thanks = r.data.find((x) => x.kind === 'thank_you');
    expect(thanks).toEqual({
      recruiterId: tenant.ownerId, recruiterName: 'Olive Owner', kind: 'thank_you',
      due: 6, sent: 4, sentOnTime: 3, onTimeShare: 0.75, overdue: 2, waitingForApproval: 0, answered: 4, answeredShare: 1,
    });
  });
});

describe('GET /v1/reports/pipeline', () => {
  const fifthGrade = () => ({
    positionId: story.position.id, positionTitle: '5th grade teacher', employerId: story.school.id, employerName: story.school.name,
    candidates: 3, stages: { submitted: 0, interviewing: 1, offer: 1, hired: 0, rejected: 1, withdrawn: 0, on_hold: 0 },
    decided: 2, medianDaysToDecision: 8.6,
  });
  const art = () => ({
    positionId: artPosition.id, positionTitle: 'Art teacher', employerId: story.school.id, employerName: story.school.name,
    candidates: 1, stages: { submitted: 1, interviewing: 0, offer: 0, hired: 0, rejected: 0, withdrawn: 0, on_hold: 0 },
    decided: 0, medianDaysToDecision: null,
  });
  const byPosition = <R extends { positionId: string }>(rows: R[]) => [...rows].sort((a, b) => (a.positionId < b.positionId ? -1 : 1));

  it('matches the hand-computed stages and time to decision, one page by position id when everything fits', async () => {
    const r = await get<Schemas['PipelineReport']>(`/v1/reports/pipeline?${PERIOD}`);
    expect(r.data).toEqual(byPosition([fifthGrade(), art()]));
    expect(r.nextCursor).toBeNull();
  });

  it('pages with limit and cursor: two pages of one that together are the whole report', async () => {
    const first = await get<Schemas['PipelineReport']>(`/v1/reports/pipeline?${PERIOD}&limit=1`);
    expect(first.data).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await get<Schemas['PipelineReport']>(`/v1/reports/pipeline?${PERIOD}&limit=1&cursor=${first.nextCursor}`);
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect([...first.data, ...second.data]).toEqual(byPosition([fifthGrade(), art()]));
    expect({ from: second.from, to: second.to, timeZone: second.timeZone }).toEqual({ from: '2027-02-01', to: '2027-02-28', timeZone: 'America/New_York' });
  });

  it('answers a bad cursor or limit with 400 naming the field', async () => {
    const fieldOf = async (query: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/reports/pipeline?${PERIOD}&${query}`, headers: h() });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      return (res.json() as { errors: { field: string }[] }).errors.map((e) => e.field);
    };
    expect(await fieldOf('cursor=nope')).toEqual(['query.cursor']);
    const notOurs = Buffer.from(JSON.stringify({ id: 'not-a-uuid' })).toString('base64url');
    expect(await fieldOf(`cursor=${notOurs}`)).toEqual(['query.cursor']);
    expect(await fieldOf('limit=0')).toEqual(['query.limit']);
    expect(await fieldOf('limit=1001')).toEqual(['query.limit']);
    expect(await fieldOf('limit=ten')).toEqual(['query.limit']);
  });
});

describe('CSV', () => {
  it('answers Accept: text/csv with the same rows, a header first', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/reports/employers?${PERIOD}`, headers: { ...h(), accept: 'text/csv' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="employers-2027-02-01-2027-02-28.csv"');
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('level,familyId,familyName,contactId,contactName,promised,decided,kept,keptShare,medianLateBusinessDays,open,emailsAnswered,medianAnswerDays');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(`contact,${story.district.id},${story.district.name},${story.principal.id},Pat Principal,3,3,1,0.3333,2,0,2,1.9`);
    const pipeline = await t.app.inject({ method: 'GET', url: `/v1/reports/pipeline?${PERIOD}`, headers: { ...h(), accept: 'text/csv' } });
    expect(pipeline.body.split('\r\n')[0]).toBe(
      'positionId,positionTitle,employerId,employerName,candidates,stages.submitted,stages.interviewing,stages.offer,stages.hired,stages.rejected,stages.withdrawn,stages.on_hold,decided,medianDaysToDecision',
    );
    // Every row, whatever the limit (the CSV is not paged), by employer name and position title.
    const all = await t.app.inject({ method: 'GET', url: `/v1/reports/pipeline?${PERIOD}&limit=1`, headers: { ...h(), accept: 'text/csv' } });
    expect(all.statusCode).toBe(200);
    expect(all.body.trimEnd().split('\r\n').slice(1)).toEqual([
      `${story.position.id},5th grade teacher,${story.school.id},${story.school.name},3,0,1,1,0,1,0,0,2,8.6`,
      `${artPosition.id},Art teacher,${story.school.id},${story.school.name},1,1,0,0,0,0,0,0,0,`,
    ]);
    expect(pipeline.body).toBe(all.body);
  });
});
