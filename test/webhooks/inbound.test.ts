import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAutomaticReply, quotedFollowUpIds, replySummary } from '../../src/modules/inbound/outOfOffice.js';
import { fixedClock } from '../../src/lib/clock.js';
import { bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from '../helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from '../helpers/story.js';
import { adminPool } from '../helpers/db.js';

// The interview runs Thu 3 Dec 2026 10:00–11:00 New York; completed at 11:10 without a timeline.
const clock = fixedClock('2026-11-26T12:00:00Z');
let t: TestApp;
let tenant: TestTenant;
let secret: string;

beforeAll(async () => {
  t = await createTestApp({ clock, env: { PUBLIC_URL: 'https://api.afterview.example' } });
  tenant = await newTenant(t.app);
  const res = await t.app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: bearer(tenant.token) });
  expect(res.statusCode, res.body).toBe(200);
  const body = json<Schemas['InboundSecret']>(res);
  expect(body.url).toBe('https://api.afterview.example/v1/inbound/email');
  secret = body.secret;
});
afterAll(() => t.close());

type FollowUp = Schemas['FollowUp'];
type Inbound = Schemas['InboundReply'];
const h = () => bearer(tenant.token);
const inbound = (payload: object, auth = `Bearer ${secret}`) =>
  t.app.inject({ method: 'POST', url: '/v1/inbound/email', headers: { authorization: auth }, payload });
