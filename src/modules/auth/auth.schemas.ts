import { z } from 'zod';
import { roleSchema } from '../../lib/access.js';
import { emailSchema, instant, timeZoneSchema } from '../../lib/schemas.js';
import { PASSWORD_RULES } from '../../lib/passwords.js';
import { LIMITS } from '../../lib/limits.js';

export { emailSchema, timeZoneSchema };

export const passwordSchema = z
  .string()
  .min(12, 'Must be at least 12 characters')
  .max(128, 'Must be at most 128 characters')
  .describe(PASSWORD_RULES);
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
  .meta({
    id: 'SignupRequest',
    example: {
      agencyName: 'Hudson Valley Teachers',
      slug: 'hudson-valley-teachers',
      timeZone: 'America/New_York',
      owner: { name: 'Dana Director', email: 'dana@hvteachers.example.org', password: 'a-long-passphrase-2026' },
    },
  });

export const loginBody = z
  .strictObject({
    agency: z.string().min(1).max(48).describe('The agency slug'),
    email: emailSchema,
    password: z.string().min(1).max(128),
  })
  .meta({ id: 'LoginRequest', example: { agency: 'demo', email: 'owner@demo.afterview.test', password: 'demo-password-2026' } });

export const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(256) }).meta({ id: 'RefreshRequest', example: { refreshToken: 'rt_01a2164a4085701f816ee56709ebcf7d_Q2hhbmdlIG1lIGJ5IGxvZ2dpbmcgaW4' } });

export const tokenResponse = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string().max(LIMITS.jwt),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    refreshToken: z.string().max(LIMITS.token).describe('Single use: each refresh returns a new one'),
  })
  .meta({
    id: 'TokenResponse',
    example: {
      tokenType: 'Bearer',
      accessToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMWEyMTY0YS00MDg2In0.c2lnbmF0dXJl',
      expiresIn: 600,
      refreshToken: 'rt_01a2164a4085701f816ee56709ebcf7d_Q2hhbmdlIG1lIGJ5IGxvZ2dpbmcgaW4',
    },
  });

export const tenantSchema = z
  .object({ id: z.uuid(), name: z.string().max(LIMITS.name), slug: z.string().max(LIMITS.name), timeZone: z.string().max(LIMITS.timeZone), createdAt: instant })
  .meta({
    id: 'Agency',
    example: { id: '01a2164a-4085-701f-816e-e56709ebcf7d', name: 'Hudson Valley Teachers', slug: 'hudson-valley-teachers', timeZone: 'America/New_York', createdAt: '2026-11-26T05:18:14.706Z' },
  });

/** The user every example shows (the User, Me and CreatedUser schemas). */
export const userExample = {
  id: '01a2164a-4086-731f-b299-4f86930d5721',
  email: 'rita@hvteachers.example.org',
  name: 'Rita Recruiter',
  role: 'recruiter',
  status: 'active',
  timeZone: 'America/New_York',
  lastLoginAt: '2026-11-26T08:02:11.000Z',
  dailyDigest: true,
  version: 1,
  createdAt: '2026-11-20T14:00:00.000Z',
  updatedAt: '2026-11-20T14:00:00.000Z',
};

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string().max(LIMITS.email),
    name: z.string().max(LIMITS.name),
    role: roleSchema,
    status: z.enum(['active', 'deactivated']),
    timeZone: z.string().max(LIMITS.timeZone).nullable(),
    lastLoginAt: instant.nullable(),
    dailyDigest: z.boolean().describe('Whether they get the 07:30 email of their day’s follow-ups (owners, admins and recruiters)'),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'User',
    example: userExample,
  });

export const meResponse = z
  .object({
    agency: tenantSchema,
    user: userSchema.nullable().describe('The signed-in user; null for an API key'),
    apiKey: z.object({ id: z.uuid(), name: z.string().max(LIMITS.name), scopes: z.array(z.string().max(LIMITS.name)).max(LIMITS.list) }).nullable(),
  })
  .meta({
    id: 'Me',
    example: {
      agency: { id: '01a2164a-4085-701f-816e-e56709ebcf7d', name: 'Hudson Valley Teachers', slug: 'hudson-valley-teachers', timeZone: 'America/New_York', createdAt: '2026-11-26T05:18:14.706Z' },
      user: userExample,
      apiKey: null,
    },
  });

/** The token of an emailed link (after `#token=` in it). */
export const linkToken = z.string().min(1).max(256).describe('The token of the emailed link: what follows `#token=` in it');

export const forgotPasswordBody = z
  .strictObject({ agency: z.string().min(1).max(48).describe('The agency slug'), email: emailSchema })
  .meta({ id: 'ForgotPasswordRequest', example: { agency: 'demo', email: 'owner@demo.afterview.test' } });

export const forgotPasswordResponse = z
  .object({ status: z.literal('accepted'), detail: z.string().max(LIMITS.text) })
  .meta({ id: 'ForgotPasswordAccepted', example: { status: 'accepted', detail: 'If this agency has an active account with this email, a link to reset its password is on its way. It works once, for 30 minutes.' } });

export const resetPasswordBody = z
  .strictObject({ token: linkToken, password: passwordSchema })
  .meta({ id: 'ResetPasswordRequest', example: { token: 'pwr_01a2164a4085701f816ee56709ebcf7d_Q2hhbmdlIG1lIGJ5IGxvZ2dpbmcgaW4gYWdhaW4', password: 'a-new-long-passphrase-2026' } });
