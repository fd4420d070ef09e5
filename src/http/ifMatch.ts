import { z } from 'zod';

/** `If-Match: "3"` (or `3`, or `W/"3"`): the version the client last read. */
export const ifMatchHeader = z
  .string()
  .regex(/^(W\/)?"?\d{1,9}"?$/, 'Must be the version you read, e.g. "3"')
  .transform((v) => Number(v.replace(/\D/g, '')))
  .optional()
  .describe('The resource version you last read; a stale one answers 412');
