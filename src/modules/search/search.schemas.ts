import { z } from 'zod';
import { candidateListItemSchema } from '../candidates/candidates.schemas.js';
import { contactSchema } from '../contacts/contacts.schemas.js';
import { employerSchema } from '../employers/employers.schemas.js';
import { positionSchema } from '../positions/positions.schemas.js';

export const searchQuery = z.strictObject({
  q: z.string().trim().min(2).max(100).describe('Part of a name, an email or a position title (2 characters at least)'),
  perKind: z.coerce.number().int().min(1).max(20).default(5).describe('Matches shown of each kind, 1 to 20 (not a page: each list’s own ?q= pages through the rest)'),
});

export const searchResultSchema = z
  .object({
    q: z.string().max(100),
    candidates: z.array(candidateListItemSchema).max(20),
    employers: z.array(employerSchema).max(20),
    contacts: z.array(contactSchema).max(20),
    positions: z.array(positionSchema).max(20),
    more: z
      .object({ candidates: z.boolean(), employers: z.boolean(), contacts: z.boolean(), positions: z.boolean() })
      .describe('Kinds with more matches than shown: their own list (`?q=`) pages through them'),
  })
  .meta({
    id: 'SearchResult',
    example: {
      q: 'lee',
      candidates: [(candidateListItemSchema.meta()?.example as object) ?? {}],
      employers: [],
      contacts: [],
      positions: [],
      more: { candidates: false, employers: false, contacts: false, positions: false },
    },
  });
