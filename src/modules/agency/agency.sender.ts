import type { Deps } from '../../deps.js';
import type { MailAddress, Mailer } from '../../lib/mailer.js';

export interface Sender {
  mailer: Mailer;
  from: MailAddress;
  replyTo: MailAddress | null;
}

/**
 * Who an agency's email goes out as, and through which server (docs/email.md): the platform's
 * sender (`MAIL_FROM`) under the agency's name, replies to the recruiter.
 */
export async function agencySender(deps: Deps, _tenantId: string, who: { agency: string; recruiter: { name: string; email: string } }): Promise<Sender> {
  return {
    mailer: deps.mailer,
    from: { name: who.agency, address: deps.config.MAIL_FROM },
    replyTo: { name: who.recruiter.name, address: who.recruiter.email },
  };
}
