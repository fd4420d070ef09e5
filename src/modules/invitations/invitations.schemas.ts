import { z } from 'zod';
import { roleSchema } from '../../lib/access.js';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { emailSchema, linkToken, passwordSchema, timeZoneSchema } from '../auth/auth.schemas.js';
import { LIMITS } from '../../lib/limits.js';

export const invitationStatuses = ['pending', 'expired', 'accepted', 'revoked'] as const;

export const invitationSchema = z
  .object({
    id: z.uuid(),
    email: z.string().max(LIMITS.email),
    role: roleSchema,
    status: z.enum(invitationStatuses).describe('pending until accepted, withdrawn (revoked) or past its 72 hours (expired: resend it)'),
    invitedBy: z.uuid(),
    expiresAt: instant,
    lastSentAt: instant.nullable().describe('When the latest email was handed to the mail server'),
    sendCount: z.number().int(),
    emailError: z.string().max(LIMITS.text).nullable().describe('Why the latest email could not be sent; resend to try again'),
    acceptedAt: instant.nullable(),
    acceptedUserId: z.uuid().nullable(),
    revokedAt: instant.nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'Invitation',
    example: {
      id: '01a2164a-4086-731f-b299-4f86930d5721',
      email: 'rita@hvteachers.example.org',
      role: 'recruiter',
      status: 'pending',
      invitedBy: '01a2164a-4085-701f-816e-e56709ebcf7d',
      expiresAt: '2026-12-10T14:00:00.000Z',
      lastSentAt: '2026-12-07T14:00:00.000Z',
      sendCount: 1,
      emailError: null,
      acceptedAt: null,
      acceptedUserId: null,
      revokedAt: null,
      createdAt: '2026-12-07T14:00:00.000Z',
      updatedAt: '2026-12-07T14:00:00.000Z',
    },
  });

export const createInvitationBody = z
  .strictObject({ email: emailSchema, role: roleSchema })
  .meta({ id: 'CreateInvitationRequest', example: { email: 'rita@hvteachers.example.org', role: 'recruiter' } });

export const listInvitationsQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(invitationStatuses).default('pending').describe('pending (the default), expired, accepted or revoked'),
});

export const invitationTokenBody = z
  .strictObject({ token: linkToken })
  .meta({ id: 'InvitationTokenRequest', example: { token: 'inv_01a2164a4085701f816ee56709ebcf7d_Q2hhbmdlIG1lIGJ5IGxvZ2dpbmcgaW4gYWdhaW4' } });

export const invitationPreview = z
  .object({
    agency: z.object({ name: z.string().max(LIMITS.name), slug: z.string().max(LIMITS.name) }),
    email: z.string().max(LIMITS.email).describe('The email the new user signs in with'),
    role: roleSchema,
    expiresAt: instant,
  })
  .meta({
    id: 'InvitationPreview',
    example: { agency: { name: 'Hudson Valley Teachers', slug: 'hudson-valley-teachers' }, email: 'rita@hvteachers.example.org', role: 'recruiter', expiresAt: '2026-12-10T14:00:00.000Z' },
  });

export const acceptInvitationBody = z
  .strictObject({
    token: linkToken,
    name: z.string().trim().min(1).max(200),
    password: passwordSchema,
    timeZone: timeZoneSchema.optional(),
  })
  .meta({
    id: 'AcceptInvitationRequest',
    example: { token: 'inv_01a2164a4085701f816ee56709ebcf7d_Q2hhbmdlIG1lIGJ5IGxvZ2dpbmcgaW4gYWdhaW4', name: 'Rita Recruiter', password: 'a-long-passphrase-2026', timeZone: 'America/New_York' },
  });
