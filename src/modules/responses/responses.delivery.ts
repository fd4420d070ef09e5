import type { Deps } from '../../deps.js';
import { responseLinkFor } from './responses.issue.js';

/** What the worker knows of a claimed follow-up that decides whether it carries a response link. */
interface Claimed {
  followUp: { tenantId: string; id: string; kind: string; channel: string; voice: string; applicationId: string; interviewId: string; contactId: string | null; recipient: { type: string } };
  candidate: { relayConsent: boolean };
  contact: { email: string | null } | null;
}

/**
 * The response link of a follow-up being sent, or null: only a timeline request or status check
 * that reaches the contact themselves (on the candidate's behalf with consent, or in the agency's
 * voice) carries one; a draft to the candidate does not. A link that cannot be made leaves the
 * email without it rather than holding the email back.
 */
export async function withResponseLink(deps: Deps, l: Claimed): Promise<string | null> {
  const f = l.followUp;
  const toContact = f.recipient.type === 'contact' && !!l.contact?.email && ((f.voice === 'on_behalf' && l.candidate.relayConsent) || f.voice === 'agency');
  try {
    return await responseLinkFor(deps, f, toContact);
  } catch (err) {
    deps.log.warn({ err, followUpId: f.id }, 'response link not made; the email goes without it');
    return null;
  }
}
