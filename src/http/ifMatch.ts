import { z } from 'zod';

/** `If-Match: "3"` (or `3`, or `W/"3"`): the version the client last read. */
export const ifMatchHeader = z
  .string()
  .max(14)
  .regex(/^(W\/)?"?\d{1,9}"?$/, 'Must be the version you read, e.g. "3"')
  .transform((v) => Number(v.replace(/\D/g, '')))
  .optional()
  .describe('The resource version you last read; a stale one answers 412');

/** Sets the ETag of a versioned resource (its version, quoted) and passes the resource on. */
export function withEtag<T extends { version: number }>(reply: { header(k: string, v: string): unknown }, resource: T): T {
  reply.header('etag', `"${resource.version}"`);
  return resource;
}
