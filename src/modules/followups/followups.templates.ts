import Mustache from 'mustache';
import { AppError, type FieldError } from '../../lib/errors.js';
import type { FollowUpRow } from './followups.repo.js';
import type { FollowUpKind } from './followups.types.js';

/**
 * Follow-up templates (docs/followups.md#templates). A template is chosen by the follow-up's kind
 * (candidate updates also by what happened), channel and voice; an agency may replace any of the
 * shipped defaults. The syntax is Mustache, limited to what a recruiter needs: `{{variable}}`,
 * `{{#variable}}…{{/variable}}` (only when it has a value) and `{{^variable}}…{{/variable}}`
 * (only when it has none). Output is plain text: nothing is HTML-escaped.
 */

/** The variables a template may use, with what they hold. */
export const templateVariables = {
  candidate: 'The candidate’s full name',
  candidateFirstName: 'The candidate’s first name',
  interviewer: 'The employer contact the step is for: the note’s reader, or the person to call',
  position: 'The position’s title',
  employer: 'The employer’s name',
  highlight: 'What went well, ready to quote mid-sentence: the participant’s own highlight, else the interview’s (may be empty)',
  timeline: 'The decision date the employer gave, written out, e.g. “Friday, December 18” (empty without one)',
  recruiter: 'The recruiter’s name',
  agency: 'The agency’s name',
  outcome: 'The decision in words, e.g. “they have decided not to go ahead” (candidate updates after an outcome)',
} as const;
export type TemplateVariable = keyof typeof templateVariables;
export const templateVariableNames = Object.keys(templateVariables) as TemplateVariable[];

/** The template's voice: the candidate's own words (sent on their behalf or as their draft), or the agency's. */
export const templateVoices = ['candidate', 'agency'] as const;
export type TemplateVoice = (typeof templateVoices)[number];
/** email: the message sent; phone and linkedin: the task's title (subject) and talking points or note (body). */
export const templateChannels = ['email', 'phone', 'linkedin'] as const;
export type TemplateChannel = (typeof templateChannels)[number];
/** What a candidate update reports; its follow-up key says which (`candidate_update:outcome:rejected`). */
export const candidateUpdateEvents = ['completed', 'notes_sent', 'reply', 'outcome'] as const;
export type CandidateUpdateEvent = (typeof candidateUpdateEvents)[number];

export interface TemplateText {
  subject: string;
  body: string;
}

export interface TemplateSlot extends TemplateText {
  id: string;
  kind: FollowUpKind;
  event: CandidateUpdateEvent | null;
  channel: TemplateChannel;
  voice: TemplateVoice;
  description: string;
}

/** A stored override: the agency's text for one template id. */
export interface StoredTemplate extends TemplateText {
  updatedAt: string;
  updatedBy: string | null;
}
export type StoredTemplates = Record<string, StoredTemplate>;

export const templateId = (t: { kind: FollowUpKind; event: CandidateUpdateEvent | null; channel: TemplateChannel; voice: TemplateVoice }) =>
  [t.kind, t.event, t.channel, t.voice].filter(Boolean).join('.');

const slot = (kind: FollowUpKind, event: CandidateUpdateEvent | null, channel: TemplateChannel, voice: TemplateVoice, description: string, text: TemplateText): TemplateSlot => ({
  id: templateId({ kind, event, channel, voice }),
  kind,
  event,
  channel,
  voice,
  description,
  ...text,
});

const lines = (...l: string[]) => l.join('\n');
const whenDecided =
  '{{#timeline}}They expect to decide around {{timeline}}, and we will check in with them as that date nears.{{/timeline}}' +
  '{{^timeline}}We will ask them about their timeline and keep you posted.{{/timeline}}';

