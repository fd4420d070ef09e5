import type { Deps } from '../../deps.js';
import { templateIdFor, type StoredTemplates } from '../../core/templates.js';
import type { MailMessage } from '../../lib/mailer.js';
import { threadFollowUp } from '../threads/threads.service.js';
import type { FollowUpRow } from './followups.repo.js';

/**
 * The follow-up's email as a message of its thread (docs/email.md): `Re: <thread subject>` and
 * In-Reply-To/References to the earlier messages to the same party about the same application.
 * A draft sent to the candidate for them to forward is not part of a conversation and goes as it is.
 */
export async function threaded(
  deps: Deps,
  f: FollowUpRow,
  templates: StoredTemplates | null,
  message: MailMessage,
  draft: boolean,
): Promise<MailMessage> {
  if (draft) return message;
  // A subject edited by hand, or the agency's own template for this step, is kept as written.
  const keepSubject = f.subject !== null || Boolean(templates?.[templateIdFor(f)]);
  const headers = await threadFollowUp(deps, f, message, keepSubject);
  if (!headers) return message;
  return {
    ...message,
    subject: headers.subject,
    headers: {
      ...message.headers,
      ...(headers.inReplyTo ? { 'In-Reply-To': headers.inReplyTo } : {}),
      ...(headers.references ? { References: headers.references } : {}),
    },
  };
}
