import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SunkMessage {
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1 that keeps every message; `next()` waits for one that matches. */
export function smtpSink() {
  const received: SunkMessage[] = [];
  const waiting: { match: (m: SunkMessage) => boolean; resolve: (m: SunkMessage) => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const m = { to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks).toString('utf8') };
        received.push(m);
        for (const w of waiting.filter((x) => x.match(m))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(m);
        }
        callback();
      });
    },
  });
  return {
    received,
    /** The first message (already received or still to come) to `address`. */
    for(address: string): Promise<SunkMessage> {
      const match = (m: SunkMessage) => m.to.includes(address.toLowerCase());
      const had = received.find(match);
      return had ? Promise.resolve(had) : new Promise((resolve) => waiting.push({ match, resolve }));
    },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.server.address() as AddressInfo).port;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
