import { createPrivateKey } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import { agencyMailSettings, tenants, users } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { AppError, notFound } from '../../lib/errors.js';
import { MailError } from '../../lib/mailer.js';
import { secretBox, SecretsKeyMissing } from '../../lib/secretBox.js';
import { recordChange } from '../activity/activity.service.js';
import { forgetSender, senderFrom } from './agency.sender.js';
import { LIMITS } from '../../lib/limits.js';
import { newId } from '../../lib/ids.js';

const hostname = z.string().trim().toLowerCase().max(253).regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$|^localhost$|^\d{1,3}(\.\d{1,3}){3}$/, 'Must be a host name');

export const agencyEmailBody = z
  .strictObject({
    host: hostname.describe('The SMTP server'),
    port: z.number().int().min(1).max(65535),
    tls: z.enum(['tls', 'starttls', 'none']).describe('tls: TLS from the start (465); starttls: required upgrade (587); none: plain (only for a relay on a private network)'),
    username: z.string().trim().min(1).max(320).nullable().optional(),
    password: z.string().min(1).max(1000).optional().describe('Write-only: stored encrypted, never returned; omitted, the saved one stays'),
    domain: hostname.describe('The agency’s sending domain: the From address and recruiters sending as themselves must be on it'),
    fromAddress: z.email().max(320),
    fromName: z.string().trim().min(1).max(200),
    sendAs: z.enum(['agency', 'recruiter']).default('agency').describe('recruiter: each recruiter sends as themselves when their address is on the domain; else as the agency'),
    dkim: z
      .strictObject({
        selector: z.string().trim().min(1).max(63).regex(/^[a-z0-9][a-z0-9._-]*$/i, 'Must be a DNS label'),
        privateKey: z.string().min(1).max(20_000).describe('Write-only: a PEM private key (RSA or Ed25519), stored encrypted, never returned'),
      })
      .nullable()
      .optional()
      .describe('Optional DKIM signing of every message (d= the domain); null removes it'),
  })
  .meta({
    id: 'AgencyEmailRequest',
    example: {
      host: 'smtp.agency.example',
      port: 587,
      tls: 'starttls',
      username: 'mailer@agency.example',
      password: 'app-password-from-your-provider',
      domain: 'agency.example',
      fromAddress: 'recruiting@agency.example',
      fromName: 'Harbor Recruiting',
      sendAs: 'recruiter',
    },
  });

export const agencyEmailSchema = z
  .object({
    configured: z.boolean().describe('false: email goes out from the platform’s sender, under the agency’s name, replies to the recruiter'),
    host: z.string().max(LIMITS.name).nullable(),
    port: z.number().int().nullable(),
    tls: z.enum(['tls', 'starttls', 'none']).nullable(),
    username: z.string().max(LIMITS.address).nullable(),
    hasPassword: z.boolean(),
    domain: z.string().max(LIMITS.name).nullable(),
    fromAddress: z.string().max(LIMITS.address).nullable(),
    fromName: z.string().max(LIMITS.name).nullable(),
    sendAs: z.enum(['agency', 'recruiter']).nullable(),
    dkim: z.object({ selector: z.string().max(LIMITS.name), domain: z.string().max(LIMITS.name) }).nullable(),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({
    id: 'AgencyEmail',
    example: {
      configured: true,
      host: 'smtp.agency.example',
      port: 587,
      tls: 'starttls',
      username: 'mailer@agency.example',
      hasPassword: true,
      domain: 'agency.example',
      fromAddress: 'recruiting@agency.example',
      fromName: 'Harbor Recruiting',
      sendAs: 'recruiter',
      dkim: { selector: 'afterview', domain: 'agency.example' },
      updatedAt: '2026-11-26T14:30:00.000Z',
    },
  });

export const testEmailBody = z
  .strictObject({ to: z.email().max(320).optional().describe('Defaults to your own address') })
  .meta({ id: 'AgencyEmailTestRequest', example: { to: 'me@agency.example' } });

export const testEmailResult = z
  .object({
    delivered: z.boolean(),
    response: z.string().max(LIMITS.text).describe('The mail server’s answer, as it gave it'),
    responseCode: z.number().int().nullable(),
    from: z.string().max(LIMITS.address).describe('The address it went out from'),
  })
  .meta({ id: 'AgencyEmailTestResult', example: { delivered: false, response: '535 5.7.8 Authentication credentials invalid', responseCode: 535, from: 'recruiting@agency.example' } });

type Row = typeof agencyMailSettings.$inferSelect;

const present = (r: Row | undefined) => ({
  configured: Boolean(r),
  host: r?.host ?? null,
  port: r?.port ?? null,
  tls: r?.tls ?? null,
  username: r?.username ?? null,
  hasPassword: Boolean(r?.passwordSealed),
  domain: r?.domain ?? null,
  fromAddress: r?.fromAddress ?? null,
  fromName: r?.fromName ?? null,
  sendAs: r?.sendAs ?? null,
  dkim: r?.dkimSelector && r.dkimKeySealed ? { selector: r.dkimSelector, domain: r.domain } : null,
  updatedAt: r?.updatedAt.toISOString() ?? null,
});

const onDomain = (address: string, domain: string) => {
  const d = address.split('@').pop()!.toLowerCase();
  return d === domain || d.endsWith(`.${domain}`);
};

export async function getAgencyEmail(deps: Deps, actor: Actor) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(agencyMailSettings));
  return present(row);
}

