import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { Deps } from '../deps.js';
import { AppError } from '../lib/errors.js';
import { depthOf, MAX_JSON_DEPTH } from './jsonBody.js';
import { requestContext, type IdempotencyScope } from '../lib/requestContext.js';
import { answerSeal } from './idempotencySeal.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const KEY = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: IdempotencyScope | null;
  }
  interface FastifyContextConfig {
    /** The answer shows a secret once: kept for replays encrypted (idempotencySeal.ts). */
    secretAnswer?: true;
  }
}

const SECRET_FIELDS = ['secret', 'initialPassword'];
/** Whether a route's success answer has a field that holds a secret (a zod object's shape). */
const answersSecret = (schema: unknown) =>
  Object.entries((schema as { response?: Record<string, { shape?: object }> } | undefined)?.response ?? {}).some(
    ([status, s]) => status.startsWith('2') && SECRET_FIELDS.some((f) => s?.shape && f in s.shape),
  );

const sealScope = (s: IdempotencyScope) => `${s.tenantId}\n${s.principal}\n${s.route}\n${s.key}`;

/** `Idempotency-Key: "abc"` (the draft's sf-string) or a bare token, as most clients send. */
function parseKey(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  const unquoted = /^"(.*)"$/.exec(value)?.[1] ?? value;
  if (!KEY.test(unquoted)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters', [
      { field: 'header.idempotency-key', message: 'Invalid key' },
    ]);
  }
  return unquoted;
}

/**
 * SHA-256 of the method, the URL and the parsed body. The body parser already refused anything
 * deeper than MAX_JSON_DEPTH; the depth is measured again (iteratively) so that a body from
 * another parser can never make JSON.stringify recurse until the stack runs out.
 */
function fingerprintOf(req: FastifyRequest): string {
  if (depthOf(req.body) > MAX_JSON_DEPTH) throw new AppError('malformed_body', `The body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  return createHash('sha256')
    .update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`)
    .digest('base64url');
}

/**
 * Idempotency-Key on every authenticated POST (docs/idempotency.md): the same key and request
 * replay the stored answer; the same key with another request is 422; a duplicate that arrives
 * while the first still runs is 409. Keys are scoped to the agency and the credential, kept 24 h.
 * Answers of 5xx are not kept, so a retry runs again (the failed transaction left nothing).
 */
/** Where the keys and their answers are kept (modules/idempotency, handed over by src/app.ts). */
export interface IdempotencyStore {
  /** Claims the key; null when it was claimed, else what the request that holds it left. */
  claim(
    scope: IdempotencyScope,
    fingerprint: string,
    now: Date,
    expiresAt: Date,
    opts: { staleBefore: Date },
  ): Promise<{ state: string; fingerprint: string; responseStatus: number | null; responseBody: string | null; responseType: string | null } | null>;
  complete(scope: IdempotencyScope, status: number, body: string, type: string): Promise<void>;
  release(scope: IdempotencyScope): Promise<void>;
}

export function registerIdempotency(app: FastifyInstance, deps: Deps, store: IdempotencyStore): void {
  app.decorateRequest('idempotency', null);
  const sealer = answerSeal(deps.jwtSecret);

  const preHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.actor) return;
    const key = parseKey(req.headers['idempotency-key']);
    if (!key) return;
    const scope: IdempotencyScope = {
      tenantId: req.actor.tenantId,
      principal: req.actor.userId ?? req.actor.apiKeyId!,
      route: `${req.method} ${req.routeOptions.url}`,
      key,
    };
    const now = deps.clock.now();
    const fingerprint = fingerprintOf(req);
    const existing = await store.claim(scope, fingerprint, now, new Date(now.getTime() + IDEMPOTENCY_TTL_MS), {
      staleBefore: new Date(now.getTime() - 2 * deps.config.REQUEST_TIMEOUT_MS),
    });
    if (!existing) {
      req.idempotency = scope;
      const ctx = requestContext.getStore();
      if (ctx) ctx.idempotency = { ...scope };
      return;
    }
    if (existing.fingerprint !== fingerprint) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was sent before with a different request', [
        { field: 'header.idempotency-key', message: 'Already used for another request' },
      ]);
    }
    if (existing.state === 'in_progress') throw new AppError('idempotency_in_progress');
    const body = existing.responseBody === null ? null : sealer.open(existing.responseBody, sealScope(scope));
    if (body === null && existing.state === 'completed') {
      throw new AppError('idempotency_answer_lost', 'The first request with this Idempotency-Key made its change; its answer held a secret that can no longer be read here (the server’s JWT_SECRET changed). Look the resource up, or make a new one');
    }
    if (existing.state === 'committed') {
      throw new AppError(
        'idempotency_answer_lost',
        existing.responseStatus !== null
          ? 'The first request with this Idempotency-Key made its change; its answer held personal data that has since been erased. Look the resource up instead of retrying'
          : 'The first request with this Idempotency-Key made its change but ended before its answer was kept; look the resource up instead of retrying',
      );
    }
    return reply
      .code(existing.responseStatus!)
      .header('idempotent-replayed', 'true')
      .type(existing.responseType ?? 'application/json')
      .serializer((p: unknown) => p as string)
      .send(body ?? existing.responseBody);
  };

  const onSend = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const scope = req.idempotency;
    if (!scope) return payload;
    req.idempotency = null;
    // A 5xx from the handler's own failure rolled its transaction back: the key is freed so a
    // retry runs again. A timeout (503) may have committed after all: the key stays in progress
    // until its lease ends (see claim), so a retry cannot run the work twice.
    // Either write failing (the database went meanwhile) must not replace the answer: the key then
    // stays in progress until its lease ends, or committed if the change was, as after a crash.
    try {
      if (reply.statusCode >= 500 && reply.statusCode !== 503) await store.release(scope);
      else if (reply.statusCode === 503) return payload;
      else {
        const body = typeof payload === 'string' ? payload : payload == null ? '' : String(payload);
        const stored = req.routeOptions.config.secretAnswer && reply.statusCode < 300 ? sealer.seal(body, sealScope(scope)) : body;
        await store.complete(scope, reply.statusCode, stored, String(reply.getHeader('content-type') ?? 'application/json'));
      }
    } catch (err) {
      req.log.warn({ err }, 'the Idempotency-Key could not be updated; it stays as it was until its lease ends');
    }
    return payload;
  };

  // Only POST routes pay for these hooks; reads skip them entirely.
  app.addHook('onRoute', (route) => {
    if (route.method !== 'POST') return;
    if (answersSecret(route.schema) && !route.config?.secretAnswer) {
      throw new Error(`route ${route.method} ${route.url} answers a secret: declare config.secretAnswer, so its Idempotency-Key replay is kept encrypted`);
    }
    route.preHandler = [...[route.preHandler ?? []].flat(), preHandler];
    route.onSend = [...[route.onSend ?? []].flat(), onSend];
  });
}
