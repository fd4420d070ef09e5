import { z } from 'zod';
import { scopeSchema } from '../../lib/access.js';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';

export const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to recognise it'),
    scopes: z.array(scopeSchema),
    createdBy: z.uuid(),
    expiresAt: instant.nullable(),
    lastUsedAt: instant.nullable(),
    revokedAt: instant.nullable(),
    createdAt: instant,
  })
  .meta({ id: 'ApiKey' });

export const createApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(scopeSchema).min(1).max(50).transform((s) => [...new Set(s)]),
    expiresAt: instant.optional(),
  })
  .meta({ id: 'CreateApiKeyRequest' });

export const createdApiKeySchema = apiKeySchema
  .extend({ secret: z.string().describe('The key itself. Shown once: store it now.') })
  .meta({ id: 'CreatedApiKey' });

export const listApiKeysQuery = z.strictObject({
  ...pageQuery,
  includeRevoked: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