/** The shipped defaults, one per template id. */
export const defaultTemplates: readonly TemplateSlot[] = Object.freeze([
  slot('thank_you', null, 'email', 'candidate', 'The personal thank-you to each interviewer, in the candidate’s words', {
    subject: 'Thank you for the interview for the {{position}} position',
    body: lines(
      'Dear {{interviewer}},',
      '',
      'Thank you for taking the time to meet with me about the {{position}} position at {{employer}}.' +
        '{{#highlight}} I particularly enjoyed this part of our conversation: {{highlight}}.{{/highlight}}' +
        '{{^highlight}} I enjoyed our conversation.{{/highlight}}',
      '',
      'It left me even more interested in the role, and I would be glad to answer anything else that would help.',
      '',
      'Kind regards,',
      '{{candidate}}',
    ),
  }),
  slot('timeline_request', null, 'email', 'candidate', 'Asking the hiring manager when a decision is expected', {
    subject: 'Next steps for the {{position}} position',
    body: lines(
      'Dear {{interviewer}},',
      '',
      'Thank you again for meeting with me about the {{position}} position at {{employer}}. Could you tell me roughly when you expect ' +
        'to make a decision, and whether there is anything else you need from me in the meantime?',
      '',
      'Kind regards,',
      '{{candidate}}',
    ),
  }),
  slot('timeline_request', null, 'phone', 'candidate', 'Call notes for asking about the timeline (interviews arranged by phone)', {
    subject: 'Call {{interviewer}} about the timeline for the {{position}} position',
    body: lines(
      '- Thank {{interviewer}} again for the interview for the {{position}} position.',
      '- Ask roughly when they expect to make a decision.',
      '- Ask whether they need anything else from {{candidate}} in the meantime.',
    ),
  }),
  slot('status_check', null, 'email', 'candidate', 'Checking in toward the end of the employer’s timeline', {
    subject: 'Following up on the {{position}} position',
    body: lines(
      'Dear {{interviewer}},',
      '',
      '{{#timeline}}When we spoke, you mentioned you hoped to decide on the {{position}} position around {{timeline}}, so I thought I would follow up.{{/timeline}}' +
        '{{^timeline}}I wanted to follow up on my interview for the {{position}} position at {{employer}}.{{/timeline}}' +
        ' I remain very interested, and I would be grateful for any update on where things stand.',
      '',
      'Kind regards,',
      '{{candidate}}',
    ),
  }),
  slot('status_check', null, 'phone', 'candidate', 'Call notes for the status check', {
    subject: 'Call {{interviewer}} about where the {{position}} position stands',
    body: lines(
      '- Say you are following up{{#timeline}} as they hoped to decide around {{timeline}}{{/timeline}}.',
      '- {{candidate}} remains very interested in the {{position}} position.',
      '- Ask for any update, and whether they need anything else.',
    ),
  }),
  slot('post_decision_thanks', null, 'email', 'candidate', 'Thanks after a rejection, asking to keep in touch', {
    subject: 'Thank you for considering me for the {{position}} position',
    body: lines(
      'Dear {{interviewer}},',
      '',
      'Thank you for letting me know about the {{position}} position, and for the time you gave me during the interview. ' +
        'I enjoyed learning about your team at {{employer}}, and I would welcome the chance to keep in touch should another position open that fits.',
      '',
      'With best wishes,',
      '{{candidate}}',
    ),
  }),
  slot('recruiter_check_in', null, 'email', 'agency', 'The recruiter following up with the hiring manager for the candidate', {
    subject: '{{candidate}} and the {{position}} position',
    body: lines(
      'Dear {{interviewer}},',
      '',
      'I am following up on {{candidate}}’s interview for the {{position}} position at {{employer}}. {{candidateFirstName}} came away keen on the role. ' +
        'Is there anything further you need from us, and is there a sense yet of the timing for a decision?',
      '',
      'Best regards,',
      '{{recruiter}}',
      '{{agency}}',
    ),
  }),
  slot('recruiter_check_in', null, 'phone', 'agency', 'Call notes for the recruiter’s check-in', {
    subject: 'Call {{interviewer}} about {{candidate}}',
    body: lines(
      '- {{candidate}} came away keen on the {{position}} position.',
      '- Ask whether they need anything further from us.',
      '- Ask when they expect to decide.',
    ),
  }),
  slot('linkedin_connect', null, 'linkedin', 'agency', 'The LinkedIn invitation after a decision (a task; LinkedIn notes stop at 300 characters)', {
    subject: 'Connect with {{interviewer}} on LinkedIn',
    body: 'Hi {{interviewer}}, thank you for your time with {{candidate}} for the {{position}} position. I would be glad to stay in touch. {{recruiter}}, {{agency}}',
  }),
  slot('candidate_update', 'completed', 'email', 'agency', 'To the candidate after the interview: what comes next', {
    subject: 'How your interview for the {{position}} position went, and what comes next',
    body: lines(
      'Hi {{candidateFirstName}},',
      '',
      `Thank you for interviewing for the {{position}} position at {{employer}}. Thank-you notes to your interviewers come next. ${whenDecided}`,
      '',
      'Best,',
      '{{recruiter}}',
    ),
  }),
  slot('candidate_update', 'notes_sent', 'email', 'agency', 'To the candidate once their thank-you notes went out', {
    subject: 'Your thank-you notes for the {{position}} position went out',
    body: lines(
      'Hi {{candidateFirstName}},',
      '',
      `Your thank-you notes to the interviewers for the {{position}} position at {{employer}} have been sent on your behalf. ${whenDecided}`,
      '',
      'Best,',
      '{{recruiter}}',
    ),
  }),
  slot('candidate_update', 'reply', 'email', 'agency', 'To the candidate after the employer replied', {
    subject: 'An update from {{employer}}',
    body: lines('Hi {{candidateFirstName}},', '', `{{employer}} got back to us about the {{position}} position. ${whenDecided}`, '', 'Best,', '{{recruiter}}'),
  }),
  slot('candidate_update', 'outcome', 'email', 'agency', 'To the candidate after a decision was logged', {
    subject: 'News on the {{position}} position',
    body: lines(
      'Hi {{candidateFirstName}},',
      '',
      'We heard from {{employer}} about the {{position}} position: {{outcome}}. I will call you to talk it through.',
      '',
      'Best,',
      '{{recruiter}}',
    ),
  }),
]);

