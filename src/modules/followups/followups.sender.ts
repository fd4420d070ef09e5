import type { Deps } from '../../deps.js';
import type { Mailer, MailMessage } from '../../lib/mailer.js';
import { agencySender } from '../agency/agency.sender.js';

/**
 * The follow-up's email as the agency sends it (docs/email.md): from its own server and address
 * when it saved one (a note on the candidate's behalf keeps its "<candidate> via <agency>" name),
 * else from the platform's; replies to the recruiter.
 */
export async function fromAgency(
  deps: Deps,
  tenantId: string,
  who: { agency: string; recruiter: { name: string; email: string } },
  message: MailMessage,
): Promise<{ message: MailMessage; mailer: Mailer }> {
  const sender = await agencySender(deps, tenantId, who);
  const name = message.from.name && message.from.name !== who.agency ? message.from.name : sender.from.name;
  return {
    mailer: sender.mailer,
    message: { ...message, from: { name, address: sender.from.address }, ...(sender.replyTo ? { replyTo: sender.replyTo } : {}) },
  };
}
