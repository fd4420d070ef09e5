import { z } from 'zod';
import { scopeSchema } from '../../lib/access.js';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { LIMITS } from '../../lib/limits.js';

/** The key every example shows (ApiKey, CreatedApiKey). */
const apiKeyExample = {
  id: '01a21655-77ea-712d-a1ab-6f4c6b6c160e',
  name: 'District HR sync',
  prefix: 'avk_01a2164a',
  scopes: ['candidates:read', 'interviews:read'],
  createdBy: '01a2164a-4086-731f-b299-4f86930d5721',
  expiresAt: null,
  lastUsedAt: '2026-11-26T09:15:00.000Z',
  revokedAt: null,
  createdAt: '2026-11-25T16:00:00.000Z',
};

export const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string().max(LIMITS.name),
    prefix: z.string().max(LIMITS.token).describe('The first characters of the key, to recognise it'),
    scopes: z.array(scopeSchema).max(LIMITS.list),
    createdBy: z.uuid(),
    expiresAt: instant.nullable(),
    lastUsedAt: instant.nullable(),
    revokedAt: instant.nullable(),
    createdAt: instant,
  })
  .meta({
    id: 'ApiKey',
    example: apiKeyExample,
  });

export const createApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(scopeSchema).min(1).max(50).transform((s) => [...new Set(s)]),
    expiresAt: instant.optional(),
  })
  .meta({ id: 'CreateApiKeyRequest', example: { name: 'District HR sync', scopes: ['candidates:read', 'interviews:read'] } });

export const createdApiKeySchema = apiKeySchema
  .extend({ secret: z.string().max(LIMITS.token).describe('The key itself. Shown once: store it now.') })
  .meta({
    id: 'CreatedApiKey',
    example: {
      ...apiKeyExample,
      secret: 'avk_01a2164a4085701f816ee56709ebcf7d_9Xo3mQ0cW8rTzK4yVnB1uJ6hA2sE5dF7gL0pR3tY8iU',
    },
  });

export const listApiKeysQuery = z.strictObject({
  ...pageQuery,
  includeRevoked: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
