import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Deps } from '../../deps.js';
import { isUniqueViolation, readTenant, withTenant, type Tx } from '../../db/client.js';
import { tenants, users } from '../../db/schema/index.js';
import { invitations } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { assertStrongPassword, hashPassword } from '../../lib/passwords.js';
import { sha256 } from '../../lib/secrets.js';
import type { Actor } from '../../lib/access.js';
import { recordChange } from '../activity/activity.service.js';
import { recordUserCreated } from '../users/users.service.js';
import { INVITATION_PREFIX, linkExpired, linkInvalid, linkTenant, linkUsed } from '../auth/links.js';
import { openSession, type Client, type Session } from '../auth/sessions.store.js';
import type { acceptInvitationBody } from './invitations.schemas.js';

type Row = typeof invitations.$inferSelect;

/** The invitation a link names, if it can still be accepted; else the 4xx naming body.token. */
function usable(row: Row | undefined, now: Date): Row {
  if (!row) throw linkInvalid();
  if (row.acceptedAt) throw linkUsed('This invitation was accepted already: sign in with its email and the password chosen then');
  if (row.revokedAt) throw linkExpired('This invitation was withdrawn. Ask the agency’s admin to invite you again');
  if (row.expiresAt <= now) throw linkExpired('This invitation has expired (links work for 72 hours). Ask the agency’s admin to send it again');
  return row;
}

const byToken = (tx: Tx, token: string) =>
  tx
    .select({ invitation: invitations, agency: { name: tenants.name, slug: tenants.slug } })
    .from(invitations)
    .innerJoin(tenants, eq(tenants.id, invitations.tenantId))
    .where(eq(invitations.tokenHash, sha256(token)));

/** POST /v1/auth/invitation: what an invitation link offers, before the form is filled in. */
export async function previewInvitation(deps: Deps, token: string) {
  const tenantId = linkTenant(INVITATION_PREFIX, token);
  const [found] = await readTenant(deps.db, tenantId, (tx) => byToken(tx, token));
  const row = usable(found?.invitation, deps.clock.now());
  return { agency: found!.agency, email: row.email, role: row.role, expiresAt: row.expiresAt };
}

/**
 * POST /v1/auth/accept-invitation: the invitee chooses a name and password; the user is created
 * with the invited email and role, the link is spent, and they are signed in. Checked twice: once
 * to answer a bad link or password before hashing, then under the row's lock (two accepts at once:
 * the second finds it accepted).
 */
export async function acceptInvitation(deps: Deps, input: z.output<typeof acceptInvitationBody>, client: Client): Promise<Session> {
  const tenantId = linkTenant(INVITATION_PREFIX, input.token);
  const [found] = await readTenant(deps.db, tenantId, (tx) => byToken(tx, input.token));
  const invited = usable(found?.invitation, deps.clock.now());
  assertStrongPassword(input.password, 'body.password', [invited.email, input.name, found!.agency.name, found!.agency.slug]);
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  const userId = newId();
  try {
    const session = await withTenant(deps.db, tenantId, async (tx) => {
      const [locked] = await tx.select().from(invitations).where(eq(invitations.id, invited.id)).for('update');
      const row = usable(locked?.tokenHash === invited.tokenHash ? locked : undefined, now);
      const [user] = await tx
        .insert(users)
        .values({ tenantId, id: userId, email: row.email, name: input.name, role: row.role, timeZone: input.timeZone ?? null, passwordHash, lastLoginAt: now, createdAt: now, updatedAt: now })
        .returning();
      await tx.update(invitations).set({ acceptedAt: now, acceptedUserId: userId, updatedAt: now }).where(eq(invitations.id, row.id));
      const actor: Actor = { tenantId, kind: 'user', userId, apiKeyId: null, role: row.role, scopes: [] };
      await recordUserCreated(actor, now, user!, { invitationId: row.id });
      await recordChange(actor, now, { action: 'invitation.accepted', subject: { type: 'invitation', id: row.id }, data: { userId, role: row.role } });
      return openSession(deps, tx, user!, client);
    });
    deps.log.info({ tenantId, invitationId: invited.id, userId }, 'invitation accepted');
    return session;
  } catch (err) {
    if (isUniqueViolation(err, 'users_tenant_email_key')) {
      throw new AppError('already_exists', 'An account with this email exists in the agency already: sign in, or reset its password', [
        { field: 'body.token', message: 'The invited email has an account' },
      ]);
    }
    throw err;
  }
}
