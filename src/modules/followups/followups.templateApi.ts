import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { followUps, outcomeKinds, tenants } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { instant, localDate } from '../../lib/schemas.js';
import type { Actor } from '../../lib/access.js';
import { recordChange } from '../activity/activity.service.js';
import { followUpKinds } from '../../core/followups/types.js';
import {
  assertValidTemplate,
  COMBINED_TEMPLATE_ID,
  candidateUpdateEvents,
  combinedView,
  defaultTemplates,
  findTemplateSlot,
  renderText,
  templateChannels,
  templateVariableNames,
  templateView,
  templateVoices,
  type StoredTemplates,
  type TemplateSlot,
} from '../../core/templates.js';
import { LIMITS } from '../../lib/limits.js';

// ---- schemas --------------------------------------------------------------------------------

const THANK_YOU_EXAMPLE = {
  subject: 'Thank you for the interview for the {{position}} position',
  body:
    'Dear {{interviewer}},\n\nThank you for meeting with me about the {{position}} position at {{employer}}.' +
    '{{#highlight}} I especially enjoyed our conversation about {{highlight}}.{{/highlight}}\n\nKind regards,\n{{candidate}}',
};

export const templateSchema = z
  .object({
    id: z.string().max(LIMITS.name).describe('`<kind>[.<event>].<channel>.<voice>`, e.g. `thank_you.email.candidate`'),
    kind: z.enum([...followUpKinds, 'combined']).describe('The follow-up kind it is for; `combined`: the one email to a contact carrying several candidates’ steps'),
    event: z.enum(candidateUpdateEvents).nullable().describe('For candidate updates: what happened'),
    channel: z.enum(templateChannels).describe('email: the message; phone, linkedin: the task title and its talking points or note'),
    voice: z.enum(templateVoices).describe('candidate: the candidate’s words (sent on their behalf, or as their draft); agency: the recruiter’s'),
    description: z.string().max(LIMITS.text),
    subject: z.string().max(LIMITS.subject),
    body: z.string().max(LIMITS.rendered),
    custom: z.boolean().describe('true: the agency’s own text; false: the shipped default'),
    updatedAt: instant.nullable(),
    updatedBy: z.uuid().nullable(),
  })
  .meta({
    id: 'FollowUpTemplate',
    example: {
      id: 'thank_you.email.candidate',
      kind: 'thank_you',
      event: null,
      channel: 'email',
      voice: 'candidate',
      description: 'The personal thank-you to each interviewer, in the candidate’s words',
      ...THANK_YOU_EXAMPLE,
      custom: true,
      updatedAt: '2026-11-26T14:30:00.000Z',
      updatedBy: '01938a8e-0a1b-7c2d-8e3f-405162738495',
    },
  });

export const templateListSchema = z
  .object({ data: z.array(templateSchema).max(LIMITS.page), nextCursor: z.string().max(LIMITS.cursor).nullable().describe('Always null: the catalogue fits one page'), variables: z.array(z.string().max(LIMITS.name)).max(LIMITS.list) })
  .meta({ id: 'FollowUpTemplateList' });

export const templateIdParam = z.strictObject({ templateId: z.string().max(100).describe('A template id from the list') });

const oneLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\r\n]*$/, 'Must be one line');

export const putTemplateBody = z
  .strictObject({ subject: oneLine(300), body: z.string().trim().min(1).max(20_000) })
  .meta({ id: 'PutFollowUpTemplateRequest', example: THANK_YOU_EXAMPLE });

const sampleText = z.string().trim().max(500).nullable().optional();
const sampleVars = z
  .strictObject({
    candidate: sampleText,
    interviewer: sampleText,
    position: sampleText,
    employer: sampleText,
    highlight: sampleText,
    timeline: localDate.nullable().optional(),
    recruiter: sampleText,
    agency: sampleText,
    outcome: z.enum(outcomeKinds).nullable().optional(),
  })
  .meta({ id: 'TemplateSampleFacts', description: 'Facts to render with; each omitted one takes the sample value' });

export const previewTemplateBody = z
  .strictObject({
    subject: oneLine(300).optional().describe('A draft subject; without it, the saved one'),
    body: z.string().trim().min(1).max(20_000).optional().describe('A draft body; without it, the saved one'),
    followUpId: z.uuid().optional().describe('Render with this follow-up’s facts'),
    vars: sampleVars.optional(),
  })
  .refine((b) => !(b.followUpId && b.vars), { message: 'Send followUpId or vars, not both', path: ['vars'] })
  .meta({
    id: 'PreviewFollowUpTemplateRequest',
    example: { body: THANK_YOU_EXAMPLE.body, vars: { interviewer: 'Terry Teacher', highlight: 'Loved the reading-corner idea' } },
  });

export const previewSchema = z
  .object({
    templateId: z.string().max(LIMITS.name),
    subject: z.string().max(LIMITS.subject),
    body: z.string().max(LIMITS.rendered),
    facts: z.enum(['followUp', 'sample']).describe('followUp: a real follow-up’s facts; sample: the sample facts with any given vars'),
    variables: z.record(z.string().max(LIMITS.name), z.string().max(LIMITS.text).nullable()).describe('The values the variables had'),
  })
  .meta({
    id: 'FollowUpTemplatePreview',
    example: {
      templateId: 'thank_you.email.candidate',
      subject: 'Thank you for the interview for the 5th grade teacher position',
      body: 'Dear Terry Teacher,\n\nThank you for meeting with me about the 5th grade teacher position at Lincoln Elementary. I especially enjoyed our conversation about loved the reading-corner idea.\n\nKind regards,\nJordan Lee',
      facts: 'sample',
      variables: { candidate: 'Jordan Lee', interviewer: 'Terry Teacher', position: '5th grade teacher' },
    },
  });

