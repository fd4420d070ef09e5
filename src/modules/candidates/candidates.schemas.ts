import { z } from 'zod';
import { e164Phone, emailSchema, instant, linkedinUrl, notes, timeZoneSchema } from '../../lib/schemas.js';
import { applicationDetailSchema, outcomeSchema, replySchema } from '../applications/applications.schemas.js';
import { followUpSchema } from '../followups/followups.schemas.js';
import { inboundReplySchema } from '../inbound/inbound.schemas.js';
import { interviewSchema } from '../interviews/interviews.schemas.js';
import { pageQuery, syncAlone, syncQuery } from '../../lib/pagination.js';
import { candidateNoteSchema } from './notes.schemas.js';
import { LIMITS } from '../../lib/limits.js';

const tag = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .transform((t) => t.toLowerCase());

export const candidateSchema = z
  .object({
    id: z.uuid(),
    name: z.string().max(LIMITS.name),
    email: z.string().max(LIMITS.email).nullable(),
    phone: z.string().max(LIMITS.phone).nullable(),
    linkedinUrl: z.string().max(LIMITS.url).nullable(),
    timeZone: z.string().max(LIMITS.timeZone).nullable(),
    relayConsent: z.boolean().describe('May the agency write to employers on the candidate’s behalf'),
    relayConsentAt: instant.nullable().describe('When consent was given (set by the server)'),
    statusUpdatesOptIn: z.boolean().describe('Does the candidate want status updates by email'),
    tags: z.array(z.string().max(LIMITS.tag)).max(LIMITS.tags),
    notes: z.string().max(LIMITS.text).nullable(),
    erasedAt: instant.nullable().describe('Set when the personal data was erased; the record stays as a shell'),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'Candidate',
    example: {
      id: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
      name: 'Jordan Lee',
      email: 'jordan.lee@example.org',
      phone: '+15555550123',
      linkedinUrl: 'https://www.linkedin.com/in/jordan-lee',
      timeZone: 'America/New_York',
      relayConsent: true,
      relayConsentAt: '2026-11-20T15:04:05.000Z',
      statusUpdatesOptIn: true,
      tags: ['math', 'grade-5'],
      notes: null,
      erasedAt: null,
      version: 1,
      createdAt: '2026-11-20T15:04:05.000Z',
      updatedAt: '2026-11-20T15:04:05.000Z',
    },
  });

/** A row of `GET /v1/candidates`: the candidate with where they stand, for the list. */
export const candidateListItemSchema = candidateSchema
  .extend({
    openApplications: z.number().int().describe('Applications not yet hired, rejected or withdrawn'),
    latestApplication: z
      .object({
        id: z.uuid(),
        stage: z.enum(['submitted', 'interviewing', 'offer', 'on_hold', 'hired', 'rejected', 'withdrawn']),
        stageChangedAt: instant,
        positionId: z.uuid(),
        positionTitle: z.string().max(LIMITS.name),
        employerName: z.string().max(LIMITS.name),
      })
      .nullable()
      .describe('The open application whose stage moved last (else the last closed one); null without applications'),
    lastActivityAt: instant.nullable().describe('The newest entry of the candidate’s timeline'),
  })
  .meta({
    id: 'CandidateListItem',
    example: {
      ...(candidateSchema.meta()?.example as object),
      openApplications: 1,
      latestApplication: {
        id: '01938a91-4f5e-7a61-9c73-8d9e0f1a2b3c',
        stage: 'interviewing',
        stageChangedAt: '2026-11-27T10:00:00.000Z',
        positionId: '01938a90-3e4d-7f50-8b62-7c8d9e0f1a2b',
        positionTitle: 'Grade 5 teacher',
        employerName: 'Lincoln Elementary',
      },
      lastActivityAt: '2026-12-03T18:05:00.000Z',
    },
  });

/** The checks and normalisation of each field, shared with the CSV import (src/modules/imports). */
export const candidateFields = {
  name: z.string().trim().min(1).max(200),
  email: emailSchema.nullable(),
  phone: e164Phone.nullable(),
  linkedinUrl: linkedinUrl.nullable(),
  timeZone: timeZoneSchema.nullable(),
  relayConsent: z.boolean(),
  statusUpdatesOptIn: z.boolean(),
  tags: z.array(tag).max(30).transform((t) => [...new Set(t)]),
  notes: notes.nullable(),
};

