import type { FollowUpRow } from './followups.repo.js';

/** What the templates fill in: the follow-up's stored `vars` (any of them may be missing). */
export interface TemplateVars {
  candidate?: string | null;
  interviewer?: string | null;
  position?: string | null;
  employer?: string | null;
  highlight?: string | null;
  timeline?: string | null;
  recruiter?: string | null;
  outcome?: string | null;
}

export interface Rendered {
  subject: string;
  body: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const firstName = (full: string | null) => (full ? full.split(/\s+/)[0]! : null);
/** A highlight quoted mid-sentence: no trailing full stop, first letter lower-case unless a name. */
const asClause = (h: string) => {
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

function readVars(raw: Record<string, unknown>) {
  const v = {
    candidate: str(raw.candidate),
    interviewer: str(raw.interviewer),
    position: str(raw.position),
    employer: str(raw.employer),
    highlight: str(raw.highlight),
    timeline: str(raw.timeline),
    recruiter: str(raw.recruiter),
    outcome: str(raw.outcome),
  };
  return {
    ...v,
    greeting: v.interviewer ? `Dear ${v.interviewer},` : 'Hello,',
    role: v.position ? `the ${v.position} position` : 'the position',
    at: v.employer ? ` at ${v.employer}` : '',
    me: v.candidate ?? 'me',
    sign: v.candidate ?? '',
    when: longDate(v.timeline),
  };
}
type V = ReturnType<typeof readVars>;

/** Notes written in the candidate's own voice (sent on their behalf, or as their draft). */
const candidateNotes: Partial<Record<FollowUpRow['kind'], (v: V) => Rendered>> = {
  thank_you: (v) => ({
    subject: `Thank you for the interview for ${v.role}`,
    body: [
      v.greeting,
      '',
      `Thank you for taking the time to meet with me about ${v.role}${v.at}.` +
        (v.highlight ? ` I particularly enjoyed this part of our conversation: ${asClause(v.highlight)}.` : ' I enjoyed our conversation.'),
      '',
      `It left me even more interested in the role, and I would be glad to answer anything else that would help.`,
      '',
      'Kind regards,',
      v.sign,
    ].join('\n'),
  }),
  timeline_request: (v) => ({
    subject: `Next steps for ${v.role}`,
    body: [
      v.greeting,
      '',
      `Thank you again for meeting with me about ${v.role}${v.at}. Could you tell me roughly when you expect to make a decision, ` +
        'and whether there is anything else you need from me in the meantime?',
      '',
      'Kind regards,',
      v.sign,
    ].join('\n'),
  }),
  status_check: (v) => ({
    subject: `Following up on ${v.role}`,
    body: [
      v.greeting,
      '',
      (v.when
        ? `When we spoke, you mentioned you hoped to decide on ${v.role} around ${v.when}. `
        : `I wanted to follow up on my interview for ${v.role}${v.at}. `) +
        'I remain very interested, and I would be grateful for any update on where things stand.',
      '',
      'Kind regards,',
      v.sign,
    ].join('\n'),
  }),
  post_decision_thanks: (v) => ({
    subject: `Thank you for considering me for ${v.role}`,
    body: [
      v.greeting,
      '',
      `Thank you for letting me know about ${v.role}, and for the time you gave me during the interview. ` +
        'I enjoyed learning about your team and would welcome the chance to keep in touch should another position open that fits.',
      '',
      'With best wishes,',
      v.sign,
    ].join('\n'),
  }),
};

/** The recruiter following up for the candidate. */
const recruiterCheckIn = (v: V): Rendered => ({
  subject: `${v.me} and ${v.role}`,
  body: [
    v.greeting,
    '',
    `I am following up on ${v.me}'s interview for ${v.role}${v.at}. ${firstName(v.candidate) ?? 'They'} came away keen on the role. ` +
      'Is there anything further you need from us, and is there a sense yet of the timing for a decision?',
    '',
    'Best regards,',
    v.recruiter ?? '',
  ].join('\n'),
});

const OUTCOME_WORDS: Record<string, string> = {
  offer: 'they would like to make you an offer',
  hired: 'you have the position',
  rejected: 'they have decided not to go ahead',
  filled_by_other: 'they have filled the position with another candidate',
  on_hold: 'the position is on hold for now',
  withdrawn: 'your application has been withdrawn',
  no_decision: 'they have not reached a decision yet',
};

/** Status updates from the agency to the candidate; the step key says what happened. */
function candidateUpdate(v: V, key: string): Rendered {
  const hi = `Hi ${firstName(v.candidate) ?? 'there'},`;
  const bye = ['', 'Best,', v.recruiter ?? ''];
  const what = key.slice('candidate_update:'.length).split(':')[0];
  const next = v.when ? `They expect to decide around ${v.when}, and we will check in with them as that date nears.` : 'We will ask them about their timeline and keep you posted.';
  if (what === 'notes_sent') {
    return {
      subject: `Your thank-you notes for ${v.role} went out`,
      body: [hi, '', `Your thank-you notes to the interviewers for ${v.role}${v.at} have been sent on your behalf. ${next}`, ...bye].join('\n'),
    };
  }
  if (what === 'reply') {
    return {
      subject: `An update from ${v.employer ?? 'the employer'}`,
      body: [hi, '', `${v.employer ?? 'The employer'} got back to us about ${v.role}. ${next}`, ...bye].join('\n'),
    };
  }
  if (what === 'outcome') {
    const said = (v.outcome && OUTCOME_WORDS[v.outcome]) ?? 'they have made a decision';
    return {
      subject: `News on ${v.role}`,
      body: [hi, '', `We heard from ${v.employer ?? 'the employer'} about ${v.role}: ${said}. I will call you to talk it through.`, ...bye].join('\n'),
    };
  }
  return {
    subject: `How your interview for ${v.role} went, and what comes next`,
    body: [hi, '', `Thank you for interviewing for ${v.role}${v.at}. Thank-you notes to your interviewers come next. ${next}`, ...bye].join('\n'),
  };
}

/** The default subject and body of a follow-up, before any edit by the recruiter. */
export function defaultContent(row: Pick<FollowUpRow, 'kind' | 'key' | 'vars'>): Rendered {
  const v = readVars(row.vars);
  if (row.kind === 'candidate_update') return candidateUpdate(v, row.key);
  if (row.kind === 'recruiter_check_in') return recruiterCheckIn(v);
  const note = candidateNotes[row.kind];
  if (note) return note(v);
  return { subject: `Following up on ${v.role}`, body: [v.greeting, '', `Following up on the interview for ${v.role}${v.at}.`].join('\n') };
}

/** What goes out: the recruiter's edited subject or body where there is one, else the default. */
export function renderFollowUp(row: Pick<FollowUpRow, 'kind' | 'key' | 'vars' | 'subject' | 'body'>): Rendered {
  const d = defaultContent(row);
  return { subject: row.subject ?? d.subject, body: row.body ?? d.body };
}
