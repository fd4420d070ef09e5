import pino, { type Logger } from 'pino';
import { requestContext } from './requestContext.js';

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
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["idempotency-key"]',
        '*.password',
        '*.refreshToken',
        '*.accessToken',
        '*.secret',
      ],
      censor: '[redacted]',
    },
    ...(opts.pretty && !destination ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  }, destination as pino.DestinationStream);
}
