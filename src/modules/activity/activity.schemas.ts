import { z } from 'zod';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { LIMITS } from '../../lib/limits.js';

export const activitySchema = z
  .object({
    id: z.uuid(),
    action: z.string().max(LIMITS.name).describe('What happened: the event type, e.g. candidate.updated'),
    actor: z.object({ type: z.enum(['user', 'api_key', 'system']), id: z.uuid().nullable() }),
    subject: z.object({ type: z.string().max(LIMITS.name), id: z.uuid() }),
    candidateId: z.uuid().nullable(),
    applicationId: z.uuid().nullable(),
    interviewId: z.uuid().nullable(),
    changes: z.record(z.string().max(LIMITS.name), z.object({ before: z.unknown(), after: z.unknown() })).describe('Changed fields, before and after'),
    createdAt: instant,
  })
  .meta({
    id: 'Activity',
    example: {
      id: '01938a8e-3b4c-7d5e-8f60-718293a4b5c6',
      action: 'candidate.updated',
      actor: { type: 'user', id: '01938a8e-0000-7000-8000-000000000001' },
      subject: { type: 'candidate', id: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5' },
      candidateId: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
      applicationId: null,
      interviewId: null,
      changes: { relayConsent: { before: false, after: true } },
      createdAt: '2026-11-26T14:30:00.000Z',
    },
  });

export const listActivityQuery = z.strictObject({
  ...pageQuery,
  candidateId: z.uuid().optional().describe('The timeline of a candidate'),
  applicationId: z.uuid().optional().describe('The timeline of an application'),
  interviewId: z.uuid().optional().describe('The timeline of an interview'),
  subjectId: z.uuid().optional().describe('Changes of one record (an employer, a contact, ...)'),
});
