import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SunkMessage {
  to: string[];
  raw: string;
  /** Its Message-ID header (`<fu-…@afterview>`), or null. */
  messageId: string | null;
}

/**
 * A real SMTP server on 127.0.0.1 that keeps every message, in the order their data arrived;
 * `next()` waits for one that matches. With `hold(true)` it stops answering the data it receives
 * (the sender is left mid-send, as a slow server leaves it) until `release()`. Calendar invites
 * are accepted and dropped unless `invites` (test/interviews.invites.test.ts).
 */
export function smtpSink(opts: { invites?: boolean } = {}) {
  const received: SunkMessage[] = [];
  const waiting: { match: (m: SunkMessage) => boolean; resolve: (m: SunkMessage) => void }[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        // Calendar invites (an interview scheduled ahead) are kept only by a sink that asks for them.
        if (!opts.invites && /^X-Afterview-Invite:/im.test(raw.split(/\r?\n\r?\n/)[0]!)) return callback();
        const m = { to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw, messageId: /^Message-ID: (<[^>]+>)/im.exec(raw)?.[1] ?? null };
        received.push(m);
        for (const w of waiting.filter((x) => x.match(m))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(m);
        }
        if (holding) held.push(() => callback());
        else callback();
      });
    },
  });
  // Answers written to a sender that died meanwhile (a killed worker's connections).
  server.on('error', () => undefined);
  return {
    received,
    /** The first message (already received or still to come) to `address`. */
    for(address: string): Promise<SunkMessage> {
      return this.nth(address, 1);
    },
    /** The n-th message (1-based, already received or still to come) to `address`. */
    nth(address: string, n: number): Promise<SunkMessage> {
      const to = (m: SunkMessage) => m.to.includes(address.toLowerCase());
      const had = received.filter(to)[n - 1];
      if (had) return Promise.resolve(had);
      const match = (m: SunkMessage) => to(m) && received.filter(to).length === n;
      return new Promise((resolve) => waiting.push({ match, resolve }));
    },
    /** The Message-IDs in the order their data arrived. */
    messageIds: () => received.map((m) => m.messageId),
    hold(on: boolean) {
      holding = on;
    },
    /** Messages whose data is in and not yet answered. */
    get held() {
      return held.length;
    },
    /** Answers every held message. */
    release() {
      for (const answer of held.splice(0)) answer();
    },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.server.address() as AddressInfo).port;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A received message's subject and plain-text body, quoted-printable undone. */
export function readMail(m: SunkMessage): { subject: string; text: string; from: string } {
  const [head = '', ...rest] = m.raw.split(/\r?\n\r?\n/);
  const header = (name: string) => new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(head)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '';
  let text = rest.join('\n\n');
  if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) {
    text = Buffer.from(text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return { subject: header('Subject'), text: text.replace(/\r\n/g, '\n'), from: header('From') };
}

/** The token of the account link in a message (`…/accept-invitation#token=…`, `…/reset-password#token=…`). */
export const linkTokenIn = (m: SunkMessage, page: 'accept-invitation' | 'reset-password') =>
  decodeURIComponent(new RegExp(`/${page}#token=([\\w%-]+)`).exec(readMail(m).text)?.[1] ?? '');

export interface AuthSunk {
  user: string;
  to: string[];
  raw: string;
}

/** A real SMTP server that only takes mail after AUTH with its own user and password. */
export function authSink(user: string, pass: string) {
  const got: AuthSunk[] = [];
  const waiting: { to: string; resolve: (g: AuthSunk) => void }[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) return cb(null, { user });
      cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const g = { user: String(session.user), to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks).toString('utf8') };
        got.push(g);
        for (const w of waiting.filter((x) => g.to.includes(x.to))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(g);
        }
        cb();
      });
    },
  });
  return {
    got,
    for: (to: string) => new Promise<AuthSunk>((resolve) => {
      const had = got.find((g) => g.to.includes(to.toLowerCase()));
      if (had) return resolve(had);
      waiting.push({ to: to.toLowerCase(), resolve });
    }),
    async listen() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return (server.server.address() as AddressInfo).port;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
