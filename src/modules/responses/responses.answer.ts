import type { Deps } from '../../deps.js';
import { enqueueAfterCommit, readTenant, tdb } from '../../db/client.js';
import { foundChangeRows, foundOutboxCte, foundOutboxValues } from '../../db/outbox.js';
import { localDateOf, type IsoDate } from '../../core/businessTime.js';
import { playbookSchema } from '../../core/followups/playbook.js';
import { newId } from '../../lib/ids.js';
import { parseTenantToken, sha256 } from '../../lib/secrets.js';
import { replanRequest } from '../followups/followups.jobs.js';
import { LINK_DAYS_AFTER_DECISION, RESPONSE_PREFIX } from './responses.issue.js';
import { LINK_JOINS, type LinkProblem, type LinkView } from './responses.links.js';
import type { FormState } from './responses.page.js';

// A contact's answer through a response link (docs/response-links.md): checked, then recorded in
// one statement; the follow-ups are re-planned from it by the worker (`followups.replan`).

export const linkAnswers = ['offer', 'not_going_ahead', 'decide_by', 'ask_again'] as const;
export type LinkAnswer = (typeof linkAnswers)[number];
export interface LinkForm {
  answer: LinkAnswer;
  date: IsoDate | null;
  note: string | null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_NOTE = 2000;
const DAY_MS = 86_400_000;
const PAST = 'The date has passed: give a date from today on.';
const FAR = 'Give a date within a year.';

/**
 * The form as typed, checked: each mistake named by its field, for the page to show beside it.
 * Without the employer's zone (`zone` null) the date is not compared with their today: the answer's
 * statement does that, and the page then checks again with the zone it found.
 */
export function readForm(body: unknown, zone: string | null, now: Date): { form: LinkForm } | { state: FormState } {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const answer = str(raw.answer);
  const date = str(raw.date);
  const note = str(raw.note).replace(/\r\n/g, '\n');
  const errors: { field: string; message: string }[] = [];
  if (!(linkAnswers as readonly string[]).includes(answer)) errors.push({ field: 'answer', message: 'Choose one of the answers.' });
  const needsDate = answer === 'decide_by' || answer === 'ask_again';
  if (needsDate) {
    const valid = ISO_DATE.test(date) && !Number.isNaN(Date.parse(`${date}T12:00:00Z`)) && new Date(`${date}T12:00:00Z`).toISOString().startsWith(date);
    const today = zone ? localDateOf(now, zone) : null;
    if (!valid) errors.push({ field: 'date', message: 'Give the date, e.g. 2026-12-18.' });
    else if (today && date < today) errors.push({ field: 'date', message: PAST });
    else if (today && Date.parse(`${date}T12:00:00Z`) - Date.parse(`${today}T12:00:00Z`) > 366 * DAY_MS) errors.push({ field: 'date', message: FAR });
  }
  if (note.length > MAX_NOTE) errors.push({ field: 'note', message: `The note is longer than ${MAX_NOTE} characters.` });
  if (errors.length) return { state: { answer, date, note, errors } };
  return { form: { answer: answer as LinkAnswer, date: needsDate ? date : null, note: note || null } };
}

const ANSWER_WORDS: Record<LinkAnswer, (date: string | null) => string> = {
  offer: () => 'We decided: we would like to make an offer.',
  not_going_ahead: () => 'We decided: we are not going ahead.',
  decide_by: (d) => `We will decide by ${d}.`,
  ask_again: (d) => `Still deciding; ask me again on ${d}.`,
};

/** The playbook's defaults, for an agency whose playbook leaves them out (one source: its schema). */
const DEFAULTS = playbookSchema.parse({});

/**
 * The whole answer in one statement (one round trip with its tenant context, no BEGIN/COMMIT): the
 * link found by its hash and locked, then, only when it is live and the date is from the employer's
 * today to a year on, the reply (source `link`, the contact its author), the interview's new
 * decision date, the promise (for "decide by"), the emails it answers, the link's answer count and
 * later expiry, and the activity and event of each (`foundOutboxCte`). What the page needs comes
 * back either way; no row: no such link. "Ask me again on" is a decision date that many business
 * days after the date (the playbook's `statusCheck.beforeDecisionBusinessDays`, on its business
 * days), so that the first status check falls on that day: computed here as `addBusinessDays` does.
 *
 * $1 token hash, $2 now, $3 the date given, $4 ask again, $5/$6 the playbook's default business
 * days and days before, $7 reply id, $8 summary, $9 suggested outcome, $10 a promise, $11 promise
 * id, $12 the link's days after the decision, then three changes' outbox rows ($13, $23, $33).
 */
const ANSWER = {
  name: 'response_link_answer',
  text: `
    WITH link AS (
      SELECT l.id, l.tenant_id, l.application_id, l.contact_id, l.expires_at,
             (l.revoked_at IS NOT NULL OR c.erased_at IS NOT NULL) AS revoked, l.expires_at <= $2::timestamptz AS expired,
             c.name AS candidate, p.title AS position, t.name AS agency, e.time_zone AS zone,
             a.candidate_id, a.owner_id, p.employer_id, t.playbook, ($2::timestamptz AT TIME ZONE e.time_zone)::date AS today
      ${LINK_JOINS}
      WHERE l.token_hash = $1::text
      FOR UPDATE OF l
    ), checked AS (
      SELECT link.*, CASE WHEN $3::date IS NULL THEN NULL WHEN $3::date < today THEN 'past' WHEN $3::date - today > 366 THEN 'far' END AS date_problem
      FROM link
    ), ok AS (
      SELECT * FROM checked WHERE NOT revoked AND NOT expired AND date_problem IS NULL
    ), timeline AS (
      SELECT CASE WHEN NOT $4::boolean THEN $3::date ELSE (
               -- Each week has a business day: n of them fall within 7(n + 1) days.
               SELECT $3::date + i FROM generate_series((pb.n > 0)::int, 7 * (pb.n + 1)) i
               WHERE extract(isodow FROM $3::date + i)::int = ANY (pb.days) ORDER BY i OFFSET greatest(pb.n - 1, 0) LIMIT 1) END AS date
      FROM ok, LATERAL (
        SELECT coalesce((SELECT array_agg(d::int) FROM jsonb_array_elements_text(ok.playbook -> 'businessDays') d), $5::int[]) AS days,
               coalesce((ok.playbook -> 'statusCheck' ->> 'beforeDecisionBusinessDays')::int, $6::int) AS n) pb
      WHERE $3::date IS NOT NULL
    ), target AS (
      SELECT i.id, i.decision_expected_by AS before FROM interviews i, ok
      WHERE i.application_id = ok.application_id AND i.status <> 'cancelled' AND $3::date IS NOT NULL
      ORDER BY i.starts_at DESC, i.id DESC LIMIT 1
      FOR UPDATE OF i
    ), moved AS (
      UPDATE interviews i SET decision_expected_by = timeline.date, version = i.version + 1, updated_at = $2::timestamptz
      FROM target, timeline WHERE i.id = target.id AND i.decision_expected_by IS DISTINCT FROM timeline.date
      RETURNING i.id, target.before, timeline.date AS after
    ), reply AS (
      INSERT INTO employer_replies (tenant_id, id, application_id, interview_id, channel, summary, received_at, new_decision_expected_by,
                                    suggested_outcome, source, contact_id, actor_type, actor_id, created_at)
      SELECT ok.tenant_id, $7::uuid, ok.application_id, NULL, 'other', $8::text, $2::timestamptz, (SELECT date FROM timeline),
             $9::text, 'link', ok.contact_id, 'system', NULL, $2::timestamptz
      FROM ok
      RETURNING id
    ), promise AS (
      INSERT INTO employer_promises (tenant_id, id, application_id, interview_id, employer_id, contact_id, owner_id, promised_date, given_at,
                                     source, reply_id, actor_type, actor_id, created_at)
      SELECT ok.tenant_id, $11::uuid, ok.application_id, target.id, ok.employer_id, ok.contact_id, ok.owner_id, timeline.date, $2::timestamptz,
             'link', reply.id, 'system', NULL, $2::timestamptz
      FROM ok, reply, target, timeline
      WHERE $10::boolean
        AND NOT EXISTS (SELECT 1 FROM employer_promises ep WHERE ep.application_id = ok.application_id AND ep.status = 'open' AND ep.promised_date = timeline.date)
    ), answered AS (
      INSERT INTO email_answers (tenant_id, follow_up_id, application_id, contact_id, employer_id, sent_at, answered_at, reply_id)
      SELECT f.tenant_id, f.id, f.application_id, f.contact_id, ok.employer_id, f.sent_at, $2::timestamptz, reply.id
      FROM ok JOIN reply ON true JOIN follow_ups f ON f.application_id = ok.application_id
      -- Reached through the candidate's index: follow_ups has none by application.
      WHERE f.candidate_id = (SELECT candidate_id FROM ok)
        AND f.status = 'sent' AND f.channel = 'email' AND f.recipient->>'type' = 'contact' AND f.sent_at <= $2::timestamptz
        AND NOT EXISTS (SELECT 1 FROM email_answers ea WHERE ea.follow_up_id = f.id)
      ON CONFLICT (follow_up_id) DO NOTHING
    ), counted AS (
      UPDATE response_links l SET answers = l.answers + 1, last_answered_at = $2::timestamptz,
             expires_at = greatest(l.expires_at, coalesce(((SELECT date FROM timeline) + $12::int + 1 + time '23:59:59') AT TIME ZONE 'UTC', l.expires_at))
      FROM ok WHERE l.id = ok.id
    ), ${foundOutboxCte('recorded', 13, 'ok', 'reply', {
      subjectId: '$7::uuid',
      candidateId: 'ok.candidate_id',
      applicationId: 'ok.application_id',
      interviewId: '(SELECT id FROM target)',
      changes: `coalesce((SELECT jsonb_build_object('newDecisionExpectedBy', jsonb_build_object('before', NULL, 'after', date)) FROM timeline), '{}')`,
      data: `jsonb_build_object('newDecisionExpectedBy', (SELECT date FROM timeline), 'updatedInterviewId', (SELECT id FROM target))`,
    })}, ${foundOutboxCte('timeline_set', 23, 'ok, moved', 'interview', {
      subjectId: 'moved.id',
      candidateId: 'ok.candidate_id',
      applicationId: 'ok.application_id',
      interviewId: 'moved.id',
      changes: `jsonb_build_object('decisionExpectedBy', jsonb_build_object('before', moved.before, 'after', moved.after))`,
      data: `jsonb_build_object('decisionExpectedBy', moved.after, 'previous', moved.before)`,
    })}, ${foundOutboxCte('answered', 33, 'ok', 'responseLink', {
      subjectId: 'ok.id',
      candidateId: 'ok.candidate_id',
      applicationId: 'ok.application_id',
      interviewId: '(SELECT id FROM target)',
      data: `jsonb_build_object('contactId', ok.contact_id)`,
    })}
    SELECT id, tenant_id, application_id, contact_id, candidate, position, agency, zone, expires_at, revoked, expired, date_problem FROM checked`,
};

interface AnswerRow {
  id: string;
  tenant_id: string;
  application_id: string;
  contact_id: string;
  candidate: string;
  position: string;
  agency: string;
  zone: string;
  expires_at: Date;
  revoked: boolean;
  expired: boolean;
  date_problem: 'past' | 'far' | null;
}

const viewOf = (r: AnswerRow): LinkView => ({
  linkId: r.id,
  tenantId: r.tenant_id,
  applicationId: r.application_id,
  contactId: r.contact_id,
  candidateFirstName: r.candidate.split(/\s+/)[0]!,
  position: r.position,
  agency: r.agency,
  employerZone: r.zone,
  expiresAt: new Date(r.expires_at),
});

export type AnswerResult = { view: LinkView; replyId: string } | { problem: LinkProblem } | { view: LinkView; dateError: string };

/**
 * Records the contact's answer as the employer's reply (source `link`, the contact its author) in one
 * statement (ANSWER), and hands the re-planning of the follow-ups to the worker once it committed
 * (`followups.replan`, keyed by the reply; the follow-up sweep enqueues it again if Redis lost it).
 * A decision is a suggested outcome for the recruiter to confirm; "decide by" a new decision date
 * (kept in the promise ledger); "ask me again on" a date that puts the first status check on that day.
 */
export async function answerLink(deps: Deps, token: string, form: LinkForm): Promise<AnswerResult> {
  const parsed = parseTenantToken(RESPONSE_PREFIX, token);
  if (!parsed) return { problem: 'invalid' };
  const { tenantId } = parsed;
  const now = deps.clock.now();
  const system = { tenantId, kind: 'system' as const };
  const replyId = newId();
  const suggestedOutcome = form.answer === 'offer' ? 'offer' : form.answer === 'not_going_ahead' ? 'rejected' : null;
  const dated = form.date !== null;
  // What only the statement knows (the decision date of "ask me again", the interview, the link's
  // application and contact) it adds to these rows; the keys stand here so changedFields lists them.
  const recorded = foundChangeRows(system, now, {
    action: 'reply.recorded',
    subjectType: 'reply',
    changes: {
      channel: { before: null, after: 'other' },
      receivedAt: { before: null, after: now.toISOString() },
      ...(dated ? { newDecisionExpectedBy: { before: null, after: null } } : {}),
      ...(suggestedOutcome ? { suggestedOutcome: { before: null, after: suggestedOutcome } } : {}),
    },
    data: { channel: 'other', newDecisionExpectedBy: null, suggestedOutcome, interviewId: null, updatedInterviewId: null },
  });
  const timelineSet = foundChangeRows(system, now, {
    action: 'interview.timeline_set',
    subjectType: 'interview',
    changes: { decisionExpectedBy: { before: null, after: null } },
    data: { replyId },
  });
  const answered = foundChangeRows(system, now, {
    action: 'response_link.answered',
    subjectType: 'responseLink',
    data: { answer: form.answer, date: form.date, replyId, suggestedOutcome },
  });
  const summary = `${ANSWER_WORDS[form.answer](form.date)}${form.note ? `\n\n${form.note}` : ''}`;
  const res = await readTenant(deps.db, tenantId, () =>
    tdb.$client.query<AnswerRow>({
      ...ANSWER,
      values: [
        sha256(token), now, form.date, form.answer === 'ask_again', DEFAULTS.businessDays, DEFAULTS.statusCheck.beforeDecisionBusinessDays,
        replyId, summary, suggestedOutcome, form.answer === 'decide_by', newId(), LINK_DAYS_AFTER_DECISION,
        ...foundOutboxValues(recorded), ...foundOutboxValues(timelineSet), ...foundOutboxValues(answered),
      ],
    }),
  );
  const row = res.rows[0];
  if (!row) return { problem: 'invalid' };
  if (row.revoked) return { problem: 'revoked' };
  if (row.expired) return { problem: 'expired' };
  if (row.date_problem) return { view: viewOf(row), dateError: row.date_problem === 'past' ? PAST : FAR };
  enqueueAfterCommit(deps.db, replanRequest(tenantId, replyId));
  return { view: viewOf(row), replyId };
}
