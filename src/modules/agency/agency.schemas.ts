import { z } from 'zod';
import { holidaySchema, instant, timeZoneSchema } from '../../lib/schemas.js';
import { LIMITS } from '../../lib/limits.js';

export const agencySchema = z
  .object({
    id: z.uuid(),
    name: z.string().max(LIMITS.name),
    slug: z.string().max(LIMITS.name).describe('Used to sign in'),
    timeZone: z.string().max(LIMITS.timeZone).describe('The default zone of new employers and of recruiters without one'),
    holidays: z.array(z.object({ start: z.string().max(LIMITS.date), end: z.string().max(LIMITS.date), name: z.string().max(LIMITS.name) })).max(LIMITS.list).describe('The agency’s days off: no follow-up is due on them'),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'AgencySettings',
    example: {
      id: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f',
      name: 'Brightpath Education Staffing',
      slug: 'brightpath',
      timeZone: 'America/New_York',
      holidays: [{ start: '2026-12-24', end: '2026-12-26', name: 'Christmas' }],
      version: 3,
      createdAt: '2026-11-01T14:30:00.000Z',
      updatedAt: '2026-11-26T14:30:00.000Z',
    },
  });

export const updateAgencyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    timeZone: timeZoneSchema.optional(),
    holidays: z.array(holidaySchema).max(200).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .meta({ id: 'UpdateAgencyRequest', example: { holidays: [{ start: '2026-12-24', end: '2027-01-01', name: 'Winter break' }] } });
