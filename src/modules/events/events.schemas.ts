import { z } from 'zod';
import { eventCatalogue } from '../../core/events.js';
import { webhookEventSchema } from '../webhooks/webhooks.openapi.js';
import { LIMITS } from '../../lib/limits.js';

const known = new Set(Object.keys(eventCatalogue));

export const EVENTS_FEED_MAX_LIMIT = 1000;

export const listEventsQuery = z.strictObject({
  after: z
    .string()
    .max(512)
    .optional()
    .describe('The nextCursor of the previous page; without it the feed starts at the oldest event kept (30 days)'),
  types: z
    .string()
    .max(4000)
    .optional()
    .describe('Comma-separated event types of the catalogue; without it every type')
    .refine((s) => s === undefined || s.split(',').every((t) => known.has(t.trim())), {
      error: 'Must be event types of the catalogue, separated by commas',
    }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(EVENTS_FEED_MAX_LIMIT)
    .default(100)
    .describe(`Page size, 1 to ${EVENTS_FEED_MAX_LIMIT}`),
});

export const eventFeedSchema = z
  .object({
    data: z.array(webhookEventSchema).max(EVENTS_FEED_MAX_LIMIT).describe('Events in the order they committed: each exactly the body its webhook carries'),
    nextCursor: z.string().max(LIMITS.cursor).describe('Where to go on from: pass it as `after` next time, even when this page was empty'),
    hasMore: z.boolean().describe('More events are ready now: ask again at once; otherwise poll later with nextCursor'),
  })
  .meta({
    id: 'EventFeed',
    example: {
      data: [
        {
          id: 'evt_01938a8e3b4c7d5e8f60718293a4b5c6',
          type: 'interview.completed',
          version: 1,
          occurredAt: '2026-11-26T14:30:00.000Z',
          tenantId: '01938a8e-0000-7000-8000-00000000a9e1',
          data: { interviewId: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5', changedFields: ['status'], actor: { type: 'user', id: '01938a8e-0000-7000-8000-000000000001' } },
        },
      ],
      nextCursor: 'eyJ4IjoiNzQ1MiIsImkiOiIwMTkzOGE4ZS0zYjRjLTdkNWUtOGY2MC03MTgyOTNhNGI1YzYifQ',
      hasMore: false,
    },
  });
