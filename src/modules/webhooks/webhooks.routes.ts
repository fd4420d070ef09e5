import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag as etag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import * as svc from './webhooks.service.js';
import {
  createEndpointBody,
  deliveryDetailSchema,
  deliverySchema,
  endpointDeliveryParams,
  endpointSchema,
  endpointWithSecretSchema,
  listDeliveriesQuery,
  listEndpointsQuery,
  recoverBody,
  recoverResult,
  rotatedSecretSchema,
  updateEndpointBody,
} from './webhooks.schemas.js';

// Endpoint URLs and the payloads in the delivery log are the agency's integration settings: admins.
const read = { access: { role: 'admin' as const, scope: 'webhooks:read' as const } };
const write = { access: { role: 'admin' as const, scope: 'webhooks:write' as const } };

export function webhooksRoutes(app: App, deps: Deps) {
  const tags = ['webhooks'];
  const security = [{ bearer: [] }];
  const base = '/v1/webhook-endpoints';

  app.get(base, {
    schema: { tags, security, summary: 'List webhook endpoints, newest first', querystring: listEndpointsQuery, response: { 200: pageOf(endpointSchema), ...problemResponses() } },
    config: read,
    handler: async (req) => svc.listEndpoints(deps, actorOf(req), req.query),
  });
  app.post(base, {
    schema: {
      tags,
      security,
      summary: 'Subscribe a URL to events',
      description:
        'The answer carries the signing secret (`whsec_…`), shown this once. The URL must be https and reach public addresses only (422 otherwise).',
      headers: idempotencyHeader,
      body: createEndpointBody,
      response: { 201: endpointWithSecretSchema, ...problemResponses(422) },
    },
    config: { ...write, secretAnswer: true },
    handler: async (req, reply) => {
      const endpoint = await svc.createEndpoint(deps, actorOf(req), req.body);
      return reply.code(201).header('location', `${base}/${endpoint.id}`).send(etag(reply, endpoint));
    },
  });
  app.get(`${base}/:id`, {
    schema: { tags, security, summary: 'Get a webhook endpoint', params: idParam, response: { 200: endpointSchema, ...problemResponses() } },
    config: read,
    handler: async (req, reply) => etag(reply, await svc.getEndpoint(deps, actorOf(req), req.params.id)),
  });
  app.patch(`${base}/:id`, {
    schema: {
      tags,
      security,
      summary: 'Change the URL, event types or description',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: updateEndpointBody,
      response: { 200: endpointSchema, ...problemResponses(412, 422) },
    },
    config: write,
    handler: async (req, reply) => etag(reply, await svc.updateEndpoint(deps, actorOf(req), req.params.id, req.body, req.headers['if-match'])),
  });
  app.delete(`${base}/:id`, {
    schema: {
      tags,
      security,
      summary: 'Delete a webhook endpoint and its delivery log',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      response: { 204: z.null(), ...problemResponses(412) },
    },
    config: write,
    handler: async (req, reply) => {
      await svc.deleteEndpoint(deps, actorOf(req), req.params.id, req.headers['if-match']);
      return reply.code(204).send(null);
    },
  });

  const status = (path: string, summary: string, to: 'paused' | 'active') =>
    app.post(`${base}/:id/${path}`, {
      schema: { tags, security, summary, params: idParam, headers: idempotencyHeader, response: { 200: endpointSchema, ...problemResponses(409) } },
      config: write,
      handler: async (req, reply) => etag(reply, await svc.setEndpointStatus(deps, actorOf(req), req.params.id, to)),
    });
  status('pause', 'Pause an endpoint: events are kept and wait until it is resumed', 'paused');
  status('resume', 'Resume a paused or disabled endpoint: waiting deliveries go out', 'active');

  app.post(`${base}/:id/rotate-secret`, {
    schema: {
      tags,
      security,
      summary: 'Replace the signing secret',
      description: 'The new secret is shown this once. For 24 hours both secrets sign (two `v1,` entries in `webhook-signature`). Rotating again within those 24 hours drops the oldest at once: only the two latest sign.',
      params: idParam,
      headers: idempotencyHeader,
      response: { 200: rotatedSecretSchema, ...problemResponses() },
    },
    config: { ...write, secretAnswer: true },
    handler: async (req) => svc.rotateSecret(deps, actorOf(req), req.params.id),
  });
  app.post(`${base}/:id/test`, {
    schema: {
      tags,
      security,
      summary: 'Send a webhook.test event to this endpoint',
      params: idParam,
      headers: idempotencyHeader,
      response: { 202: deliverySchema, ...problemResponses() },
    },
    config: write,
    handler: async (req, reply) => reply.code(202).send(await svc.sendTestEvent(deps, actorOf(req), req.params.id)),
  });
  app.get(`${base}/:id/deliveries`, {
    schema: {
      tags,
      security,
      summary: 'The endpoint’s deliveries, newest event first',
      params: idParam,
      querystring: listDeliveriesQuery,
      response: { 200: pageOf(deliverySchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => svc.listDeliveries(deps, actorOf(req), req.params.id, req.query),
  });
  app.get(`${base}/:id/deliveries/:deliveryId`, {
    schema: {
      tags,
      security,
      summary: 'A delivery with its payload and every attempt',
      params: endpointDeliveryParams,
      response: { 200: deliveryDetailSchema, ...problemResponses() },
    },
    config: read,
    handler: async (req) => svc.getDelivery(deps, actorOf(req), req.params.id, req.params.deliveryId),
  });
  app.post(`${base}/:id/deliveries/:deliveryId/redeliver`, {
    schema: {
      tags,
      security,
      summary: 'Send a delivery again now (same webhook-id)',
      params: endpointDeliveryParams,
      headers: idempotencyHeader,
      response: { 202: deliverySchema, ...problemResponses(409) },
    },
    config: write,
    handler: async (req, reply) => reply.code(202).send(await svc.redeliver(deps, actorOf(req), req.params.id, req.params.deliveryId)),
  });
  app.post(`${base}/:id/recover`, {
    schema: {
      tags,
      security,
      summary: 'Send again every failed delivery since a time',
      params: idParam,
      headers: idempotencyHeader,
      body: recoverBody,
      response: { 202: recoverResult, ...problemResponses() },
    },
    config: write,
    handler: async (req, reply) => reply.code(202).send(await svc.recoverDeliveries(deps, actorOf(req), req.params.id, req.body.since)),
  });
}
