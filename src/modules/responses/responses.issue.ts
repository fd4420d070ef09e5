import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { publicUrl } from '../../config.js';
import { withTenant } from '../../db/client.js';
import { responseLinks } from '../../db/schema/index.js';
import { localDateOf, type IsoDate } from '../../core/businessTime.js';
import { newId } from '../../lib/ids.js';
import { makeTenantToken, sha256 } from '../../lib/secrets.js';

// Making response links (docs/response-links.md): the token is `rsp_<tenant>_<256 random bits>`,
// kept only as SHA-256; the email is the one place the whole link exists.

export const RESPONSE_PREFIX = 'rsp';
/** A link lives this long after the decision date (or after it is sent, without one). */
export const LINK_DAYS_AFTER_DECISION = 30;
const DAY_MS = 86_400_000;

/** The end of the day `days` after a date, UTC (a day of slack for every zone). */
export const endOfDayAfter = (date: IsoDate, days: number) => new Date(Date.parse(`${date}T23:59:59Z`) + (days + 1) * DAY_MS);

/** The kinds whose emails carry a link: they ask the employer for an answer. */
const ASKING_KINDS = new Set(['timeline_request', 'status_check']);


/**
 * A new link for a follow-up that asks the employer's contact for an answer and goes to them
 * (on the candidate's behalf with consent, or in the agency's voice): null for anything else,
 * and for a draft the candidate would forward. Called by the worker as it composes the email.
 */
export async function responseLinkFor(
  deps: Deps,
  f: { tenantId: string; id: string; kind: string; channel: string; voice: string; applicationId: string; interviewId: string; contactId: string | null },
  goesToContact: boolean,
): Promise<string | null> {
  if (!ASKING_KINDS.has(f.kind) || f.channel !== 'email' || !f.contactId || !goesToContact) return null;
  const now = deps.clock.now();
  const token = makeTenantToken(RESPONSE_PREFIX, f.tenantId);
  await withTenant(deps.db, f.tenantId, async (tx) => {
    const res = await tx.execute<{ decision: string | null }>(sql`SELECT decision_expected_by::text AS decision FROM interviews WHERE id = ${f.interviewId}`);
    const decision = res.rows[0]?.decision ?? null;
    const base = decision && decision > localDateOf(now, 'UTC') ? decision : localDateOf(now, 'UTC');
    await tx.insert(responseLinks).values({
      tenantId: f.tenantId,
      id: newId(),
      tokenHash: sha256(token),
      applicationId: f.applicationId,
      contactId: f.contactId!,
      followUpId: f.id,
      expiresAt: endOfDayAfter(base, LINK_DAYS_AFTER_DECISION),
      createdAt: now,
    });
  });
  return `${publicUrl(deps.config)}/respond/${token}`;
}

