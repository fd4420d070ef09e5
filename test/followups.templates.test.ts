import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview } from './helpers/story.js';
import { adminPool } from './helpers/db.js';
import { fixedClock } from '../src/lib/clock.js';
import {
  assertValidTemplate,
  defaultContent,
  renderFollowUp,
  templateIdFor,
  templateProblems,
  templateView,
  defaultTemplates,
} from '../src/core/templates.js';
import { AppError } from '../src/lib/errors.js';

const clock = fixedClock('2026-11-26T12:00:00Z');
let t: TestApp;
let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  t = await createTestApp({ clock });
  [tenant, other] = await Promise.all([newTenant(t.app), newTenant(t.app)]);
});
afterAll(() => t.close());

type Template = Schemas['FollowUpTemplate'];
const URL = '/v1/follow-up-templates';
const THANKS = `${URL}/thank_you.email.candidate`;
const h = (tn = tenant) => bearer(tn.token);
const get = async (url: string, headers = h()) => {
  const res = await t.app.inject({ url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const put = (url: string, payload: unknown, headers = h()) => t.app.inject({ method: 'PUT', url, headers, payload: payload as object });
const preview = (id: string, payload: object, headers = h()) => t.app.inject({ method: 'POST', url: `${URL}/${id}/preview`, headers, payload });

describe('the agency’s templates', () => {
  it('lists every template with the shipped defaults and the variables; anyone in the agency reads them', async () => {
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const list = (await get(URL, bearer(viewer.token))) as { data: Template[]; nextCursor: null; variables: string[] };
    expect(list.data.map((x) => x.id)).toEqual(defaultTemplates.map((x) => x.id));
    expect(list.data.map((x) => x.id)).toEqual(
      expect.arrayContaining(['thank_you.email.candidate', 'timeline_request.phone.candidate', 'recruiter_check_in.email.agency', 'candidate_update.outcome.email.agency', 'linkedin_connect.linkedin.agency', 'combined.email.agency']),
    );
    expect(list.data.every((x) => !x.custom && x.updatedAt === null)).toBe(true);
    expect(list.nextCursor).toBeNull();
    expect(list.variables).toEqual([
      'candidate', 'candidateFirstName', 'interviewer', 'position', 'employer', 'highlight', 'timeline', 'recruiter', 'agency', 'outcome', 'responseLink',
      'candidates', 'candidateNames', 'step',
    ]);
    const one = (await get(THANKS)) as Template;
    expect(one).toMatchObject({ kind: 'thank_you', event: null, channel: 'email', voice: 'candidate', custom: false });
    expect(one.body).toContain('{{#highlight}}');
    expectProblem(await t.app.inject({ url: `${URL}/thank_you.fax.candidate`, headers: h() }), 404, 'not_found');
  });

  it('an admin replaces one; it is the agency’s own (another agency still has the default); reset brings the default back', async () => {
    const body = 'Dear {{interviewer}},\n\nThank you for your time. {{#highlight}}I enjoyed {{highlight}}.{{/highlight}}\n\n{{candidate}}';
    const res = await put(THANKS, { subject: 'Thank you, {{interviewer}}', body });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Template>(res)).toMatchObject({ subject: 'Thank you, {{interviewer}}', body, custom: true, updatedAt: '2026-11-26T12:00:00.000Z', updatedBy: tenant.ownerId });
    expect(await get(THANKS)).toMatchObject({ custom: true, body });
    expect(await get(THANKS, h(other))).toMatchObject({ custom: false, subject: 'Thank you for the interview for the {{position}} position' });

    const events = await adminPool().query(
      "SELECT payload->'data' AS data FROM events WHERE tenant_id = $1 AND type = 'followup_template.updated' ORDER BY created_at, id",
      [tenant.tenantId],
    );
    expect(events.rows.map((r) => [r.data.templateId, r.data.reset, r.data.changedFields])).toEqual([['thank_you.email.candidate', false, ['subject', 'body', 'custom']]]);

    // The same text again changes nothing and records nothing.
    expect((await put(THANKS, { subject: 'Thank you, {{interviewer}}', body })).statusCode).toBe(200);
    const reset = await t.app.inject({ method: 'DELETE', url: THANKS, headers: h() });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(json<Template>(reset)).toMatchObject({ custom: false, updatedAt: null, subject: 'Thank you for the interview for the {{position}} position' });
    const after = await adminPool().query("SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'followup_template.updated'", [tenant.tenantId]);
    expect(after.rows[0].n).toBe(2);
  });

  it('an unknown variable is refused at save with 422 naming the field and the variable; the saved text stays', async () => {
    const before = await get(THANKS);
    const res = await put(THANKS, { subject: 'Thanks {{interviewer}}', body: 'Dear {{interviewer}}, about {{postion}}' });
    const p = expectProblem(res, 422, 'unprocessable');
    expect(p.errors).toEqual([{ field: 'body.body', message: expect.stringMatching(/^Unknown variable \{\{postion\}\}; known: /) }]);
    expect(p.unknownVariables).toEqual(['postion']);
    expect(p.detail).toBe('Unknown template variable(s): postion');

    const subject = expectProblem(await put(THANKS, { subject: 'Hi {{firstname}}', body: 'x' }), 422, 'unprocessable');
    expect(subject.errors).toEqual([{ field: 'body.subject', message: expect.stringContaining('{{firstname}}') }]);
    const syntax = expectProblem(await put(THANKS, { subject: 'Hi', body: '{{#highlight}}never closed' }), 422, 'unprocessable');
    expect(syntax.errors![0]).toEqual({ field: 'body.body', message: expect.stringMatching(/^Template syntax: Unclosed section "highlight"/) });
    expectProblem(await put(THANKS, { subject: 'Hi', body: '{{> signature}}' }), 422, 'unprocessable');

    // Malformed input is a 400 naming the field.
    const empty = expectProblem(await put(THANKS, { subject: '', body: 'x' }), 400, 'validation_failed');
    expect(empty.errors!.map((e: { field: string }) => e.field)).toEqual(['body.subject']);
    expect(expectProblem(await put(THANKS, { subject: 'Two\nlines', body: 'x' }), 400).errors![0]!.field).toBe('body.subject');
    expect(expectProblem(await put(THANKS, { subject: 'x', body: 'x', html: '<p>' }), 400).errors![0]).toMatchObject({ field: 'body.html', message: 'Unknown field' });
    expect(expectProblem(await put(THANKS, { subject: 'x', body: 'y'.repeat(20_001) }), 400).errors![0]!.field).toBe('body.body');
    expect(await get(THANKS)).toEqual(before);
  });

  it('only admins write; recruiters and keys are refused', async () => {
    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    expectProblem(await put(THANKS, { subject: 'x', body: 'y' }, bearer(recruiter.token)), 403, 'forbidden');
    expectProblem(await t.app.inject({ method: 'DELETE', url: THANKS, headers: bearer(recruiter.token) }), 403, 'forbidden');
    const key = await apiKey(t.app, tenant, ['followups:read', 'followups:write']);
    expectProblem(await put(THANKS, { subject: 'x', body: 'y' }, bearer(key.secret)), 403);
    expect((await t.app.inject({ url: URL, headers: bearer(key.secret) })).statusCode).toBe(200);
  });
});

describe('previewing a template', () => {
  it('renders the saved template with sample facts, or with the facts given', async () => {
    const res = await preview('status_check.email.candidate', {});
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ templateId: 'status_check.email.candidate', subject: 'Following up on the 5th grade teacher position', facts: 'sample' });
    expect(out.body).toBe(
      'Dear Pat Principal,\n\nWhen we spoke, you mentioned you hoped to decide on the 5th grade teacher position around Friday, December 18, so I thought I would follow up. ' +
        'I remain very interested, and I would be grateful for any update on where things stand.\n\nKind regards,\nJordan Lee',
    );
    const given = (await preview('status_check.email.candidate', { vars: { interviewer: 'Dana Dean', timeline: null } })).json();
    expect(given.body).toMatch(/^Dear Dana Dean,\n\nI wanted to follow up on my interview for the 5th grade teacher position at Lincoln Elementary\./);
    expect(given.variables).toMatchObject({ interviewer: 'Dana Dean', timeline: null, candidate: 'Jordan Lee' });
  });

  it('the combined email to a contact has a template of its own: sample facts list three candidates; an admin edits it like the others', async () => {
    const res = await preview('combined.email.agency', { vars: { agency: 'Hudson Valley Teachers' } });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ templateId: 'combined.email.agency', subject: 'Following up on Jordan Lee, Sam Park and Alex Kim', facts: 'sample' });
    expect(out.body).toBe(
      'Dear Pat Principal,\n\nI am following up on the candidates from Hudson Valley Teachers you have interviewed:\n\n' +
        '- Jordan Lee, 5th grade teacher: you hoped to decide around Friday, December 18\n\n' +
        '- Sam Park, 3rd grade teacher: could you tell us roughly when you expect to decide?\n\n' +
        '- Alex Kim, Reading specialist: could you tell us roughly when you expect to decide?\n\n' +
        'Is there any update on where things stand, and anything further you need from us?\n\nBest regards,\nSam Rivera\nHudson Valley Teachers',
    );
    expect(out.variables).toMatchObject({ candidateNames: 'Jordan Lee, Sam Park and Alex Kim', interviewer: 'Pat Principal' });
    const body = 'Hi {{interviewer}}, news on {{#candidates}}{{candidateFirstName}} ({{step}}); {{/candidates}}thanks, {{recruiter}}';
    const saved = await put(`${URL}/combined.email.agency`, { subject: '{{candidateNames}}', body });
    expect(saved.statusCode, saved.body).toBe(200);
    try {
      expect(json<Template>(saved)).toMatchObject({ kind: 'combined', channel: 'email', voice: 'agency', custom: true, body });
      expect((await preview('combined.email.agency', {})).json().body).toBe('Hi Pat Principal, news on Jordan (status check); Sam (status check); Alex (timeline request); thanks, Sam Rivera');
      const bad = expectProblem(await put(`${URL}/combined.email.agency`, { subject: 'x', body: '{{#candidates}}{{nickname}}{{/candidates}}' }), 422, 'unprocessable');
      expect(bad.unknownVariables).toEqual(['nickname']);
    } finally {
      await t.app.inject({ method: 'DELETE', url: `${URL}/combined.email.agency`, headers: h() });
    }
  });

  it('renders a draft before it is saved, refusing its unknown variables the same way', async () => {
    const draft = await preview('thank_you.email.candidate', { subject: 'Hi {{candidateFirstName}}', body: '{{interviewer}} at {{employer}} ({{agency}})' });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json()).toMatchObject({ subject: 'Hi Jordan', body: `Pat Principal at Lincoln Elementary (Agency ${tenant.slug})` });
    const bad = expectProblem(await preview('thank_you.email.candidate', { body: 'Dear {{reader}}' }), 422, 'unprocessable');
    expect(bad.errors).toEqual([{ field: 'body.body', message: expect.stringContaining('{{reader}}') }]);
    expect(bad.unknownVariables).toEqual(['reader']);
    expect(expectProblem(await preview('thank_you.email.candidate', { vars: { pet: 'cat' } }), 400).errors![0]).toMatchObject({ field: 'body.vars.pet' });
    expect(expectProblem(await preview('thank_you.email.candidate', { vars: { timeline: 'soon' } }), 400).errors![0]).toMatchObject({ field: 'body.vars.timeline' });
    expectProblem(await preview('nope', {}), 404, 'not_found');
  });

  it('renders against a real follow-up with its facts; another agency’s follow-up is 404', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const story = await recruitingStory(t.app, tenant);
    const interview = await scheduledInterview(t.app, tenant, story);
    clock.set('2026-12-03T16:10:00Z');
    const done = await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: h(), payload: {} });
    expect(done.statusCode, done.body).toBe(200);
    const rows = (await get(`/v1/follow-ups?interviewId=${interview.id}&kind=thank_you`)).data as Schemas['FollowUp'][];
    const terry = rows.find((f) => f.contactId === story.teacher.id)!;
    const res = await preview('thank_you.email.candidate', { followUpId: terry.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ facts: 'followUp', variables: { interviewer: 'Terry Teacher', highlight: 'loved the reading-corner idea' } });
    expect(res.json().body).toContain('this part of our conversation: loved the reading-corner idea.');
    const foreign = expectProblem(await preview('thank_you.email.candidate', { followUpId: terry.id }, h(other)), 400, 'validation_failed');
    expect(foreign.errors![0]).toMatchObject({ field: 'body.followUpId' });
    expect(expectProblem(await preview('thank_you.email.candidate', { followUpId: terry.id, vars: {} }), 400).errors![0]).toMatchObject({ field: 'body.vars' });
  });
});

