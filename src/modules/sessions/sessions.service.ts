import { eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { tenants, users } from '../../db/schema/index.js';
import { sessions } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { assertStrongPassword, hashPassword, verifyPassword } from '../../lib/passwords.js';
import type { Actor } from '../../lib/access.js';
import { recordChange } from '../activity/activity.service.js';
import { mailErrorForLog, sendAccountEmail, utcMinute } from '../auth/auth.emails.js';
import { revokedHere } from '../auth/revocations.js';
import { endSessions, raiseGeneration, type EndReason } from '../auth/sessions.store.js';
import type { changePasswordBody } from './sessions.schemas.js';
import { listById } from '../../db/pages.js';

const userSubject = (id: string) => ({ type: 'user', id });

function userOf(actor: Actor): string {
  if (!actor.userId) throw new AppError('forbidden', 'API keys have no sessions; sign in as a user');
  return actor.userId;
}

/** The signed-in user's open sessions, newest first; `current` marks the one asking. */
export async function listMySessions(deps: Deps, actor: Actor, q: { limit: number; cursor?: string | undefined }) {
  const userId = userOf(actor);
  const page = await listById(deps.db, actor.tenantId, sessions, q, [
    eq(sessions.userId, userId),
    isNull(sessions.endedAt),
    gt(sessions.expiresAt, deps.clock.now()),
  ]);
  return {
    data: page.data.map((r) => ({
      id: r.id,
      createdAt: r.createdAt,
      lastUsedAt: r.lastUsedAt,
      expiresAt: r.expiresAt,
      userAgent: r.userAgent,
      ipAddress: r.ipAddress,
      current: r.id === actor.sessionId,
    })),
    nextCursor: page.nextCursor,
  };
}

/** Ends one of the user's own sessions (any of them, this one included). 404 for one not theirs or already ended. */
export async function endMySession(deps: Deps, actor: Actor, sessionId: string): Promise<void> {
  const userId = userOf(actor);
  const now = deps.clock.now();
  const ended = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const ids = await endSessions(tx, now, { userId, only: sessionId }, 'signed_out');
    if (ids.length === 0) throw notFound('Session');
    await recordChange(actor, now, { action: 'session.ended', subject: userSubject(userId), data: { sessionId } });
    return ids;
  });
  revokedHere(deps, { sessionIds: ended });
}

/** "Sign out everywhere else": every session of the user but the one asking. */
export async function endMyOtherSessions(deps: Deps, actor: Actor) {
  const userId = userOf(actor);
  return endAll(deps, actor, userId, { except: actor.sessionId, reason: 'signed_out_elsewhere' });
}

/** An admin ends every session of a user of the agency (only an owner those of an owner). */
export async function endUserSessions(deps: Deps, actor: Actor, userId: string) {
  return endAll(deps, actor, userId, { except: null, reason: 'ended_by_admin', check: (u) => u.role !== 'owner' || actor.role === 'owner' });
}

async function endAll(deps: Deps, actor: Actor, userId: string, how: { except: string | null | undefined; reason: EndReason; check?: (u: { role: string }) => boolean }) {
  const now = deps.clock.now();
  const revoked = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const [user] = await tx.select({ role: users.role }).from(users).where(eq(users.id, userId)).for('update');
    if (!user) throw notFound('User');
    if (how.check && !how.check(user)) throw new AppError('forbidden', 'Only an owner can end an owner’s sessions');
    const sessionIds = await endSessions(tx, now, { userId, except: how.except }, how.reason);
    // All of them: tokens of sessions that ended meanwhile in another way are refused too.
    const generation = how.except ? null : await raiseGeneration(tx, userId, now);
    await recordChange(actor, now, { action: 'user.sessions_ended', subject: userSubject(userId), data: { reason: how.reason, count: sessionIds.length } });
    return { sessionIds, ...(generation !== null ? { user: { id: userId, generation } } : {}) };
  });
  revokedHere(deps, revoked);
  deps.log.info({ tenantId: actor.tenantId, userId, reason: how.reason, ended: revoked.sessionIds.length }, 'sessions ended');
  return { ended: revoked.sessionIds.length };
}

async function ownAccount(tx: Tx, userId: string) {
  const [row] = await tx
    .select({ id: users.id, email: users.email, name: users.name, status: users.status, passwordHash: users.passwordHash, agency: tenants.name, slug: tenants.slug })
    .from(users)
    .innerJoin(tenants, eq(tenants.id, users.tenantId))
    .where(eq(users.id, userId));
  if (!row || row.status !== 'active') throw new AppError('invalid_token', 'This user is no longer active');
  return row;
}

/**
 * PATCH /v1/me/password: with the current password, a new one; the user's other sessions end
 * (this one stays signed in) and they are told by email.
 */
export async function changePassword(deps: Deps, actor: Actor, input: z.output<typeof changePasswordBody>) {
  const userId = userOf(actor);
  const account = await readTenant(deps.db, actor.tenantId, (tx) => ownAccount(tx, userId));
  if (!(await verifyPassword(account.passwordHash, input.currentPassword))) {
    throw new AppError('validation_failed', 'The current password is not right', [{ field: 'body.currentPassword', message: 'Not your current password' }]);
  }
  if (input.newPassword === input.currentPassword) {
    throw new AppError('validation_failed', 'The new password is the current one', [{ field: 'body.newPassword', message: 'Must differ from your current password' }]);
  }
  assertStrongPassword(input.newPassword, 'body.newPassword', [account.email, account.name, account.agency, account.slug]);
  const passwordHash = await hashPassword(input.newPassword);
  const now = deps.clock.now();
  const ended = await withTenant(deps.db, actor.tenantId, async (tx) => {
    // Checked against a row read before hashing: a reset (or another change) that committed
    // meanwhile wins, and this one must not overwrite it.
    const [current] = await tx.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).for('no key update');
    if (current?.passwordHash !== account.passwordHash) {
      throw new AppError('conflict', 'Your password was changed meanwhile (a reset?): sign in again with the new one');
    }
    await tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, userId));
    const ids = await endSessions(tx, now, { userId, except: actor.sessionId }, 'password_changed');
    await recordChange(actor, now, { action: 'user.password_changed', subject: userSubject(userId), data: { sessionsEnded: ids.length } });
    return ids;
  });
  revokedHere(deps, { sessionIds: ended });
  deps.log.info({ tenantId: actor.tenantId, userId, sessionsEnded: ended.length }, 'password changed');
  sendAccountEmail(deps, 'passwordChanged', { name: account.name, address: account.email }, { name: account.name, agency: account.agency, email: account.email, when: utcMinute(now), elsewhere: ended.length > 0 }).catch(
    (err: Error) => deps.log.warn({ tenantId: actor.tenantId, userId, err: mailErrorForLog(err) }, 'could not send the password-changed notice'),
  );
  return { sessionsEnded: ended.length };
}
