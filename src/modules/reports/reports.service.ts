import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, type Tx } from '../../db/client.js';
import { applicationStages } from '../../db/schema/index.js';
import { atLocal, localDateOf } from '../../core/businessTime.js';
import { AppError } from '../../lib/errors.js';
import type { Actor } from '../../lib/access.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { employersStatement, followUpsStatement, pipelinePageStatement, pipelineStatement, type Period, type Query } from './reports.statements.js';
import { pipelineCursor, PIPELINE_PAGE } from './reports.schemas.js';

// The reports (docs/reports.md): one statement each (reports.statements.ts) over indexes and the
// summaries the facts' triggers keep; here the period and the rows' shape.

const DAY_MS = 86_400_000;
const MAX_DAYS = 1096;

const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const round = (v: unknown, digits: number) => (v === null || v === undefined ? null : Math.round(Number(v) * 10 ** digits) / 10 ** digits);
const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

/** The period in the agency's zone: [start of `from`, start of the day after `to`). */
async function period(tx: Tx, q: Query, now: Date): Promise<Period> {
  const res = await tx.execute<{ zone: string }>(sql`SELECT time_zone AS zone FROM tenants WHERE id = current_setting('app.tenant_id')::uuid`);
  const timeZone = res.rows[0]!.zone;
  const to = q.to ?? localDateOf(now, timeZone);
  const from = q.from ?? plusDays(to, -89);
  if (from > to) throw new AppError('validation_failed', 'to is before from', [{ field: 'query.to', message: 'Must be on or after from' }]);
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS >= MAX_DAYS) {
    throw new AppError('validation_failed', `A report covers at most ${MAX_DAYS} days`, [{ field: 'query.from', message: `At most ${MAX_DAYS} days before to` }]);
  }
  return { from, to, timeZone, start: atLocal(from, '00:00', timeZone).at, end: atLocal(plusDays(to, 1), '00:00', timeZone).at };
}

async function run<T>(deps: Deps, actor: Actor, q: Query, body: (tx: Tx, p: Period) => Promise<T[]>) {
  return readTenant(deps.db, actor.tenantId, async (tx) => {
    const p = await period(tx, q, deps.clock.now());
    return { from: p.from, to: p.to, timeZone: p.timeZone, data: await body(tx, p) };
  });
}

export function employersReport(deps: Deps, actor: Actor, q: Query) {
  return run(deps, actor, q, async (tx, p) => {
    const res = await tx.execute<Record<string, unknown>>(employersStatement(q, p));
    return res.rows.map((r) => ({
      level: num(r.rollup) === 1 ? ('family' as const) : ('contact' as const),
      familyId: r.family_id as string,
      familyName: r.family_name as string,
      contactId: (num(r.rollup) === 1 ? null : r.contact_id) as string | null,
      contactName: (num(r.rollup) === 1 ? null : r.contact_name) as string | null,
      promised: num(r.promised),
      decided: num(r.decided),
      kept: num(r.kept),
      keptShare: ratio(num(r.kept), num(r.decided)),
      medianLateBusinessDays: round(r.median_late, 1),
      open: num(r.open),
      emailsAnswered: num(r.answered),
      medianAnswerDays: round(r.median_days, 1),
    }));
  });
}

export function followUpsReport(deps: Deps, actor: Actor, q: Query) {
  const now = deps.clock.now();
  return run(deps, actor, q, async (tx, p) => {
    const res = await tx.execute<Record<string, unknown>>(followUpsStatement(q, p, now));
    return res.rows.map((r) => ({
      recruiterId: r.owner_id as string,
      recruiterName: r.recruiter_name as string,
      kind: r.kind as string,
      due: num(r.due),
      sent: num(r.sent),
      sentOnTime: num(r.on_time),
      onTimeShare: ratio(num(r.on_time), num(r.sent)),
      overdue: num(r.overdue),
      waitingForApproval: num(r.waiting),
      answered: num(r.answered),
      answeredShare: ratio(num(r.answered), num(r.sent)),
    }));
  });
}

const pipelineRow = (r: Record<string, unknown>) => ({
  positionId: r.position_id as string,
  positionTitle: r.title as string,
  employerId: r.employer_id as string,
  employerName: r.employer_name as string,
  candidates: num(r.candidates),
  stages: Object.fromEntries(applicationStages.map((st) => [st, num(r[`stage_${st}`])])) as Record<(typeof applicationStages)[number], number>,
  decided: num(r.decided),
  medianDaysToDecision: round(r.median_days, 1),
});

/** Every row, by employer name, position title and id: the CSV. */
export function pipelineReportAll(deps: Deps, actor: Actor, q: Query) {
  return run(deps, actor, q, async (tx, p) => (await tx.execute<Record<string, unknown>>(pipelineStatement(q, p))).rows.map(pipelineRow));
}

/** One page (`limit`, default 100, at most 1000), by position id, and the cursor to the next. */
export async function pipelineReport(deps: Deps, actor: Actor, q: Query & { limit?: number; cursor?: string }) {
  const limit = q.limit ?? PIPELINE_PAGE.default;
  const after = decodeCursor(q.cursor, pipelineCursor);
  let nextCursor: string | null = null;
  const report = await run(deps, actor, q, async (tx, p) => {
    const res = await tx.execute<Record<string, unknown>>(pipelinePageStatement(q, p, after?.id, limit));
    const page = toPage(res.rows.map(pipelineRow), limit, (r) => ({ id: r.positionId }));
    nextCursor = page.nextCursor;
    return page.data;
  });
  return { ...report, nextCursor };
}