// The templates themselves (src/core/templates.ts): pure, no app needed.
const vars = {
  candidate: 'Jordan Lee',
  interviewer: 'Terry Teacher',
  position: '5th grade teacher',
  employer: 'Lincoln Elementary',
  highlight: 'Loved the reading-corner idea.',
  timeline: '2026-12-18',
  recruiter: 'Sam Rivera',
  outcome: 'rejected',
};
const row = (kind: string, key: string, channel = 'email', voice = 'on_behalf') =>
  ({ kind, key, channel, voice, vars, subject: null, body: null }) as Parameters<typeof renderFollowUp>[0];

describe('the shipped templates', () => {
  it('every default uses only known variables and renders without a tag left, with all facts and with none', () => {
    for (const t of defaultTemplates) {
      expect(() => assertValidTemplate(t, 'body'), t.id).not.toThrow();
      for (const view of [templateView(vars, 'Hudson Valley Teachers'), templateView({}, null)]) {
        const out = defaultContent({ kind: t.kind as never, key: t.event ? `candidate_update:${t.event}` : t.kind, channel: t.channel, voice: t.voice === 'agency' ? 'agency' : 'on_behalf', vars: view as never });
        expect(out.subject + out.body, t.id).not.toMatch(/\{\{|\}\}/);
        expect(out.subject, t.id).not.toMatch(/\n/);
      }
    }
  });

  it('a thank-you names its reader, the position, the employer and quotes the highlight mid-sentence', () => {
    const out = renderFollowUp(row('thank_you', 'thank_you:x'));
    expect(out.subject).toBe('Thank you for the interview for the 5th grade teacher position');
    expect(out.body).toBe(
      'Dear Terry Teacher,\n\nThank you for taking the time to meet with me about the 5th grade teacher position at Lincoln Elementary. ' +
        'I particularly enjoyed this part of our conversation: loved the reading-corner idea.\n\n' +
        'It left me even more interested in the role, and I would be glad to answer anything else that would help.\n\nKind regards,\nJordan Lee',
    );
    const plain = renderFollowUp({ ...row('thank_you', 'thank_you:x'), vars: { ...vars, highlight: null } });
    expect(plain.body).toContain('Lincoln Elementary. I enjoyed our conversation.');
  });

  it('the status check recalls the date they gave, written out; without one it follows up plainly', () => {
    expect(renderFollowUp(row('status_check', 'status_check:2026-12-18:1')).body).toContain('around Friday, December 18, so I thought I would follow up');
    const none = renderFollowUp({ ...row('status_check', 'status_check:window:1'), vars: { ...vars, timeline: null } });
    expect(none.body).toContain('I wanted to follow up on my interview for the 5th grade teacher position at Lincoln Elementary. I remain very interested');
  });

  it('each follow-up finds its template by kind, event, channel and voice; a task uses the email wording', () => {
    expect(templateIdFor(row('thank_you', 'thank_you:x', 'email', 'draft_to_candidate'))).toBe('thank_you.email.candidate');
    expect(templateIdFor(row('thank_you', 'thank_you:x', 'task', 'on_behalf'))).toBe('thank_you.email.candidate');
    expect(templateIdFor(row('timeline_request', 'timeline_request', 'phone', 'on_behalf'))).toBe('timeline_request.phone.candidate');
    expect(templateIdFor(row('recruiter_check_in', 'recruiter_check_in', 'phone', 'agency'))).toBe('recruiter_check_in.phone.agency');
    expect(templateIdFor(row('candidate_update', 'candidate_update:outcome:rejected', 'email', 'agency'))).toBe('candidate_update.outcome.email.agency');
    expect(templateIdFor(row('candidate_update', 'candidate_update:reply:2026-12-04T15:00:00.000Z', 'email', 'agency'))).toBe('candidate_update.reply.email.agency');
    expect(renderFollowUp(row('candidate_update', 'candidate_update:outcome:rejected', 'email', 'agency')).body).toContain(
      'about the 5th grade teacher position: they have decided not to go ahead.',
    );
  });

  it('an agency’s template replaces the default; a recruiter’s edit beats both', () => {
    const templates = { 'thank_you.email.candidate': { subject: 'Thanks, {{interviewer}}', body: 'Hi {{interviewer}}, from {{agency}}', updatedAt: '', updatedBy: null } };
    expect(renderFollowUp(row('thank_you', 'thank_you:x'), { templates, agency: 'HV Teachers' })).toEqual({ subject: 'Thanks, Terry Teacher', body: 'Hi Terry Teacher, from HV Teachers' });
    expect(renderFollowUp({ ...row('thank_you', 'thank_you:x'), subject: 'Mine' }, { templates })).toEqual({ subject: 'Mine', body: 'Hi Terry Teacher, from' });
  });

  it('output is plain text: nothing is HTML-escaped', () => {
    const out = renderFollowUp({ ...row('thank_you', 'thank_you:x'), vars: { ...vars, employer: 'Smith & Sons <Academy>' } });
    expect(out.body).toContain('at Smith & Sons <Academy>.');
  });
});

