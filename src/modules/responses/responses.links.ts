import { eq, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { recordChange } from '../activity/activity.service.js';
import { applications, responseLinks } from '../../db/schema/index.js';
import { addBusinessDays, businessCalendar, type IsoDate } from '../../core/businessTime.js';
import { parsePlaybook } from '../../core/followups/playbook.js';
import { parseTenantToken, sha256 } from '../../lib/secrets.js';
import type { Actor } from '../../lib/access.js';
import { insertReply } from '../applications/applications.replies.js';

// Response links (docs/response-links.md): a contact answers a timeline request or a status check
// in one click, without an account. The token is `rsp_<tenant>_<256 random bits>`, kept as SHA-256.

import { endOfDayAfter, LINK_DAYS_AFTER_DECISION, RESPONSE_PREFIX } from './responses.issue.js';
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

async function loadLink(tx: Tx, tokenHash: string, lock: boolean) {
  const res = await tx.execute<{
    id: string; tenant_id: string; application_id: string; contact_id: string; expires_at: Date; revoked_at: Date | null;
    candidate: string; position: string; agency: string; zone: string; playbook: unknown; erased_at: Date | null;
  }>(sql`
    SELECT l.id, l.tenant_id, l.application_id, l.contact_id, l.expires_at, l.revoked_at,
           c.name AS candidate, c.erased_at, p.title AS position, t.name AS agency, e.time_zone AS zone, t.playbook
    FROM response_links l
    JOIN applications a ON a.id = l.application_id
    JOIN candidates c ON c.id = a.candidate_id
    JOIN positions p ON p.id = a.position_id
    JOIN employers e ON e.id = p.employer_id
    JOIN tenants t ON t.id = l.tenant_id
    WHERE l.token_hash = ${tokenHash}
    ${lock ? sql`FOR UPDATE OF l` : sql``}`);
  return res.rows[0];
}

/** The link's page, or why it cannot be used. Never says which agency a bad token names. */
export async function openLink(deps: Deps, token: string): Promise<{ view: LinkView } | { problem: LinkProblem }> {
  const parsed = parseTenantToken(RESPONSE_PREFIX, token);
  if (!parsed) return { problem: 'invalid' };
  const row = await readTenant(deps.db, parsed.tenantId, (tx) => loadLink(tx, sha256(token), false));
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

export const linkAnswers = ['offer', 'not_going_ahead', 'decide_by', 'ask_again'] as const;
export type LinkAnswer = (typeof linkAnswers)[number];
export interface LinkForm {
  answer: LinkAnswer;
  date: IsoDate | null;
  note: string | null;
}

const ANSWER_WORDS: Record<LinkAnswer, (date: string | null) => string> = {
  offer: () => 'We decided: we would like to make an offer.',
  not_going_ahead: () => 'We decided: we are not going ahead.',
  decide_by: (d) => `We will decide by ${d}.`,
  ask_again: (d) => `Still deciding; ask me again on ${d}.`,
};

const systemActor = (tenantId: string): Actor => ({ tenantId, kind: 'system', userId: null, apiKeyId: null, role: null, scopes: [] });

/**
 * Records the contact's answer as the employer's reply (source `link`, the contact its author), in
 * one transaction with the link: a decision becomes a suggested outcome for the recruiter to
 * confirm; "decide by" is a new decision date (the promise ledger keeps it) and re-plans the status
 * checks toward it; "ask me again on" re-plans them so the first falls on that day.
 */
export async function answerLink(deps: Deps, token: string, form: LinkForm): Promise<{ view: LinkView } | { problem: LinkProblem }> {
  const parsed = parseTenantToken(RESPONSE_PREFIX, token);
  if (!parsed) return { problem: 'invalid' };
  const now = deps.clock.now();
  return withTenant(deps.db, parsed.tenantId, async (tx) => {
    const row = await loadLink(tx, sha256(token), true);
    const result = checked(deps, row);
    if ('problem' in result) return result;
    const view = result.view;
    const actor = systemActor(view.tenantId);
    let timeline: IsoDate | undefined;
    if (form.answer === 'decide_by') timeline = form.date!;
    if (form.answer === 'ask_again') {
      // The first status check falls `beforeDecisionBusinessDays` before the date: the date is set that far after the day asked.
      const pb = parsePlaybook(row!.playbook ?? {});
      const cal = businessCalendar({ zone: view.employerZone, businessDays: pb.businessDays });
      timeline = addBusinessDays(form.date!, pb.statusCheck.beforeDecisionBusinessDays, cal).date;
    }
    const summary = `${ANSWER_WORDS[form.answer](form.date)}${form.note ? `\n\n${form.note}` : ''}`;
    const reply = await insertReply(
      tx,
      actor,
      now,
      view.applicationId,
      {
        channel: 'other',
        summary,
        receivedAt: now,
        contactId: view.contactId,
        ...(timeline ? { newDecisionExpectedBy: timeline } : {}),
        ...(form.answer === 'offer' ? { suggestedOutcome: 'offer' as const } : {}),
        ...(form.answer === 'not_going_ahead' ? { suggestedOutcome: 'rejected' as const } : {}),
      },
      'link',
      { promise: form.answer !== 'ask_again' },
    );
    const later = timeline ? endOfDayAfter(timeline, LINK_DAYS_AFTER_DECISION) : null;
    await tx
      .update(responseLinks)
      .set({
        answers: sql`${responseLinks.answers} + 1`,
        lastAnsweredAt: now,
        ...(later && later > view.expiresAt ? { expiresAt: later } : {}),
      })
      .where(eq(responseLinks.id, view.linkId));
    const [app] = await tx.select({ candidateId: applications.candidateId }).from(applications).where(eq(applications.id, view.applicationId));
    await recordChange(actor, now, {
      action: 'response_link.answered',
      subject: { type: 'responseLink', id: view.linkId },
      refs: { candidateId: app?.candidateId ?? null, applicationId: view.applicationId, interviewId: reply.updatedInterview?.id ?? null },
      data: { answer: form.answer, date: form.date, replyId: reply.id, contactId: view.contactId, suggestedOutcome: reply.suggestedOutcome },
    });
    return { view };
  });
}
