import { z } from 'zod';
import { errorCatalogue, type ErrorCode, type FieldError } from '../lib/errors.js';

const codes = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];

/** RFC 9457 problem details, the body of every error response. */
export const problemSchema = z
  .object({
    type: z.string().meta({ example: 'urn:afterview:problem:validation_failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.enum(codes),
    requestId: z.string(),
    errors: z
      .array(z.object({ field: z.string().meta({ example: 'body.email' }), message: z.string() }))
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
    ...(opts.detail ? { detail: opts.detail } : {}),
    ...(opts.instance ? { instance: opts.instance } : {}),
    code,
    requestId,
    ...(opts.errors && opts.errors.length > 0 ? { errors: opts.errors } : {}),
  };
}

/** The error responses a route may declare, so they show in the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, typeof problemSchema> {
  const out: Record<number, typeof problemSchema> = {};
  for (const s of [400, 401, 403, 404, 429, 500, 503, ...statuses]) out[s] = problemSchema;
  return out;
}
