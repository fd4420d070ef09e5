import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { withTenant } from '../../db/client.js';
import { interviews, outcomes, type outcomeKinds } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import { findLogEntry, listLogOf, lockApplication, presentOutcome } from './applications.repo.js';
import { changeStage, isClosed, type Stage } from './applications.stages.js';
import { syncApplicationFollowUps } from '../followups/followups.sync.js';
import { settlePromises } from '../responses/responses.ledger.js';
import { recordDecision } from '../reports/reports.summary.js';
import type { listSubresourceQuery, logOutcomeBody } from './applications.schemas.js';

type OutcomeKind = (typeof outcomeKinds)[number];

/** The stage an outcome puts the application in; null leaves the stage as it is. */
export const stageAfterOutcome: Record<OutcomeKind, Stage | null> = {
  offer: 'offer',
  hired: 'hired',
  rejected: 'rejected',
  filled_by_other: 'rejected',
  on_hold: 'on_hold',
  withdrawn: 'withdrawn',
  no_decision: null,
};

/**
 * Logs a decision and moves the application's stage with it, in one transaction. The outcome row
 * and its event are written first; a stage move the table forbids (an offer must come before
 * `hired`) rolls all of it back as a 409 naming `body.kind`. `decidedAt` (default now) is when
 * the employer decided: never in the future, never before the latest completed interview began.
 */
export async function logOutcome(deps: Deps, actor: Actor, applicationId: string, input: z.output<typeof logOutcomeBody>) {
  const now = deps.clock.now();
  const decidedAt = input.decidedAt ?? now;
  if (decidedAt.getTime() > now.getTime()) {
    throw new AppError('validation_failed', 'A decision cannot be dated in the future', [{ field: 'body.decidedAt', message: 'Must not be in the future' }]);
  }
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    // Not `update`: an interview completing meanwhile holds its interview row and inserts follow-ups
    // pointing here (a key-share lock); blocking that while we wait for the interview would deadlock.
    let app = await lockApplication(tx, applicationId, 'no key update');
    if (isClosed(app.stage)) {
      throw new AppError('conflict', `The application is closed (${app.stage}); no outcome can be logged`, [], { stage: app.stage });
    }
    if (input.decidedAt) {
      const [latest] = await tx
        .select({ startsAt: interviews.startsAt })
        .from(interviews)
        .where(and(eq(interviews.applicationId, applicationId), eq(interviews.status, 'completed')))
        .orderBy(desc(interviews.startsAt))
        .limit(1);
      if (latest && decidedAt.getTime() < latest.startsAt.getTime()) {
        throw new AppError('validation_failed', 'A decision cannot come before the interview it follows', [
          { field: 'body.decidedAt', message: `Must not be before the latest completed interview, which began ${latest.startsAt.toISOString()}` },
        ]);
      }
    }
    const [created] = await tx
      .insert(outcomes)
      .values({
        tenantId: actor.tenantId,
        id: newId(),
        applicationId,
        kind: input.kind,
        reason: input.reason ?? null,
        notes: input.notes ?? null,
        actorType: actor.kind,
        actorId: actor.userId ?? actor.apiKeyId,
        decidedAt,
        createdAt: now,
      })
      .returning();
    const outcome = created!;
    await recordChange(actor, now, {
      action: 'outcome.logged',
      subject: { type: 'outcome', id: outcome.id },
      refs: { candidateId: app.candidateId, applicationId },
      changes: diff(null, outcome, ['kind', 'reason', 'decidedAt']),
      data: { kind: outcome.kind, reason: outcome.reason, decidedAt: outcome.decidedAt.toISOString() },
    });
    const to = stageAfterOutcome[input.kind];
    if (to) {
      const reason = `Outcome ${input.kind}${input.reason ? `: ${input.reason}` : ''}`;
      try {
        app = await changeStage(tx, actor, now, app, to, reason);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'conflict') throw err;
        throw new AppError('conflict', `An outcome ${input.kind} cannot move the application from ${app.stage} to ${to}`, [
          { field: 'body.kind', message: `Not allowed from ${app.stage}` },
        ], err.extra);
      }
    }
    // The decision settles the employer's open promises (the promise ledger, docs/reports.md).
    await settlePromises(tx, applicationId, input.kind, now);
    await recordDecision(tx, applicationId, input.kind, now);
    // The outcome cancels what it makes pointless and may call for new steps (post-decision thanks).
    await syncApplicationFollowUps(tx, actor, now, applicationId);
    return { ...presentOutcome(outcome), application: { id: app.id, stage: app.stage, version: app.version } };
  });
}

/** Newest first. */
export async function listOutcomes(deps: Deps, actor: Actor, applicationId: string, q: z.output<typeof listSubresourceQuery>) {
  const page = await listLogOf(deps.db, actor.tenantId, outcomes, applicationId, q);
  return { data: page.data.map(presentOutcome), nextCursor: page.nextCursor };
}

export async function getOutcome(deps: Deps, actor: Actor, applicationId: string, id: string) {
  const row = await findLogEntry(deps.db, actor.tenantId, outcomes, applicationId, id);
  if (!row) throw notFound('Outcome');
  return presentOutcome(row);
}
