import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from '@fastify/type-provider-zod';
import { problemSchema } from './problem.js';
import { z } from 'zod';
import { operationIdFor } from './operationIds.js';

export const apiInfo = {
  title: 'Afterview API',
  version: '1.0.0',
  description:
    'What recruitment agencies do after an interview. All errors are RFC 9457 problem details ' +
    '(`application/problem+json`) with a stable `code`, the offending fields and a `requestId`.',
};

z.globalRegistry.add(problemSchema, { id: 'Problem' });

type TransformArgs = Parameters<typeof jsonSchemaTransform>[0];

const text = (description: string) => ({ type: 'string', maxLength: 200, description });
const RATE_LIMIT_HEADERS = {
  RateLimit: text('This credential’s allowance now: `"<policy>";r=<remaining>;t=<seconds to the window’s end>` (draft-ietf-httpapi-ratelimit-headers)'),
  'RateLimit-Policy': text('The limit that applies: `"<policy>";q=<quota>;w=<window seconds>`'),
};
const RETRY_AFTER = { 'Retry-After': { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400, description: 'Seconds to wait before trying again' } };

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
  const limited = (args.route.config as { rateLimit?: unknown } | undefined)?.rateLimit !== false;
  for (const [status, response] of Object.entries(schema.response ?? {})) {
    const headers = { ...(limited ? RATE_LIMIT_HEADERS : {}), ...(status === '429' || status === '503' ? RETRY_AFTER : {}) };
    // A copy: error responses share one schema object between routes.
    if (Object.keys(headers).length > 0) schema.response![status] = { ...response, headers: { ...(response.headers as object | undefined), ...headers } };
  }
  return out;
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
      servers: [{ url: opts.serverUrl, description: 'This Afterview (PUBLIC_URL)' }],
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
        { name: 'health', description: 'Probes' },
      ],
    },
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true, defaultModelsExpandDepth: 0 },
    staticCSP: false,
    logLevel: 'warn',
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { access: { public: true } } }, async () => app.swagger());
}
