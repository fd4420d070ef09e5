import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from '@fastify/type-provider-zod';
import { problemSchema } from './problem.js';
import { z } from 'zod';
import { operationIdFor } from './operationIds.js';
import { LIMITS } from '../lib/limits.js';

export const apiInfo = {
  title: 'Afterview API',
  version: '1.0.0',
  description:
    'What recruitment agencies do after an interview. All errors are RFC 9457 problem details ' +
    '(`application/problem+json`) with a stable `code`, the offending fields and a `requestId`.',
};

z.globalRegistry.add(problemSchema, { id: 'Problem' });

type JsonSchema = Record<string, unknown>;
const INT32 = 2 ** 31;

/**
 * What every schema of the document states about its size, derived from the zod check that holds
 * it: an integer's `format` from its bounds (a zod `.int()` is a safe integer, so int64 at most); a
 * UUID's or a date's `maxLength` from the format's fixed length. Other strings and arrays carry
 * their own `.max()` (src/lib/limits.ts).
 */
function sized(ctx: { jsonSchema: JsonSchema }) {
  const s = ctx.jsonSchema;
  const types = [s.type].flat();
  if (types.includes('integer') && s.format === undefined) {
    const min = typeof s.minimum === 'number' ? s.minimum : -Infinity;
    const max = typeof s.maximum === 'number' ? s.maximum : Infinity;
    s.format = min >= -INT32 && max < INT32 ? 'int32' : 'int64';
  }
  if (types.includes('string') && s.maxLength === undefined) {
    if (s.format === 'uuid') s.maxLength = LIMITS.uuid;
    else if (s.format === 'date') s.maxLength = LIMITS.date;
    else if (s.format === 'date-time') s.maxLength = LIMITS.instant;
  }
}
const zodToJsonConfig = { override: sized };
const jsonSchemaTransform = createJsonSchemaTransform({ zodToJsonConfig });
const transformObject = createJsonSchemaTransformObject({ zodToJsonConfig });

type TransformArgs = Parameters<typeof jsonSchemaTransform>[0];

const text = (description: string) => ({ type: 'string', maxLength: LIMITS.name, description });
const count = (description: string) => ({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32 - 1, description });
const RATE_LIMIT_HEADERS = {
  RateLimit: text('This credential’s allowance now: `"<policy>";r=<remaining>;t=<seconds to the window’s end>` (draft-ietf-httpapi-ratelimit-headers)'),
  'RateLimit-Policy': text('The limit that applies: `"<policy>";q=<quota>;w=<window seconds>`'),
  'x-ratelimit-limit': count('The quota of the window (kept for one release; read RateLimit-Policy)'),
  'x-ratelimit-remaining': count('Requests left in the window (kept for one release; read RateLimit)'),
  'x-ratelimit-reset': count('Seconds to the window’s end (kept for one release; read RateLimit)'),
};
const RETRY_AFTER = { 'Retry-After': { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400, description: 'Seconds to wait before trying again' } };
const ETAG = { ETag: text('The version of the resource, quoted (`"3"`): send it back as `If-Match` to change it only if nobody else did') };

/** A route's answer is a versioned resource: it carries the ETag (src/http/ifMatch.ts). */
const versioned = (zod: unknown) => {
  const shape = (zod as { shape?: Record<string, unknown> } | undefined)?.shape;
  return Boolean(shape && 'version' in shape);
};

/**
 * The zod transform, with each operation's stable `operationId` (operationIds.ts) and the
 * response headers every answer may carry: the rate-limit fields on rate-limited routes, and
 * `Retry-After` on 429 and 503.
 */
function transform(args: TransformArgs) {
  const out = jsonSchemaTransform(args);
  const schema = out.schema as { operationId?: string; response?: Record<string, Record<string, unknown>> };
  const id = operationIdFor(String(args.route.method), args.url.replace(/:(\w+)/g, '{$1}'));
  if (id) schema.operationId ??= id;
  const config = args.route.config as { rateLimit?: unknown; access?: { public?: boolean } } | undefined;
  // A public route (sign-in, a probe, a token in the URL) says so: no security scheme applies.
  if (config?.access?.public && !('security' in schema)) (schema as { security?: unknown[] }).security = [];
  const limited = config?.rateLimit !== false;
  const zodResponses = (args.schema as { response?: Record<string, unknown> } | undefined)?.response ?? {};
  for (const [status, response] of Object.entries(schema.response ?? {})) {
    const headers = {
      ...(limited ? RATE_LIMIT_HEADERS : {}),
      ...(status === '429' || status === '503' ? RETRY_AFTER : {}),
      ...(/^2/.test(status) && versioned(zodResponses[status]) ? ETAG : {}),
    };
    // A copy: error responses share one schema object between routes.
    if (Object.keys(headers).length > 0) schema.response![status] = { ...response, headers: { ...(response.headers as object | undefined), ...headers } };
  }
  return out;
}

