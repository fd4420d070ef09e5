import { call, type S } from './api';
import { getCandidate } from './cache';

type FollowUp = S['FollowUp'];

/** What "Send now" shows before asking: the email as the worker will compose it. */
export interface Outgoing {
  to: string;
  subject: string;
  body: string;
  /** Sent to the candidate as a draft for them to forward (no relay consent, or the draft voice). */
  draft: boolean;
  /** The subject follows the thread: `Re: <thread subject>`. */
  threaded: boolean;
  /** The one-click answer link the template asks for is added as it goes (docs/response-links.md). */
  responseLink: boolean;
}

// Kept in step with the server's composeMessage (src/modules/followups/followups.delivery.ts) and
// nextInThread (src/core/threading.ts): the API has no route answering the composed email.
const DRAFT_PREFIX = 'Draft to send: ';
const baseSubject = (subject: string) => subject.replace(/^\s*((re|aw|sv|fwd?)\s*:\s*)+/i, '').trim();
const addr = (name: string, email: string | null) => (email ? `${name} <${email}>` : name);

/**
 * The subject and body an email follow-up goes out with: its own text if edited, else its template
 * rendered with its facts (the preview route); as a draft to the candidate when that is how it
 * goes; and `Re: <the thread's subject>` once something was sent in its thread, unless its subject
 * is kept (edited by hand, or the agency's own template).
 */
export async function outgoing(f: FollowUp): Promise<Outgoing> {
  const own = f.subject !== null && f.body !== null;
  const planned = f.recipient;
  const [rendered, candidate, template, threads, contact] = await Promise.all([
    own ? null : call((c) => c.POST('/v1/follow-up-templates/{templateId}/preview', { params: { path: { templateId: f.templateId } }, body: { followUpId: f.id } })),
    getCandidate(f.candidateId),
    call((c) => c.GET('/v1/follow-up-templates/{templateId}', { params: { path: { templateId: f.templateId } } })),
    call((c) => c.GET('/v1/applications/{id}/messages', { params: { path: { id: f.applicationId } } })),
    // A contact is written to at the address they have now (the worker reads it as it sends), not the
    // one they had when the step was planned; read fresh, not from the cache. Gone: as planned.
    planned.type === 'contact' && planned.contactId ? call((c) => c.GET('/v1/contacts/{id}', { params: { path: { id: planned.contactId! } } })).catch(() => null) : null,
  ]);
  const subject = f.subject ?? rendered!.subject;
  const body = f.body ?? rendered!.body;
  const r = contact ? { ...planned, name: contact.name, email: contact.email } : planned;
  const toCandidate = f.kind === 'candidate_update' || r.type === 'candidate';
  const direct = toCandidate || (f.voice === 'on_behalf' && candidate.relayConsent) || f.voice === 'agency';
  if (!direct) {
    const first = candidate.name.split(/\s+/)[0];
    const preface = `Hi ${first}, here is a note for ${r.name} <${r.email ?? ''}> that you can send from your own email, as it is or in your own words.\n\n----\n\n`;
    return { to: addr(candidate.name, candidate.email), subject: `${DRAFT_PREFIX}${subject}`, body: `${preface}${body}`, draft: true, threaded: false, responseLink: false };
  }
  const to = toCandidate ? addr(candidate.name, candidate.email) : addr(r.name, r.email);
  const thread = threads.data.find((t) => (toCandidate ? t.with.type === 'candidate' : r.type === 'contact' && t.with.contactId === r.contactId));
  const earlier = thread?.messages.some((m) => m.status === 'sent' && m.followUpId !== f.id) ?? false;
  const keep = f.subject !== null || template.custom;
  const threaded = Boolean(thread && earlier && !keep);
  const responseLink = !toCandidate && (f.kind === 'timeline_request' || f.kind === 'status_check') && f.body === null && template.body.includes('responseLink');
  return { to, subject: threaded ? `Re: ${baseSubject(thread!.subject)}` : subject, body, draft: false, threaded, responseLink };
}
