import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/lib/clock.js';
import { deliverFollowUp } from '../src/modules/followups/followups.delivery.js';
import { bearer, createTestApp, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';
import { reportsFixture } from './helpers/reportsFixture.js';
import { smtpSink } from './helpers/smtpSink.js';
import type { Story } from './helpers/story.js';

// The summaries the reports read (docs/reports.md#speed): follow_up_day_counts and
// position_open_counts, kept by triggers on the facts. After every kind of change that touches
// them they must hold exactly what app_private.*_from_facts() computes from the facts alone; and
// the reports must split a period between whole days of the summary and the facts correctly.
// The fixture is test/reports.test.ts's (New York; thank-yous due 18:00Z on Mon 1, Tue 2 and
// Wed 3 Feb 2027; the clock left at Mon 15 Feb 15:00Z).
const clock = fixedClock('2027-01-25T15:00:00Z');
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;
let story: Story;
let applications: readonly [string, string, string];
let interviews: readonly [string, string, string];

const h = () => bearer(tenant.token);
async function call(method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await t.app.inject({ method, url, headers: h(), ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; version?: number } & Record<string, unknown>;
}
const get = async <T>(url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers: h() });
  expect(res.statusCode).toBe(200);
  return json<T>(res);
};
const thankYous = async (query: string) =>
  (await get<Schemas['FollowUpsReport']>(`/v1/reports/follow-ups?${query}`)).data.find((r) => r.kind === 'thank_you');

/** Rows where a summary and its facts disagree (a summary row at zero stands for no row). */
async function drift() {
  const compare = async (table: string, fn: string, zero: string) =>
    (
      await adminPool().query(
        `SELECT 'summary' AS side, x.* FROM (TABLE ${table} EXCEPT SELECT * FROM app_private.${fn}()) x WHERE x.tenant_id = $1 AND NOT (${zero})
         UNION ALL
         SELECT 'facts', y.* FROM (SELECT * FROM app_private.${fn}() EXCEPT TABLE ${table}) y WHERE y.tenant_id = $1`,
        [tenant.tenantId],
      )
    ).rows;
  return [
    ...(await compare('follow_up_day_counts', 'follow_up_day_counts_from_facts', 'due = 0 AND sent = 0 AND sent_on_time = 0 AND unsent = 0 AND awaiting_approval = 0 AND answered = 0')),
    ...(await compare('position_open_counts', 'position_open_counts_from_facts', 'n = 0')),
  ];
}

async function followUp(interviewId: string, where: string) {
  const res = await adminPool().query<{ id: string; version: number; due_at: Date; status: string }>(
    `SELECT id, version, due_at, status FROM follow_ups WHERE interview_id = $1 AND ${where} ORDER BY due_at, id LIMIT 1`,
    [interviewId],
  );
  return res.rows[0]!;
}

