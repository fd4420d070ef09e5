import type { z } from 'zod';
import type { Deps } from '../../deps.js';
import { hasScope, type Actor } from '../../lib/access.js';
import { listCandidates } from '../candidates/candidates.service.js';
import { listCandidatesQuery } from '../candidates/candidates.schemas.js';
import { listContacts } from '../contacts/contacts.service.js';
import { listContactsQuery } from '../contacts/contacts.schemas.js';
import { listEmployers } from '../employers/employers.service.js';
import { listEmployersQuery } from '../employers/employers.schemas.js';
import { listPositions } from '../positions/positions.service.js';
import { listPositionsQuery } from '../positions/positions.schemas.js';
import type { searchQuery } from './search.schemas.js';

const none = { data: [] as never[], nextCursor: null };

/**
 * One box to find anyone: the same part-of-name searches as each list (`?q=`, served by their
 * trigram indexes), the first few matches of each kind, read side by side.
 */
export async function search(deps: Deps, actor: Actor, q: z.output<typeof searchQuery>) {
  const page = { q: q.q, limit: String(q.perKind) };
  const records = hasScope(actor, 'employers:read');
  const [candidates, employers, contacts, positions] = await Promise.all([
    listCandidates(deps, actor, listCandidatesQuery.parse(page)),
    records ? listEmployers(deps, actor, listEmployersQuery.parse(page)) : none,
    records ? listContacts(deps, actor, listContactsQuery.parse(page)) : none,
    records ? listPositions(deps, actor, listPositionsQuery.parse(page)) : none,
  ]);
  return {
    q: q.q,
    candidates: candidates.data,
    employers: employers.data,
    contacts: contacts.data,
    positions: positions.data,
    more: {
      candidates: candidates.nextCursor !== null,
      employers: employers.nextCursor !== null,
      contacts: contacts.nextCursor !== null,
      positions: positions.nextCursor !== null,
    },
  };
}
