import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AppError, type FieldError } from '../lib/errors.js';
import { badTextFields, cleanTextDeep } from '../lib/text.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `clean`: NULs and lone surrogates in the body are removed / replaced by U+FFFD instead of
     * refused (the inbound email: a mail provider retries a refusal forever).
     */
    bodyText?: 'refuse' | 'clean';
  }
}

/** The request headers the app reads (authentication, idempotency, optimistic locking). */
const READ_HEADERS = ['authorization', 'idempotency-key', 'if-match'] as const;

const refused = (errors: FieldError[]) =>
  new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);

/**
 * Every string a request brings, on every route (added later ones included), is checked once here
 * for text we cannot keep (src/lib/text.ts): the headers we read before anything reads them, the
 * query, the path parameters and the body before validation. One is a 400 naming each such
 * field; nothing reaches a handler, a fingerprint or PostgreSQL.
 */
export function registerTextHygiene(app: FastifyInstance): void {
  app.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    let errors: FieldError[] | undefined;
    for (const name of READ_HEADERS) {
      const value = req.headers[name];
      if (value === undefined) continue;
      const bad = badTextFields(value, `header.${name}`);
      if (bad.length > 0) (errors ??= []).push(...bad.map((e) => ({ ...e, field: `header.${name}` })));
    }
    done(errors ? refused(errors) : undefined);
  });

  app.addHook('preValidation', (req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const errors = [...badTextFields(req.params, 'path'), ...badTextFields(req.query, 'query')];
    if (req.body !== undefined) {
      if (req.routeOptions.config.bodyText === 'clean') req.body = cleanTextDeep(req.body);
      else errors.push(...badTextFields(req.body, 'body'));
    }
    done(errors.length > 0 ? refused(errors) : undefined);
  });
}
