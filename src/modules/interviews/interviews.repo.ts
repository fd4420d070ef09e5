import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import { tdb, type Tx } from '../../db/client.js';
import { applications, candidates, contacts, employers, interviewParticipants, interviews, positions } from '../../db/schema/index.js';

export type InterviewRow = typeof interviews.$inferSelect;

// Flat rows (no tenant id): the page is served as drizzle maps it, with no copy per row.
const { tenantId: _tenantId, ...interviewColumns } = getTableColumns(interviews);
const base = {
  ...interviewColumns,
  candidateId: applications.candidateId,
  positionId: applications.positionId,
  employerId: positions.employerId,
  // Names a list shows, so a client needs no call per row.
  candidateName: candidates.name,
  positionTitle: positions.title,
  employerName: employers.name,
};

/** Interviews with their application's, position's, candidate's and employer's columns (`base`). */
const joined = (tx: Tx) =>
  tx
    .select(base)
    .from(interviews)
    .innerJoin(applications, eq(applications.id, interviews.applicationId))
    .innerJoin(positions, eq(positions.id, applications.positionId))
    .innerJoin(candidates, eq(candidates.id, applications.candidateId))
    .innerJoin(employers, eq(employers.id, positions.employerId));

// The participants of a page of interviews: one prepared statement, the ids bound as one array.
const participantsOf = tdb
  .select({
    interviewId: interviewParticipants.interviewId,
    contactId: interviewParticipants.contactId,
    name: contacts.name,
    email: contacts.email,
    role: interviewParticipants.role,
    highlight: interviewParticipants.highlight,
    notes: interviewParticipants.notes,
    response: interviewParticipants.response,
    respondedAt: interviewParticipants.respondedAt,
  })
  .from(interviewParticipants)
  .innerJoin(contacts, eq(contacts.id, interviewParticipants.contactId))
  .where(sql`${interviewParticipants.interviewId} = ANY(${sql.placeholder('ids')}::uuid[])`)
  .orderBy(asc(interviewParticipants.id))
  .prepare('interview_participants_of');

type Participant = Omit<Awaited<ReturnType<typeof participantsOf.execute>>[number], 'interviewId'>;

/** Interviews with their application's ids and their participants, in the order given. */
async function withParticipants<R extends { id: string }>(rows: R[]): Promise<(R & { participants: Participant[] })[]> {
  if (rows.length === 0) return [];
  const people = await participantsOf.execute({ ids: rows.map((r) => r.id) });
  const byInterview = new Map<string, Participant[]>();
  for (const { interviewId, ...p } of people) {
    const list = byInterview.get(interviewId);
    if (list) list.push(p);
    else byInterview.set(interviewId, [p]);
  }
  return rows.map((r) => Object.assign(r, { participants: byInterview.get(r.id) ?? [] }));
}

export async function loadInterview(tx: Tx, id: string) {
  const rows = await joined(tx)
    .where(eq(interviews.id, id));
  return (await withParticipants(rows))[0];
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

const FILTERS = ['from', 'to', 'status', 'employerId', 'recruiterId', 'candidateId', 'applicationId', 'after'] as const;
const ph = sql.placeholder;

/** The list statement for one combination of filters, with placeholders for their values. */
function listStatement(present: ReadonlySet<(typeof FILTERS)[number]>, name: string) {
  return joined(tdb)
    .where(
      and(
        present.has('from') ? sql`${interviews.startsAt} >= ${ph('from')}::timestamptz` : undefined,
        present.has('to') ? sql`${interviews.startsAt} < ${ph('to')}::timestamptz` : undefined,
        present.has('status') ? eq(interviews.status, ph('status')) : undefined,
        present.has('employerId') ? eq(positions.employerId, ph('employerId')) : undefined,
        present.has('recruiterId') ? eq(applications.ownerId, ph('recruiterId')) : undefined,
        present.has('candidateId') ? eq(applications.candidateId, ph('candidateId')) : undefined,
        present.has('applicationId') ? eq(interviews.applicationId, ph('applicationId')) : undefined,
        present.has('after')
          ? sql`(${interviews.startsAt} > ${ph('afterStartsAt')}::timestamptz OR (${interviews.startsAt} = ${ph('afterStartsAt')}::timestamptz AND ${interviews.id} > ${ph('afterId')}::uuid))`
          : undefined,
      ),
    )
    .orderBy(asc(interviews.startsAt), asc(interviews.id))
    .limit(ph('limit'))
    .prepare(name);
}

/**
 * One prepared statement per combination of the filters given (at most 2^8), built on first use:
 * a list request neither rebuilds its SQL in drizzle nor has PostgreSQL parse and plan it again.
 */
const listStatements = new Map<number, ReturnType<typeof listStatement>>();

/**
 * Keyset page ordered by start time then id (interviews_starts_idx / interviews_status_starts_idx),
 * in the caller's tenant scope (readTenant/withTenant), like every prepared statement.
 */
export async function findInterviews(f: InterviewFilter) {
  let bits = 0;
  const present = new Set<(typeof FILTERS)[number]>();
  FILTERS.forEach((k, i) => {
    if (f[k]) {
      bits |= 1 << i;
      present.add(k);
    }
  });
  let statement = listStatements.get(bits);
  if (!statement) listStatements.set(bits, (statement = listStatement(present, `interviews_list_${bits}`)));
  const rows = await statement.execute({
    from: f.from,
    to: f.to,
    status: f.status,
    employerId: f.employerId,
    recruiterId: f.recruiterId,
    candidateId: f.candidateId,
    applicationId: f.applicationId,
    afterStartsAt: f.after?.startsAt,
    afterId: f.after?.id,
    limit: f.limit + 1,
  });
  return withParticipants(rows);
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

/** Every interview of a candidate's applications, oldest first, with their participants (the export). */
export async function interviewsOfCandidate(tx: Tx, candidateId: string) {
  const rows = await joined(tx)
    .where(eq(applications.candidateId, candidateId))
    .orderBy(asc(interviews.startsAt), asc(interviews.id));
  return withParticipants(rows);
}
