import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { employerPromises, tenants } from '../../db/schema/index.js';
import { businessCalendar, isBusinessDay, localDateOf, sourcedHolidays, type BusinessCalendar, type Holiday, type IsoDate } from '../../core/businessTime.js';
import { parsePlaybook } from '../../core/followups/playbook.js';
import { newId } from '../../lib/ids.js';
import { EMPLOYER_DECISIONS as DECISION_KINDS } from '../reports/reports.summary.js';
import type { ChangeActor } from '../../db/outbox.js';

// The promise ledger (docs/reports.md): every decision date an employer gives, kept in the
// transaction of the fact that brings it; when the decision arrives, each open promise of the
// application becomes kept (decided on or before the date) or late by N business days.

/** Outcomes that are the employer's decision; a withdrawal ends the promises without one. */
const EMPLOYER_DECISIONS: ReadonlySet<string> = new Set(DECISION_KINDS);
const ENDS_WITHOUT_DECISION = new Set(['withdrawn']);

type PromiseSource = (typeof employerPromises.$inferInsert)['source'];

/**
 * Keeps a decision date the employer gave. The same date already open on the application is the
 * same promise repeated, not a new one. The giver is `contactId` when known (the link's contact,
 * the answered email's), else the interview's hiring manager (else its first interviewer).
 */
export async function recordPromise(
  tx: Tx,
  actor: ChangeActor,
  now: Date,
  p: { applicationId: string; interviewId: string | null; date: IsoDate; source: PromiseSource; replyId?: string | null; contactId?: string | null; givenAt?: Date },
): Promise<void> {
  const actorId = 'userId' in actor ? (actor.userId ?? actor.apiKeyId) : null;
  await tx.execute(sql`
    INSERT INTO employer_promises (tenant_id, id, application_id, interview_id, employer_id, contact_id, owner_id, promised_date, given_at, source, reply_id, actor_type, actor_id, created_at)
    SELECT a.tenant_id, ${newId()}, a.id, ${p.interviewId}::uuid, pos.employer_id,
           coalesce(${p.contactId ?? null}::uuid, (
             SELECT ip.contact_id FROM interview_participants ip
             WHERE ip.interview_id = ${p.interviewId}::uuid
             ORDER BY (ip.role = 'hiring_manager') DESC, ip.created_at, ip.id LIMIT 1)),
           a.owner_id, ${p.date}::date, ${p.givenAt ?? now}, ${p.source}, ${p.replyId ?? null}::uuid, ${actor.kind}, ${actorId}::uuid, ${now}
    FROM applications a JOIN positions pos ON pos.id = a.position_id
    WHERE a.id = ${p.applicationId}
      AND NOT EXISTS (SELECT 1 FROM employer_promises ep
                      WHERE ep.application_id = a.id AND ep.status = 'open' AND ep.promised_date = ${p.date}::date)`);
}

/** Business days after `promised` up to and including `decided` (0 when decided on or before it). */
export function businessDaysLate(promised: IsoDate, decided: IsoDate, cal: BusinessCalendar): number {
  if (decided <= promised) return 0;
  let n = 0;
  const d = new Date(`${promised}T12:00:00Z`);
  for (let i = 0; i < 3660; i++) {
    d.setUTCDate(d.getUTCDate() + 1);
    const day = d.toISOString().slice(0, 10);
    if (day > decided) break;
    if (isBusinessDay(day, cal)) n++;
  }
  return n;
}

/** The employer's business calendar: its zone, its and its parent's holidays, the agency's days off and working week. */
async function employerCalendar(tx: Tx, applicationId: string): Promise<BusinessCalendar> {
  const res = await tx.execute<{ zone: string; own: Holiday[]; parent: Holiday[] | null; agency: Holiday[]; playbook: unknown }>(sql`
    SELECT e.time_zone AS zone, e.holidays AS own, pe.holidays AS parent, t.holidays AS agency, t.playbook
    FROM applications a JOIN positions pos ON pos.id = a.position_id JOIN employers e ON e.id = pos.employer_id
    LEFT JOIN employers pe ON pe.id = e.parent_id JOIN ${tenants} t ON t.id = a.tenant_id
    WHERE a.id = ${applicationId}`);
  const r = res.rows[0]!;
  const pb = parsePlaybook(r.playbook ?? {});
  return businessCalendar({
    zone: r.zone,
    businessDays: pb.businessDays,
    holidays: [...sourcedHolidays('employer', [...r.own, ...(r.parent ?? [])]), ...sourcedHolidays('agency', r.agency)],
  });
}

/**
 * The decision arrived (an outcome logged, or a reply that brings one): every open promise of the
 * application is settled, kept or late by the business days past its date in the employer's
 * calendar. A withdrawal voids them (no decision came). Returns how many were settled. `madeBy`:
 * only the promises recorded by then (a reply settled after its commit leaves later ones open).
 */
export async function settlePromises(tx: Tx, applicationId: string, kind: string, decidedAt: Date, opts: { madeBy?: Date } = {}): Promise<number> {
  if (!EMPLOYER_DECISIONS.has(kind) && !ENDS_WITHOUT_DECISION.has(kind)) return 0;
  const open = await tx
    .select({ id: employerPromises.id, promisedDate: employerPromises.promisedDate })
    .from(employerPromises)
    .where(
      and(
        eq(employerPromises.applicationId, applicationId),
        eq(employerPromises.status, 'open'),
        // Settled after the fact (a link's answer, by the worker): only what was promised before it.
        opts.madeBy ? lte(employerPromises.createdAt, opts.madeBy) : undefined,
      ),
    )
    .for('update');
  if (open.length === 0) return 0;
  if (ENDS_WITHOUT_DECISION.has(kind)) {
    await tx
      .update(employerPromises)
      .set({ status: 'void', decidedAt })
      .where(inArray(employerPromises.id, open.map((p) => p.id)));
    return open.length;
  }
  const cal = await employerCalendar(tx, applicationId);
  const decided = localDateOf(decidedAt, cal.zone);
  for (const p of open) {
    const late = businessDaysLate(p.promisedDate, decided, cal);
    await tx
      .update(employerPromises)
      .set({ status: late === 0 ? 'kept' : 'late', lateBusinessDays: late, decidedAt })
      .where(eq(employerPromises.id, p.id));
  }
  return open.length;
}

/**
 * A reply arrived: each email sent to the employer's contacts on the application and not answered
 * yet is answered by it (the answer times of the reports).
 */
export async function recordEmailAnswers(tx: Tx, applicationId: string, replyId: string, answeredAt: Date): Promise<void> {
  await tx.execute(sql`
    INSERT INTO email_answers (tenant_id, follow_up_id, application_id, contact_id, employer_id, sent_at, answered_at, reply_id)
    SELECT f.tenant_id, f.id, f.application_id, f.contact_id, pos.employer_id, f.sent_at, ${answeredAt}, ${replyId}::uuid
    FROM follow_ups f JOIN applications a ON a.id = f.application_id JOIN positions pos ON pos.id = a.position_id
    WHERE f.application_id = ${applicationId}
      -- Reached through the candidate's index (follow_ups has none by application): not every sent email of the agency.
      AND f.candidate_id = (SELECT candidate_id FROM applications WHERE id = ${applicationId})
      AND f.status = 'sent' AND f.channel = 'email'
      AND f.recipient->>'type' = 'contact' AND f.sent_at <= ${answeredAt}
      AND NOT EXISTS (SELECT 1 FROM email_answers ea WHERE ea.follow_up_id = f.id)
    ON CONFLICT (follow_up_id) DO NOTHING`);
}
