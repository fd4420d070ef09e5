import { and, asc, eq, gte, inArray, isNotNull, lt, or } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { allTenantIds, readTenant } from '../../db/client.js';
import { followUps, tenants, users } from '../../db/schema/index.js';
import type { MailMessage } from '../../lib/mailer.js';
import { defineJob, enqueue } from '../../jobs/define.js';
import type { FollowUpRow } from './followups.repo.js';
import { defaultContent, type StoredTemplates } from '../../core/templates.js';

/**
 * The daily digest (docs/followups.md#the-daily-digest): at 07:30 in each recruiter's zone (their
 * own, else the agency's), an email listing their open follow-ups overdue and due that day,
 * those whose send is uncertain (their worker stopped mid-send), and those whose sending failed
 * since the day before (a refused login at the agency's mail server, TLS, a refused address),
 * with the server's answer.
 * A scheduler ticks every 15 minutes (07:30 falls on a quarter hour in every zone in use); a tick
 * enqueues `digest-<userId>-<localDate>` for each recruiter whose local time is between 07:30 and
 * noon, so a worker that was down at 07:30 still sends it later that morning, and the job id makes
 * it one digest per recruiter and day however many ticks see it.
 */
export const DIGEST_TIME = { hour: 7, minute: 30 };
/** A digest not sent by then (the worker was down all morning) is not sent that day. */
export const DIGEST_UNTIL_HOUR = 12;
const DIGEST_ROLES = ['owner', 'admin', 'recruiter'] as const;

export const digestJobId = (userId: string, date: string) => `digest-${userId}-${date}`;

const tickPayload = z.object({ tenantId: z.uuid().optional() });
const sendPayload = z.object({ tenantId: z.uuid(), userId: z.uuid(), date: z.iso.date() });

/** Enqueues the digests due now (see above); returns how many it handed over. */
export async function digestTick(deps: Deps, opts: { tenantId?: string | undefined } = {}) {
  const now = DateTime.fromJSDate(deps.clock.now());
  const tenantIds = opts.tenantId ? [opts.tenantId] : await allTenantIds(deps.db);
  let enqueued = 0;
  for (const tenantId of tenantIds) {
    const people = await readTenant(deps.db, tenantId, (tx) =>
      tx
        .select({ id: users.id, timeZone: users.timeZone, agencyZone: tenants.timeZone })
        .from(users)
        .innerJoin(tenants, eq(tenants.id, users.tenantId))
        .where(and(eq(users.tenantId, tenantId), eq(users.status, 'active'), eq(users.dailyDigest, true), inArray(users.role, [...DIGEST_ROLES]))),
    );
    for (const p of people) {
      const local = now.setZone(p.timeZone ?? p.agencyZone);
      const minutes = local.hour * 60 + local.minute;
      if (minutes < DIGEST_TIME.hour * 60 + DIGEST_TIME.minute || local.hour >= DIGEST_UNTIL_HOUR) continue;
      const date = local.toISODate()!;
      await enqueue(deps, sendDigestJob, { tenantId, userId: p.id, date }, { jobId: digestJobId(p.id, date) });
      enqueued++;
    }
  }
  return { enqueued };
}

type Item = FollowUpRow & { title: string };

const TASK_CHANNELS = new Set(['phone', 'linkedin', 'task']);

