import { z } from 'zod';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { LIMITS } from '../../lib/limits.js';

export const candidateNoteSchema = z
  .object({
    id: z.uuid(),
    candidateId: z.uuid(),
    authorId: z.uuid().nullable().describe('The user who wrote it (null: an API key)'),
    body: z.string().max(LIMITS.rendered),
    edited: z.boolean().describe('Changed since it was written'),
    version: z.number().int(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({
    id: 'CandidateNote',
    example: {
      id: '01938a8e-7a8b-7c9d-8e0f-1a2b3c4d5e6f',
      candidateId: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
      authorId: '01938a8e-0000-7000-8000-000000000001',
      body: 'Called Jordan: prefers schools on the north side; available from January.',
      edited: false,
      version: 1,
      createdAt: '2026-11-26T14:30:00.000Z',
      updatedAt: '2026-11-26T14:30:00.000Z',
    },
  });

const body = z.string().trim().min(1, 'Write something').max(10_000);

export const writeCandidateNoteBody = z
  .strictObject({ body })
  .meta({ id: 'WriteCandidateNoteRequest', example: { body: 'Called Jordan: prefers schools on the north side; available from January.' } });

export const candidateNoteParams = z.strictObject({ id: z.uuid('Must be a UUID'), noteId: z.uuid('Must be a UUID') });

export const listCandidateNotesQuery = z.strictObject({ ...pageQuery });
