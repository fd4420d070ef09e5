import { z } from 'zod';
import { instant, localDate } from '../../lib/schemas.js';
import { pageQuery, syncAlone, syncQuery } from '../../lib/pagination.js';
import { LIMITS } from '../../lib/limits.js';

export const positionStatus = z.enum(['open', 'on_hold', 'filled', 'closed']);

export const positionSchema = z
  .object({
    id: z.uuid(),
    employerId: z.uuid(),
    title: z.string().max(LIMITS.name),
    description: z.string().max(LIMITS.text).nullable(),
    status: positionStatus,
    openings: z.number().int().describe('How many people the employer wants to hire'),
    targetFillDate: z.string().max(LIMITS.date).nullable().describe('YYYY-MM-DD'),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'Position',
    example: {
      id: '01938a90-3e4d-7f50-8b62-7c8d9e0f1a2b',
      employerId: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f',
      title: 'Grade 3 Teacher',
      description: 'Full-time, from the spring term; NYS certification required.',
      status: 'open',
      openings: 2,
      targetFillDate: '2027-01-15',
      version: 1,
      createdAt: '2026-11-26T14:30:00.000Z',
      updatedAt: '2026-11-26T14:30:00.000Z',
    },
  });

const fields = {
  employerId: z.uuid(),
  title: z.string().trim().min(1).max(200),
  description: z.string().max(10_000).nullable(),
  status: positionStatus,
  openings: z.number().int().min(0).max(1000),
  targetFillDate: localDate.nullable(),
};

export const createPositionBody = z
  .strictObject({
    employerId: fields.employerId.describe('The employer with the vacancy, in this agency'),
    title: fields.title,
    description: fields.description.optional(),
    status: fields.status.default('open'),
    openings: fields.openings.default(1),
    targetFillDate: fields.targetFillDate.optional(),
  })
  .meta({
    id: 'CreatePositionRequest',
    example: { employerId: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f', title: 'Grade 3 Teacher', openings: 2, targetFillDate: '2027-01-15' },
  });

export const updatePositionBody = z
  .strictObject({
    employerId: fields.employerId.optional().describe('Moves the position to another employer of the agency'),
    title: fields.title.optional(),
    description: fields.description.optional(),
    status: fields.status.optional(),
    openings: fields.openings.optional(),
    targetFillDate: fields.targetFillDate.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .meta({ id: 'UpdatePositionRequest', example: { status: 'filled', openings: 0 } });

const listFilters = {
  ...pageQuery,
  q: z.string().trim().min(1).max(100).optional().describe('Part of the title'),
  status: positionStatus.optional(),
};

export const listPositionsQuery = z.strictObject({
  ...listFilters,
  ...syncQuery,
  employerId: z.uuid().optional().describe('Only the positions of this employer'),
})
  .superRefine(syncAlone);

export const listEmployerPositionsQuery = z.strictObject(listFilters);
