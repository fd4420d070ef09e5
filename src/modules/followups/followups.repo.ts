import { and, asc, desc, eq, gt, isNull, lt, or, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Tx } from '../../db/client.js';
import {
  applications,
  candidates,
  contacts,
  employerReplies,
  employers,
  followUps,
  interviewParticipants,
  interviews,
  outcomes,
  positions,
  tenants,
  users,
} from '../../db/schema/index.js';
import { parsePlaybook, type Playbook } from '../../core/followups/playbook.js';
import { templateIdFor } from '../../core/templates.js';
import type { FollowUpFacts } from '../../core/followups/types.js';

export type FollowUpRow = typeof followUps.$inferSelect;

/** When an email leaves: its due time plus its undo window (docs/followups.md#the-undo-window). */
export const sendsAtOf = (f: Pick<FollowUpRow, 'dueAt' | 'undoSeconds'>) => new Date(f.dueAt.getTime() + f.undoSeconds * 1000);

/** Due, not yet gone, and still undoable: a pending email between its due time and the moment it leaves. */
export const inUndoWindow = (f: Pick<FollowUpRow, 'status' | 'channel' | 'dueAt' | 'undoSeconds'>, now: Date) =>
  f.status === 'pending' && f.channel === 'email' && f.dueAt.getTime() <= now.getTime() && now.getTime() < sendsAtOf(f).getTime();

export const presentFollowUp = ({ tenantId: _t, plannedDueAt: _p, cancelledBy: _c, undoTo: _u, ...f }: FollowUpRow, now: Date) => ({
  ...f,
  sendsAt: sendsAtOf(f),
  inUndoWindow: inUndoWindow(f, now),
  templateId: templateIdFor(f),
  /** A subject or body written by hand: it is sent as written instead of the template's. */
  edited: f.subject !== null || f.body !== null,
  overdue: (f.status === 'pending' || f.status === 'queued') && f.dueAt.getTime() < now.getTime(),
});

/** The agency's playbook: the stored one, else the defaults. */
export async function loadPlaybook(tx: Tx, tenantId: string): Promise<Playbook> {
  const [row] = await tx.select({ playbook: tenants.playbook }).from(tenants).where(eq(tenants.id, tenantId));
  return parsePlaybook(row?.playbook ?? {});
}

const parent = alias(employers, 'parent_employer');

/** The interview with what routing needs around it, its row locked: syncs of one interview run one at a time. */
export async function lockInterviewContext(tx: Tx, interviewId: string) {
  const [row] = await tx
    .select({
      interview: interviews,
      candidateId: applications.candidateId,
      ownerId: applications.ownerId,
      positionTitle: positions.title,
      employer: { name: employers.name, timeZone: employers.timeZone, holidays: employers.holidays },
      parentHolidays: parent.holidays,
      candidate: {
        name: candidates.name,
        email: candidates.email,
        relayConsent: candidates.relayConsent,
        statusUpdatesOptIn: candidates.statusUpdatesOptIn,
        timeZone: candidates.timeZone,
      },
      recruiter: { userId: users.id, name: users.name, email: users.email, timeZone: users.timeZone },
    })
    .from(interviews)
    .innerJoin(applications, eq(applications.id, interviews.applicationId))
    .innerJoin(positions, eq(positions.id, applications.positionId))
    .innerJoin(employers, eq(employers.id, positions.employerId))
    .leftJoin(parent, eq(parent.id, employers.parentId))
    .innerJoin(candidates, eq(candidates.id, applications.candidateId))
    .innerJoin(users, eq(users.id, applications.ownerId))
    .where(eq(interviews.id, interviewId))
    .for('update', { of: interviews });
  return row;
}

export type InterviewContext = NonNullable<Awaited<ReturnType<typeof lockInterviewContext>>>;

/**
 * Everything the planner reads about one interview (FollowUpFacts), inside the caller's transaction.
 * A school's breaks are its own plus its district's; replies count when they name this interview or
 * no interview; the outcome is the application's latest.
 */
