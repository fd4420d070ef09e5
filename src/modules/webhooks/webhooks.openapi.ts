import { z } from 'zod';
import { eventCatalogue, EVENT_VERSION } from '../../core/events.js';
import { LIMITS } from '../../lib/limits.js';

/** The body of every webhook: the outbox event, small and versioned (docs/webhooks.md). */
export const webhookEventSchema = z
  .object({
    id: z.string().max(LIMITS.name).describe('evt_…: also the webhook-id header; the same on every retry'),
    type: z.string().max(LIMITS.name).describe('An event type of the catalogue'),
    version: z.literal(EVENT_VERSION).describe('Bumped only for a breaking change of the payload'),
    occurredAt: z.string().max(LIMITS.name).describe('When the change committed (ISO 8601 UTC)'),
    tenantId: z.uuid().describe('The agency'),
    data: z
      .record(z.string().max(LIMITS.name), z.unknown())
      .describe('Ids of the subject and related records, the changed field names (changedFields), the actor, and the facts named in the event’s description'),
  })
  .meta({ id: 'WebhookEvent' });

z.globalRegistry.add(webhookEventSchema, { id: 'WebhookEvent' });

const header = (name: string, maxLength: number, description: string) => ({ name, in: 'header', required: true, schema: { type: 'string', maxLength }, description });
const camel = (type: string) => type.replace(/[._]([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * The OpenAPI 3.1 `webhooks` section: one entry per catalogue event, each a POST we send to the
 * customer's endpoint with the Standard Webhooks headers.
 */
export function openApiWebhooks(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(eventCatalogue).map(([type, description]) => [
      type,
      {
        post: {
          operationId: `${camel(type)}Webhook`,
          summary: type,
          // Not a call to the API: the receiver checks the signature (Standard Webhooks), not a credential.
          security: [],
          description: `${description}. Verify \`webhook-signature\` with the endpoint’s secret before trusting the body.`,
          tags: ['webhooks'],
          parameters: [
            header('webhook-id', LIMITS.name, 'The event id (evt_…), the same on every retry: deduplicate on it'),
            header('webhook-timestamp', 20, 'Unix seconds of this attempt: refuse ones far from your clock'),
            header('webhook-signature', 1000, 'v1,<base64 HMAC-SHA256 of "id.timestamp.body">, space-separated while a secret rotates'),
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/WebhookEvent' },
                example: {
                  id: 'evt_01938a8e1c2b7d3e8f405a6b7c8d9e0f',
                  type,
                  version: EVENT_VERSION,
                  occurredAt: '2026-11-26T14:30:00.000Z',
                  tenantId: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f',
                  data: { changedFields: [], actor: { type: 'user', id: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e10' } },
                },
              },
            },
          },
          responses: {
            '2XX': { description: 'Received. Any other answer is a failed attempt and is retried on the schedule.' },
            '410': { description: 'Gone: the endpoint is disabled and no more events are sent to it' },
          },
        },
      },
    ]),
  );
}
