import pino, { type Logger } from 'pino';
import { requestContext } from './requestContext.js';
import { logSerializers } from './logSerializers.js';

export function createLogger(
  opts: { level: string; pretty: boolean; name?: string },
  destination?: pino.DestinationStream,
): Logger {
  return pino({
    name: opts.name ?? 'afterview',
    level: opts.level,
    // Lines logged while serving a request (services included) carry its request and tenant ids.
    mixin: (_obj, _level, logger) => {
      const ctx = requestContext.getStore();
      if (!ctx) return {};
      // Fastify's request logger already binds reqId; other loggers (services) get it here.
      const hasReqId = String((logger as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym]).includes('"reqId"');
      return {
        ...(hasReqId ? {} : { reqId: ctx.reqId }),
        ...(ctx.tenantId ? { tenantId: ctx.tenantId } : {}),
        ...(ctx.actor ? { actor: ctx.actor } : {}),
      };
    },
    // Lines about requests carry the route, the status and names, never what a person sent
    // (src/lib/logSerializers.ts); redaction is the net under that for keys that would.
    serializers: logSerializers,
    redact: {
      paths: [
        'req.headers',
        '*.password',
        '*.refreshToken',
        '*.accessToken',
        '*.secret',
        ...['to', 'from', 'subject', 'text', 'body', 'phone', 'params'].flatMap((k) => [k, `*.${k}`]),
      ],
      censor: '[redacted]',
    },
    ...(opts.pretty && !destination ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  }, destination as pino.DestinationStream);
}
