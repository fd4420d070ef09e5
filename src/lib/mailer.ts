import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { Logger } from 'pino';

export interface MailAddress {
  name?: string | undefined;
  address: string;
}

export interface MailMessage {
  from: MailAddress;
  to: MailAddress;
  replyTo?: MailAddress | undefined;
  subject: string;
  text: string;
  /** With the angle brackets: `<fu-…@afterview>`. Deterministic, so replies can be matched. */
  messageId: string;
  headers?: Record<string, string>;
  /** The Date header: the injected clock's time, not the machine's. */
  date?: Date | undefined;
  /** An iMIP calendar part (RFC 6047): `text/calendar; method=…`, an alternative to the text. */
  icalEvent?: { method: 'REQUEST' | 'CANCEL' | 'PUBLISH'; content: string } | undefined;
}

export interface SentMail {
  messageId: string;
  /** The server's answer (SMTP) or the file written (outbox). */
  response: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
  close(): void;
}

/**
 * A refused or failed send. `permanent` when the server answered 5xx: retrying the same message
 * cannot help. Connection failures and 4xx answers are temporary.
 */
export class MailError extends Error {
  override name = 'MailError';
  readonly responseCode: number | null;
  readonly permanent: boolean;
  constructor(message: string, responseCode: number | null, permanent: boolean) {
    super(message);
    this.responseCode = responseCode;
    this.permanent = permanent;
  }
}

function toMailError(err: unknown): MailError {
  const e = err as { message?: string; responseCode?: unknown; response?: unknown };
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const text = typeof e.response === 'string' && e.response ? e.response : (e.message ?? String(err));
  return new MailError(text, code, code !== null && code >= 500 && code < 600);
}

const toOptions = (m: MailMessage): SendMailOptions => ({
  from: m.from,
  to: m.to,
  ...(m.replyTo ? { replyTo: m.replyTo } : {}),
  subject: m.subject,
  text: m.text,
  messageId: m.messageId,
  ...(m.date ? { date: m.date } : {}),
  ...(m.headers ? { headers: m.headers } : {}),
  ...(m.icalEvent ? { icalEvent: { method: m.icalEvent.method, content: m.icalEvent.content, filename: 'invite.ics' } } : {}),
});

/** A Mailer over a nodemailer SMTP transport: its failures as MailErrors (permanent or not). */
function pooled(transport: Transporter): Mailer {
  return {
    async send(message) {
      try {
        const info = (await transport.sendMail(toOptions(message))) as { messageId: string; response: string };
        return { messageId: info.messageId, response: info.response };
      } catch (err) {
        throw toMailError(err);
      }
    },
    close: () => transport.close(),
  };
}

/** An SMTP server of one's own (an agency's, docs/email.md): pooled, with the same timeouts; optional DKIM signing. */
export function smtpMailer(options: {
  host: string;
  port: number;
  tls: 'tls' | 'starttls' | 'none';
  auth?: { user: string; pass: string } | undefined;
  dkim?: { domainName: string; keySelector: string; privateKey: string } | undefined;
  /** Tests only: accept a self-signed certificate. */
  allowUnverifiedTls?: boolean;
}): Mailer {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.tls === 'tls',
    requireTLS: options.tls === 'starttls',
    ignoreTLS: options.tls === 'none',
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.dkim ? { dkim: options.dkim } : {}),
    ...(options.allowUnverifiedTls ? { tls: { rejectUnauthorized: false } } : {}),
    pool: true,
    maxConnections: 3,
    maxMessages: 1000,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return pooled(transport);
}

/** SMTP through nodemailer when SMTP_URL is set; else .eml files in MAIL_OUTBOX_DIR (development). */
export function createMailer(config: { SMTP_URL?: string | undefined; MAIL_OUTBOX_DIR: string }, log: Logger): Mailer {
  if (config.SMTP_URL) {
    // Pooled: connections stay open across messages (a handshake per email caps delivery at a few
    // hundred a second). `?maxConnections=&maxMessages=` on SMTP_URL override the defaults. The
    // timeouts (nodemailer's own are 2 and 10 minutes) keep a send well inside the follow-up's
    // claim lease (FOLLOWUP_CLAIM_LEASE_MS, 5 minutes), after which it counts as uncertain.
    const transport = nodemailer.createTransport({
      url: config.SMTP_URL,
      pool: true,
      maxConnections: 5,
      maxMessages: 1000,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    return pooled(transport);
  }
  // nodemailer builds the message; writing it is ours, so the file name is ours too.
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const dir = resolve(config.MAIL_OUTBOX_DIR);
  return {
    async send(message) {
      const info = await builder.sendMail(toOptions(message));
      await mkdir(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${message.messageId.replace(/[^a-zA-Z0-9_-]+/g, '_')}.eml`;
      const path = resolve(dir, name);
      await writeFile(path, info.message as Buffer);
      log.info({ path, messageId: message.messageId }, 'email written to the outbox (SMTP_URL is not set)');
      return { messageId: message.messageId, response: `written to ${path}` };
    },
    close: () => builder.close(),
  };
}
