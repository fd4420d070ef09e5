import Mustache from 'mustache';
import { randomUUID } from 'node:crypto';
import type { Deps } from '../../deps.js';
import { publicUrl } from '../../config.js';

/**
 * The account emails: an invitation, a password reset link, and the notice that a password was
 * changed. Plain text, through the same mailer as follow-ups (SMTP_URL, else the outbox folder).
 * The links carry their token after `#`, so it never reaches a server log or a Referer header:
 * the web client's page reads it and posts it.
 */
const templates = {
  invitation: {
    subject: '{{inviter}} invited you to {{agency}} on Afterview',
    body: `Hello,

{{inviter}} invited you to join {{agency}} on Afterview as {{role}}.

Choose your name and a password here:
{{{link}}}

The link works once, until {{expires}} (UTC). Afterwards you sign in to the agency "{{slug}}" as {{email}}.

If you did not expect this, ignore this email: nothing happens without it.

Afterview`,
  },
  passwordReset: {
    subject: 'Reset your Afterview password',
    body: `Hello {{name}},

Someone asked to reset the password of your Afterview account at {{agency}} ({{email}}).
To choose a new password, open this link:
{{{link}}}

The link works once, for 30 minutes. Setting a new password signs you out everywhere else.

If it was not you, ignore this email: your password stays as it is.

Afterview`,
  },
  passwordChanged: {
    subject: 'Your Afterview password was changed',
    body: `Hello {{name}},

The password of your Afterview account at {{agency}} ({{email}}) was changed on {{when}} (UTC){{#elsewhere}}, and your other sessions were signed out{{/elsewhere}}.

If it was not you, reset your password now with "Forgot your password?" on the sign-in page:
{{{signIn}}}

Afterview`,
  },
} as const;

export type AccountEmail = keyof typeof templates;

const render = (text: string, view: Record<string, unknown>) => Mustache.render(text, view, undefined, { escape: (s: string) => s });

/** A link to a page of the web client with a token in its fragment. */
export const accountLink = (deps: Deps, page: 'accept-invitation' | 'reset-password', token: string) =>
  `${publicUrl(deps.config)}/${page}#token=${encodeURIComponent(token)}`;

/** Sends one account email; throws the mailer's MailError when the server refuses it. */
export async function sendAccountEmail(deps: Deps, kind: AccountEmail, to: { name?: string | undefined; address: string }, view: Record<string, unknown>) {
  const t = templates[kind];
  await deps.mailer.send({
    from: { name: 'Afterview', address: deps.config.MAIL_FROM },
    to,
    subject: render(t.subject, view),
    text: render(t.body, { ...view, signIn: `${publicUrl(deps.config)}/` }),
    messageId: `<${kind}-${randomUUID()}@afterview>`,
    date: deps.clock.now(),
  });
}

/** A mail server's refusal as a log line may hold it: the addresses it quotes left out (no personal data in logs). */
export const mailErrorForLog = (err: Error) => err.message.replace(/[^\s<>"']+@[^\s<>"']+/g, '<address>');

/** `2026-12-08 14:30`, in UTC: the emails name a time without knowing the reader's zone. */
export const utcMinute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
