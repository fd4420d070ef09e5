import { z } from 'zod';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { externalIdTypes } from '../../db/schema/index.js';
import { LIMITS } from '../../lib/limits.js';

const type = z.enum(externalIdTypes).describe('The kind of Afterview record');
const source = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9_.-]{0,39}$/, 'Lower-case letters, digits, dot, dash or underscore; at most 40')
  .describe('The other system, e.g. bullhorn, greenhouse, jobadder');
const externalId = z.string().min(1).max(100).describe('The record’s id in that system');

export const externalIdParams = z.strictObject({ type, source, externalId });
/** `/v1/<records>/by-external-id/{source}/{externalId}`: the type is the collection's. */
export const byExternalIdParams = z.strictObject({ source, externalId });

export const linkExternalIdBody = z
  .strictObject({
    id: z
      .uuid('Must be a UUID')
      .transform((id) => id.toLowerCase())
      .describe('The Afterview record it stands for'),
  })
  .meta({ id: 'LinkExternalIdRequest', example: { id: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5' } });

export const externalIdSchema = z
  .object({
    type,
    source,
    externalId,
    id: z.uuid().describe('The Afterview record'),
    path: z.string().max(LIMITS.url).describe('Where to read the record'),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'ExternalId',
    example: {
      type: 'candidate',
      source: 'bullhorn',
      externalId: '48213',
      id: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
      path: '/v1/candidates/01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
      createdAt: '2026-11-26T14:30:00.000Z',
      updatedAt: '2026-11-26T14:30:00.000Z',
    },
  });

export const listExternalIdsQuery = z.strictObject({
  ...pageQuery,
  type: type.optional(),
  source: source.optional(),
  id: z.uuid().optional().describe('The external ids of one Afterview record'),
});