const byId = new Map(defaultTemplates.map((t) => [t.id, t]));
export const findTemplateSlot = (id: string) => byId.get(id);

// ---- syntax ---------------------------------------------------------------------------------

type Token = [string, string, number, number, Token[]?, number?];
const VARIABLE_TAGS = new Set(['name', '&', '#', '^']);

/**
 * Checks a template's syntax and variables; every problem is a field error of `field`.
 * Partials (`{{> x}}`), delimiter changes and dotted names are refused: nothing here needs them.
 */
export function templateProblems(text: string, field: string): { errors: FieldError[]; unknown: string[] } {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(text) as Token[];
  } catch (err) {
    return { errors: [{ field, message: `Template syntax: ${(err as Error).message}` }], unknown: [] };
  }
  const errors: FieldError[] = [];
  const unknown: string[] = [];
  const walk = (ts: Token[]) => {
    for (const t of ts) {
      const [type, name] = t;
      if (type === '>' || type === '=') {
        errors.push({ field, message: `Template syntax: ${type === '>' ? 'partials' : 'delimiter changes'} are not supported` });
      } else if (VARIABLE_TAGS.has(type) && !(name in templateVariables)) {
        if (!unknown.includes(name)) unknown.push(name);
        errors.push({ field, message: `Unknown variable {{${name}}}; known: ${templateVariableNames.join(', ')}` });
      }
      if (t[4]) walk(t[4]);
    }
  };
  walk(tokens);
  return { errors, unknown };
}

/** Refuses a template with unknown variables or bad syntax: 422 naming each field and variable. */
export function assertValidTemplate(text: TemplateText, prefix: string): void {
  const s = templateProblems(text.subject, `${prefix}.subject`);
  const b = templateProblems(text.body, `${prefix}.body`);
  const errors = [...s.errors, ...b.errors];
  if (errors.length === 0) return;
  const unknownVariables = [...new Set([...s.unknown, ...b.unknown])];
  throw new AppError(
    'unprocessable',
    unknownVariables.length > 0 ? `Unknown template variable(s): ${unknownVariables.join(', ')}` : 'The template cannot be parsed',
    errors,
    { unknownVariables },
  );
}

// ---- rendering ------------------------------------------------------------------------------

export type TemplateView = Record<TemplateVariable, string | null>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const firstName = (full: string | null) => (full ? full.split(/\s+/)[0]! : null);
/** A highlight quoted mid-sentence: no trailing full stop, first letter lower-case unless a name. */
const asClause = (h: string | null) => {
  if (!h) return null;
  const t = h.replace(/[.!\s]+$/, '');
  return /^[A-Z][a-z]/.test(t) && !/^I\b/.test(t) ? t[0]!.toLowerCase() + t.slice(1) : t;
};
const longDate = (d: string | null) => {
  if (!d) return null;
  const date = new Date(`${d}T12:00:00Z`);
  return Number.isNaN(date.getTime())
    ? d
    : date.toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' });
};

