import type { webhookDeliveries, webhookEndpoints } from '../../db/schema/index.js';
import { circuitOf } from './webhooks.circuit.js';

type Endpoint = typeof webhookEndpoints.$inferSelect;
type Delivery = typeof webhookDeliveries.$inferSelect;

/** An endpoint as the API shows it (WebhookEndpoint): never its secrets. */
export const present = (e: Endpoint, now: Date) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  eventTypes: e.eventTypes,
  status: e.status,
  disabledReason: e.disabledReason,
  secretRotatingUntil: e.previousSecretExpiresAt && e.previousSecretExpiresAt > now ? e.previousSecretExpiresAt : null,
  circuit: circuitOf(e, now),
  version: e.version,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

/** A delivery as the API shows it (WebhookDelivery). */
export const presentDelivery = (d: Delivery, eventId: string) => ({
  id: d.id,
  endpointId: d.endpointId,
  eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  deliveredAt: d.deliveredAt,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});
