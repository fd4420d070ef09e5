import { z } from 'zod';
import { AppError } from './errors.js';
import { badTextFields } from './text.js';
import { instant } from './schemas.js';
import { LIMITS } from './limits.js';

/** `?limit=&cursor=`: the shared query of every list. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('Page size, 1 to 100'),
  cursor: z.string().max(512).optional().describe('The nextCursor of the previous page'),
};

/** `?updatedSince=`: the list as a sync read, oldest change first (docs/api.md#sync). */
export const syncQuery = {
  updatedSince: instant
    .optional()
    .describe('Only records changed at or after this instant, oldest change first, for a sync (docs/api.md#sync); the cursor then follows that order'),
};

const SYNC_KEEPS = new Set(['limit', 'cursor', 'updatedSince', 'includeErased']);

/**
 * The refinement of a list with `syncQuery`: a sync read takes everything changed, so it goes with
 * `limit` and `cursor` only (erased candidates included), never with a search or a filter.
 */
export function syncAlone(q: Record<string, unknown>, ctx: z.RefinementCtx) {
  if (q.updatedSince === undefined) return;
  for (const [key, value] of Object.entries(q)) {
    if (value !== undefined && !SYNC_KEEPS.has(key)) {
      ctx.addIssue({ code: 'custom', path: ['updatedSince'], message: `updatedSince reads every change: it cannot be combined with ${key}` });
      return;
    }
  }
}

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item).max(LIMITS.page), nextCursor: z.string().max(LIMITS.cursor).nullable() });

/** Opaque keyset cursor: the sort key of the last row of the page. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, shape: T, field = 'query.cursor'): z.output<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Ours never hold a NUL or a lone surrogate; one that does would reach PostgreSQL as a sort key.
    const parsed = shape.safeParse(key);
    if (parsed.success && badTextFields(key, 'cursor').length === 0) return parsed.data;
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'The cursor is not one this API returned', [
    { field, message: 'Invalid cursor' },
  ]);
}

/** Given `limit + 1` rows, the page and the cursor to the next one. */
export function toPage<R>(rows: R[], limit: number, keyOf: (row: R) => Record<string, string | number>) {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

/** A `%part%` pattern for ILIKE with the user's %, _ and \ taken literally. */
export const containsPattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
