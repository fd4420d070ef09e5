import { and, eq, gt, isNotNull, isNull, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { isUniqueViolation, readTenant, withTenant, type Tx } from '../../db/client.js';
import { tenants, users } from '../../db/schema/index.js';
import { invitations } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { makeTenantToken, sha256 } from '../../lib/secrets.js';
import type { Actor, Role } from '../../lib/access.js';
import { recordChange } from '../activity/activity.service.js';
import { accountLink, mailErrorForLog, sendAccountEmail, utcMinute } from '../auth/auth.emails.js';
import { INVITATION_PREFIX } from '../auth/links.js';
import type { createInvitationBody, invitationStatuses, listInvitationsQuery } from './invitations.schemas.js';
import { pageById, cursorAfter } from '../../db/pages.js';

export const INVITATION_TTL_MS = 72 * 3_600_000;
type Row = typeof invitations.$inferSelect;
type Status = (typeof invitationStatuses)[number];
const subject = (id: string) => ({ type: 'invitation', id });

export const statusOf = (r: Row, now: Date): Status =>
  r.acceptedAt ? 'accepted' : r.revokedAt ? 'revoked' : r.expiresAt <= now ? 'expired' : 'pending';

const present = (r: Row, now: Date) => ({
  id: r.id,
  email: r.email,
  role: r.role,
  status: statusOf(r, now),
  invitedBy: r.invitedBy,
  expiresAt: r.expiresAt,
  lastSentAt: r.lastSentAt,
  sendCount: r.sendCount,
  emailError: r.sendError,
  acceptedAt: r.acceptedAt,
  acceptedUserId: r.acceptedUserId,
  revokedAt: r.revokedAt,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** Only an owner may invite an owner (as only an owner may make one). */
function assertMayInvite(actor: Actor, role: Role) {
  if (role === 'owner' && actor.role !== 'owner') {
    throw new AppError('forbidden', 'Only an owner can invite an owner', [{ field: 'body.role', message: 'Owner only' }]);
  }
}

/**
 * The sender as they are now, under a lock a deactivation or role change waits for: a request
 * authenticated just before one of those commits must not invite after it (which would outlive
 * withdrawInvitationsOf).
 */
async function inviterNow(tx: Tx, actor: Actor): Promise<Actor> {
  // The user row first, then the invitation: the order updateUser takes them in.
  const [me] = await tx.select({ role: users.role, status: users.status }).from(users).where(eq(users.id, actor.userId!)).for('share');
  if (!me || me.status !== 'active' || (me.role !== 'admin' && me.role !== 'owner')) throw new AppError('invalid_token', 'You can no longer invite people');
  return { ...actor, role: me.role };
}

/** A fresh link: its token (for the email only) and what is stored of it. */
function freshLink(tenantId: string, now: Date) {
  const token = makeTenantToken(INVITATION_PREFIX, tenantId);
  return { token, tokenHash: sha256(token), expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) };
}

/**
 * Emails the link, after the invitation committed; the row records whether the mail server took
 * it (`emailError` otherwise, and the admin can resend). Returns the row as it then is.
 */
async function sendInvitation(deps: Deps, actor: Actor, row: Row, token: string): Promise<Row> {
  const [who] = await readTenant(deps.db, actor.tenantId, (tx) =>
    tx.select({ inviter: users.name, agency: tenants.name, slug: tenants.slug }).from(users).innerJoin(tenants, eq(tenants.id, users.tenantId)).where(eq(users.id, actor.userId!)),
  );
  const view = {
    inviter: who?.inviter ?? 'An admin',
    agency: who?.agency ?? 'your agency',
    slug: who?.slug,
    role: { owner: 'an owner', admin: 'an admin', recruiter: 'a recruiter', viewer: 'a viewer' }[row.role],
    email: row.email,
    link: accountLink(deps, 'accept-invitation', token),
    expires: utcMinute(row.expiresAt),
  };
  const sent = await sendAccountEmail(deps, 'invitation', { address: row.email }, view).then(
    () => ({ lastSentAt: deps.clock.now(), sendCount: row.sendCount + 1, sendError: null }),
    (err: Error) => {
      deps.log.warn({ tenantId: actor.tenantId, invitationId: row.id, err: mailErrorForLog(err) }, 'could not send an invitation');
      return { sendError: err.message.slice(0, 500) };
    },
  );
  const [updated] = await readTenant(deps.db, actor.tenantId, (tx) => tx.update(invitations).set(sent).where(eq(invitations.id, row.id)).returning());
  return updated ?? row;
}

export async function createInvitation(deps: Deps, actor: Actor, input: z.output<typeof createInvitationBody>) {
  assertMayInvite(actor, input.role);
  const now = deps.clock.now();
  const link = freshLink(actor.tenantId, now);
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    assertMayInvite(await inviterNow(tx, actor), input.role);
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, input.email));
    if (user) throw new AppError('already_exists', 'A user with this email is in the agency already', [{ field: 'body.email', message: 'Already a user' }], { existingId: user.id });
    // An open invitation past its time gives way to the new one.
    await tx
      .update(invitations)
      .set({ revokedAt: now, updatedAt: now })
      .where(and(eq(invitations.email, input.email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), lte(invitations.expiresAt, now)));
    const [created] = await tx
      .insert(invitations)
      .values({ tenantId: actor.tenantId, id: newId(), email: input.email, role: input.role, tokenHash: link.tokenHash, invitedBy: actor.userId!, expiresAt: link.expiresAt, createdAt: now, updatedAt: now })
      .returning();
    await recordChange(actor, now, { action: 'invitation.created', subject: subject(created!.id), data: { role: created!.role } });
    return created!;
  }).catch(async (err: unknown) => {
    if (!isUniqueViolation(err, 'invitations_open_email_key')) throw err;
    const [open] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select({ id: invitations.id }).from(invitations).where(and(eq(invitations.email, input.email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt))));
    throw new AppError('already_exists', 'This email has a pending invitation: resend it instead', [{ field: 'body.email', message: 'Already invited' }], { existingId: open?.id });
  });
  deps.log.info({ tenantId: actor.tenantId, invitationId: row.id, role: row.role }, 'invitation created');
  return present(await sendInvitation(deps, actor, row, link.token), deps.clock.now());
}