// ---- service --------------------------------------------------------------------------------

/** What a preview without a follow-up renders with: the worked example of docs/followups.md. */
export const sampleFacts = {
  candidate: 'Jordan Lee',
  interviewer: 'Pat Principal',
  position: '5th grade teacher',
  employer: 'Lincoln Elementary',
  highlight: 'Shared vision for small-group reading',
  timeline: '2026-12-18',
  recruiter: 'Sam Rivera',
  outcome: 'rejected',
} as const;

async function loadAgency(tx: Tx, tenantId: string) {
  const [row] = await tx.select({ name: tenants.name, templates: tenants.templates }).from(tenants).where(eq(tenants.id, tenantId));
  return { name: row?.name ?? '', templates: (row?.templates ?? {}) as StoredTemplates };
}

function slotOf(id: string): TemplateSlot {
  const s = findTemplateSlot(id);
  if (!s) throw notFound('Template');
  return s;
}

function present(s: TemplateSlot, stored: StoredTemplates) {
  const own = stored[s.id];
  return {
    id: s.id,
    kind: s.kind,
    event: s.event,
    channel: s.channel,
    voice: s.voice,
    description: s.description,
    subject: own?.subject ?? s.subject,
    body: own?.body ?? s.body,
    custom: Boolean(own),
    updatedAt: own ? new Date(own.updatedAt) : null,
    updatedBy: own?.updatedBy ?? null,
  };
}

export async function listTemplates(deps: Deps, actor: Actor) {
  const { templates } = await readTenant(deps.db, actor.tenantId, (tx) => loadAgency(tx, actor.tenantId));
  return { data: defaultTemplates.map((s) => present(s, templates)), nextCursor: null, variables: templateVariableNames };
}

export async function getTemplate(deps: Deps, actor: Actor, id: string) {
  const s = slotOf(id);
  const { templates } = await readTenant(deps.db, actor.tenantId, (tx) => loadAgency(tx, actor.tenantId));
  return present(s, templates);
}

/** Saves the agency's text for a template, or (text null) goes back to the shipped default. */
async function save(deps: Deps, actor: Actor, id: string, text: z.output<typeof putTemplateBody> | null) {
  const s = slotOf(id);
  if (text) assertValidTemplate(text, 'body');
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const [row] = await tx.select({ templates: tenants.templates }).from(tenants).where(eq(tenants.id, actor.tenantId)).for('update');
    const stored = { ...((row?.templates ?? {}) as StoredTemplates) };
    const before = present(s, stored);
    if (text) stored[id] = { ...text, updatedAt: now.toISOString(), updatedBy: actor.userId ?? null };
    else delete stored[id];
    const after = present(s, stored);
    if (before.subject !== after.subject || before.body !== after.body || before.custom !== after.custom) {
      await tx.update(tenants).set({ templates: stored, updatedAt: now }).where(eq(tenants.id, actor.tenantId));
      const changes = Object.fromEntries(
        (['subject', 'body', 'custom'] as const).filter((k) => before[k] !== after[k]).map((k) => [k, { before: before[k], after: after[k] }]),
      );
      await recordChange(actor, now, {
        action: 'followup_template.updated',
        subject: { type: 'followUpTemplate', id: actor.tenantId },
        changes,
        data: { templateId: id, reset: text === null },
      });
    }
    return after;
  });
}

export const putTemplate = (deps: Deps, actor: Actor, id: string, text: z.output<typeof putTemplateBody>) => save(deps, actor, id, text);
export const resetTemplate = (deps: Deps, actor: Actor, id: string) => save(deps, actor, id, null);

/**
 * Renders a template (the saved one, or the draft subject or body sent) with a real follow-up's
 * facts or with sample facts. Writes nothing; a draft with unknown variables is refused as on save.
 */
export async function previewTemplate(deps: Deps, actor: Actor, id: string, input: z.output<typeof previewTemplateBody>) {
  const s = slotOf(id);
  const { agency, row, saved } = await readTenant(deps.db, actor.tenantId, async (tx) => {
    const a = await loadAgency(tx, actor.tenantId);
    const [f] = input.followUpId ? await tx.select().from(followUps).where(eq(followUps.id, input.followUpId)) : [];
    return { agency: a.name, row: f, saved: present(s, a.templates) };
  });
  if (input.followUpId && !row) {
    throw new AppError('validation_failed', 'The follow-up does not exist', [{ field: 'body.followUpId', message: 'Unknown follow-up' }]);
  }
  const text = { subject: input.subject ?? saved.subject, body: input.body ?? saved.body };
  assertValidTemplate(text, 'body');
  const facts = row ? (row.vars as Record<string, unknown>) : { ...sampleFacts, ...stripUndefined(input.vars ?? {}) };
  const agencyName = !row && input.vars?.agency !== undefined ? input.vars.agency : agency;
  const view =
    id === COMBINED_TEMPLATE_ID
      ? // The combined email: the follow-up alone, or the sample candidate with two more.
        combinedView(row ? [row] : [{ kind: 'status_check', vars: facts }, ...SAMPLE_OTHERS], String(facts.interviewer ?? ''), agencyName ?? null)
      : templateView(facts, agencyName ?? null);
  const { candidates: _list, ...variables } = view;
  return { templateId: id, ...renderText(text, view), facts: row ? ('followUp' as const) : ('sample' as const), variables };
}

/** The two more candidates of a sample combined email. */
const SAMPLE_OTHERS = [
  { kind: 'status_check', vars: { ...sampleFacts, candidate: 'Sam Park', position: '3rd grade teacher', timeline: null } },
  { kind: 'timeline_request', vars: { ...sampleFacts, candidate: 'Alex Kim', position: 'Reading specialist', timeline: null } },
];

const stripUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
