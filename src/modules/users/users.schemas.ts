import { z } from 'zod';
import { roleSchema } from '../../lib/access.js';
import { pageQuery } from '../../lib/pagination.js';
import { emailSchema, passwordSchema, timeZoneSchema } from '../auth/auth.schemas.js';

export { userExample, userSchema } from '../auth/auth.schemas.js';

export const createUserBody = z
  .strictObject({
    email: emailSchema,
    name: z.string().trim().min(1).max(200),
    role: roleSchema,
    timeZone: timeZoneSchema.optional(),
    password: passwordSchema
      .optional()
      .describe('Omit it to have one generated; the response then shows it once as initialPassword'),
  })
  .meta({ id: 'CreateUserRequest', example: { email: 'rita@hvteachers.example.org', name: 'Rita Recruiter', role: 'recruiter', timeZone: 'America/New_York' } });

export const updateUserBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    role: roleSchema.optional(),
    timeZone: timeZoneSchema.nullable().optional(),
    status: z.enum(['active', 'deactivated']).optional(),
    dailyDigest: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .meta({ id: 'UpdateUserRequest', example: { role: 'admin' } });

/** What a user may change about themselves. */
export const updateMeBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    timeZone: timeZoneSchema.nullable().optional(),
    dailyDigest: z.boolean().optional().describe('false: no 07:30 email of the day’s follow-ups'),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .meta({ id: 'UpdateMeRequest', example: { timeZone: 'America/Chicago', dailyDigest: false } });

export const listUsersQuery = z.strictObject({
  ...pageQuery,
  role: roleSchema.optional(),
  status: z.enum(['active', 'deactivated']).optional(),
});
