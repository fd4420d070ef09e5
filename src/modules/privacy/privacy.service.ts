import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import type { Actor } from '../../lib/access.js';
import * as activity from '../activity/activity.privacy.js';
import { recordChange } from '../activity/activity.service.js';
import * as applications from '../applications/applications.privacy.js';
import * as candidates from '../candidates/candidates.privacy.js';
import { eraseNotesOf, notesFor } from '../candidates/notes.service.js';
import * as externalIds from '../externalIds/externalIds.privacy.js';
import * as followups from '../followups/followups.privacy.js';
import * as threads from '../threads/threads.privacy.js';
import * as idempotency from '../idempotency/idempotency.privacy.js';
import * as inbound from '../inbound/inbound.privacy.js';
import * as interviews from '../interviews/interviews.privacy.js';
import * as responses from '../responses/responses.privacy.js';

/**
 * A person's rights over what an agency holds on them (docs/domain.md): a copy of it all, and its
 * erasure. Each module says what it holds on a candidate (`exportFor`) and how it forgets it
 * (`eraseFor`, in its own *.privacy.ts); this module only calls them, in one read or one transaction.
 */

/**
 * Everything held on the candidate, as JSON (a data subject access request): the record, their
 * applications with their stage history, outcomes and employers' replies, their interviews with
 * the interviewers' notes, the follow-ups sent or planned on their behalf or to them, the
 * employers' emails about them as received, and their timeline.
 */
export async function exportCandidate(deps: Deps, actor: Actor, id: string) {
  const now = deps.clock.now();
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await candidates.exportFor(tx, id);
    const [apps, interviewRows, sent, history, notes] = await Promise.all([
      applications.exportFor(tx, id),
      interviews.exportFor(tx, id),
      followups.exportFor(tx, id, now),
      activity.exportFor(tx, id),
      notesFor(tx, id),
    ]);
    const emails = await inbound.exportFor(tx, { email: row.email, applicationIds: apps.ids, followUpIds: sent.ids });
    return {
      exportedAt: now,
      candidate: candidates.presentCandidate(row),
      candidateNotes: notes,
      applications: apps.applications,
      outcomes: apps.outcomes,
      employerReplies: apps.employerReplies,
      interviews: interviewRows,
      followUps: sent.followUps,
      inboundEmails: emails,
      activity: history,
    };
  });
}

/**
 * Erases the candidate's personal data, module by module, in one transaction: the record keeps its
 * shape under a placeholder name; the timeline keeps what happened, not the values; free text
 * about them, emails about them, stored answers quoting them and their open follow-ups go.
 */
export async function eraseCandidate(deps: Deps, actor: Actor, id: string) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const { current, erased } = await candidates.eraseFor(tx, actor.tenantId, id, now);
    if (!erased) return current;
    await activity.eraseFor(tx, id);
    await applications.eraseFor(tx, id);
    await interviews.eraseFor(tx, id);
    await externalIds.eraseFor(tx, id);
    await eraseNotesOf(tx, id);
    await inbound.eraseFor(tx, id, current.email);
    await idempotency.eraseFor(tx, [id, ...(await applications.quotedIdsOf(tx, id)), ...(current.email ? [current.email] : [])]);
    await followups.eraseFor(tx, actor, now, id);
    await responses.eraseFor(tx, id, now);
    await threads.eraseFor(tx, id);
    await recordChange(actor, now, {
      action: 'candidate.erased',
      subject: { type: 'candidate', id },
      refs: { candidateId: id },
    });
    return erased;
  });
  deps.log.info({ candidateId: id }, 'candidate erased');
  return candidates.presentCandidate(row);
}
