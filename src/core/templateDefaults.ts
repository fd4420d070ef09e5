import type { FollowUpKind } from './followups/types.js';

// The templates a follow-up's text comes from: their ids, variables and the shipped defaults.



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
  responseLink: 'A link where the contact answers in one click, without an account (timeline requests and status checks sent to the contact; empty otherwise)',
  candidates: 'The combined email only: one entry per candidate, `{{#candidates}}…{{/candidates}}`, each with candidate, candidateFirstName, position, employer, timeline, responseLink and step',
  candidateNames: 'The combined email only: the candidates’ names, e.g. “Jordan Lee, Sam Park and Alex Kim”',
  step: 'Inside `{{#candidates}}`: what that candidate’s step is, in words (“status check”)',
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

/** A follow-up kind, or `combined`: the one email to a contact that carries several of their steps. */
export type TemplateKind = FollowUpKind | 'combined';

export interface TemplateSlot extends TemplateText {
  id: string;
  kind: TemplateKind;
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

export const templateId = (t: { kind: TemplateKind; event: CandidateUpdateEvent | null; channel: TemplateChannel; voice: TemplateVoice }) =>
  [t.kind, t.event, t.channel, t.voice].filter(Boolean).join('.');

const slot = (kind: TemplateKind, event: CandidateUpdateEvent | null, channel: TemplateChannel, voice: TemplateVoice, description: string, text: TemplateText): TemplateSlot => ({
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
        'to make a decision, and whether there is anything else you need from me in the meantime?' +
        '{{#responseLink}}\n\nTo answer in one click: {{responseLink}}{{/responseLink}}',
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
        ' I remain very interested, and I would be grateful for any update on where things stand.' +
        '{{#responseLink}}\n\nTo answer in one click: {{responseLink}}{{/responseLink}}',
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
  slot('combined', null, 'email', 'agency', 'One email to a contact carrying several candidates’ steps due the same day (playbook combinePerContact), in the recruiter’s words', {
    subject: 'Following up on {{candidateNames}}',
    body: lines(
      'Dear {{interviewer}},',
      '',
      'I am following up on the candidates from {{agency}} you have interviewed:',
      '{{#candidates}}',
      '',
      '- {{candidate}}, {{position}}{{#timeline}}: you hoped to decide around {{timeline}}{{/timeline}}' +
        '{{^timeline}}: could you tell us roughly when you expect to decide?{{/timeline}}{{#responseLink}}\n  To answer in one click: {{responseLink}}{{/responseLink}}',
      '{{/candidates}}',
      '',
      'Is there any update on where things stand, and anything further you need from us?',
      '',
      'Best regards,',
      '{{recruiter}}',
      '{{agency}}',
    ),
  }),
]);

const byId = new Map(defaultTemplates.map((t) => [t.id, t]));
export const findTemplateSlot = (id: string) => byId.get(id);
