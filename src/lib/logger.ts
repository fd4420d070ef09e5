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
      const bound = logger.bindings();
      return {
        ...(bound.reqId ? {} : { reqId: ctx.reqId }),
        ...(ctx.tenantId && !bound.tenantId ? { tenantId: ctx.tenantId } : {}),
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
