import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { readTenant, tdb, type Database, type Tx } from '../../db/client.js';
import { cursorAfter, pageById } from '../../db/pages.js';
import { applicationStageChanges, applications, candidates, employerReplies, employers, outcomes, positions } from '../../db/schema/index.js';
import { notFound } from '../../lib/errors.js';

export type ApplicationRow = typeof applications.$inferSelect;
type OutcomeRow = typeof outcomes.$inferSelect;
type ReplyRow = typeof employerReplies.$inferSelect;
type StageChangeRow = typeof applicationStageChanges.$inferSelect;

export const presentApplication = ({ tenantId: _t, ...a }: ApplicationRow) => a;

/**
 * A page of applications with the names a list shows (candidate, position, employer), read in one
 * query by the page's ids, so a client needs no call per row (a position's pipeline, say).
 */
export async function withNames(tx: Tx, rows: ApplicationRow[]) {
  if (rows.length === 0) return [];
  const names = await tx
    .select({ id: applications.id, candidateName: candidates.name, positionTitle: positions.title, employerId: positions.employerId, employerName: employers.name })
    .from(applications)
    .innerJoin(candidates, eq(candidates.id, applications.candidateId))
    .innerJoin(positions, eq(positions.id, applications.positionId))
    .innerJoin(employers, eq(employers.id, positions.employerId))
    .where(inArray(applications.id, rows.map((r) => r.id)));
  const byId = new Map(names.map(({ id, ...n }) => [id, n]));
  return rows.map((r) => {
    const n = byId.get(r.id)!;
    return { ...presentApplication(r), ...n };
  });
}

export const presentOutcome = ({ tenantId: _t, actorType, actorId, ...o }: OutcomeRow) => ({ ...o, actor: { type: actorType, id: actorId } });

export const presentReply = ({ tenantId: _t, replannedAt: _replanned, actorType, actorId, ...r }: ReplyRow) => ({ ...r, actor: { type: actorType, id: actorId } });

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

/** An application's logs: the decisions (outcomes) and the employers' replies. */
type ApplicationLog = typeof outcomes | typeof employerReplies;

/** A page of an application's log, newest first; 404 when the application is not the agency's. */
export async function listLogOf<T extends ApplicationLog>(
  db: Database,
  tenantId: string,
  table: T,
  applicationId: string,
  q: { limit: number; cursor?: string | undefined },
) {
  const after = cursorAfter(q.cursor);
  return readTenant(db, tenantId, async (tx) => {
    await findApplication(tx, applicationId);
    return pageById(table, after, q.limit, [eq(table.applicationId, applicationId)]);
  });
}

/** One entry of an application's log, if it is that application's. */
export async function findLogEntry<T extends ApplicationLog>(db: Database, tenantId: string, table: T, applicationId: string, id: string) {
  const rows = await readTenant(db, tenantId, () =>
    tdb
      .select()
      .from(table as PgTable)
      .where(and(eq(table.id, id), eq(table.applicationId, applicationId))),
  );
  return rows[0] as T['$inferSelect'] | undefined;
}
