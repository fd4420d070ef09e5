import { z } from 'zod';

/** Documents Idempotency-Key on a POST; the idempotency hook validates and acts on it. */
export const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .describe('Any unique string (a UUID is best), 1–255 visible characters. Retrying with it returns the first answer; kept 24 h.'),
});
