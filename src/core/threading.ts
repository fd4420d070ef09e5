/**
 * Email threading (RFC 5322 §3.6.4), pure: given the messages a thread already holds, the headers
 * and subject of the next one. Every email to one party about one application continues one thread
 * (docs/email.md).
 */

export interface ThreadHeaders {
  subject: string;
  /** The latest earlier message of the thread, with angle brackets; null for the first. */
  inReplyTo: string | null;
  /** The chain, oldest first, space-separated; null for the first. */
  references: string | null;
}

/** RFC 5322 recommends keeping References short: the first message and the latest ones. */
export const MAX_REFERENCES = 20;

/** `Re: Re: Fwd: x` → `x`: what a thread's subject is compared and prefixed as. */
export const baseSubject = (subject: string) => subject.replace(/^\s*((re|aw|sv|fwd?)\s*:\s*)+/i, '').trim();

/**
 * The next message of a thread. `chain` holds the Message-IDs already sent in it, oldest first;
 * `threadSubject` is its first message's subject. The first message keeps its own subject; later
 * ones are `Re: <thread subject>` unless `keepSubject` (a subject edited by hand, or the agency's
 * own template for that step).
 */
export function nextInThread(chain: readonly string[], threadSubject: string, ownSubject: string, keepSubject: boolean): ThreadHeaders {
  if (chain.length === 0) return { subject: ownSubject, inReplyTo: null, references: null };
  const refs = chain.length > MAX_REFERENCES ? [chain[0]!, ...chain.slice(-(MAX_REFERENCES - 1))] : chain;
  return {
    subject: keepSubject ? ownSubject : `Re: ${baseSubject(threadSubject)}`,
    inReplyTo: chain[chain.length - 1]!,
    references: refs.join(' '),
  };
}

/** The party a thread is with: a contact, or the candidate. */
export const threadParty = (recipient: { type: string; contactId?: string }) =>
  recipient.type === 'contact' && recipient.contactId ? `contact:${recipient.contactId}` : recipient.type === 'candidate' ? 'candidate' : null;
