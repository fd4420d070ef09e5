import { z } from 'zod';

/** An instant: ISO 8601 UTC on the wire, a Date in code. */
export const instant = z
  .codec(z.iso.datetime({ offset: true }), z.date(), {
    decode: (s) => new Date(s),
    encode: (d) => d.toISOString(),
  })
  .meta({ example: '2026-11-26T14:30:00.000Z' });

export const idParam = z.strictObject({ id: z.uuid('Must be a UUID') });