/**
 * Each registered zod schema comes as an input and an output component (`XInput`, `X`); the
 * document keeps those an operation or a webhook reaches, so a generated client holds no dead types.
 */
function withoutUnused(doc: JsonSchema): JsonSchema {
  const components = doc.components as { schemas?: Record<string, unknown> } | undefined;
  const all = components?.schemas ?? {};
  const kept = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length);
        if (!kept.has(name)) {
          kept.add(name);
          visit(all[name]);
        }
      } else visit(value);
    }
  };
  visit(doc.paths);
  visit(doc.webhooks);
  return { ...doc, components: { ...components, schemas: Object.fromEntries(Object.entries(all).filter(([name]) => kept.has(name))) } };
}

/**
 * The OpenAPI 3.1 document comes from the routes' zod schemas; it is served and committed.
 * `serverUrl`: where the API is reached (PUBLIC_URL; the committed document says localhost);
 * `webhooks`: the `webhooks` section (what receivers are sent), from modules/webhooks.
 */
export async function registerOpenApi(app: FastifyInstance, opts: { serverUrl: string; webhooks: Record<string, unknown> }): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: apiInfo,
      // x-internal: who the server is for (OWASP API9, inventory): integrators, not only us.
      servers: [{ url: opts.serverUrl, description: 'This Afterview, production or local (PUBLIC_URL)', 'x-internal': false } as { url: string }],
      webhooks: opts.webhooks as never,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A user access token (JWT) or an API key (avk_...)' },
          inboundSecret: { type: 'http', scheme: 'bearer', description: 'The agency’s inbound secret (ins_...), for the mail provider only' },
        },
      },
      tags: [
        { name: 'auth', description: 'Sign-up, sign-in, tokens' },
        { name: 'agency', description: 'The agency’s own settings: name, time zone, days off' },
        { name: 'users', description: 'The agency’s people and their roles' },
        { name: 'api keys', description: 'Credentials for integrations' },
        { name: 'employers', description: 'Districts, schools, companies; their contacts and positions' },
        { name: 'candidates', description: 'The people the agency represents' },
        { name: 'applications', description: 'Candidates put forward for positions: stages, outcomes, employer replies' },
        { name: 'interviews', description: 'Interviews, their participants and what happened' },
        { name: 'activity', description: 'The timeline of everything that happened' },
        { name: 'webhooks', description: 'Signed event delivery to your systems (Standard Webhooks)' },
        { name: 'inbound replies', description: 'Employers’ email answers to follow-ups, from the mail provider' },
        { name: 'sessions', description: 'Where you and your people are signed in' },
        { name: 'invitations', description: 'Inviting people to the agency' },
        { name: 'contacts', description: 'People at employers: interviewers, hiring managers' },
        { name: 'positions', description: 'Vacancies at employers, and who to re-engage for them' },
        { name: 'imports', description: 'Candidates from a CSV file: a preview, then a run' },
        { name: 'follow-ups', description: 'The planned notes and tasks after each interview, and their templates' },
        { name: 'events', description: 'The event log as a feed, to catch up without webhooks' },
        { name: 'sync', description: 'Other systems’ ids for our records: look up and upsert by them' },
        { name: 'reports', description: 'Pipeline, follow-ups and employers, as JSON or CSV' },
        { name: 'health', description: 'Probes' },
      ],
    },
    transform,
    transformObject: (doc) => withoutUnused(transformObject(doc) as JsonSchema),
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true, defaultModelsExpandDepth: 0 },
    staticCSP: false,
    logLevel: 'warn',
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { access: { public: true } } }, async () => app.swagger());
}