export async function loadFacts(tx: Tx, tenantId: string, ctx: InterviewContext): Promise<FollowUpFacts> {
  const i = ctx.interview;
  const [agency, people, replies, latest] = await Promise.all([
    tx.select({ timeZone: tenants.timeZone, holidays: tenants.holidays }).from(tenants).where(eq(tenants.id, tenantId)),
    tx
      .select({
        contactId: interviewParticipants.contactId,
        name: contacts.name,
        email: contacts.email,
        phone: contacts.phone,
        linkedinUrl: contacts.linkedinUrl,
        timeZone: contacts.timeZone,
        role: interviewParticipants.role,
        highlight: interviewParticipants.highlight,
      })
      .from(interviewParticipants)
      .innerJoin(contacts, eq(contacts.id, interviewParticipants.contactId))
      .where(eq(interviewParticipants.interviewId, i.id))
      .orderBy(asc(interviewParticipants.id)),
    tx
      .select({ receivedAt: employerReplies.receivedAt, newDecisionExpectedBy: employerReplies.newDecisionExpectedBy })
      .from(employerReplies)
      .where(
        and(
          eq(employerReplies.applicationId, i.applicationId),
          or(eq(employerReplies.interviewId, i.id), isNull(employerReplies.interviewId)),
        ),
      )
      .orderBy(asc(employerReplies.receivedAt), asc(employerReplies.id)),
    tx
      .select({ kind: outcomes.kind, loggedAt: outcomes.createdAt, decidedAt: outcomes.decidedAt })
      .from(outcomes)
      .where(eq(outcomes.applicationId, i.applicationId))
      .orderBy(desc(outcomes.id))
      .limit(1),
  ]);
  return {
    interview: {
      id: i.id,
      startsAt: i.startsAt,
      endsAt: i.endsAt,
      timeZone: i.timeZone,
      arrangedVia: i.arrangedVia,
      status: i.status,
      completedAt: i.completedAt,
      decisionExpectedBy: i.decisionExpectedBy,
      highlights: i.highlights,
    },
    participants: people,
    employer: { ...ctx.employer, holidays: [...ctx.employer.holidays, ...(ctx.parentHolidays ?? [])] },
    agency: { timeZone: agency[0]!.timeZone, holidays: agency[0]!.holidays },
    candidate: ctx.candidate,
    position: { title: ctx.positionTitle },
    recruiter: ctx.recruiter,
    replies,
    outcome: latest[0] ?? null,
  };
}

export interface FollowUpFilter {
  limit: number;
  now: Date;
  after?: { dueAt: string; id: string } | undefined;
  dueBefore?: Date | undefined;
  overdue?: boolean | undefined;
  status?: FollowUpRow['status'] | undefined;
  kind?: FollowUpRow['kind'] | undefined;
  recruiterId?: string | undefined;
  candidateId?: string | undefined;
  interviewId?: string | undefined;
}

const open = inArray(followUps.status, ['pending', 'queued']);

/** Keyset page by due time then id; each filter has an index starting (tenant_id, filter, due_at). */
export function findFollowUps(tx: Tx, f: FollowUpFilter) {
  return tx
    .select()
    .from(followUps)
    .where(
      and(
        f.dueBefore ? lt(followUps.dueAt, f.dueBefore) : undefined,
        f.overdue === true ? and(open, lt(followUps.dueAt, f.now)) : undefined,
        f.overdue === false ? sql`NOT (${open} AND ${followUps.dueAt} < ${f.now})` : undefined,
        f.status ? eq(followUps.status, f.status) : undefined,
        f.kind ? eq(followUps.kind, f.kind) : undefined,
        f.recruiterId ? eq(followUps.ownerId, f.recruiterId) : undefined,
        f.candidateId ? eq(followUps.candidateId, f.candidateId) : undefined,
        f.interviewId ? eq(followUps.interviewId, f.interviewId) : undefined,
        f.after
          ? or(gt(followUps.dueAt, new Date(f.after.dueAt)), and(eq(followUps.dueAt, new Date(f.after.dueAt)), gt(followUps.id, f.after.id)))
          : undefined,
      ),
    )
    .orderBy(asc(followUps.dueAt), asc(followUps.id))
    .limit(f.limit + 1);
}