const OUTCOME_WORDS: Record<string, string> = {
  offer: 'they would like to make you an offer',
  hired: 'you have the position',
  rejected: 'they have decided not to go ahead',
  filled_by_other: 'they have filled the position with another candidate',
  on_hold: 'the position is on hold for now',
  withdrawn: 'your application has been withdrawn',
  no_decision: 'they have not reached a decision yet',
};

/** The template variables from a follow-up's stored `vars` (any of them may be missing) and the agency's name. */
export function templateView(raw: Record<string, unknown>, agency: string | null): TemplateView {
  const candidate = str(raw.candidate);
  const outcome = str(raw.outcome);
  return {
    candidate,
    candidateFirstName: firstName(candidate),
    interviewer: str(raw.interviewer),
    position: str(raw.position),
    employer: str(raw.employer),
    highlight: asClause(str(raw.highlight)),
    timeline: longDate(str(raw.timeline)),
    recruiter: str(raw.recruiter),
    agency: str(agency),
    outcome: outcome ? (OUTCOME_WORDS[outcome] ?? 'they have made a decision') : null,
  };
}

/** Renders plain text: no HTML escaping; missing values render empty. */
export function renderText(text: TemplateText, view: TemplateView): TemplateText {
  const opts = { escape: (s: string) => s };
  const tidy = (s: string) => s.replace(/[ \t]+\n/g, '\n').trim();
  return {
    subject: tidy(Mustache.render(text.subject, view, undefined, opts)).replace(/\s+/g, ' '),
    body: tidy(Mustache.render(text.body, view, undefined, opts)),
  };
}

const voiceOf = (voice: FollowUpRow['voice']): TemplateVoice => (voice === 'agency' ? 'agency' : 'candidate');
const eventOf = (kind: FollowUpKind, key: string): CandidateUpdateEvent | null => {
  if (kind !== 'candidate_update') return null;
  const e = key.split(':')[1] as CandidateUpdateEvent;
  return candidateUpdateEvents.includes(e) ? e : 'completed';
};

/**
 * The template id of a follow-up: its kind, event, channel and voice. A channel without its own
 * template (a `task` for a contact without email, say) uses the email wording of the step.
 */
export function templateIdFor(row: Pick<FollowUpRow, 'kind' | 'key' | 'channel' | 'voice'>): string {
  const base = { kind: row.kind, event: eventOf(row.kind, row.key), voice: voiceOf(row.voice) };
  const exact = templateId({ ...base, channel: row.channel === 'task' ? 'email' : row.channel });
  if (byId.has(exact)) return exact;
  const email = templateId({ ...base, channel: 'email' });
  if (byId.has(email)) return email;
  return defaultTemplates.find((t) => t.kind === row.kind)?.id ?? defaultTemplates[0]!.id;
}

/** The agency's text for a template id, else the shipped default. */
export function templateText(id: string, stored: StoredTemplates | null | undefined): TemplateText {
  const own = stored?.[id];
  if (own) return { subject: own.subject, body: own.body };
  const d = byId.get(id);
  if (!d) throw new Error(`no template ${id}`);
  return { subject: d.subject, body: d.body };
}

/** The subject and body of a follow-up from the agency's template, before any edit by the recruiter. */
export function defaultContent(
  row: Pick<FollowUpRow, 'kind' | 'key' | 'channel' | 'voice' | 'vars'>,
  ctx: { templates?: StoredTemplates | null | undefined; agency?: string | null | undefined } = {},
): TemplateText {
  return renderText(templateText(templateIdFor(row), ctx.templates), templateView(row.vars, ctx.agency ?? null));
}

/** What goes out: the recruiter's edited subject or body where there is one, else the agency's template. */
export function renderFollowUp(
  row: Pick<FollowUpRow, 'kind' | 'key' | 'channel' | 'voice' | 'vars' | 'subject' | 'body'>,
  ctx: { templates?: StoredTemplates | null | undefined; agency?: string | null | undefined } = {},
): TemplateText {
  if (row.subject !== null && row.body !== null) return { subject: row.subject, body: row.body };
  const d = defaultContent(row, ctx);
  return { subject: row.subject ?? d.subject, body: row.body ?? d.body };
}