export const createCandidateBody = z
  .strictObject({
    name: candidateFields.name,
    email: candidateFields.email.optional(),
    phone: candidateFields.phone.optional(),
    linkedinUrl: candidateFields.linkedinUrl.optional(),
    timeZone: candidateFields.timeZone.optional(),
    relayConsent: candidateFields.relayConsent.default(false),
    statusUpdatesOptIn: candidateFields.statusUpdatesOptIn.default(true),
    tags: candidateFields.tags.default([]),
    notes: candidateFields.notes.optional(),
    overrideErasure: z
      .boolean()
      .default(false)
      .describe('Add the person even though they were erased at their request before'),
  })
  .meta({
    id: 'CreateCandidateRequest',
    example: { name: 'Jordan Lee', email: 'jordan.lee@example.org', relayConsent: true, tags: ['math'] },
  });

export const updateCandidateBody = z
  .strictObject({
    name: candidateFields.name.optional(),
    email: candidateFields.email.optional(),
    phone: candidateFields.phone.optional(),
    linkedinUrl: candidateFields.linkedinUrl.optional(),
    timeZone: candidateFields.timeZone.optional(),
    relayConsent: candidateFields.relayConsent.optional(),
    statusUpdatesOptIn: candidateFields.statusUpdatesOptIn.optional(),
    tags: candidateFields.tags.optional(),
    notes: candidateFields.notes.optional(),
    overrideErasure: z
      .boolean()
      .optional()
      .describe('Change the email to that of a person erased at their request before'),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'overrideErasure'), 'Send at least one field')
  .meta({ id: 'UpdateCandidateRequest', example: { relayConsent: true } });

export const listCandidatesQuery = z.strictObject({
  ...pageQuery,
  ...syncQuery,
  q: z.string().trim().min(1).max(100).optional().describe('Part of the name or email'),
  tag: tag.optional().describe('Only candidates with this tag'),
  includeErased: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
})
  .superRefine(syncAlone);

export const candidateExportSchema = z
  .object({
    exportedAt: instant,
    candidate: candidateSchema,
    candidateNotes: z.array(candidateNoteSchema).max(LIMITS.records).describe('Notes written on them, oldest first'),
    applications: z.array(applicationDetailSchema).max(LIMITS.records).describe('Their applications, oldest first, with each stage they went through'),
    outcomes: z.array(outcomeSchema).max(LIMITS.records).describe('Every decision logged on their applications'),
    employerReplies: z.array(replySchema).max(LIMITS.records).describe('What employers answered about them'),
    interviews: z.array(interviewSchema).max(LIMITS.records).describe('Their interviews, with the interviewers and their notes'),
    followUps: z.array(followUpSchema).max(LIMITS.records).describe('The follow-ups sent or planned on their behalf or to them'),
    inboundEmails: z.array(inboundReplySchema).max(LIMITS.records).describe('Employers’ emails about them, as received'),
    activity: z.array(z.object({ id: z.uuid(), action: z.string().max(LIMITS.name), createdAt: instant, changes: z.record(z.string().max(LIMITS.name), z.unknown()) })).max(LIMITS.records),
  })
  .meta({
    id: 'CandidateExport',
    description: 'Everything Afterview holds on a candidate',
    example: {
      exportedAt: '2026-11-26T10:00:00.000Z',
      candidate: {
        id: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
        name: 'Jordan Lee',
        email: 'jordan.lee@example.org',
        phone: null,
        linkedinUrl: null,
        timeZone: 'America/New_York',
        relayConsent: true,
        relayConsentAt: '2026-11-20T15:04:05.000Z',
        statusUpdatesOptIn: true,
        tags: ['math'],
        notes: null,
        erasedAt: null,
        version: 1,
        createdAt: '2026-11-20T15:04:05.000Z',
        updatedAt: '2026-11-20T15:04:05.000Z',
      },
      candidateNotes: [],
      applications: [],
      outcomes: [],
      employerReplies: [],
      interviews: [],
      followUps: [],
      inboundEmails: [],
      activity: [{ id: '01938a8e-3b4c-7d5e-8f60-718293a4b5c6', action: 'candidate.created', createdAt: '2026-11-20T15:04:05.000Z', changes: {} }],
    },
  });
