import { and, desc, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { withTenant, type Tx } from '../../db/client.js';
import { employerReplies, interviews, type replySources } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import { findLogEntry, listLogOf, lockApplication, presentReply, type ApplicationRow } from './applications.repo.js';
import type { listSubresourceQuery, recordReplyBody } from './applications.schemas.js';
import { syncApplicationFollowUps } from '../followups/followups.sync.js';
import { recordEmailAnswers, recordPromise, settlePromises } from '../responses/responses.ledger.js';

type ReplySource = (typeof replySources)[number];

type InterviewRow = typeof interviews.$inferSelect;

/** Clocks disagree a little; a reply "received" further ahead than this is a mistake. */
const FUTURE_SLACK_MS = 5 * 60_000;

async function namedInterview(tx: Tx, applicationId: string, interviewId: string): Promise<InterviewRow> {
  const [row] = await tx
    .select()
    .from(interviews)
    .where(and(eq(interviews.id, interviewId), eq(interviews.applicationId, applicationId)))
    .for('update');
  if (!row) {
    throw new AppError('validation_failed', 'The interview is not one of this application', [{ field: 'body.interviewId', message: 'Unknown interview' }]);
  }
  return row;
}

async function latestInterview(tx: Tx, applicationId: string): Promise<InterviewRow | undefined> {
  const [row] = await tx
    .select()
    .from(interviews)
    .where(and(eq(interviews.applicationId, applicationId), ne(interviews.status, 'cancelled')))
    .orderBy(desc(interviews.startsAt), desc(interviews.id))
    .limit(1)
    .for('update');
  return row;
}

/** Sets the employer's new projected decision date on the interview, with its own activity and event. */
async function setTimeline(tx: Tx, actor: Actor, now: Date, app: ApplicationRow, interview: InterviewRow, date: string, replyId: string) {
  if (interview.decisionExpectedBy === date) return interview;
  const [updated] = await tx
    .update(interviews)
    .set({ decisionExpectedBy: date, version: interview.version + 1, updatedAt: now })
    .where(eq(interviews.id, interview.id))
    .returning();
  await recordChange(actor, now, {
    action: 'interview.timeline_set',
    subject: { type: 'interview', id: interview.id },
    refs: { candidateId: app.candidateId, applicationId: app.id, interviewId: interview.id },
    changes: { decisionExpectedBy: { before: interview.decisionExpectedBy, after: date } },
    data: { decisionExpectedBy: date, previous: interview.decisionExpectedBy, replyId },
  });
  return updated!;
}

/**
 * Records what the employer answered. A new timeline goes on the interview named, else on the
 * application's latest interview that was not cancelled. Allowed on a closed application: the
 * reply may be the rejection itself.
 */
export async function recordReply(deps: Deps, actor: Actor, applicationId: string, input: z.output<typeof recordReplyBody>) {
  const now = deps.clock.now();
  const receivedAt = input.receivedAt ?? now;
  if (receivedAt.getTime() > now.getTime() + FUTURE_SLACK_MS) {
    throw new AppError('validation_failed', 'A reply cannot be received in the future', [{ field: 'body.receivedAt', message: 'In the future' }]);
  }
  return withTenant(deps.db, actor.tenantId, (tx) => insertReply(tx, actor, now, applicationId, { ...input, receivedAt }, 'manual'));
}

/** recordReply inside the caller's transaction (an inbound email records its reply with its own row). */
export async function insertReply(
  tx: Tx,
  actor: Actor,
  now: Date,
  applicationId: string,
  input: z.output<typeof recordReplyBody> & { receivedAt: Date; contactId?: string | null },
  source: ReplySource,
  opts: { promise?: boolean } = {},
) {
  const receivedAt = input.receivedAt;
  const app = await lockApplication(tx, applicationId, 'key share');
  const named = input.interviewId ? await namedInterview(tx, applicationId, input.interviewId) : undefined;
  const [created] = await tx
    .insert(employerReplies)
    .values({
      tenantId: actor.tenantId,
      id: newId(),
      applicationId,
      interviewId: named?.id ?? null,
      channel: input.channel,
      summary: input.summary,
      receivedAt,
      newDecisionExpectedBy: input.newDecisionExpectedBy ?? null,
      suggestedOutcome: input.suggestedOutcome ?? null,
      source,
      contactId: input.contactId ?? null,
      actorType: actor.kind,
      actorId: actor.userId ?? actor.apiKeyId,
      createdAt: now,
      // Re-planned below, in this transaction.
      replannedAt: now,
    })
    .returning();
  const reply = created!;
  const target = input.newDecisionExpectedBy ? (named ?? (await latestInterview(tx, applicationId))) : undefined;
  await recordChange(actor, now, {
    action: 'reply.recorded',
    subject: { type: 'reply', id: reply.id },
    refs: { candidateId: app.candidateId, applicationId, interviewId: reply.interviewId ?? target?.id ?? null },
    changes: diff(null, reply, ['channel', 'receivedAt', 'interviewId', 'newDecisionExpectedBy', 'suggestedOutcome']),
    data: {
      channel: reply.channel,
      newDecisionExpectedBy: reply.newDecisionExpectedBy,
      suggestedOutcome: reply.suggestedOutcome,
      interviewId: reply.interviewId,
      updatedInterviewId: target?.id ?? null,
    },
  });
  const updated = target ? await setTimeline(tx, actor, now, app, target, input.newDecisionExpectedBy!, reply.id) : undefined;
  // The promise ledger and the answer times, in this transaction (docs/reports.md).
  await recordEmailAnswers(tx, applicationId, reply.id, receivedAt);
  if (reply.suggestedOutcome) await settlePromises(tx, applicationId, reply.suggestedOutcome, receivedAt);
  if (target && input.newDecisionExpectedBy && opts.promise !== false) {
    await recordPromise(tx, actor, now, {
      applicationId,
      interviewId: target.id,
      date: input.newDecisionExpectedBy,
      source: source === 'link' ? 'link' : 'reply',
      replyId: reply.id,
      contactId: input.contactId ?? null,
      givenAt: receivedAt,
    });
  }
  // A reply pauses the status checks and skips the check-in; a new timeline re-plans the checks.
  await syncApplicationFollowUps(tx, actor, now, applicationId);
  return {
    ...presentReply(reply),
    updatedInterview: updated ? { id: updated.id, decisionExpectedBy: updated.decisionExpectedBy, version: updated.version } : null,
  };
}

/** Newest first. */
export async function listReplies(deps: Deps, actor: Actor, applicationId: string, q: z.output<typeof listSubresourceQuery>) {
  const page = await listLogOf(deps.db, actor.tenantId, employerReplies, applicationId, q);
  return { data: page.data.map(presentReply), nextCursor: page.nextCursor };
}

export async function getReply(deps: Deps, actor: Actor, applicationId: string, id: string) {
  const row = await findLogEntry(deps.db, actor.tenantId, employerReplies, applicationId, id);
  if (!row) throw notFound('Reply');
  return presentReply(row);
}
