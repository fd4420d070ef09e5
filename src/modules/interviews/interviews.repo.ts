import { and, asc, eq, gt, gte, inArray, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { applications, contacts, interviewParticipants, interviews, positions } from '../../db/schema.js';

export type InterviewRow = typeof interviews.$inferSelect;

const base = {
  interview: interviews,
  candidateId: applications.candidateId,
  positionId: applications.positionId,
  employerId: positions.employerId,
};

/** Interviews with their application's ids and their participants, in the order given. */
async function withParticipants(tx: Tx, rows: { interview: InterviewRow; candidateId: string; positionId: string; employerId: string }[]) {
  if (rows.length === 0) return [];
  const people = await tx
    .select({
      interviewId: interviewParticipants.interviewId,
      contactId: interviewParticipants.contactId,
      name: contacts.name,
      email: contacts.email,
      role: interviewParticipants.role,
      highlight: interviewParticipants.highlight,
      notes: interviewParticipants.notes,
    })
    .from(interviewParticipants)
    .innerJoin(contacts, eq(contacts.id, interviewParticipants.contactId))
    .where(inArray(interviewParticipants.interviewId, rows.map((r) => r.interview.id)))
    .orderBy(asc(interviewParticipants.id));
  return rows.map(({ interview: { tenantId: _t, ...i }, candidateId, positionId, employerId }) => ({
    ...i,
    candidateId,
    positionId,
    employerId,
    participants: people.filter((p) => p.interviewId === i.id).map(({ interviewId: _i, ...p }) => p),
  }));
}

export async function loadInterview(tx: Tx, id: string) {
  const rows = await tx
    .select(base)
    .from(interviews)
    .innerJoin(applications, eq(applications.id, interviews.applicationId))
    .innerJoin(positions, eq(positions.id, applications.positionId))
    .where(eq(interviews.id, id));
  return (await withParticipants(tx, rows))[0];
}

export interface InterviewFilter {
  limit: number;
  after?: { startsAt: string; id: string } | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  status?: InterviewRow['status'] | undefined;
  employerId?: string | undefined;
  recruiterId?: string | undefined;
  candidateId?: string | undefined;
  applicationId?: string | undefined;
}

/** Keyset page ordered by start time then id: uses interviews_starts_idx / interviews_status_starts_idx. */
export async function findInterviews(tx: Tx, f: InterviewFilter) {
  const rows = await tx
    .select(base)
    .from(interviews)
    .innerJoin(applications, eq(applications.id, interviews.applicationId))
    .innerJoin(positions, eq(positions.id, applications.positionId))
    .where(
      and(
        f.from ? gte(interviews.startsAt, f.from) : undefined,
        f.to ? lt(interviews.startsAt, f.to) : undefined,
        f.status ? eq(interviews.status, f.status) : undefined,
        f.employerId ? eq(positions.employerId, f.employerId) : undefined,
        f.recruiterId ? eq(applications.ownerId, f.recruiterId) : undefined,
        f.candidateId ? eq(applications.candidateId, f.candidateId) : undefined,
        f.applicationId ? eq(interviews.applicationId, f.applicationId) : undefined,
        f.after
          ? or(
              gt(interviews.startsAt, new Date(f.after.startsAt)),
              and(eq(interviews.startsAt, new Date(f.after.startsAt)), gt(interviews.id, f.after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(asc(interviews.startsAt), asc(interviews.id))
    .limit(f.limit + 1);
  return withParticipants(tx, rows);
}

/** Employers a contact may interview for a position at `employerId`: it and the districts above it. */
export async function employerChain(tx: Tx, employerId: string): Promise<string[]> {
  const res = await tx.execute<{ id: string }>(sql`
    WITH RECURSIVE up AS (
      SELECT id, parent_id, 0 AS depth FROM employers WHERE id = ${employerId}
      UNION ALL
      SELECT e.id, e.parent_id, up.depth + 1 FROM employers e JOIN up ON e.id = up.parent_id WHERE up.depth < 20
    ) SELECT id FROM up`);
  return res.rows.map((r) => r.id);
}
