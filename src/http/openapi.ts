import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from '@fastify/type-provider-zod';
import { problemSchema } from './problem.js';
import { z } from 'zod';

export const apiInfo = {
  title: 'Afterview API',
  version: '1.0.0',
  description:
    'What recruitment agencies do after an interview. All errors are RFC 9457 problem details ' +
    '(`application/problem+json`) with a stable `code`, the offending fields and a `requestId`.',
};

z.globalRegistry.add(problemSchema, { id: 'Problem' });

/** The OpenAPI 3.1 document comes from the routes' zod schemas; it is served and committed. */
/** `webhooks`: the OpenAPI `webhooks` section (what receivers are sent), from modules/webhooks. */
export async function registerOpenApi(app: FastifyInstance, opts: { webhooks: Record<string, unknown> }): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: apiInfo,
      servers: [],
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
    transform: jsonSchemaTransform,
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
