import { and, asc, eq, lt, sql } from 'drizzle-orm';
import { UnrecoverableError } from 'bullmq';
import type { Deps } from '../../deps.js';
import { allTenantIds, readTenant, withTenant } from '../../db/client.js';
import { calendarInvites, contacts } from '../../db/schema/index.js';
import { enqueueRequests, type JobHandler } from '../../jobs/define.js';
import { jobStarted } from '../../jobs/fairness.js';
import { MailError, type MailMessage } from '../../lib/mailer.js';
import { interviewAbout, interviewIcs, interviewSummary, type InterviewAbout, type LoadedInterview } from './interviews.calendar.js';
import { loadInterview } from './interviews.repo.js';
import { sendInviteJob, type invitePayload, type reconcileInvitesPayload } from './interviews.jobs.js';
import { agencySender } from '../agency/agency.sender.js';

type Invite = typeof calendarInvites.$inferSelect;

export const inviteMessageId = (id: string) => `<inv-${id}@afterview>`;

const when = (i: LoadedInterview) =>
  new Intl.DateTimeFormat('en-US', {
    weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: i.timeZone, timeZoneName: 'short',
  }).format(i.startsAt);

/** The invite email: a short text and the iCalendar part with the iTIP method. */
function composeInvite(invite: Invite, interview: LoadedInterview, about: InterviewAbout, to: { name: string; address: string }): Omit<MailMessage, 'from'> {
  const summary = interviewSummary(interview, about);
  const cancel = invite.method === 'CANCEL';
  const subject = cancel ? `Cancelled: ${summary}` : invite.sequence > 1 ? `Updated invitation: ${summary}` : `Invitation: ${summary}`;
  const where = [interview.location, interview.meetingUrl].filter(Boolean).join('\n');
  const text = cancel
    ? `${summary}, ${when(interview)}, will not take place${interview.status === 'cancelled' ? '' : ' with you'}.\n\n${about.recruiter.name}, ${about.agency}`
    : `${summary}\n${when(interview)}${where ? `\n${where}` : ''}\n\nThe invitation is attached; accept or decline it in your calendar.\n\n${about.recruiter.name}, ${about.agency}`;
  return {
    to,
    replyTo: { name: about.recruiter.name, address: about.recruiter.email },
    subject,
    text,
    messageId: inviteMessageId(invite.id),
    headers: { 'X-Afterview-Invite': invite.id },
    icalEvent: { method: invite.method, content: interviewIcs(interview, about, invite.method, invite.sequence, cancel && interview.status !== 'cancelled' ? to : undefined) },
  };
}

/**
 * Sends one invite at most once: claimed in PostgreSQL (pending → sending) so of two jobs only one
 * sends; a temporary SMTP answer puts it back to pending for BullMQ's retry, a permanent one (or the
 * last attempt) marks it failed with the server's answer. Built from the interview as it is now,
 * at the invite's SEQUENCE (a newer change would have superseded it).
 */
export async function sendInvite(deps: Deps, payload: { tenantId: string; inviteId: string }, attempt: { number: number; of: number }) {
  const now = deps.clock.now();
  const [invite] = await withTenant(deps.db, payload.tenantId, (tx) =>
    tx
      .update(calendarInvites)
      .set({ status: 'sending', attempts: sql`${calendarInvites.attempts} + 1`, updatedAt: now })
      .where(and(eq(calendarInvites.id, payload.inviteId), eq(calendarInvites.status, 'pending')))
      .returning(),
  );
  if (!invite) return { outcome: 'noop' as const };
  let sender: Awaited<ReturnType<typeof agencySender>>;
  let message: MailMessage;
  let to: { name: string; address: string };
  try {
    const composed = await composeClaimed(deps, invite, now);
    if ('skip' in composed) return finish(deps, invite, { status: 'failed', lastError: composed.skip });
    ({ sender, message, to } = composed);
  } catch (err) {
    // Nothing went out: the next attempt starts again.
    await finish(deps, invite, { status: 'pending' });
    throw err;
  }
  try {
    await sender.mailer.send(message);
  } catch (err) {
    const e = err instanceof MailError ? err : new MailError(err instanceof Error ? err.message : String(err), null, false);
    const final = e.permanent || attempt.number >= attempt.of;
    await finish(deps, invite, { status: final ? 'failed' : 'pending', lastError: e.message.slice(0, 1000) });
    throw final ? new UnrecoverableError(e.message) : e;
  }
  return finish(deps, invite, { status: 'sent', sentAt: deps.clock.now(), toAddress: to.address, messageId: message.messageId });
}

/** The claimed invite's message, from the interview as it is now, and who sends it. */
async function composeClaimed(deps: Deps, invite: Invite, now: Date) {
  const loaded = await readTenant(deps.db, invite.tenantId, async (tx) => {
    const interview = await loadInterview(tx, invite.interviewId);
    const about = interview ? await interviewAbout(tx, interview.applicationId) : undefined;
    const [contact] = invite.contactId ? await tx.select({ name: contacts.name, email: contacts.email }).from(contacts).where(eq(contacts.id, invite.contactId)) : [];
    return { interview, about, contact };
  });
  const { interview, about, contact } = loaded;
  const to =
    invite.attendee === 'candidate'
      ? about?.candidate.email ? { name: about.candidate.name, address: about.candidate.email } : null
      : contact?.email ? { name: contact.name, address: contact.email } : null;
  if (!interview || !about || !to) return { skip: 'no address to send it to' };
  const sender = await agencySender(deps, invite.tenantId, about);
  const message: MailMessage = { ...composeInvite(invite, interview, about, to), from: sender.from, date: now };
  if (sender.replyTo) message.replyTo = sender.replyTo;
  return { sender, message, to };
}

async function finish(deps: Deps, invite: Invite, set: Partial<Invite>) {
  await withTenant(deps.db, invite.tenantId, (tx) =>
    tx
      .update(calendarInvites)
      .set({ ...set, updatedAt: deps.clock.now() })
      .where(and(eq(calendarInvites.id, invite.id), eq(calendarInvites.status, 'sending'))),
  );
  return { outcome: set.status };
}

export const inviteHandler: JobHandler<typeof invitePayload> = async (deps, payload, job) => {
  jobStarted(deps.redis, deps.queues.get('followups'), payload.tenantId, job.id!);
  return sendInvite(deps, payload, { number: job.attemptsMade + 1, of: job.opts.attempts ?? 1 });
};

/** Invites still pending a minute after they were written: their job is enqueued again (the same id is one job). */
export const reconcileHandler: JobHandler<typeof reconcileInvitesPayload> = async (deps) => {
  const before = new Date(deps.clock.now().getTime() - 60_000);
  let enqueued = 0;
  for (const tenantId of await allTenantIds(deps.db)) {
    const rows = await readTenant(deps.db, tenantId, (tx) =>
      tx
        .select({ id: calendarInvites.id })
        .from(calendarInvites)
        .where(and(eq(calendarInvites.status, 'pending'), lt(calendarInvites.createdAt, before)))
        .orderBy(asc(calendarInvites.createdAt))
        .limit(500),
    );
    if (rows.length === 0) continue;
    await enqueueRequests(deps, rows.map((r) => ({ def: sendInviteJob, payload: { tenantId, inviteId: r.id }, opts: { jobId: `inv-${r.id}` } })));
    enqueued += rows.length;
  }
  return { enqueued };
};