describe('checking a template', () => {
  it('names each unknown variable, in sections too, with the field', () => {
    const p = templateProblems('Dear {{interviewr}}, {{#hilight}}x{{/hilight}} {{candidate}}', 'body.body');
    expect(p.unknown).toEqual(['interviewr', 'hilight']);
    expect(p.errors.map((e) => e.field)).toEqual(['body.body', 'body.body']);
    expect(p.errors[0]!.message).toMatch(/^Unknown variable \{\{interviewr\}\}; known: candidate, candidateFirstName, interviewer/);
  });

  it('refuses syntax errors, partials and delimiter changes; accepts comments and inverted sections', () => {
    expect(templateProblems('{{#highlight}}open', 'f').errors[0]!.message).toMatch(/^Template syntax: Unclosed section/);
    expect(templateProblems('{{> footer}}', 'f').errors[0]!.message).toMatch(/partials are not supported/);
    expect(templateProblems('{{=<% %>=}}<% candidate %>', 'f').errors[0]!.message).toMatch(/delimiter changes are not supported/);
    expect(templateProblems('{{! a note }}{{^timeline}}soon{{/timeline}}', 'f').errors).toEqual([]);
  });

  it('assertValidTemplate answers 422 with every field and the unknown variables', () => {
    try {
      assertValidTemplate({ subject: 'Hi {{nme}}', body: '{{foo}} and {{nme}}' }, 'body');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect([e.status, e.code, e.errors.map((x) => x.field), e.extra]).toEqual([422, 'unprocessable', ['body.subject', 'body.body', 'body.body'], { unknownVariables: ['nme', 'foo'] }]);
    }
  });
});
