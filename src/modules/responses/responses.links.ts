import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, type Tx } from '../../db/client.js';
import { parseTenantToken, sha256 } from '../../lib/secrets.js';

// Response links (docs/response-links.md): a contact answers a timeline request or a status check
// in one click, without an account. The token is `rsp_<tenant>_<256 random bits>`, kept as SHA-256.

import { RESPONSE_PREFIX } from './responses.issue.js';
export { RESPONSE_PREFIX };

export type LinkProblem = 'invalid' | 'expired' | 'revoked';

/** What the page shows: only what the contact already knows. */
export interface LinkView {
  linkId: string;
  tenantId: string;
  applicationId: string;
  contactId: string;
  candidateFirstName: string;
  position: string;
  agency: string;
  employerZone: string;
  expiresAt: Date;
}

/** A link with what its page shows and what says whether it works: its application, candidate, position, employer and agency. */
export const LINK_JOINS = `
    FROM response_links l
    JOIN applications a ON a.id = l.application_id
    JOIN candidates c ON c.id = a.candidate_id
    JOIN positions p ON p.id = a.position_id
    JOIN employers e ON e.id = p.employer_id
    JOIN tenants t ON t.id = l.tenant_id`;

async function loadLink(tx: Tx, tokenHash: string) {
  const res = await tx.execute<{
    id: string; tenant_id: string; application_id: string; contact_id: string; expires_at: Date; revoked_at: Date | null;
    candidate: string; position: string; agency: string; zone: string; erased_at: Date | null;
  }>(sql`
    SELECT l.id, l.tenant_id, l.application_id, l.contact_id, l.expires_at, l.revoked_at,
           c.name AS candidate, c.erased_at, p.title AS position, t.name AS agency, e.time_zone AS zone
    ${sql.raw(LINK_JOINS)}
    WHERE l.token_hash = ${tokenHash}`);
  return res.rows[0];
}

/** The link's page, or why it cannot be used. Never says which agency a bad token names. */
export async function openLink(deps: Deps, token: string): Promise<{ view: LinkView } | { problem: LinkProblem }> {
  const parsed = parseTenantToken(RESPONSE_PREFIX, token);
  if (!parsed) return { problem: 'invalid' };
  const row = await readTenant(deps.db, parsed.tenantId, (tx) => loadLink(tx, sha256(token)));
  return checked(deps, row);
}

function checked(deps: Deps, row: Awaited<ReturnType<typeof loadLink>>): { view: LinkView } | { problem: LinkProblem } {
  if (!row) return { problem: 'invalid' };
  if (row.revoked_at || row.erased_at) return { problem: 'revoked' };
  if (new Date(row.expires_at).getTime() <= deps.clock.now().getTime()) return { problem: 'expired' };
  return {
    view: {
      linkId: row.id,
      tenantId: row.tenant_id,
      applicationId: row.application_id,
      contactId: row.contact_id,
      candidateFirstName: row.candidate.split(/\s+/)[0]!,
      position: row.position,
      agency: row.agency,
      employerZone: row.zone,
      expiresAt: new Date(row.expires_at),
    },
  };
}
