import { z } from 'zod';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { eventCatalogue } from '../../core/events.js';
import { webhookDeliveryStatuses, webhookEndpointStatuses } from '../../db/schema/index.js';
import { LIMITS } from '../../lib/limits.js';

const eventTypes = Object.keys(eventCatalogue) as [keyof typeof eventCatalogue, ...(keyof typeof eventCatalogue)[]];
export const subscribableType = z.enum([...eventTypes, '*'], { error: 'Must be an event type of the catalogue, or *' });

const EXAMPLE_ID = '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f';
const AT = '2026-11-26T14:30:00.000Z';

export const endpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string().max(LIMITS.url),
    description: z.string().max(LIMITS.text).nullable(),
    eventTypes: z.array(z.string().max(LIMITS.name)).max(LIMITS.list).describe('Event types delivered; * is every type'),
    status: z.enum(webhookEndpointStatuses),
    disabledReason: z.string().max(LIMITS.text).nullable().describe('Why the endpoint was disabled (410 Gone, failing for 5 days)'),
    secretRotatingUntil: instant.nullable().describe('While set, the previous secret signs too'),
    circuit: z
      .object({
        state: z
          .enum(['closed', 'open', 'half_open'])
          .describe('closed: tries go out; open: after 10 failed tries in a row, none go until retryAt; half_open: the next try is a probe'),
        consecutiveFailures: z.number().int().describe('Failed tries in a row (no answer, 5xx or 429)'),
        openedAt: instant.nullable(),
        retryAt: instant.nullable().describe('While open, when a probe may go (30 s, doubling with each failed probe, at most 10 minutes)'),
      })
      .describe('The circuit breaker: a failing receiver is left alone for a while, its deliveries wait (docs/webhooks.md)'),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'WebhookEndpoint',
    example: {
      id: EXAMPLE_ID,
      url: 'https://hooks.district.example.org/afterview',
      description: 'District HR system',
      eventTypes: ['interview.completed', 'outcome.logged'],
      status: 'active',
      disabledReason: null,
      secretRotatingUntil: null,
      circuit: { state: 'closed', consecutiveFailures: 0, openedAt: null, retryAt: null },
      version: 1,
      createdAt: AT,
      updatedAt: AT,
    },
  });

const secretExample = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export const endpointWithSecretSchema = endpointSchema
  .extend({ secret: z.string().max(LIMITS.token).describe('whsec_…: shown once; verify signatures with it') })
  .meta({ id: 'WebhookEndpointWithSecret', example: { ...(endpointSchema.meta()?.example as object), secret: secretExample } });

const url = z.string().trim().min(1).max(2048).describe('https URL of the receiver');
const description = z.string().trim().max(500).nullable();
const types = z.array(subscribableType).min(1, 'Subscribe to at least one event type, or *').max(100);

export const createEndpointBody = z
  .strictObject({ url, eventTypes: types, description: description.optional() })
  .meta({
    id: 'CreateWebhookEndpointRequest',
    example: { url: 'https://hooks.district.example.org/afterview', eventTypes: ['interview.completed', 'outcome.logged'], description: 'District HR system' },
  });

export const updateEndpointBody = z
  .strictObject({ url: url.optional(), eventTypes: types.optional(), description: description.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .meta({ id: 'UpdateWebhookEndpointRequest', example: { eventTypes: ['*'] } });

export const rotatedSecretSchema = z
  .object({ secret: z.string().max(LIMITS.token), previousSecretExpiresAt: instant })
  .meta({ id: 'RotatedWebhookSecret', example: { secret: secretExample, previousSecretExpiresAt: '2026-11-27T14:30:00.000Z' } });

export const attemptSchema = z
  .object({
    attempt: z.number().int(),
    attemptedAt: instant,
    statusCode: z.number().int().nullable(),
    durationMs: z.number().int(),
    responseExcerpt: z.string().max(LIMITS.text).nullable().describe('The first 1,000 characters the receiver answered'),
    error: z.string().max(LIMITS.text).nullable().describe('Timeout, refused connection, redirect, blocked address …'),
  })
  .meta({ id: 'WebhookAttempt' });

export const deliverySchema = z
  .object({
    id: z.uuid(),
    endpointId: z.uuid(),
    eventId: z.string().max(LIMITS.name).describe('The event id, also sent as webhook-id'),
    eventType: z.string().max(LIMITS.name),
    status: z.enum(webhookDeliveryStatuses),
    attempts: z.number().int(),
    nextAttemptAt: instant.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().max(LIMITS.text).nullable(),
    deliveredAt: instant.nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'WebhookDelivery',
    example: {
      id: EXAMPLE_ID,
      endpointId: EXAMPLE_ID,
      eventId: 'evt_01938a8e1c2b7d3e8f405a6b7c8d9e0f',
      eventType: 'interview.completed',
      status: 'pending',
      attempts: 2,
      nextAttemptAt: '2026-11-26T14:35:05.000Z',
      lastStatusCode: 503,
      lastError: 'HTTP 503',
      deliveredAt: null,
      createdAt: AT,
      updatedAt: AT,
    },
  });

export const deliveryDetailSchema = deliverySchema
  .extend({ payload: z.record(z.string().max(LIMITS.name), z.unknown()).describe('The exact event sent'), attemptLog: z.array(attemptSchema).max(LIMITS.list) })
  .meta({
    id: 'WebhookDeliveryDetail',
    example: {
      ...(deliverySchema.meta()?.example as object),
      payload: { id: 'evt_01938a8e1c2b7d3e8f405a6b7c8d9e0f', type: 'interview.completed', version: 1, occurredAt: AT, tenantId: EXAMPLE_ID, data: { interviewId: EXAMPLE_ID } },
      attemptLog: [
        { attempt: 1, attemptedAt: AT, statusCode: 503, durationMs: 42, responseExcerpt: 'busy', error: 'HTTP 503' },
        { attempt: 2, attemptedAt: '2026-11-26T14:30:05.000Z', statusCode: 503, durationMs: 40, responseExcerpt: 'busy', error: 'HTTP 503' },
      ],
    },
  });

export const listEndpointsQuery = z.strictObject({ ...pageQuery, status: z.enum(webhookEndpointStatuses).optional() });
export const listDeliveriesQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(webhookDeliveryStatuses).optional(),
  eventType: z.string().max(100).optional(),
});

export const recoverBody = z
  .strictObject({ since: instant.describe('Failed deliveries created at or after this instant are sent again') })
  .meta({ id: 'RecoverWebhookDeliveriesRequest', example: { since: '2026-11-25T00:00:00.000Z' } });
export const recoverResult = z
  .object({ redelivering: z.number().int() })
  .meta({ id: 'RecoverWebhookDeliveriesResult', example: { redelivering: 12 } });

export const endpointDeliveryParams = z.strictObject({ id: z.uuid('Must be a UUID'), deliveryId: z.uuid('Must be a UUID') });
