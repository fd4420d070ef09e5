import { z } from 'zod';
import { holidaySchema, instant, notes, timeZoneSchema, webUrl } from '../../lib/schemas.js';
import { pageQuery, syncAlone, syncQuery } from '../../lib/pagination.js';
import { LIMITS } from '../../lib/limits.js';

export const employerKind = z.enum(['district', 'school', 'company', 'other']);

export const employerSchema = z
  .object({
    id: z.uuid(),
    parentId: z.uuid().nullable().describe('The district a school belongs to'),
    name: z.string().max(LIMITS.name),
    kind: employerKind,
    timeZone: z.string().max(LIMITS.timeZone),
    holidays: z.array(z.object({ start: z.string().max(LIMITS.date), end: z.string().max(LIMITS.date), name: z.string().max(LIMITS.name) })).max(LIMITS.list),
    website: z.string().max(LIMITS.url).nullable(),
    notes: z.string().max(LIMITS.text).nullable(),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'Employer',
    example: {
      id: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f',
      parentId: null,
      name: 'Hudson Valley Central School District',
      kind: 'district',
      timeZone: 'America/New_York',
      holidays: [{ start: '2026-12-24', end: '2027-01-01', name: 'Winter recess' }],
      website: 'https://hvcsd.example.org',
      notes: null,
      version: 1,
      createdAt: '2026-11-26T14:30:00.000Z',
      updatedAt: '2026-11-26T14:30:00.000Z',
    },
  });

/** Each field's checks, shared by create, update and the CSV import (imports.csv.ts). */
export const employerFields = {
  name: z.string().trim().min(1).max(200),
  kind: employerKind,
  parentId: z.uuid().nullable(),
  timeZone: timeZoneSchema,
  holidays: z.array(holidaySchema).max(200),
  website: webUrl.nullable(),
  notes: notes.nullable(),
};

export const createEmployerBody = z
  .strictObject({
    name: employerFields.name,
    kind: employerFields.kind.default('school'),
    parentId: employerFields.parentId.optional(),
    timeZone: employerFields.timeZone.optional().describe('Defaults to the parent’s zone, else the agency’s'),
    holidays: employerFields.holidays.default([]),
    website: employerFields.website.optional(),
    notes: employerFields.notes.optional(),
  })
  .meta({ id: 'CreateEmployerRequest', example: { name: 'Lincoln Elementary', kind: 'school', parentId: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f' } });

export const updateEmployerBody = z
  .strictObject({
    name: employerFields.name.optional(),
    kind: employerFields.kind.optional(),
    parentId: employerFields.parentId.optional(),
    timeZone: employerFields.timeZone.optional(),
    holidays: employerFields.holidays.optional(),
    website: employerFields.website.optional(),
    notes: employerFields.notes.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .meta({ id: 'UpdateEmployerRequest', example: { holidays: [{ start: '2027-02-15', end: '2027-02-19', name: 'Mid-winter recess' }] } });

export const listEmployersQuery = z.strictObject({
  ...pageQuery,
  ...syncQuery,
  q: z.string().trim().min(1).max(100).optional().describe('Part of the name'),
  kind: employerKind.optional(),
  parentId: z.uuid().optional().describe('Only the schools of this district'),
})
  .superRefine(syncAlone);
