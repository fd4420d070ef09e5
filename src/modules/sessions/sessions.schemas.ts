import { z } from 'zod';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { passwordSchema } from '../auth/auth.schemas.js';
import { LIMITS } from '../../lib/limits.js';

export const sessionSchema = z
  .object({
    id: z.uuid(),
    createdAt: instant.describe('When it signed in'),
    lastUsedAt: instant.describe('Its latest sign-in or token refresh: it was in use until up to an access token’s lifetime (10 min) later'),
    expiresAt: instant.describe('When it ends unless it is used again (each refresh moves it)'),
    userAgent: z.string().max(LIMITS.text).nullable().describe('The browser or client, as it named itself at its latest use'),
    ipAddress: z.string().max(LIMITS.name).nullable().describe('The address of its latest use'),
    current: z.boolean().describe('The session of the token making this request'),
  })
  .meta({
    id: 'Session',
    example: {
      id: '01a2164a-4086-731f-b299-4f86930d5721',
      createdAt: '2026-12-01T08:02:11.000Z',
      lastUsedAt: '2026-12-07T09:40:00.000Z',
      expiresAt: '2027-01-06T09:40:00.000Z',
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
      ipAddress: '203.0.113.24',
      current: true,
    },
  });

export const listSessionsQuery = z.strictObject({ ...pageQuery });

export const sessionsEnded = z
  .object({ ended: z.number().int().describe('How many sessions were ended') })
  .meta({ id: 'SessionsEnded', example: { ended: 2 } });

export const changePasswordBody = z
  .strictObject({
    currentPassword: z.string().min(1).max(128),
    newPassword: passwordSchema,
  })
  .meta({ id: 'ChangePasswordRequest', example: { currentPassword: 'correct-horse-battery-staple', newPassword: 'a-new-long-passphrase-2026' } });

export const passwordChanged = z
  .object({ sessionsEnded: z.number().int().describe('Your other sessions, signed out') })
  .meta({ id: 'PasswordChanged', example: { sessionsEnded: 1 } });
