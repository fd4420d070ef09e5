import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { applicationStageChanges, applications, type applicationStages } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Actor } from '../../lib/access.js';
import { recordChange, type ChangeRecord, type Changes } from '../activity/activity.service.js';
import { revokeLinks } from '../responses/responses.revoke.js';

export type Stage = (typeof applicationStages)[number];

/** Where an application may go from each stage. hired, rejected and withdrawn are final. */
export const stageTransitions: Record<Stage, readonly Stage[]> = {
  submitted: ['interviewing', 'offer', 'rejected', 'withdrawn', 'on_hold'],
  interviewing: ['offer', 'rejected', 'withdrawn', 'on_hold'],
  offer: ['hired', 'rejected', 'withdrawn', 'on_hold'],
  on_hold: ['submitted', 'interviewing', 'offer', 'rejected', 'withdrawn'],
  hired: [],
  rejected: [],
  withdrawn: [],
};

export const isClosed = (stage: Stage) => stageTransitions[stage].length === 0;

export function assertTransition(from: Stage, to: Stage, field = 'body.stage'): void {
  if (from === to) return;
  if (!stageTransitions[from].includes(to)) {
    throw new AppError(
      'conflict',
      isClosed(from)
        ? `The application is closed (${from})`
        : `An application cannot move from ${from} to ${to}; allowed: ${stageTransitions[from].join(', ')}`,
      [{ field, message: `Not allowed from ${from}` }],
      { from, to, allowed: stageTransitions[from] },
    );
  }
}

type ApplicationRow = typeof applications.$inferSelect;

/** The activity and event of a change to an application, with its candidate and itself as refs. */
export const applicationChange = (
  action: ChangeRecord['action'],
  app: { id: string; candidateId: string },
  changes: Changes,
  data?: Record<string, unknown>,
): ChangeRecord => ({ action, subject: { type: 'application', id: app.id }, refs: { candidateId: app.candidateId, applicationId: app.id }, changes, data });

/** A row of the application's stage history: from where (null: just created) to where, why, and who moved it. */
export async function logStageChange(tx: Tx, actor: Actor, now: Date, applicationId: string, fromStage: Stage | null, toStage: Stage, reason: string | null) {
  await tx.insert(applicationStageChanges).values({
    tenantId: actor.tenantId,
    id: newId(),
    applicationId,
    fromStage,
    toStage,
    reason,
    actorType: actor.kind,
    actorId: actor.userId ?? actor.apiKeyId,
    createdAt: now,
  });
}

/**
 * Moves an application to another stage in the caller's transaction: checks the transition,
 * keeps the history row, writes the activity and the `application.stage_changed` event.
 * Returns the updated row (or the same one when the stage does not change).
 */
export async function changeStage(
  tx: Tx,
  actor: Actor,
  now: Date,
  app: ApplicationRow,
  to: Stage,
  reason: string | null,
): Promise<ApplicationRow> {
  if (app.stage === to) return app;
  assertTransition(app.stage, to);
  const [updated] = await tx
    .update(applications)
    .set({ stage: to, stageChangedAt: now, version: app.version + 1, updatedAt: now })
    .where(eq(applications.id, app.id))
    .returning();
  await logStageChange(tx, actor, now, app.id, app.stage, to, reason);
  await recordChange(actor, now, applicationChange('application.stage_changed', app, { stage: { before: app.stage, after: to } }, { from: app.stage, to, reason }));
  // A closed application's response links stop working (docs/response-links.md).
  if (isClosed(to)) await revokeLinks(tx, [app.id], now, `application ${to}`);
  return updated!;
}
