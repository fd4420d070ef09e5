import { z } from 'zod';
import { errorCatalogue, type ErrorCode, type FieldError } from '../lib/errors.js';
import { LIMITS } from '../lib/limits.js';

const codes = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];

/** RFC 9457 problem details, the body of every error response. */
export const problemSchema = z
  .object({
    type: z.string().max(LIMITS.name).meta({ example: 'urn:afterview:problem:validation_failed' }),
    title: z.string().max(LIMITS.name),
    status: z.number().int(),
    detail: z.string().max(LIMITS.text).optional(),
    instance: z.string().max(LIMITS.url).optional(),
    code: z.enum(codes),
    requestId: z.string().max(LIMITS.name),
    errors: z
      .array(z.object({ field: z.string().max(LIMITS.name).meta({ example: 'body.email' }), message: z.string().max(LIMITS.text) })).max(LIMITS.list)
      .optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;

export function problem(
  code: ErrorCode,
  requestId: string,
  opts: { detail?: string; instance?: string; errors?: FieldError[]; extra?: Record<string, unknown> } = {},
): Problem {
  const entry = errorCatalogue[code];
  return {
    ...opts.extra,
    type: `urn:afterview:problem:${code}`,
    title: entry.title,
    status: entry.status,
    // The contract's bounds (a body with thousands of bad fields still answers a bounded problem).
    ...(opts.detail ? { detail: opts.detail.slice(0, LIMITS.text) } : {}),
    ...(opts.instance ? { instance: opts.instance } : {}),
    code,
    requestId,
    ...(opts.errors && opts.errors.length > 0 ? { errors: opts.errors.slice(0, LIMITS.list) } : {}),
  };
}

/** The error responses a route may declare, so they show in the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, typeof problemSchema> {
  const out: Record<number, typeof problemSchema> = {};
  for (const s of [400, 401, 403, 404, 429, 500, 503, ...statuses]) out[s] = problemSchema;
  return out;
}
