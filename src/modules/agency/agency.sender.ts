import { eq } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant } from '../../db/client.js';
import { agencyMailSettings } from '../../db/schema/index.js';
import { smtpMailer, type MailAddress, type Mailer } from '../../lib/mailer.js';
import { secretBox } from '../../lib/secretBox.js';

export interface Sender {
  mailer: Mailer;
  from: MailAddress;
  replyTo: MailAddress | null;
}

type Settings = typeof agencyMailSettings.$inferSelect;
interface Who {
  agency: string;
  recruiter: { name: string; email: string };
}

/** An agency's transport, kept open (pooled) across sends; a saved change replaces it. */
const transports = new Map<string, { version: number; mailer: Mailer }>();
/** Each agency's settings, read at most every 30 s per process (a change reaches workers within that). */
const cached = new Map<string, { at: number; settings: Settings | null }>();
const SETTINGS_TTL_MS = 30_000;

/** Drops this process's copy of an agency's settings and its open connections (after a change). */
export function forgetSender(tenantId: string) {
  cached.delete(tenantId);
  transports.get(tenantId)?.mailer.close();
  transports.delete(tenantId);
}

function transportOf(deps: Deps, s: Settings, pooled: boolean): Mailer {
  const box = secretBox(deps.config);
  const make = () =>
    smtpMailer({
      host: s.host,
      port: s.port,
      tls: s.tls,
      auth: s.username && s.passwordSealed ? { user: s.username, pass: box.open(s.passwordSealed) } : undefined,
      dkim: s.dkimSelector && s.dkimKeySealed ? { domainName: s.domain, keySelector: s.dkimSelector, privateKey: box.open(s.dkimKeySealed) } : undefined,
    });
  if (!pooled) return make();
  const had = transports.get(s.tenantId);
  if (had && had.version === s.version) return had.mailer;
  had?.mailer.close();
  const mailer = make();
  transports.set(s.tenantId, { version: s.version, mailer });
  return mailer;
}

/** The sender of saved settings: the recruiter as themselves when asked and on the domain, else the agency. */
export function senderFrom(deps: Deps, s: Settings, who: Who, opts: { pooled: boolean } = { pooled: true }): Sender {
  const recruiterOnDomain = who.recruiter.email.toLowerCase().endsWith(`@${s.domain}`);
  const from = s.sendAs === 'recruiter' && recruiterOnDomain ? { name: who.recruiter.name, address: who.recruiter.email } : { name: s.fromName, address: s.fromAddress };
  return { mailer: transportOf(deps, s, opts.pooled), from, replyTo: { name: who.recruiter.name, address: who.recruiter.email } };
}

/**
 * Who an agency's email goes out as, and through which server (docs/email.md): its own server and
 * From when it saved them (PUT /v1/agency/email); otherwise the platform's sender (`MAIL_FROM`)
 * under the agency's name. Replies go to the recruiter either way.
 */
export async function agencySender(deps: Deps, tenantId: string, who: Who): Promise<Sender> {
  const now = Date.now();
  let entry = cached.get(tenantId);
  if (!entry || now - entry.at > SETTINGS_TTL_MS) {
    const [row] = await readTenant(deps.db, tenantId, (tx) => tx.select().from(agencyMailSettings).where(eq(agencyMailSettings.tenantId, tenantId)));
    entry = { at: now, settings: row ?? null };
    cached.set(tenantId, entry);
  }
  if (entry.settings) return senderFrom(deps, entry.settings, who);
  return {
    mailer: deps.mailer,
    from: { name: who.agency, address: deps.config.MAIL_FROM },
    replyTo: { name: who.recruiter.name, address: who.recruiter.email },
  };
}