/** The digest of one recruiter for one local date; nothing is sent when nothing is open. */
export async function sendDigest(deps: Deps, job: z.output<typeof sendPayload>) {
  const loaded = await readTenant(deps.db, job.tenantId, async (tx) => {
    const [user] = await tx
      .select({ id: users.id, name: users.name, email: users.email, status: users.status, timeZone: users.timeZone, role: users.role })
      .from(users)
      .where(eq(users.id, job.userId));
    const [agency] = await tx.select({ name: tenants.name, timeZone: tenants.timeZone, templates: tenants.templates }).from(tenants).where(eq(tenants.id, job.tenantId));
    if (!user || !agency || user.status !== 'active') return null;
    const zone = user.timeZone ?? agency.timeZone;
    const day = DateTime.fromISO(job.date, { zone });
    const dayEnd = day.plus({ days: 1 }).startOf('day').toJSDate();
    // Failed since yesterday's digest time: what the last digest could not have told.
    const failedSince = day.minus({ days: 1 }).set({ hour: DIGEST_TIME.hour, minute: DIGEST_TIME.minute }).toJSDate();
    // An owner or admin, who can mend the agency's mail settings, is told of every recruiter's failures.
    const everyones = user.role === 'owner' || user.role === 'admin';
    const rows = await tx
      .select()
      .from(followUps)
      .where(
        or(
          and(
            eq(followUps.ownerId, user.id),
            or(and(inArray(followUps.status, ['pending', 'queued']), lt(followUps.dueAt, dayEnd)), inArray(followUps.status, ['uncertain', 'awaiting_approval', 'stale'])),
          ),
          // With the server's answer still on it (an erasure clears it, and its row then says nothing worth a line).
          and(eq(followUps.status, 'failed'), isNotNull(followUps.lastError), gte(followUps.updatedAt, failedSince), everyones ? undefined : eq(followUps.ownerId, user.id)),
        ),
      )
      .orderBy(asc(followUps.dueAt), asc(followUps.id));
    return { user, agency, zone, rows };
  });
  if (!loaded) return { outcome: 'skipped' as const, reason: 'no such active user' };
  const { user, agency, zone, rows } = loaded;
  if (rows.length === 0) return { outcome: 'empty' as const };
  const message = composeDigest({ ...job, user, agency, zone, rows, mailFrom: deps.config.MAIL_FROM });
  await deps.mailer.send({ ...message, date: deps.clock.now() });
  return { outcome: 'sent' as const, items: rows.length, messageId: message.messageId };
}

/**
 * The digest email: what may not have been sent first, then what waits for the reader (approval,
 * review of stale steps), overdue, today's tasks, and what goes out by itself today.
 */
