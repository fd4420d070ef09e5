import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from '@fastify/type-provider-zod';
import { AppError, type ErrorCode, type FieldError } from '../lib/errors.js';
import { problem } from './problem.js';
import { databaseBusy, databaseUnavailable, pgError } from '../db/client.js';

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_body',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_HANDLER_TIMEOUT: 'service_unavailable',
  FST_ERR_REP_ALREADY_SENT: 'internal_error',
};

const statusCodes: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** Retry-After (seconds) when no database connection was free in time: about the pool's own wait. */
export const DATABASE_BUSY_RETRY_AFTER_S = 5;

const contextNames: Record<string, string> = { querystring: 'query', params: 'path', headers: 'header' };

function fieldErrors(err: FastifyError): FieldError[] {
  if (!hasZodFastifySchemaValidationErrors(err)) return [];
  const ctx = contextNames[(err as { validationContext?: string }).validationContext ?? 'body'] ?? 'body';
  const out: FieldError[] = [];
  for (const v of err.validation) {
    const base = v.instancePath.split('/').filter(Boolean).join('.');
    const prefix = base ? `${ctx}.${base}` : ctx;
    const keys = (v.params as { keys?: string[] }).keys;
    if (v.keyword === 'unrecognized_keys' && keys) {
      for (const k of keys) out.push({ field: `${prefix}.${k}`, message: 'Unknown field' });
    } else {
      out.push({ field: prefix, message: v.message ?? 'Invalid value' });
    }
  }
  return out;
}

/** Maps what went wrong to a problem code; anything unexpected is a 500 with nothing leaked. */
function classify(err: FastifyError): { code: ErrorCode; detail?: string; errors?: FieldError[]; extra?: Record<string, unknown> } {
  if (err instanceof AppError) return { code: err.code, detail: err.message, errors: err.errors, extra: err.extra };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = fieldErrors(err);
    return { code: 'validation_failed', detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors };
  }
  const mapped = err.code ? fastifyCodes[err.code] : undefined;
  if (mapped) return { code: mapped, detail: mapped === 'internal_error' ? undefined : err.message };
  const pgCode = pgError(err)?.code;
  if (pgCode === '23505') return { code: 'conflict', detail: 'A record with the same unique value already exists' };
  if (pgCode === '57014') return { code: 'service_unavailable', detail: 'The request took too long' };
  // Deadlock or serialization failure: the transaction was rolled back whole; a retry is safe.
  if (pgCode === '40P01' || pgCode === '40001') {
    return { code: 'service_unavailable', detail: 'The change collided with another one and was not made; retry it' };
  }
  // Overload: every pooled connection stayed busy for the pool's whole wait. The statement was never
  // sent, so a retry is safe, but not at once: in a few seconds.
  if (databaseBusy(err)) {
    return {
      code: 'service_unavailable',
      detail: 'The service is overloaded: no database connection was free in time, and nothing was done. Retry in a few seconds',
      extra: { retryAfterSeconds: DATABASE_BUSY_RETRY_AFTER_S },
    };
  }
  if (databaseUnavailable(err)) {
    return { code: 'service_unavailable', detail: 'The database could not be reached; the request may not have completed. Retry it shortly (a POST with the same Idempotency-Key)' };
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500 && statusCodes[status]) {
    return { code: statusCodes[status]!, detail: err.message };
  }
  if (status === 503) return { code: 'service_unavailable' };
  return { code: 'internal_error' };
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  opts: { detail?: string; errors?: FieldError[]; extra?: Record<string, unknown> } = {},
) {
  const body = problem(code, String(request.id), { ...opts, instance: request.url.split('?')[0] });
  const retryAfter = opts.extra?.retryAfterSeconds;
  if (typeof retryAfter === 'number' && !reply.getHeader('retry-after')) reply.header('retry-after', String(retryAfter));
  return reply.code(body.status).type('application/problem+json').send(body);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const c = classify(err);
    if (!(err instanceof AppError) && (c.code === 'internal_error' || c.code === 'service_unavailable')) {
      request.log.error({ err }, 'request failed');
    } else {
      // The names of the fields refused, not the detail: a detail may quote what was sent.
      const fields = (c.errors ?? []).map((e) => e.field);
      request.log.info({ code: c.code, ...(fields.length > 0 ? { fields } : {}) }, 'request refused');
    }
    // Nothing was wrong with the request: the client may send it again in a moment (a POST with
    // its Idempotency-Key; docs/idempotency.md says what that retry can answer).
    if ((c.code === 'service_unavailable' || c.code === 'idempotency_in_progress') && !reply.getHeader('retry-after')) {
      const after = c.extra?.retryAfterSeconds;
      reply.header('retry-after', typeof after === 'number' ? String(after) : '1');
    }
    return sendProblem(request, reply, c.code, c);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 'route_not_found', { detail: `${request.method} ${request.url.split('?')[0]} is not a route` }),
  );
}