beforeAll(async () => {
  const port = await sink.listen();
  t = await createTestApp({ clock, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  tenant = await newTenant(t.app);
  ({ story, applications, interviews } = await reportsFixture(t.app, tenant, clock));
});

afterAll(async () => {
  await t?.close();
  await sink.close();
});

describe('the follow-ups report, split between whole UTC days of the summary and the facts', () => {
  it('one day of the agency (20 hours and 4 hours of two UTC days) comes from the facts alone', async () => {
    // Mon 1 Feb in New York is 05:00Z to 05:00Z: no whole UTC day. App 1's thank-yous: sent on time, answered.
    expect(await thankYous('from=2027-02-01&to=2027-02-01')).toMatchObject({ due: 2, sent: 2, sentOnTime: 2, overdue: 0, answered: 2 });
  });

  it('two days: the whole UTC day between from the summary, the edges from the facts', async () => {
    // Tue 2 05:00Z to Thu 4 05:00Z: Wed 3 (app 3's two unsent, overdue) from the summary; app 2's
    // (Tue 2 18:00Z, one 10 minutes late, both answered) from the facts.
    expect(await thankYous('from=2027-02-02&to=2027-02-03')).toMatchObject({ due: 4, sent: 2, sentOnTime: 1, overdue: 2, answered: 2 });
  });

  it('today comes from the facts: overdue counts only what fell due before now', async () => {
    const first = await followUp(interviews[2], "kind = 'thank_you' AND status = 'pending'");
    const other = (
      await adminPool().query<{ id: string; version: number }>(
        "SELECT id, version FROM follow_ups WHERE interview_id = $1 AND kind = 'thank_you' AND status = 'pending' AND id <> $2",
        [interviews[2], first.id],
      )
    ).rows[0]!;
    clock.set('2027-02-15T15:00:00Z');
    await call('POST', `/v1/follow-ups/${first.id}/reschedule`, { dueAt: '2027-02-15T16:00:00Z', reason: 'Later today' });
    await call('POST', `/v1/follow-ups/${other.id}/reschedule`, { dueAt: '2027-02-15T20:00:00Z', reason: 'Tonight' });
    expect(await drift()).toEqual([]);
    clock.set('2027-02-15T18:00:00Z');
    expect(await thankYous('from=2027-02-01&to=2027-02-28')).toMatchObject({ due: 6, sent: 4, overdue: 1 });
    // The next UTC day: 15 Feb is a whole day of the summary, both due before now.
    clock.set('2027-02-16T01:00:00Z');
    expect(await thankYous('from=2027-02-01&to=2027-02-28')).toMatchObject({ due: 6, sent: 4, overdue: 2 });
    // Before they fell due, neither is overdue.
    clock.set('2027-02-15T15:30:00Z');
    expect(await thankYous('from=2027-02-01&to=2027-02-28')).toMatchObject({ due: 6, sent: 4, overdue: 0 });
  });
});

describe('the pipeline report and applications put forward after the period', () => {
  it('leaves out the open ones put forward after its end, and counts them from the day they were', async () => {
    // All three were put forward on Mon 25 Jan 15:00Z (10:00 in New York).
    expect((await get<Schemas['PipelineReport']>('/v1/reports/pipeline?from=2027-01-01&to=2027-01-24')).data).toEqual([]);
    const [row] = (await get<Schemas['PipelineReport']>('/v1/reports/pipeline?from=2027-01-25&to=2027-01-25')).data;
    expect(row).toMatchObject({ candidates: 3, stages: { interviewing: 1, offer: 1, rejected: 1 }, decided: 0, medianDaysToDecision: null });
  });
});

describe('the summaries hold what the facts say', () => {
  it('after the fixture (interviews planned, thank-yous sent by hand-run UPDATEs, replies, a rejection, an offer) and the reschedules above', async () => {
    expect(await drift()).toEqual([]);
    expect((await adminPool().query('SELECT count(*)::int AS n FROM follow_up_day_counts WHERE tenant_id = $1', [tenant.tenantId])).rows[0].n).toBeGreaterThan(0);
  });

  it('after a follow-up is sent by the worker, answered by a reply, and the application decided', async () => {
    clock.set('2027-02-16T14:00:00Z');
    const f = await followUp(interviews[2], "kind = 'thank_you' AND status = 'pending'");
    expect((await deliverFollowUp(t.deps, { tenantId: tenant.tenantId, followUpId: f.id, version: f.version }, { number: 1, of: 3 })).outcome).toBe('sent');
    expect(await drift()).toEqual([]);
    clock.set('2027-02-16T15:05:00Z');
    await call('POST', `/v1/applications/${applications[2]}/replies`, { channel: 'email', summary: 'Thanks, soon.', receivedAt: '2027-02-16T15:00:00.000Z' });
    expect(await drift()).toEqual([]);
    expect(await thankYous('from=2027-02-01&to=2027-02-28')).toMatchObject({ due: 6, sent: 5, answered: 5 });
    await call('POST', `/v1/applications/${applications[2]}/outcomes`, { kind: 'offer' });
    expect(await drift()).toEqual([]);
    await call('POST', `/v1/applications/${applications[2]}/outcomes`, { kind: 'hired' });
    expect(await drift()).toEqual([]);
    const [row] = (await get<Schemas['PipelineReport']>('/v1/reports/pipeline?from=2027-02-01&to=2027-02-28')).data;
    expect(row).toMatchObject({ candidates: 3, stages: { interviewing: 0, offer: 1, hired: 1, rejected: 1 } });
  });

  it('after a follow-up is cancelled, an application changes hands, one is put forward and deleted, and a candidate is erased', async () => {
    const open = await followUp(interviews[1], "status IN ('pending', 'paused', 'stale', 'awaiting_approval')");
    await call('POST', `/v1/follow-ups/${open.id}/cancel`, { reason: 'Not needed' });
    expect(await drift()).toEqual([]);
    const colleague = await userWithRole(t.app, tenant, 'recruiter');
    const app = await call('GET', `/v1/applications/${applications[0]}`);
    const moved = await t.app.inject({
      method: 'PATCH',
      url: `/v1/applications/${applications[0]}`,
      headers: { ...h(), 'if-match': `"${app.version}"` },
      payload: { ownerId: colleague.id },
    });
    expect(moved.statusCode).toBe(200);
    expect(await drift()).toEqual([]);
    const candidate = await call('POST', '/v1/candidates', { name: 'Pat Fourth', email: 'pat.fourth@example.org', relayConsent: true });
    const added = await call('POST', '/v1/applications', { candidateId: candidate.id, positionId: story.position.id });
    expect(await drift()).toEqual([]);
    const before = (await get<Schemas['PipelineReport']>('/v1/reports/pipeline?from=2027-02-01&to=2027-02-28')).data[0]!;
    expect(before.stages.submitted).toBe(1);
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/applications/${added.id}`, headers: { ...h(), 'if-match': `"${added.version}"` } });
    expect(del.statusCode).toBe(204);
    expect(await drift()).toEqual([]);
    const erase = await t.app.inject({ method: 'POST', url: `/v1/candidates/${story.candidate.id}/erase`, headers: h() });
    expect(erase.statusCode).toBe(200);
    expect(await drift()).toEqual([]);
  });

  it('after writes no route makes: a follow-up moved to another day and owner, and one deleted with its answer', async () => {
    const db = adminPool();
    const answered = (
      await db.query<{ id: string }>(
        'SELECT f.id FROM follow_ups f JOIN email_answers ea ON ea.follow_up_id = f.id WHERE f.tenant_id = $1 ORDER BY f.id LIMIT 2',
        [tenant.tenantId],
      )
    ).rows;
    expect(answered).toHaveLength(2);
    await db.query("UPDATE follow_ups SET due_at = due_at + interval '3 days', kind = 'recruiter_check_in' WHERE id = $1", [answered[0]!.id]);
    expect(await drift()).toEqual([]);
    await db.query('DELETE FROM follow_ups WHERE id = $1', [answered[1]!.id]);
    expect(await drift()).toEqual([]);
  });
});
