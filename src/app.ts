import { registerMetrics } from './http/metrics.js';
import { registerTracing } from './http/tracing.js';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler } from '@fastify/type-provider-zod';
import { serializerCompiler } from './http/serializer.js';
import { randomUUID } from 'node:crypto';
import type { Deps } from './deps.js';
import { requestContext } from './lib/requestContext.js';
import { registerDrain } from './http/drain.js';
import { registerErrorHandling, sendProblem } from './http/errors.js';
import { clientErrorHandler } from './http/clientError.js';
import { credentialKey, registerAuth } from './http/auth.js';
import { registerIdempotency } from './http/idempotency.js';
import { registerOpenApi } from './http/openapi.js';
import { publicUrl } from './config.js';
import { apiSecurityHeaders } from './http/securityHeaders.js';
import { registerRateLimit } from './http/rateLimit.js';
import { registerStrictQuery } from './http/strictQuery.js';
import { registerTextHygiene } from './http/textHygiene.js';
import { registerJsonBody } from './http/jsonBody.js';
import type { App } from './http/types.js';
import { API_KEY_PREFIX, authenticateApiKey, knownApiKeyId } from './modules/apiKeys/apiKeys.service.js';
import { listenForRevocations, revocationListOf } from './modules/auth/revocations.js';
import { idempotencyStore } from './modules/idempotency/idempotency.repo.js';
import { openApiWebhooks } from './modules/webhooks/webhooks.openapi.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { usersRoutes } from './modules/users/users.routes.js';
import { apiKeysRoutes } from './modules/apiKeys/apiKeys.routes.js';
import { sessionsRoutes } from './modules/sessions/sessions.routes.js';
import { invitationsRoutes } from './modules/invitations/invitations.routes.js';
import { employersRoutes } from './modules/employers/employers.routes.js';
import { contactsRoutes } from './modules/contacts/contacts.routes.js';
import { positionsRoutes } from './modules/positions/positions.routes.js';
import { candidatesRoutes } from './modules/candidates/candidates.routes.js';
import { applicationsRoutes } from './modules/applications/applications.routes.js';
import { threadsRoutes } from './modules/threads/threads.routes.js';
import { calendarRoutes } from './modules/interviews/interviews.calendarRoutes.js';
import { agencyEmailRoutes } from './modules/agency/agency.emailRoutes.js';
import { activityRoutes } from './modules/activity/activity.routes.js';
import { eventsRoutes } from './modules/events/events.routes.js';
import { externalIdsRoutes } from './modules/externalIds/externalIds.routes.js';
import { interviewsRoutes } from './modules/interviews/interviews.routes.js';
import { followUpsRoutes } from './modules/followups/followups.routes.js';
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.js';
import { inboundRoutes } from './modules/inbound/inbound.routes.js';
import { agencyRoutes } from './modules/agency/agency.routes.js';
import { responsesRoutes } from './modules/responses/responses.routes.js';
import { reportsRoutes } from './modules/reports/reports.routes.js';
import { searchRoutes } from './modules/search/search.routes.js';
import { importsRoutes } from './modules/imports/imports.routes.js';
import { webRoutes } from './modules/web/web.routes.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Every module, listed: no autoload. */
const modules = [healthRoutes, authRoutes, usersRoutes, sessionsRoutes, invitationsRoutes, apiKeysRoutes, employersRoutes, contactsRoutes, positionsRoutes, candidatesRoutes, importsRoutes, applicationsRoutes, interviewsRoutes, followUpsRoutes, threadsRoutes, calendarRoutes, activityRoutes, eventsRoutes, externalIdsRoutes, webhooksRoutes, inboundRoutes, agencyRoutes, agencyEmailRoutes, responsesRoutes, reportsRoutes, searchRoutes, webRoutes];

export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    requestTimeout: deps.config.REQUEST_TIMEOUT_MS,
    handlerTimeout: deps.config.REQUEST_TIMEOUT_MS,
    connectionTimeout: deps.config.REQUEST_TIMEOUT_MS,
    // Requests during shutdown get a problem of ours instead: src/http/drain.ts.
    return503OnClosing: false,
    requestIdHeader: false,
    // A URL that does not decode (`/%E0%A4%A`) gets a problem like any other bad input.
    clientErrorHandler,
    frameworkErrors: (err, req, reply) => sendProblem(req, reply, 'validation_failed', { detail: err.message, errors: [{ field: 'path', message: 'Not a valid URL' }] }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const headers = apiSecurityHeaders();
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', req.id);
    requestContext.run({ reqId: String(req.id) }, done);
  });
  registerTracing(app);
  registerErrorHandling(app);
  registerDrain(app);
  // Before the rate limiter and authentication read a header, and before any validation.
  registerTextHygiene(app);
  registerJsonBody(app);

  // Per credential once it verifies, else per client address: made-up tokens cannot buy fresh
  // buckets. Registered before authentication, so its hook runs first.
  registerRateLimit(app, deps, (req) => credentialKey(app, req));
  // The edge reaches the modules only through what it is handed here (docs/architecture.md).
  const revocations = revocationListOf(deps);
  registerAuth(app, deps, {
    apiKeys: { prefix: API_KEY_PREFIX, authenticate: (token) => authenticateApiKey(deps, token), knownId: knownApiKeyId },
    revocations: { list: revocations, listen: () => listenForRevocations(deps, revocations) },
  });
  registerIdempotency(app, deps, idempotencyStore(deps.db));
  registerStrictQuery(app);
  registerMetrics(app, deps);
  await registerOpenApi(app, { serverUrl: publicUrl(deps.config), webhooks: openApiWebhooks() });

  const typed = app.withTypeProvider() as unknown as App;
  for (const mod of modules) mod(typed, deps);
  return app;
}