async function lockOpen(tx: Tx, id: string, verb: string) {
  const [row] = await tx.select().from(invitations).where(eq(invitations.id, id)).for('update');
  if (!row) throw notFound('Invitation');
  if (row.acceptedAt) throw new AppError('conflict', `This invitation was accepted already; there is nothing to ${verb}`);
  return row;
}

/** A new link (the earlier one stops working), valid 72 hours from now, emailed again. */
export async function resendInvitation(deps: Deps, actor: Actor, id: string) {
  const now = deps.clock.now();
  const link = freshLink(actor.tenantId, now);
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const inviter = await inviterNow(tx, actor);
    const current = await lockOpen(tx, id, 'resend');
    if (current.revokedAt) throw new AppError('conflict', 'This invitation was withdrawn; invite the person again');
    assertMayInvite(inviter, current.role);
    const [updated] = await tx.update(invitations).set({ tokenHash: link.tokenHash, expiresAt: link.expiresAt, updatedAt: now }).where(eq(invitations.id, id)).returning();
    await recordChange(actor, now, { action: 'invitation.resent', subject: subject(id) });
    return updated!;
  });
  return present(await sendInvitation(deps, actor, row, link.token), deps.clock.now());
}

/** Withdraws a pending invitation: its link stops working. Withdrawing twice is fine. */
export async function revokeInvitation(deps: Deps, actor: Actor, id: string): Promise<void> {
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await lockOpen(tx, id, 'withdraw');
    if (current.revokedAt) return;
    await tx.update(invitations).set({ revokedAt: now, updatedAt: now }).where(eq(invitations.id, id));
    await recordChange(actor, now, { action: 'invitation.revoked', subject: subject(id) });
  });
}

/**
 * In the transaction that deactivates a user or changes their role: the pending invitations they
 * sent and could no longer send are withdrawn (a link must not outlive its sender's right to
 * invite). An accept racing this waits for the invitation's row and then finds it withdrawn.
 */
export async function withdrawInvitationsOf(tx: Tx, actor: Actor, now: Date, inviter: { id: string; role: Role; status: string }): Promise<number> {
  if (inviter.status === 'active' && inviter.role === 'owner') return 0; // an owner may invite anyone
  // An active admin keeps what an admin may send; anyone else keeps nothing.
  const mayInvite = inviter.status === 'active' && inviter.role === 'admin';
  const withdrawn = await tx
    .update(invitations)
    .set({ revokedAt: now, updatedAt: now })
    .where(
      and(
        eq(invitations.invitedBy, inviter.id),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        mayInvite ? eq(invitations.role, 'owner') : undefined,
      ),
    )
    .returning({ id: invitations.id });
  for (const { id } of withdrawn) await recordChange(actor, now, { action: 'invitation.revoked', subject: subject(id) });
  return withdrawn.length;
}

export async function listInvitations(deps: Deps, actor: Actor, q: z.output<typeof listInvitationsQuery>) {
  const after = cursorAfter(q.cursor);
  const now = deps.clock.now();
  const open = and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt));
  const byStatus = {
    pending: and(open, gt(invitations.expiresAt, now)),
    expired: and(open, lte(invitations.expiresAt, now)),
    accepted: isNotNull(invitations.acceptedAt),
    revoked: and(isNull(invitations.acceptedAt), isNotNull(invitations.revokedAt)),
  }[q.status];
  const page = await readTenant(deps.db, actor.tenantId, () => pageById(invitations, after, q.limit, [byStatus]));
  return { data: page.data.map((r) => present(r, now)), nextCursor: page.nextCursor };
}

export async function getInvitation(deps: Deps, actor: Actor, id: string) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(invitations).where(eq(invitations.id, id)));
  if (!row) throw notFound('Invitation');
  return present(row, deps.clock.now());
}
