import Mustache from 'mustache';
import { AppError, type FieldError } from '../lib/errors.js';
import type { FollowUpChannel, FollowUpKind, FollowUpVoice } from './followups/types.js';

/** The fields of a follow-up its text is chosen and rendered from. */
type TemplatedRow = {
  kind: FollowUpKind;
  key: string;
  channel: FollowUpChannel;
  voice: FollowUpVoice;
  vars: Record<string, unknown>;
  subject: string | null;
  body: string | null;
};
import { templateVariables, type TemplateVariable, templateVariableNames, type TemplateVoice, type TemplateKind, candidateUpdateEvents, type CandidateUpdateEvent, type TemplateText, type StoredTemplates, templateId, defaultTemplates, findTemplateSlot } from './templateDefaults.js';

export { templateVariables, type TemplateVariable, type TemplateKind, templateVariableNames, templateVoices, type TemplateVoice, templateChannels, type TemplateChannel, candidateUpdateEvents, type CandidateUpdateEvent, type TemplateText, type TemplateSlot, type StoredTemplate, type StoredTemplates, templateId, defaultTemplates, findTemplateSlot } from './templateDefaults.js';

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

/** The variables' values: text, or for `candidates` (the combined email) one view per candidate. */
export type TemplateView = Record<Exclude<TemplateVariable, 'candidates'>, string | null> & { candidates: Record<string, string | null>[] | null };

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
    responseLink: str(raw.responseLink),
    candidates: null,
    candidateNames: null,
    step: STEP_WORDS[String(raw.step)] ?? null,
  };
}

const STEP_WORDS: Record<string, string> = {
  timeline_request: 'timeline request',
  recruiter_check_in: 'check-in',
  status_check: 'status check',
};

/** "A", "A and B", "A, B and C". */
const nameList = (names: string[]) => (names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/** The id of the template the combined email is written from. */
export const COMBINED_TEMPLATE_ID = 'combined.email.agency';

/**
 * The combined email to one contact: the agency's `combined.email.agency` template with the contact
 * as reader and one entry per candidate, from each follow-up's stored `vars` (and its kind).
 */
export function combinedView(items: readonly { kind: string; vars: Record<string, unknown> }[], reader: string | null, agency: string | null): TemplateView {
  const views = items.map((i) => templateView({ ...i.vars, step: i.kind }, agency));
  const first = views[0]!;
  const candidates = views.map((v) => ({
    candidate: v.candidate,
    candidateFirstName: v.candidateFirstName,
    position: v.position,
    employer: v.employer,
    timeline: v.timeline,
    responseLink: v.responseLink,
    step: v.step,
  }));
  return {
    ...first,
    highlight: null,
    outcome: null,
    timeline: null,
    responseLink: null,
    step: null,
    interviewer: reader ?? first.interviewer,
    candidates,
    candidateNames: nameList(views.map((v) => v.candidate ?? '').filter(Boolean)),
  };
}

/** The combined email's subject and body. */
export function renderCombined(
  items: readonly { kind: string; vars: Record<string, unknown> }[],
  ctx: { templates?: StoredTemplates | null | undefined; agency?: string | null | undefined; reader: string | null },
): TemplateText {
  return renderText(templateText(COMBINED_TEMPLATE_ID, ctx.templates), combinedView(items, ctx.reader, ctx.agency ?? null));
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

const voiceOf = (voice: FollowUpVoice): TemplateVoice => (voice === 'agency' ? 'agency' : 'candidate');
const eventOf = (kind: FollowUpKind, key: string): CandidateUpdateEvent | null => {
  if (kind !== 'candidate_update') return null;
  const e = key.split(':')[1] as CandidateUpdateEvent;
  return candidateUpdateEvents.includes(e) ? e : 'completed';
};

/**
 * The template id of a follow-up: its kind, event, channel and voice. A channel without its own
 * template (a `task` for a contact without email, say) uses the email wording of the step.
 */
export function templateIdFor(row: Pick<TemplatedRow, 'kind' | 'key' | 'channel' | 'voice'>): string {
  const base = { kind: row.kind, event: eventOf(row.kind, row.key), voice: voiceOf(row.voice) };
  const exact = templateId({ ...base, channel: row.channel === 'task' ? 'email' : row.channel });
  if (findTemplateSlot(exact)) return exact;
  const email = templateId({ ...base, channel: 'email' });
  if (findTemplateSlot(email)) return email;
  return defaultTemplates.find((t) => t.kind === row.kind)?.id ?? defaultTemplates[0]!.id;
}

/** The agency's text for a template id, else the shipped default. */
export function templateText(id: string, stored: StoredTemplates | null | undefined): TemplateText {
  const own = stored?.[id];
  if (own) return { subject: own.subject, body: own.body };
  const d = findTemplateSlot(id);
  if (!d) throw new Error(`no template ${id}`);
  return { subject: d.subject, body: d.body };
}

/** The subject and body of a follow-up from the agency's template, before any edit by the recruiter. */
export function defaultContent(
  row: Pick<TemplatedRow, 'kind' | 'key' | 'channel' | 'voice' | 'vars'>,
  ctx: { templates?: StoredTemplates | null | undefined; agency?: string | null | undefined } = {},
): TemplateText {
  return renderText(templateText(templateIdFor(row), ctx.templates), templateView(row.vars, ctx.agency ?? null));
}

/** What goes out: the recruiter's edited subject or body where there is one, else the agency's template. */
export function renderFollowUp(
  row: Pick<TemplatedRow, 'kind' | 'key' | 'channel' | 'voice' | 'vars' | 'subject' | 'body'>,
  ctx: { templates?: StoredTemplates | null | undefined; agency?: string | null | undefined } = {},
): TemplateText {
  if (row.subject !== null && row.body !== null) return { subject: row.subject, body: row.body };
  const d = defaultContent(row, ctx);
  return { subject: row.subject ?? d.subject, body: row.body ?? d.body };
}
