import { z } from 'zod';
import { e164Phone, emailSchema, instant, linkedinUrl, notes, timeZoneSchema } from '../../lib/schemas.js';
import { pageQuery, syncAlone, syncQuery } from '../../lib/pagination.js';
import { LIMITS } from '../../lib/limits.js';

export const contactChannel = z.enum(['email', 'phone', 'linkedin']);

export const contactSchema = z
  .object({
    id: z.uuid(),
    employerId: z.uuid(),
    name: z.string().max(LIMITS.name),
    title: z.string().max(LIMITS.name).nullable().describe('Their job title'),
    email: z.string().max(LIMITS.email).nullable(),
    phone: z.string().max(LIMITS.phone).nullable(),
    linkedinUrl: z.string().max(LIMITS.url).nullable(),
    preferredChannel: contactChannel,
    timeZone: z.string().max(LIMITS.timeZone).nullable().describe('null: the employer’s zone'),
    notes: z.string().max(LIMITS.text).nullable(),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'Contact',
    example: {
      id: '01938a8f-2d3c-7e4f-9a51-6b7c8d9e0f1a',
      employerId: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f',
      name: 'Dana Whitfield',
      title: 'Principal',
      email: 'dana.whitfield@hvcsd.example.org',
      phone: '+18455550142',
      linkedinUrl: 'https://www.linkedin.com/in/dana-whitfield',
      preferredChannel: 'email',
      timeZone: null,
      notes: 'Reads email before 8:00',
      version: 1,
      createdAt: '2026-11-26T14:30:00.000Z',
      updatedAt: '2026-11-26T14:30:00.000Z',
    },
  });

/** Each field's checks, shared by create, update and the CSV import (imports.csv.ts). */
export const contactFields = {
  employerId: z.uuid(),
  name: z.string().trim().min(1).max(200),
  title: z.string().trim().min(1).max(200).nullable(),
  email: emailSchema.nullable(),
  phone: e164Phone.nullable(),
  linkedinUrl: linkedinUrl.nullable(),
  preferredChannel: contactChannel,
  timeZone: timeZoneSchema.nullable().describe('null: the employer’s zone'),
  notes: notes.nullable(),
};

export const createContactBody = z
  .strictObject({
    employerId: contactFields.employerId.describe('The employer they work at, in this agency'),
    name: contactFields.name,
    title: contactFields.title.optional(),
    email: contactFields.email.optional(),
    phone: contactFields.phone.optional(),
    linkedinUrl: contactFields.linkedinUrl.optional(),
    preferredChannel: contactFields.preferredChannel.default('email'),
    timeZone: contactFields.timeZone.optional(),
    notes: contactFields.notes.optional(),
  })
  .meta({
    id: 'CreateContactRequest',
    example: {
      employerId: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f',
      name: 'Dana Whitfield',
      title: 'Principal',
      email: 'dana.whitfield@hvcsd.example.org',
    },
  });

export const updateContactBody = z
  .strictObject({
    employerId: contactFields.employerId.optional().describe('Moves the contact to another employer of the agency'),
    name: contactFields.name.optional(),
    title: contactFields.title.optional(),
    email: contactFields.email.optional(),
    phone: contactFields.phone.optional(),
    linkedinUrl: contactFields.linkedinUrl.optional(),
    preferredChannel: contactFields.preferredChannel.optional(),
    timeZone: contactFields.timeZone.optional(),
    notes: contactFields.notes.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field')
  .meta({ id: 'UpdateContactRequest', example: { title: 'Assistant Superintendent', preferredChannel: 'phone', phone: '+18455550199' } });

const listFilters = {
  ...pageQuery,
  q: z.string().trim().min(1).max(100).optional().describe('Part of the name or email'),
};

export const listContactsQuery = z.strictObject({
  ...listFilters,
  ...syncQuery,
  employerId: z.uuid().optional().describe('Only the contacts of this employer'),
})
  .superRefine(syncAlone);

export const listEmployerContactsQuery = z.strictObject(listFilters);
