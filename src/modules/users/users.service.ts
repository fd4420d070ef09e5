import { and, eq, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { isUniqueViolation, readTenant, withTenant, type Tx } from '../../db/client.js';
import { users } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { assertStrongPassword, hashPassword } from '../../lib/passwords.js';
import { randomToken } from '../../lib/secrets.js';
import { assertVersion } from '../../lib/versioning.js';
import type { Actor, Role } from '../../lib/access.js';
import { diff, recordChange, type Changes } from '../activity/activity.service.js';
import { revokedHere } from '../auth/revocations.js';
import { endSessions, raiseGeneration } from '../auth/sessions.store.js';
import { withdrawInvitationsOf } from '../invitations/invitations.service.js';
import type { createUserBody, listUsersQuery, updateMeBody, updateUserBody } from './users.schemas.js';
import { listById } from '../../db/pages.js';

type UserRow = typeof users.$inferSelect;
const present = ({ passwordHash: _omit, tenantId: _t, ...user }: UserRow) => user;
/** What a user's activity records: never the password hash, nor the sign-in stamps. */
const FIELDS = ['email', 'name', 'role', 'status', 'timeZone', 'dailyDigest'] as const;
const subject = (id: string) => ({ type: 'user', id });

/** The activity and event of a change to a user: a status change names the event, else `user.updated`. */
async function recordUserChange(actor: Actor, now: Date, before: UserRow, after: UserRow, changes: Changes) {
  const action =
    changes.status && after.status === 'deactivated' ? 'user.deactivated' : changes.status ? 'user.reactivated' : 'user.updated';
  const data = action === 'user.updated' ? (changes.role ? { role: after.role, previousRole: before.role } : {}) : { role: after.role };
  await recordChange(actor, now, { action, subject: subject(after.id), changes, data });
}

/** The activity and event of a new user (added, signed up as an agency's owner, or joined by invitation). */
export async function recordUserCreated(actor: Actor, now: Date, user: UserRow, data: Record<string, unknown> = {}) {
  await recordChange(actor, now, { action: 'user.created', subject: subject(user.id), changes: diff(null, user, FIELDS), data: { role: user.role, ...data } });
}

/** Only an owner may hand out or take away the owner role. */
function assertMayAssign(actor: Actor, role: Role, field: string) {
  if (role === 'owner' && actor.role !== 'owner') {
    throw new AppError('forbidden', 'Only an owner can make someone an owner', [{ field, message: 'Owner only' }]);
  }
}

export async function createUser(deps: Deps, actor: Actor, input: z.output<typeof createUserBody>) {
  assertMayAssign(actor, input.role, 'body.role');
  if (input.password) assertStrongPassword(input.password, 'body.password', [input.email, input.name]);
  const initialPassword = input.password ? undefined : randomToken(18);
  const passwordHash = await hashPassword(input.password ?? initialPassword!);
  const now = deps.clock.now();
  try {
    const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
      const [created] = await tx
        .insert(users)
        .values({
          tenantId: actor.tenantId,
          id: newId(),
          email: input.email,
          name: input.name,
          role: input.role,
          timeZone: input.timeZone ?? null,
          passwordHash,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await recordUserCreated(actor, now, created!);
      return created;
    });
    deps.log.info({ tenantId: actor.tenantId, userId: row!.id, role: input.role }, 'user created');
    return { ...present(row!), ...(initialPassword ? { initialPassword } : {}) };
  } catch (err) {
    if (isUniqueViolation(err, 'users_tenant_email_key')) {
      const [existing] = await readTenant(deps.db, actor.tenantId, (tx) =>
        tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)),
      );
      throw new AppError('already_exists', 'A user with this email exists', [{ field: 'body.email', message: 'Already used' }], {
        existingId: existing?.id,
      });
    }
    throw err;
  }
}