/** Saves the agency's sender; a From outside the domain or a key that is not one is 400 naming the field. */
export async function putAgencyEmail(deps: Deps, actor: Actor, input: z.output<typeof agencyEmailBody>) {
  const errors: { field: string; message: string }[] = [];
  if (!onDomain(input.fromAddress, input.domain)) errors.push({ field: 'body.fromAddress', message: `Not on the domain ${input.domain}` });
  if (input.dkim) {
    try {
      const key = createPrivateKey(input.dkim.privateKey);
      if (!['rsa', 'ed25519'].includes(key.asymmetricKeyType ?? '')) errors.push({ field: 'body.dkim.privateKey', message: 'Must be an RSA or Ed25519 private key' });
    } catch {
      errors.push({ field: 'body.dkim.privateKey', message: 'Not a PEM private key' });
    }
  }
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), errors);
  const box = secretBox(deps.config);
  const now = deps.clock.now();
  try {
    const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
      const [current] = await tx.select().from(agencyMailSettings).for('update');
      if (input.username && !input.password && !current?.passwordSealed) {
        throw new AppError('validation_failed', 'A password is needed with a user name', [{ field: 'body.password', message: 'Required with username' }]);
      }
      const values = {
        host: input.host,
        port: input.port,
        tls: input.tls,
        username: input.username ?? null,
        passwordSealed: !input.username ? null : input.password ? box.seal(input.password) : (current?.passwordSealed ?? null),
        domain: input.domain,
        fromAddress: input.fromAddress.toLowerCase(),
        fromName: input.fromName,
        sendAs: input.sendAs,
        dkimSelector: input.dkim === null ? null : input.dkim ? input.dkim.selector : (current?.dkimSelector ?? null),
        dkimKeySealed: input.dkim === null ? null : input.dkim ? box.seal(input.dkim.privateKey) : (current?.dkimKeySealed ?? null),
        updatedAt: now,
      };
      const [saved] = current
        ? await tx.update(agencyMailSettings).set({ ...values, version: current.version + 1 }).returning()
        : await tx.insert(agencyMailSettings).values({ tenantId: actor.tenantId, ...values, createdAt: now }).returning();
      // Names of what changed, never the values (the password and key are secrets).
      await recordChange(actor, now, {
        action: 'agency.updated',
        subject: { type: 'agency', id: actor.tenantId },
        data: { email: { fields: Object.keys(input).filter((k) => k !== 'password' && k !== 'dkim').concat(input.password ? ['password'] : [], input.dkim !== undefined ? ['dkim'] : []) } },
      });
      return saved!;
    });
    forgetSender(actor.tenantId);
    return present(row);
  } catch (err) {
    if (err instanceof SecretsKeyMissing) throw new AppError('conflict', 'The server has no SECRETS_KEY: an agency sender cannot be stored (docs/email.md)');
    throw err;
  }
}

/** Back to the platform's sender. */
export async function deleteAgencyEmail(deps: Deps, actor: Actor) {
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const gone = await tx.delete(agencyMailSettings).returning({ tenantId: agencyMailSettings.tenantId });
    if (gone.length) await recordChange(actor, now, { action: 'agency.updated', subject: { type: 'agency', id: actor.tenantId }, data: { email: { removed: true } } });
  });
  forgetSender(actor.tenantId);
  return present(undefined);
}

/** "Send a test email": through the saved settings, to the admin (or `to`), answering what the server said. */
export async function testAgencyEmail(deps: Deps, actor: Actor, input: z.output<typeof testEmailBody>) {
  const found = await readTenant(deps.db, actor.tenantId, async (tx) => {
    const [row] = await tx.select().from(agencyMailSettings);
    const [me] = actor.userId ? await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, actor.userId)) : [];
    const [agency] = await tx.select({ name: tenants.name }).from(tenants);
    return { row, me, agency };
  });
  if (!found.row) throw notFound('Agency email settings');
  const to = input.to ?? found.me?.email;
  if (!to) throw new AppError('validation_failed', 'Name an address to send the test to', [{ field: 'body.to', message: 'Required for an API key' }]);
  const recruiter = found.me ?? { name: found.agency!.name, email: found.row.fromAddress };
  const sender = senderFrom(deps, found.row, { agency: found.agency!.name, recruiter }, { pooled: false });
  try {
    const sent = await sender.mailer.send({
      from: sender.from,
      ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
      to: { address: to },
      subject: `Test email from ${found.agency!.name} (Afterview)`,
      text: `This is a test of ${found.agency!.name}'s email settings in Afterview: it went out through ${found.row.host}:${found.row.port} as ${sender.from.address}.`,
      messageId: `<test-${newId()}@afterview>`,
      date: deps.clock.now(),
    });
    return { delivered: true, response: sent.response, responseCode: Number(/^\d{3}/.exec(sent.response)?.[0] ?? 250), from: sender.from.address };
  } catch (err) {
    const e = err instanceof MailError ? err : new MailError(err instanceof Error ? err.message : String(err), null, false);
    return { delivered: false, response: e.message.slice(0, 1000), responseCode: e.responseCode, from: sender.from.address };
  } finally {
    sender.mailer.close();
  }
}
