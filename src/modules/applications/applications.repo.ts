import { asc, desc, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { applicationStageChanges, applications, employerReplies, outcomes } from '../../db/schema/index.js';
import { notFound } from '../../lib/errors.js';

export type ApplicationRow = typeof applications.$inferSelect;
type OutcomeRow = typeof outcomes.$inferSelect;
type ReplyRow = typeof employerReplies.$inferSelect;
type StageChangeRow = typeof applicationStageChanges.$inferSelect;

export const presentApplication = ({ tenantId: _t, ...a }: ApplicationRow) => a;

export const presentOutcome = ({ tenantId: _t, actorType, actorId, ...o }: OutcomeRow) => ({ ...o, actor: { type: actorType, id: actorId } });

export const presentReply = ({ tenantId: _t, actorType, actorId, ...r }: ReplyRow) => ({ ...r, actor: { type: actorType, id: actorId } });

const presentStageChange = (c: StageChangeRow) => ({
  from: c.fromStage,
  to: c.toStage,
  reason: c.reason,
  actor: { type: c.actorType, id: c.actorId },
  at: c.createdAt,
});

/**
 * The application, locked for the rest of the transaction: `update` when the row changes,
 * `no key update` when it changes but records pointing at it (follow-ups) may still be added
 * meanwhile, `key share` when the caller only adds records that point at it.
 */
export async function lockApplication(tx: Tx, id: string, mode: 'update' | 'no key update' | 'key share' = 'update'): Promise<ApplicationRow> {
  const [row] = await tx.select().from(applications).where(eq(applications.id, id)).for(mode);
  if (!row) throw notFound('Application');
  return row;
}

export async function findApplication(tx: Tx, id: string): Promise<ApplicationRow> {
  const [row] = await tx.select().from(applications).where(eq(applications.id, id));
  if (!row) throw notFound('Application');
  return row;
}

/** The application with its stage history (oldest first) and its latest outcome. */
export async function applicationDetail(tx: Tx, app: ApplicationRow) {
  const history = await tx
    .select()
    .from(applicationStageChanges)
    .where(eq(applicationStageChanges.applicationId, app.id))
    .orderBy(asc(applicationStageChanges.id));
  const [latest] = await tx.select().from(outcomes).where(eq(outcomes.applicationId, app.id)).orderBy(desc(outcomes.id)).limit(1);
  return {
    ...presentApplication(app),
    stageHistory: history.map(presentStageChange),
    latestOutcome: latest ? presentOutcome(latest) : null,
  };
}