export function composeDigest(d: {
  userId: string;
  date: string;
  user: { name: string; email: string };
  agency: { name: string; templates: StoredTemplates | null };
  zone: string;
  rows: FollowUpRow[];
  mailFrom: string;
}): MailMessage {
  const dayStart = DateTime.fromISO(d.date, { zone: d.zone }).startOf('day').toJSDate();
  const all: Item[] = d.rows.map((r) => ({ ...r, title: titleOf(r, d.agency) }));
  const failed = all.filter((r) => r.status === 'failed');
  const uncertain = all.filter((r) => r.status === 'uncertain');
  const waiting = all.filter((r) => r.status === 'awaiting_approval');
  const review = all.filter((r) => r.status === 'stale');
  const items = all.filter((r) => r.status === 'pending' || r.status === 'queued');
  const overdue = items.filter((r) => r.dueAt < dayStart);
  const today = items.filter((r) => r.dueAt >= dayStart);
  const tasks = today.filter((r) => TASK_CHANNELS.has(r.channel));
  const emails = today.filter((r) => !TASK_CHANNELS.has(r.channel));
  const at = (r: Item, withDay: boolean) => DateTime.fromJSDate(r.dueAt).setZone(d.zone).toFormat(withDay ? 'ccc d LLL HH:mm' : 'HH:mm');
  const line = (r: Item, withDay: boolean) => `- ${at(r, withDay)}  ${r.title}${candidateOf(r)} [${r.channel}, ${r.id}]`;
  const section = (heading: string, list: Item[], withDay = false, more?: (r: Item) => string) =>
    list.length === 0 ? [] : [`${heading} (${list.length})`, ...list.flatMap((r) => [line(r, withDay), ...(more ? [more(r)] : [])]), ''];
  const answer = (r: Item) => `    the server said: ${(r.lastError ?? 'no answer').replace(/\s+/g, ' ').slice(0, 300)}`;
  const day = DateTime.fromISO(d.date, { zone: d.zone }).setLocale('en-US').toFormat('cccc, LLLL d');
  const counts = [
    failed.length ? `${failed.length} failed to send` : null,
    tasks.length ? `${tasks.length} task${tasks.length > 1 ? 's' : ''}` : null,
    emails.length ? `${emails.length} email${emails.length > 1 ? 's' : ''} going out` : null,
    overdue.length ? `${overdue.length} overdue` : null,
    uncertain.length ? `${uncertain.length} may not have been sent` : null,
    waiting.length ? `${waiting.length} waiting for your approval` : null,
    review.length ? `${review.length} to review` : null,
  ].filter(Boolean);
  const body = [
    `Good morning ${d.user.name.split(/\s+/)[0]},`,
    '',
    `Here is what is on your list for ${day} (times in ${d.zone}).`,
    '',
    ...section('Failed to send', failed, true, answer),
    ...section('May not have been sent: check and resend', uncertain, true),
    ...section('Waiting for your approval', waiting, true),
    ...section('Needs review: too late to go by itself', review, true),
    ...section('Overdue', overdue, true),
    ...section('Your tasks today', tasks),
    ...section('Going out by themselves today', emails),
    'Close a task with POST /v1/follow-ups/{id}/complete, move it with …/reschedule or send an email now with …/send-now.',
    ...(failed.length
      ? ['A failed one goes again with …/resend once the cause is mended (a refused login or TLS: the agency’s mail server in Settings › Email).']
      : []),
    ...(uncertain.length ? ['Send one that may not have gone out again with …/resend, or confirm it went with …/mark-sent.'] : []),
    ...(waiting.length ? ['Approve one with …/approve (a new text if you like), or …/decline it.'] : []),
    `Your full due list: GET /v1/follow-ups?recruiterId=${d.userId}&overdue=true`,
  ].join('\n');
  return {
    from: { name: d.agency.name, address: d.mailFrom },
    to: { name: d.user.name, address: d.user.email },
    subject: `Your follow-ups for ${day}: ${counts.join(', ')}`,
    text: body,
    messageId: `<digest-${d.userId}-${d.date}@afterview>`,
    headers: { 'X-Afterview-Digest': d.date },
  };
}

/** A task's title is its template's subject ("Call Pat Principal about …"); an email says what and to whom. */
function titleOf(r: FollowUpRow, agency: { name: string; templates: StoredTemplates | null }): string {
  const subject = r.subject ?? defaultContent(r, { templates: agency.templates, agency: agency.name }).subject;
  if (TASK_CHANNELS.has(r.channel)) {
    return r.channel === 'task' ? `Reach ${(r.vars as { interviewer?: string }).interviewer ?? r.recipient.name} another way: “${subject}”` : subject;
  }
  const to = r.voice === 'draft_to_candidate' ? `${r.recipient.name} (a draft to send)` : r.recipient.name;
  return `“${subject}” to ${to}`;
}

const candidateOf = (r: FollowUpRow) => {
  const c = (r.vars as { candidate?: string }).candidate;
  return c && r.recipient.type !== 'candidate' ? ` (${c})` : '';
};

/** Every 15 minutes: hands the digests due at 07:30 local to the send job. */
export const digestTickJob = defineJob({
  name: 'followups.digest-tick',
  queue: 'maintenance',
  payload: tickPayload,
  options: { attempts: 1 },
  schedule: { id: 'followups-digest', pattern: '*/15 * * * *', data: {} },
  handler: async () => digestTick,
});

/** One recruiter's digest for one local date: `digest-<userId>-<date>`. */
export const sendDigestJob = defineJob({
  name: 'followups.digest',
  queue: 'maintenance',
  payload: sendPayload,
  options: { attempts: 4, backoff: { type: 'exponential', delay: 60_000, jitter: 0.2 } },
  handler: async () => sendDigest,
});