export async function listUsers(deps: Deps, actor: Actor, q: z.output<typeof listUsersQuery>) {
  const page = await listById(
    deps.db,
    actor.tenantId,
    users,
    q,
    [q.role ? eq(users.role, q.role) : undefined, q.status ? eq(users.status, q.status) : undefined],
    'asc',
  );
  return { data: page.data.map(present), nextCursor: page.nextCursor };
}

export async function getUser(deps: Deps, actor: Actor, id: string) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(users).where(eq(users.id, id)));
  if (!row) throw notFound('User');
  return present(row);
}

async function otherActiveOwners(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(and(eq(users.role, 'owner'), eq(users.status, 'active'), ne(users.id, userId)));
  return row?.n ?? 0;
}

/**
 * Changes a user's name, role, zone or status. `ifMatch` is the version the caller saw (412 when
 * stale). The agency always keeps one active owner. Deactivation ends the user's sessions; a role
 * change their access tokens (a refresh gets one with the new role): on every process at once.
 */
export async function updateUser(
  deps: Deps,
  actor: Actor,
  id: string,
  input: z.output<typeof updateUserBody>,
  ifMatch?: number,
) {
  if (input.role) assertMayAssign(actor, input.role, 'body.role');
  const now = deps.clock.now();
  const { row, revoked } = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, id)).for('update');
    if (!current) throw notFound('User');
    assertVersion(current.version, ifMatch);
    if (current.role === 'owner' && actor.role !== 'owner') {
      throw new AppError('forbidden', 'Only an owner can change an owner');
    }
    const losesOwner =
      current.role === 'owner' && current.status === 'active' && ((input.role && input.role !== 'owner') || input.status === 'deactivated');
    if (losesOwner && (await otherActiveOwners(tx, id)) === 0) {
      throw new AppError('conflict', 'The agency must keep at least one active owner', [
        { field: input.role ? 'body.role' : 'body.status', message: 'Last active owner' },
      ]);
    }
    const [updated] = await tx
      .update(users)
      .set({ ...input, version: current.version + 1, updatedAt: now })
      .where(eq(users.id, id))
      .returning();
    const deactivated = updated!.status === 'deactivated' && current.status !== 'deactivated';
    const sessionIds = deactivated ? await endSessions(tx, now, { userId: id }, 'deactivated') : [];
    const generation = deactivated || updated!.role !== current.role ? await raiseGeneration(tx, id, now) : null;
    const changes = diff(current, updated!, FIELDS);
    if (Object.keys(changes).length > 0) await recordUserChange(actor, now, current, updated!, changes);
    if (deactivated || updated!.role !== current.role) await withdrawInvitationsOf(tx, actor, now, updated!);
    return { row: updated!, revoked: { sessionIds, ...(generation !== null ? { user: { id, generation } } : {}) } };
  });
  revokedHere(deps, revoked);
  deps.log.info({ tenantId: actor.tenantId, userId: id, changes: Object.keys(input) }, 'user updated');
  return present(row);
}

/**
 * A user changes themselves (PATCH /v1/me): name, zone, daily digest. Not their role or status;
 * a deactivated user's still-valid token is refused here as on GET /v1/me.
 */
export async function updateSelf(deps: Deps, actor: Actor, input: z.output<typeof updateMeBody>, ifMatch?: number) {
  if (!actor.userId) throw new AppError('forbidden', 'API keys have no user to change');
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, actor.userId!)).for('update');
    if (!current || current.status !== 'active') throw new AppError('invalid_token', 'This user is no longer active');
    assertVersion(current.version, ifMatch);
    const [updated] = await tx
      .update(users)
      .set({ ...input, version: current.version + 1, updatedAt: now })
      .where(eq(users.id, current.id))
      .returning();
    const changes = diff(current, updated!, FIELDS);
    if (Object.keys(changes).length > 0) await recordUserChange(actor, now, current, updated!, changes);
    return updated!;
  });
  deps.log.info({ tenantId: actor.tenantId, userId: actor.userId, changes: Object.keys(input) }, 'user updated themselves');
  return present(row);
}