const ofInterview = async (id: string) =>
  json<{ data: FollowUp[] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${id}&limit=100`, headers: h() })).data;
const waitingChecks = (rows: FollowUp[]) => rows.filter((f) => f.status === 'pending' && (f.kind === 'status_check' || f.kind === 'recruiter_check_in'));

async function completed(): Promise<{ story: Story; interviewId: string; thankYou: FollowUp }> {
  clock.set('2026-11-26T12:00:00Z');
  const story = await recruitingStory(t.app, tenant);
  const interview = await scheduledInterview(t.app, tenant, story);
  clock.set('2026-12-03T16:10:00Z');
  const res = await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: h(), payload: {} });
  expect(res.statusCode, res.body).toBe(200);
  const rows = await ofInterview(interview.id);
  expect(waitingChecks(rows).length).toBeGreaterThan(0);
  clock.set('2026-12-04T15:00:00Z');
  return { story, interviewId: interview.id, thankYou: rows.find((f) => f.kind === 'thank_you')! };
}

const email = (followUpId: string | null, extra: object = {}) => ({
  from: 'Pat Principal <pat@school.example.org>',
  subject: 'Re: Thank you for the interview',
  text: 'Thank you, Jordan. We are still interviewing and will be in touch.\n\nOn Thu, Dec 3 Jordan wrote:\n> Dear Pat,',
  ...(followUpId ? { inReplyTo: `<fu-${followUpId}@afterview>`, references: `<other@mail.example> <fu-${followUpId}@afterview>` } : {}),
  ...extra,
});

describe('inbound replies', () => {
  it('when a reply quotes a follow-up’s Message-ID, then it is the employer’s reply: status checks pause, it is on the timeline', async () => {
    const { story, interviewId, thankYou } = await completed();
    const res = await inbound(email(thankYou.id, { messageId: '<reply-1@school.example.org>' }));
    expect(res.statusCode, res.body).toBe(202);
    const got = json<Inbound>(res);
    expect(got).toMatchObject({ status: 'matched', followUpId: thankYou.id, applicationId: story.application.id });
    expect(waitingChecks(await ofInterview(interviewId))).toEqual([]);
    const replies = json<{ data: Schemas['EmployerReply'][] }>(
      await t.app.inject({ url: `/v1/applications/${story.application.id}/replies`, headers: h() }),
    ).data;
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ id: got.replyId, channel: 'email', interviewId, summary: 'Thank you, Jordan. We are still interviewing and will be in touch.' });
    const timeline = json<{ data: { action: string }[] }>(
      await t.app.inject({ url: `/v1/activity?applicationId=${story.application.id}&limit=100`, headers: h() }),
    ).data.map((a) => a.action);
    expect(timeline).toEqual(expect.arrayContaining(['inbound_reply.received', 'reply.recorded']));

    // The provider posts it again: the first record stands, nothing is added.
    const again = await inbound(email(thankYou.id, { messageId: '<reply-1@school.example.org>' }));
    expect(again.statusCode).toBe(200);
    expect(json<Inbound>(again).id).toBe(got.id);
    expect(json<{ data: unknown[] }>(await t.app.inject({ url: `/v1/applications/${story.application.id}/replies`, headers: h() })).data).toHaveLength(1);
  });

  it('when a reply carries our Message-ID only in In-Reply-To, or only in References, then it is matched either way', async () => {
    const { thankYou } = await completed();
    const byInReplyTo = await inbound({ ...email(null), messageId: '<only-irt@school.example.org>', inReplyTo: `<fu-${thankYou.id}@afterview>` });
    expect(byInReplyTo.statusCode, byInReplyTo.body).toBe(202);
    expect(json<Inbound>(byInReplyTo)).toMatchObject({ status: 'matched', followUpId: thankYou.id });
    const second = await completed();
    const byReferences = await inbound({ ...email(null), messageId: '<only-refs@school.example.org>', references: `<a@mail.example> <fu-${second.thankYou.id}@afterview> <b@mail.example>` });
    expect(byReferences.statusCode, byReferences.body).toBe(202);
    expect(json<Inbound>(byReferences)).toMatchObject({ status: 'matched', followUpId: second.thankYou.id });
  });

  it('when the candidate answers an email sent to them, then it is not the employer’s reply: checks stay, it waits unmatched', async () => {
    const { story, interviewId } = await completed();
    const rows = await ofInterview(interviewId);
    const toCandidate = rows.find((f) => f.recipient.type === 'candidate');
    expect(toCandidate, JSON.stringify(rows.map((f) => [f.kind, f.recipient.type]))).toBeDefined();
    const before = waitingChecks(rows).map((f) => f.id);
    const res = await inbound(email(toCandidate!.id, { from: 'Jordan <jordan@candidates.example.org>', subject: 'Re: Your interview', text: 'Thanks for the update!' }));
    expect(res.statusCode, res.body).toBe(202);
    expect(json<Inbound>(res)).toMatchObject({ status: 'unmatched', followUpId: null, replyId: null });
    expect(waitingChecks(await ofInterview(interviewId)).map((f) => f.id)).toEqual(before);
    const replies = json<{ data: unknown[] }>(await t.app.inject({ url: `/v1/applications/${story.application.id}/replies`, headers: h() })).data;
    expect(replies).toEqual([]);
  });

  it('when the candidate is erased, then the employer’s emails about them are wiped, matched or assigned', async () => {
    const { story, thankYou } = await completed();
    const matched = json<Inbound>(await inbound(email(thankYou.id, { messageId: '<erase-1@school.example.org>', text: 'Jordan Lee is our pick.' })));
    const loose = json<Inbound>(await inbound(email(null, { messageId: '<erase-2@school.example.org>', subject: 'About Jordan Lee', text: 'Is Jordan Lee free?' })));
    expect(loose.status).toBe('unmatched');
    const assign = await t.app.inject({ method: 'POST', url: `/v1/inbound-replies/${loose.id}/assign`, headers: h(), payload: { applicationId: story.application.id } });
    expect(assign.statusCode, assign.body).toBeLessThan(300);
    const kept = async () => (await adminPool().query('SELECT subject, text FROM inbound_replies WHERE id = ANY($1::uuid[]) ORDER BY id', [[matched.id, loose.id]])).rows;
    expect(JSON.stringify(await kept())).toContain('Jordan Lee');
    // Until then the candidate's export holds both, as received.
    const exported = json<Schemas['CandidateExport']>(await t.app.inject({ url: `/v1/candidates/${story.candidate.id}/export`, headers: h() }));
    expect(exported.inboundEmails.map((e) => e.id).sort()).toEqual([matched.id, loose.id].sort());
    expect(exported.inboundEmails.map((e) => e.text)).toContain('Is Jordan Lee free?');
    // An email from the candidate's own address that matched nothing is theirs too.
    const own = json<Inbound>(
      await inbound(email(null, { from: `Jordan Lee <${String(story.candidate.email).toUpperCase()}>`, messageId: '<erase-3@candidates.example.org>', subject: 'My availability', text: 'I can start in January.' })),
    );
    expect(own.status).toBe('unmatched');
    const exportedOwn = json<Schemas['CandidateExport']>(await t.app.inject({ url: `/v1/candidates/${story.candidate.id}/export`, headers: h() }));
    expect(exportedOwn.inboundEmails.map((e) => e.id)).toContain(own.id);
    const admin = await t.app.inject({ method: 'POST', url: `/v1/candidates/${story.candidate.id}/erase`, headers: h() });
    expect(admin.statusCode, admin.body).toBe(200);
    expect(await kept()).toEqual([
      { subject: '[erased]', text: '[erased]' },
      { subject: '[erased]', text: '[erased]' },
    ]);
    // The employer's address stays (it is the contact's, not the candidate's); the candidate's goes.
    const senders = async (ids: string[]) =>
      (await adminPool().query('SELECT from_address, subject, text FROM inbound_replies WHERE id = ANY($1::uuid[]) ORDER BY id', [ids])).rows;
    expect(await senders([matched.id])).toEqual([{ from_address: 'Pat Principal <pat@school.example.org>', subject: '[erased]', text: '[erased]' }]);
    expect(await senders([own.id])).toEqual([{ from_address: '[erased]', subject: '[erased]', text: '[erased]' }]);
  });

  it('when the answer is an out-of-office, then it is kept but the status checks stay', async () => {
    const { interviewId, thankYou } = await completed();
    const before = waitingChecks(await ofInterview(interviewId)).map((f) => f.id);
    const res = await inbound(
      email(thankYou.id, { subject: 'Automatic reply: Thank you for the interview', text: 'I am out of the office until December 14 with limited access to email.' }),
    );
    expect(res.statusCode, res.body).toBe(202);
    expect(json<Inbound>(res)).toMatchObject({ status: 'out_of_office', followUpId: thankYou.id, replyId: null });
    expect(waitingChecks(await ofInterview(interviewId)).map((f) => f.id)).toEqual(before);
    // Auto-Submitted alone is enough.
    const byHeader = await inbound(email(thankYou.id, { subject: 'Re: hello', text: 'Thanks!', headers: { 'Auto-Submitted': 'auto-replied' } }));
    expect(json<Inbound>(byHeader).status).toBe('out_of_office');
  });

  it('when the secret is wrong or missing, then 401 and nothing is recorded', async () => {
    const { interviewId, thankYou } = await completed();
    const other = await newTenant(t.app);
    const otherSecret = json<Schemas['InboundSecret']>(await t.app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: bearer(other.token) })).secret;
    const forged = secret.slice(0, -4) + (secret.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const count = async () => (await adminPool().query('SELECT count(*)::int AS n FROM inbound_replies')).rows[0].n as number;
    const n = await count();
    expectProblem(await inbound(email(thankYou.id), ''), 401, 'unauthenticated');
    expectProblem(await inbound(email(thankYou.id), `Bearer ${forged}`), 401, 'invalid_token');
    expectProblem(await inbound(email(thankYou.id), 'Bearer ins_nonsense'), 401, 'unauthenticated');
    expectProblem(await inbound(email(thankYou.id), `Bearer ${tenant.token}`), 401, 'unauthenticated');
    // Another agency's valid secret cannot answer our follow-up: it lands unmatched in that agency.
    const foreign = await inbound(email(thankYou.id), `Bearer ${otherSecret}`);
    expect(json<Inbound>(foreign).status).toBe('unmatched');
    expect(await count()).toBe(n + 1);
    expect(waitingChecks(await ofInterview(interviewId)).length).toBeGreaterThan(0);
    // A replaced secret stops working.
    const old = otherSecret;
    await t.app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: bearer(other.token) });
    expectProblem(await inbound(email(null), `Bearer ${old}`), 401, 'invalid_token');
  });

  it('when nothing matches, then the email waits for a recruiter, who assigns it to an application', async () => {
    const { story, interviewId } = await completed();
    const res = await inbound(email(null, { subject: 'Question about Jordan', text: 'Can Jordan come for a demo lesson?' }));
    const got = json<Inbound>(res);
    expect(got).toMatchObject({ status: 'unmatched', followUpId: null, applicationId: null });
    const waiting = json<{ data: Inbound[] }>(await t.app.inject({ url: '/v1/inbound-replies?status=unmatched', headers: h() })).data;
    expect(waiting.map((r) => r.id)).toContain(got.id);

    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const assign = (payload: object, token = tenant.token) =>
      t.app.inject({ method: 'POST', url: `/v1/inbound-replies/${got.id}/assign`, headers: bearer(token), payload });
    expectProblem(await assign({ applicationId: story.application.id }, viewer.token), 403, 'forbidden');
    expect(expectProblem(await assign({}), 400).errors?.[0]?.field).toBe('body.applicationId');
    expect(expectProblem(await assign({ applicationId: '00000000-0000-4000-8000-000000000000' }), 400).errors?.[0]?.field).toBe('body.applicationId');
    const done = await assign({ applicationId: story.application.id, interviewId });
    expect(done.statusCode, done.body).toBe(200);
    expect(json<Inbound>(done)).toMatchObject({ status: 'assigned', applicationId: story.application.id });
    expect(waitingChecks(await ofInterview(interviewId))).toEqual([]);
    expectProblem(await assign({ applicationId: story.application.id }), 409, 'conflict');
  });

  it('refuses a malformed email naming the field', async () => {
    expect(expectProblem(await inbound({ subject: 'x', text: 'y' }), 400).errors?.[0]?.field).toBe('body.from');
    expect(expectProblem(await inbound({ from: 'a@b.example', subject: 'x' }), 400).errors?.[0]?.field).toBe('body.text');
    expect(expectProblem(await inbound({ from: 'a@b.example', text: 'y', attachments: [] }), 400).errors?.[0]?.field).toBe('body.attachments');
  });
});

describe('recognising automatic answers and quoted ids', () => {
  it.each([
    ['Out of Office: Re: interview', 'Hello', {}],
    ['Automatic reply: Thank you', 'Hello', {}],
    ['AUTO: away', 'Hello', {}],
    ['Abwesenheit', 'Hallo', {}],
    ['Re: Thank you', "I'm currently out of office and will return on Monday.", {}],
    ['Re: Thank you', 'This is an automated response.', {}],
    ['Re: Thank you', 'Thanks', { 'Auto-Submitted': 'auto-replied' }],
    ['Re: Thank you', 'Thanks', { Precedence: 'auto_reply' }],
    ['Re: Thank you', 'Thanks', { 'X-Autoreply': 'yes' }],
  ])('%s / %s is automatic', (subject, text, headers) => {
    expect(isAutomaticReply(subject, text, headers)).toBe(true);
  });
  it.each([
    ['Re: Thank you for the interview', 'We will decide by the 12th.', {}],
    ['Re: Office hours', 'Jordan can visit our office on Monday.', {}],
    ['Re: Thank you', 'Thanks', { 'Auto-Submitted': 'no' }],
  ])('%s / %s is a person', (subject, text, headers) => {
    expect(isAutomaticReply(subject, text, headers)).toBe(false);
  });
  it('finds our follow-up ids in In-Reply-To and References, ignores others, and cuts quoted history from the summary', () => {
    const a = '01938a96-7c8d-7e9f-80b1-c2d3e4f5a6b7';
    const b = '01938a96-7c8d-7e9f-80b1-c2d3e4f5a6b8';
    expect(quotedFollowUpIds(`<fu-${a}@afterview>`, `<x@y> <fu-${b}@afterview> <fu-${a}@afterview>`)).toEqual([a, b]);
    expect(quotedFollowUpIds('<fu-nope@afterview>', undefined)).toEqual([]);
    expect(replySummary('Yes, Friday.\r\n\r\nOn Mon, Jan 5 Jordan wrote:\r\n> hi')).toBe('Yes, Friday.');
    expect(replySummary('> only quoted')).toBe('> only quoted');
  });
});
