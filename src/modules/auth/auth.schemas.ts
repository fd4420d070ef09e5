import { z } from 'zod';
import { roleSchema } from '../../lib/access.js';
import { emailSchema, instant, timeZoneSchema } from '../../lib/schemas.js';

export { emailSchema, timeZoneSchema };

export const passwordSchema = z
  .string()
  .min(12, 'Must be at least 12 characters')
  .max(128, 'Must be at most 128 characters');
export const slugSchema = z
  .string()
  .min(3)
  .max(48)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Lower-case letters, digits and inner hyphens only')
  .meta({ example: 'hudson-valley-teachers' });

export const signupBody = z
  .strictObject({
    agencyName: z.string().trim().min(1).max(200),
    slug: slugSchema,
    timeZone: timeZoneSchema.default('America/New_York'),
    owner: z.strictObject({
      name: z.string().trim().min(1).max(200),
      email: emailSchema,
      password: passwordSchema,
    }),
  })
  .meta({ id: 'SignupRequest' });

export const loginBody = z
  .strictObject({
    agency: z.string().min(1).max(48).describe('The agency slug'),
    email: emailSchema,
    password: z.string().min(1).max(128),
  })
  .meta({ id: 'LoginRequest' });

export const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(256) }).meta({ id: 'RefreshRequest' });

export const tokenResponse = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string(),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    refreshToken: z.string().describe('Single use: each refresh returns a new one'),
  })
  .meta({ id: 'TokenResponse' });

export const tenantSchema = z
  .object({ id: z.uuid(), name: z.string(), slug: z.string(), timeZone: z.string(), createdAt: instant })
  .meta({ id: 'Agency' });

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    status: z.enum(['active', 'deactivated']),
    timeZone: z.string().nullable(),
    lastLoginAt: instant.nullable(),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'User' });

export const meResponse = z
  .object({
    agency: tenantSchema,
    user: userSchema.nullable().describe('The signed-in user; null for an API key'),
    apiKey: z.object({ id: z.uuid(), name: z.string(), scopes: z.array(z.string()) }).nullable(),
  })
  .meta({ id: 'Me' });
