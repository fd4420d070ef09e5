import { z } from 'zod';
import { outcomeKinds, replySources } from '../../db/schema/index.js';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { LIMITS } from '../../lib/limits.js';

export const suggestedOutcomesQuery = z.strictObject({ ...pageQuery });

export const suggestedOutcomeSchema = z
  .object({
    replyId: z.uuid(),
    applicationId: z.uuid(),
    candidateId: z.uuid(),
    candidateName: z.string().max(LIMITS.name),
    positionTitle: z.string().max(LIMITS.name),
    employerName: z.string().max(LIMITS.name),
    ownerId: z.uuid().describe('The recruiter who owns the application'),
    suggestedOutcome: z.enum(outcomeKinds),
    source: z.enum(replySources).describe('`link`: the contact answered through a response link'),
    contactId: z.uuid().nullable().describe('The contact who answered, when known'),
    contactName: z.string().max(LIMITS.name).nullable(),
    summary: z.string().max(LIMITS.text),
    receivedAt: instant,
  })
  .meta({
    id: 'SuggestedOutcome',
    example: {
      replyId: '01938a96-7c8d-7e9f-80b1-c2d3e4f5a6b7',
      applicationId: '01938a91-4f5e-7a61-9c73-8d9e0f1a2b3c',
      candidateId: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
      candidateName: 'Jordan Lee',
      positionTitle: '5th grade teacher',
      employerName: 'Lincoln Elementary',
      ownerId: '01938a8e-0000-7000-8000-000000000001',
      suggestedOutcome: 'offer',
      source: 'link',
      contactId: '01938a8f-1111-7000-8000-000000000002',
      contactName: 'Pat Principal',
      summary: 'We decided: we would like to make an offer.',
      receivedAt: '2026-12-10T15:02:00.000Z',
    },
  });
