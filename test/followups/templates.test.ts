import { describe, expect, it } from 'vitest';
import {
  assertValidTemplate,
  defaultContent,
  defaultTemplates,
  renderFollowUp,
  templateIdFor,
  templateProblems,
  templateView,
} from '../../src/core/templates.js';
import { AppError } from '../../src/lib/errors.js';

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
        const out = defaultContent({ kind: t.kind, key: t.event ? `candidate_update:${t.event}` : t.kind, channel: t.channel, voice: t.voice === 'agency' ? 'agency' : 'on_behalf', vars: view as never });
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
