import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { adminPool, timeline } from './helpers/db.js';
import { fixedClock } from '../src/lib/clock.js';
import { defaultPlaybook } from '../src/core/followups/playbook.js';
import { deliverJobId } from '../src/modules/followups/followups.jobs.js';

// The interviews below run Thu 3 Dec 2026 10:00–11:00 New York (15:00–16:00Z); the district, its
// school and the contacts are in New York, no holidays.
const clock = fixedClock('2026-11-26T12:00:00Z');
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp({ clock });
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type FollowUp = Schemas['FollowUp'];
const h = () => bearer(tenant.token);
const post = (url: string, payload: object, headers: Record<string, string> = h()) => t.app.inject({ method: 'POST', url, headers, payload });
const list = async (query: string, headers = h()) => {
  const res = await t.app.inject({ url: `/v1/follow-ups?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return json<{ data: FollowUp[]; nextCursor: string | null }>(res);
};
const ofInterview = async (id: string) => (await list(`interviewId=${id}&limit=100`)).data;
const pending = (rows: FollowUp[]) => rows.filter((f) => f.status === 'pending');
const byKey = (rows: FollowUp[]) => Object.fromEntries(pending(rows).map((f) => [f.key, f.dueAt]));

/** A fresh story with an interview completed at 11:10 New York, without a timeline unless given. */
async function completed(extra: object = {}, story?: Story) {
  clock.set('2026-11-26T12:00:00Z');
  const s = story ?? (await recruitingStory(t.app, tenant));
  const interview = await scheduledInterview(t.app, tenant, s);
  clock.set('2026-12-03T16:10:00Z');
  const res = await post(`/v1/interviews/${interview.id}/complete`, extra);
  expect(res.statusCode, res.body).toBe(200);
  return { story: s, id: interview.id };
}

describe('planning when an interview is completed', () => {
  it('when completed with two interviewers and no timeline, then each gets a thank-you, a timeline request and checks follow', async () => {
    const { story, id } = await completed({ highlights: 'The demo lesson landed well' });
    const rows = await ofInterview(id);
    const thanks = rows.filter((f) => f.kind === 'thank_you');
    expect(thanks.map((f) => [f.vars.interviewer, f.recipient.name, f.contactId, f.channel, f.voice, f.dueAt])).toEqual([
      ['Pat Principal', 'Pat Principal', story.principal.id, 'email', 'on_behalf', '2026-12-03T18:00:00.000Z'],
      ['Terry Teacher', 'Terry Teacher', story.teacher.id, 'email', 'on_behalf', '2026-12-03T18:00:00.000Z'],
    ]);
    // Ended 11:00 New York, before the 15:00 cut-off: 2 h later, 13:00 local.
    expect(thanks[0]!.reason).toMatch(/before the 15:00 cut-off: same day/);
    // Beside the text, the same why machine-readable, stored with the step.
    expect(thanks[0]!.basis).toEqual({
      rule: 'thank_you.same_day',
      from: { fact: 'interview_ended', at: '2026-12-03T16:00:00.000Z' },
      inputs: { cutoff: '15:00', delayMinutes: 120 },
      zone: 'America/New_York',
      caughtUp: false,
    });
    expect(thanks.map((f) => f.vars.highlight)).toEqual(['The demo lesson landed well', 'Loved the reading-corner idea']);
    expect(byKey(rows)).toMatchObject({
      timeline_request: '2026-12-04T14:30:00.000Z',
      recruiter_check_in: '2026-12-07T14:30:00.000Z',
      'status_check:window:1': '2026-12-14T14:30:00.000Z',
      'status_check:window:2': '2026-12-17T14:30:00.000Z',
    });
    const request = rows.find((f) => f.kind === 'timeline_request')!;
    expect(request).toMatchObject({ contactId: story.principal.id, status: 'pending', overdue: false, ownerId: tenant.ownerId, candidateId: story.candidate.id });
    expect(request.reason).toMatch(/without a decision date/);
    expect(rows.every((f) => f.status === 'pending' && f.subject === null && f.body === null)).toBe(true);
    // Each names the template its text comes from, which the templates API serves.
    expect(thanks.map((f) => f.templateId)).toEqual(['thank_you.email.candidate', 'thank_you.email.candidate']);
    expect(request.templateId).toBe('timeline_request.email.candidate');
    for (const f of rows) expect((await t.app.inject({ url: `/v1/follow-up-templates/${f.templateId}`, headers: bearer(tenant.token) })).statusCode).toBe(200);
    // One activity and one event per planned step.
    const planned = await adminPool().query(
      "SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'followup.planned' AND payload->'data'->>'interviewId' = $2",
      [tenant.tenantId, id],
    );
    expect(planned.rows[0].n).toBe(rows.length);
    expect(await timeline(tenant.tenantId, request.id)).toEqual([expect.objectContaining({ action: 'followup.planned', event_type: 'followup.planned' })]);
  });

  it('when completed with a timeline, then no timeline request and the first status check comes a business day before it', async () => {
    const { id } = await completed({ decisionExpectedBy: '2026-12-11' });
    const rows = await ofInterview(id);
    expect(rows.some((f) => f.kind === 'timeline_request')).toBe(false);
    expect(byKey(rows)['status_check:2026-12-11:1']).toBe('2026-12-10T14:30:00.000Z');
  });

  it('when a timeline is set later, then the status checks are re-planned: the old ones cancelled with the reason, new ones added', async () => {
    const { id } = await completed();
    clock.set('2026-12-04T15:00:00Z');
    const res = await post(`/v1/interviews/${id}/timeline`, { decisionExpectedBy: '2026-12-18' });
    expect(res.statusCode, res.body).toBe(200);
    const rows = await ofInterview(id);
    const old = rows.filter((f) => f.key.startsWith('status_check:window:'));
    expect(old.map((f) => [f.status, f.cancelReason])).toEqual([
      ['cancelled', 'status checks now follow the decision date 2026-12-18 (given at the interview)'],
      ['cancelled', 'status checks now follow the decision date 2026-12-18 (given at the interview)'],
    ]);
    expect(rows.find((f) => f.kind === 'timeline_request')).toMatchObject({ status: 'cancelled', cancelReason: expect.stringMatching(/^timeline known/) });
    expect(byKey(rows)).toMatchObject({
      'status_check:2026-12-18:1': '2026-12-17T14:30:00.000Z',
      'status_check:2026-12-18:2': '2026-12-23T14:30:00.000Z',
    });
    // The thank-yous stand (same rows, same time); only their wording input, the timeline, follows.
    const thanks = rows.filter((f) => f.kind === 'thank_you');
    expect(thanks.map((f) => [f.status, f.version, f.vars.timeline])).toEqual([
      ['pending', 2, '2026-12-18'],
      ['pending', 2, '2026-12-18'],
    ]);
    const cancelled = old[0]!;
    expect((await timeline(tenant.tenantId, cancelled.id)).map((a) => a.event_type)).toEqual(['followup.planned', 'followup.cancelled']);
  });

  it('when an outcome rejected is logged, then status checks and unsent thank-yous are cancelled and post-decision thanks planned', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-08T15:00:00Z');
    const res = await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'rejected', reason: 'Another candidate' });
    expect(res.statusCode, res.body).toBe(201);
    const rows = await ofInterview(id);
    const open = pending(rows);
    expect(open.filter((f) => f.kind === 'status_check')).toEqual([]);
    expect(open.filter((f) => f.kind === 'thank_you')).toEqual([]);
    expect(rows.filter((f) => f.kind === 'status_check').every((f) => f.status === 'cancelled' && /outcome rejected/.test(f.cancelReason!))).toBe(true);
    // Planned, waiting for a recruiter's approval (the playbook default for the thanks after a decision).
    const after = rows.filter((f) => f.kind === 'post_decision_thanks' && f.status === 'awaiting_approval');
    expect(after.map((f) => [f.contactId, f.dueAt])).toEqual([
      [story.principal.id, '2026-12-09T14:30:00.000Z'],
      [story.teacher.id, '2026-12-09T14:30:00.000Z'],
    ]);
  });

  it('when the employer replies without a date, then the status checks pause and the check-in is dropped', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-04T20:00:00Z');
    const res = await post(`/v1/applications/${story.application.id}/replies`, { channel: 'email', summary: 'Thanks, we will be in touch' });
    expect(res.statusCode, res.body).toBe(201);
    const rows = await ofInterview(id);
    expect(pending(rows).filter((f) => f.kind === 'status_check' || f.kind === 'recruiter_check_in')).toEqual([]);
    expect(rows.find((f) => f.kind === 'recruiter_check_in')!.cancelReason).toMatch(/the employer replied first/);
  });

  it('when a participant is added or removed on a completed interview, then their thank-you follows', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-03T17:00:00Z');
    const added = await post(`/v1/interviews/${id}/participants`, { contactId: story.superintendent.id });
    expect(added.statusCode, added.body).toBe(200);
    const task = pending(await ofInterview(id)).find((f) => f.key === `thank_you:${story.superintendent.id}`)!;
    // The superintendent has no email address: a task for the recruiter.
    expect(task).toMatchObject({ channel: 'task', recipient: { type: 'recruiter', userId: tenant.ownerId }, vars: { interviewer: 'Sam Super' } });
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/interviews/${id}/participants/${story.teacher.id}`, headers: h() });
    expect(removed.statusCode, removed.body).toBe(200);
    const teacherNote = (await ofInterview(id)).find((f) => f.key === `thank_you:${story.teacher.id}`)!;
    expect(teacherNote).toMatchObject({ status: 'cancelled', cancelReason: `contact ${story.teacher.id} is no longer a participant of the interview` });
  });

  it('when a completed interview’s highlights or channel are corrected, then the notes not sent yet follow; a text edited by hand stays', async () => {
    const { story, id } = await completed({ highlights: 'The demo lesson landed well' });
    clock.set('2026-12-03T17:00:00Z');
    const before = pending(await ofInterview(id));
    const principalNote = before.find((f) => f.key === `thank_you:${story.principal.id}`)!;
    const teacherNote = before.find((f) => f.key === `thank_you:${story.teacher.id}`)!;
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/v1/follow-ups/${teacherNote.id}`,
      headers: { ...h(), 'if-match': String(teacherNote.version) },
      payload: { body: 'Dear Terry, my own words.' },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const fixed = await t.app.inject({ method: 'PATCH', url: `/v1/interviews/${id}`, headers: h(), payload: { highlights: 'The science demo landed well' } });
    expect(fixed.statusCode, fixed.body).toBe(200);
    const after = await ofInterview(id);
    // Same step (same row, same time), new wording input; the teacher keeps their own highlight and text.
    expect(after.find((f) => f.id === principalNote.id)).toMatchObject({ status: 'pending', dueAt: principalNote.dueAt, vars: { highlight: 'The science demo landed well' } });
    expect(after.find((f) => f.id === teacherNote.id)).toMatchObject({ status: 'pending', body: 'Dear Terry, my own words.', vars: { highlight: 'Loved the reading-corner idea' } });
    // Arranged by phone after all: the employer-facing checks become calls.
    const byPhone = await t.app.inject({ method: 'PATCH', url: `/v1/interviews/${id}`, headers: h(), payload: { arrangedVia: 'phone' } });
    expect(byPhone.statusCode, byPhone.body).toBe(200);
    const checks = pending(await ofInterview(id)).filter((f) => f.kind === 'status_check' || f.kind === 'timeline_request');
    expect(checks.length).toBeGreaterThan(0);
    expect(new Set(checks.map((f) => f.channel))).toEqual(new Set(['phone']));
  });

  it('when an interview is cancelled, then whatever is still pending on it is cancelled', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const story = await recruitingStory(t.app, tenant);
    const interview = await scheduledInterview(t.app, tenant, story);
    // A scheduled interview has no plan of its own; a stray pending row stands for one left behind.
    await adminPool().query(
      `INSERT INTO follow_ups (tenant_id, id, interview_id, application_id, candidate_id, key, kind, channel, voice, recipient,
         due_at, rule_due_at, planned_due_at, reason, owner_id)
       VALUES ($1, gen_random_uuid(), $2, $3, $4, 'thank_you:x', 'thank_you', 'task', 'agency',
         '{"type":"candidate","name":"x","email":null}', now(), now(), now(), 'stray', $5)`,
      [tenant.tenantId, interview.id, story.application.id, story.candidate.id, tenant.ownerId],
    );
    const res = await post(`/v1/interviews/${interview.id}/cancel`, { reason: 'Position paused' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await ofInterview(interview.id)).map((f) => [f.status, f.cancelReason])).toEqual([
      ['cancelled', 'the interview is cancelled: nothing to follow up'],
    ]);
    expectProblem(await post(`/v1/interviews/${interview.id}/cancel`, { reason: 'again' }), 409);
  });
});

describe('recruiter actions', () => {
  it('reschedule moves a pending one and keeps the move across a re-plan; not into the past; not a closed one', async () => {
    const { id } = await completed();
    const note = (await ofInterview(id)).find((f) => f.kind === 'thank_you')!;
    const url = `/v1/follow-ups/${note.id}/reschedule`;
    expectProblem(await post(url, { dueAt: '2026-12-03T10:00:00Z', reason: 'Too late' }), 400);
    const moved = json<FollowUp>(await post(url, { dueAt: '2026-12-04T14:00:00Z', reason: 'Principal out this afternoon' }));
    expect(moved).toMatchObject({ dueAt: '2026-12-04T14:00:00.000Z', version: 2, status: 'pending' });
    // Said in the recipient's zone (not as an ISO instant), and marked by hand in the machine-readable why.
    expect(moved.reason).toMatch(/^moved by hand to Fri 2026-12-04 09:00 America\/New_York: Principal out this afternoon/);
    expect(moved.basis).toMatchObject({ rule: 'thank_you.same_day', byHand: { action: 'moved', at: '2026-12-03T16:10:00.000Z' } });
    await post(`/v1/interviews/${id}/timeline`, { decisionExpectedBy: '2026-12-18' });
    expect(json<FollowUp>(await t.app.inject({ url: `/v1/follow-ups/${note.id}`, headers: h() }))).toMatchObject({ status: 'pending', dueAt: '2026-12-04T14:00:00.000Z' });
    await post(`/v1/follow-ups/${note.id}/cancel`, {});
    expectProblem(await post(url, { dueAt: '2026-12-05T14:00:00Z', reason: 'x' }), 409, 'conflict');
  });

  it('send-now makes a pending email one due now and queues its delivery at once; not a task, not a closed one', async () => {
    const { story, id } = await completed();
    await post(`/v1/interviews/${id}/participants`, { contactId: story.superintendent.id });
    const rows = await ofInterview(id);
    const email = rows.find((f) => f.key === `thank_you:${story.principal.id}`)!;
    const task = rows.find((f) => f.key === `thank_you:${story.superintendent.id}`)!;
    const res = await post(`/v1/follow-ups/${email.id}/send-now`, {});
    expect(res.statusCode, res.body).toBe(200);
    const now = json<FollowUp>(res);
    expect(now).toMatchObject({ status: 'pending', dueAt: '2026-12-03T16:10:00.000Z', version: email.version + 1 });
    expect(now.reason).toMatch(/^sent now by hand \(planned: /);
    // Queued as the change commits, which the answer does not wait for.
    const queued = () => t.deps.queues.get('followups').getJob(deliverJobId(email.id, now.version));
    const job = await vi.waitFor(async () => (await queued()) ?? Promise.reject(new Error('not queued yet')));
    expect(job.data).toMatchObject({ followUpId: email.id, version: now.version });
    await job.remove();
    expectProblem(await post(`/v1/follow-ups/${task.id}/send-now`, {}), 409, 'conflict');
    await post(`/v1/follow-ups/${email.id}/cancel`, {});
    expectProblem(await post(`/v1/follow-ups/${email.id}/send-now`, {}), 409, 'conflict');
  });

  it('complete closes a task with notes; an email or a closed one is 409', async () => {
    const { story, id } = await completed();
    await post(`/v1/interviews/${id}/participants`, { contactId: story.superintendent.id });
    const rows = await ofInterview(id);
    const task = rows.find((f) => f.key === `thank_you:${story.superintendent.id}`)!;
    const email = rows.find((f) => f.key === `thank_you:${story.principal.id}`)!;
    const done = json<FollowUp>(await post(`/v1/follow-ups/${task.id}/complete`, { notes: 'Called, thanked him' }));
    expect(done).toMatchObject({ status: 'done', notes: 'Called, thanked him', completedAt: '2026-12-03T16:10:00.000Z' });
    expectProblem(await post(`/v1/follow-ups/${task.id}/complete`, {}), 409, 'conflict');
    expectProblem(await post(`/v1/follow-ups/${email.id}/complete`, {}), 409, 'conflict');
    expect((await timeline(tenant.tenantId, task.id)).map((a) => a.event_type)).toEqual(['followup.planned', 'followup.completed']);
    // Done by hand stays done when the interview is re-planned.
    await post(`/v1/interviews/${id}/timeline`, { decisionExpectedBy: '2026-12-18' });
    expect((await ofInterview(id)).filter((f) => f.key === task.key).map((f) => f.status)).toEqual(['done']);
  });

  it('skip and cancel close a pending one for good; twice is 409', async () => {
    const { id } = await completed();
    const rows = await ofInterview(id);
    const check = rows.find((f) => f.kind === 'recruiter_check_in')!;
    const request = rows.find((f) => f.kind === 'timeline_request')!;
    expectProblem(await post(`/v1/follow-ups/${check.id}/skip`, {}), 400);
    expect(json<FollowUp>(await post(`/v1/follow-ups/${check.id}/skip`, { reason: 'Spoke at the school gate' }))).toMatchObject({
      status: 'skipped',
      cancelReason: 'Spoke at the school gate',
    });
    expectProblem(await post(`/v1/follow-ups/${check.id}/skip`, { reason: 'again' }), 409, 'conflict');
    expect(json<FollowUp>(await post(`/v1/follow-ups/${request.id}/cancel`, { reason: 'They told us on the phone' }))).toMatchObject({
      status: 'cancelled',
      cancelReason: 'They told us on the phone',
    });
    expectProblem(await post(`/v1/follow-ups/${request.id}/cancel`, {}), 409, 'conflict');
    // A re-plan does not bring them back.
    clock.set('2026-12-04T12:00:00Z');
    await post(`/v1/interviews/${id}/timeline`, { decisionExpectedBy: '2026-12-18' });
    const again = await ofInterview(id);
    expect(again.filter((f) => f.kind === 'recruiter_check_in' || f.kind === 'timeline_request').map((f) => f.status).sort()).toEqual(['cancelled', 'skipped']);
    expect((await timeline(tenant.tenantId, check.id)).map((a) => a.event_type)).toEqual(['followup.planned', 'followup.skipped']);
  });

  it('PATCH edits subject and body with If-Match; a stale version is 412, a closed one 409', async () => {
    const { id } = await completed();
    const note = (await ofInterview(id)).find((f) => f.kind === 'thank_you')!;
    const patch = (payload: object, version?: number) =>
      t.app.inject({ method: 'PATCH', url: `/v1/follow-ups/${note.id}`, headers: { ...h(), ...(version ? { 'if-match': `"${version}"` } : {}) }, payload });
    expectProblem(await patch({}), 400);
    const edited = await patch({ subject: 'Thank you, Pat', body: 'Dear Pat, …' }, 1);
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.headers.etag).toBe('"2"');
    expect(edited.json()).toMatchObject({ subject: 'Thank you, Pat', body: 'Dear Pat, …', version: 2 });
    expectProblem(await patch({ subject: 'Stale' }, 1), 412);
    await post(`/v1/follow-ups/${note.id}/skip`, { reason: 'Sent by the candidate themselves' });
    expectProblem(await patch({ subject: 'Late' }), 409, 'conflict');
    expect((await timeline(tenant.tenantId, note.id)).map((a) => a.event_type)).toEqual(['followup.planned', 'followup.edited', 'followup.skipped']);
  });

  it('an unknown id is 404; a viewer reads but cannot act; keys need the follow-up scopes', async () => {
    const { id } = await completed();
    const note = (await ofInterview(id))[0]!;
    expectProblem(await t.app.inject({ url: '/v1/follow-ups/00000000-0000-4000-8000-000000000000', headers: h() }), 404, 'not_found');
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    expect((await t.app.inject({ url: `/v1/follow-ups/${note.id}`, headers: bearer(viewer.token) })).statusCode).toBe(200);
    expectProblem(await post(`/v1/follow-ups/${note.id}/skip`, { reason: 'x' }, bearer(viewer.token)), 403, 'forbidden');
    const reader = await apiKey(t.app, tenant, ['followups:read']);
    expect((await t.app.inject({ url: `/v1/follow-ups/${note.id}`, headers: bearer(reader.secret) })).statusCode).toBe(200);
    expectProblem(await post(`/v1/follow-ups/${note.id}/skip`, { reason: 'x' }, bearer(reader.secret)), 403, 'insufficient_scope');
  });
});

describe('the due list', () => {
  it('filters by status, kind, recruiter, candidate, interview, due time and overdue, in due order with a cursor', async () => {
    const own = await newTenant(t.app);
    const oh = bearer(own.token);
    clock.set('2026-11-26T12:00:00Z');
    const storyA = await recruitingStory(t.app, own);
    const a = await scheduledInterview(t.app, own, storyA);
    clock.set('2026-12-03T16:10:00Z');
    await t.app.inject({ method: 'POST', url: `/v1/interviews/${a.id}/complete`, headers: oh, payload: {} });
    const get = async (q: string) => {
      const res = await t.app.inject({ url: `/v1/follow-ups?${q}`, headers: oh });
      expect(res.statusCode, res.body).toBe(200);
      return json<{ data: FollowUp[]; nextCursor: string | null }>(res);
    };
    const all = (await get('limit=100')).data;
    expect(all.length).toBeGreaterThan(5);
    const order = all.map((f) => `${f.dueAt}|${f.id}`);
    expect(order).toEqual([...order].sort());

    // Page by page gives the same rows.
    const paged: FollowUp[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged.map((f) => f.id)).toEqual(all.map((f) => f.id));

    expect((await get('kind=thank_you')).data.map((f) => f.kind)).toEqual(['thank_you', 'thank_you']);
    expect((await get(`recruiterId=${own.ownerId}&limit=100`)).data.length).toBe(all.length);
    expect((await get('recruiterId=00000000-0000-4000-8000-000000000000')).data).toEqual([]);
    expect((await get(`candidateId=${storyA.candidate.id}&limit=100`)).data.length).toBe(all.length);
    expect((await get('dueBefore=2026-12-04T00:00:00Z&limit=100')).data.every((f) => f.dueAt < '2026-12-04')).toBe(true);
    expect((await get('overdue=true')).data).toEqual([]);

    // A week later the thank-yous, the timeline request and the check-in are overdue (no worker sent them).
    clock.set('2026-12-10T12:00:00Z');
    const overdue = (await get('overdue=true&limit=100')).data;
    expect(overdue.length).toBeGreaterThan(3);
    expect(overdue.every((f) => f.overdue && f.dueAt < '2026-12-10T12:00:00.000Z')).toBe(true);
    const skipped = overdue[0]!;
    await t.app.inject({ method: 'POST', url: `/v1/follow-ups/${skipped.id}/skip`, headers: oh, payload: { reason: 'Not needed' } });
    expect((await get('status=skipped')).data.map((f) => f.id)).toEqual([skipped.id]);
    expect((await get('overdue=true&limit=100')).data.length).toBe(overdue.length - 1);
    expect((await get('overdue=false&limit=100')).data.length).toBe(all.length - overdue.length + 1);

    const bad = expectProblem(await t.app.inject({ url: '/v1/follow-ups?status=lost&kind=letter', headers: oh }), 400);
    expect(bad.errors?.map((e) => e.field).sort()).toEqual(['query.kind', 'query.status']);
  });
});

describe('the playbook', () => {
  it('reads the defaults, takes a valid one from an admin, refuses a bad one naming the fields', async () => {
    const own = await newTenant(t.app);
    const oh = bearer(own.token);
    const put = (payload: object, headers = oh) => t.app.inject({ method: 'PUT', url: '/v1/playbook', headers, payload });
    expect(json(await t.app.inject({ url: '/v1/playbook', headers: oh }))).toEqual(defaultPlaybook);

    const bad = expectProblem(await put({ thankYou: { sameDayDelayMinutes: -5 }, statusCheck: { maxChecks: 9 }, businessHours: { end: '25:00' } }), 400, 'validation_failed');
    expect(bad.errors?.map((e) => e.field).sort()).toEqual(['body.businessHours.end', 'body.statusCheck.maxChecks', 'body.thankYou.sameDayDelayMinutes']);
    const outside = expectProblem(await put({ businessHours: { start: '10:00' } }), 400);
    expect(outside.errors?.map((e) => e.field)).toContain('body.thankYou.nextDayTime');
    expectProblem(await put({ unknown: 1 }), 400);

    const recruiter = await userWithRole(t.app, own, 'recruiter');
    expectProblem(await put({}, bearer(recruiter.token)), 403, 'forbidden');

    const ok = await put({ thankYou: { sameDayCutoff: '12:00', nextDayTime: '10:00' } });
    expect(ok.statusCode, ok.body).toBe(200);
    const stored = json<typeof defaultPlaybook>(await t.app.inject({ url: '/v1/playbook', headers: oh }));
    expect(stored.thankYou).toEqual({ ...defaultPlaybook.thankYou, sameDayCutoff: '12:00', nextDayTime: '10:00' });
    expect(stored.statusCheck).toEqual(defaultPlaybook.statusCheck);
    const events = await adminPool().query("SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'playbook.updated'", [own.tenantId]);
    expect(events.rows[0].n).toBe(1);

    // The planner uses it.
    clock.set('2026-11-26T12:00:00Z');
    const story = await recruitingStory(t.app, own);
    const interview = await scheduledInterview(t.app, own, story, '2026-12-03T12:00:00-05:00');
    clock.set('2026-12-03T18:10:00Z');
    await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: oh, payload: {} });
    const rows = json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?kind=thank_you&interviewId=${interview.id}`, headers: oh })).data;
    // Ended 13:00 New York, after the 12:00 cut-off: the next business day at 10:00.
    expect(rows.map((f) => f.dueAt)).toEqual(['2026-12-04T15:00:00.000Z', '2026-12-04T15:00:00.000Z']);
  });
});
