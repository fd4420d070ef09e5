import { and, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import type { Tx } from '../../db/client.js';
import { refreshTokens, sessions } from '../../db/schema/index.js';
import { users } from '../../db/schema/index.js';
import type { Role } from '../../lib/access.js';
import { newId } from '../../lib/ids.js';
import { makeTenantToken, sha256 } from '../../lib/secrets.js';

export const REFRESH_PREFIX = 'rt';

/** Where a sign-in or refresh came from, as the sessions list shows it. */
export interface Client {
  ip: string;
  userAgent?: string | undefined;
}

/** What an access token is signed from (the route signs it: JWTs are an HTTP concern). */
export interface Session {
  tenantId: string;
  userId: string;
  role: Role;
  sessionId: string;
  /** The user's session generation, carried by the access token as `gen`. */
  generation: number;
  refreshToken: string;
}

export type EndReason =
  | 'signed_out'
  | 'signed_out_elsewhere'
  | 'ended_by_admin'
  | 'password_changed'
  | 'password_reset'
  | 'deactivated'
  | 'refresh_token_reused';

// Control characters would only garble the list (and PostgreSQL refuses NUL).
const userAgentOf = (c: Client) => c.userAgent?.replace(/[\x00-\x1f\x7f]/g, '').slice(0, 300) || null;

/** A new refresh token of the session; only its SHA-256 is stored. */
export async function issueRefreshToken(deps: Deps, tx: Tx, tenantId: string, userId: string, sessionId: string, now: Date) {
  const token = makeTenantToken(REFRESH_PREFIX, tenantId);
  const expiresAt = new Date(now.getTime() + deps.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  await tx.insert(refreshTokens).values({ tenantId, id: newId(), userId, familyId: sessionId, tokenHash: sha256(token), expiresAt, createdAt: now });
  return { token, expiresAt };
}

/** Signs a user in: a session and its first refresh token, in the caller's transaction. */
export async function openSession(
  deps: Deps,
  tx: Tx,
  user: { tenantId: string; id: string; role: Role; sessionGeneration: number },
  client: Client,
): Promise<Session> {
  const now = deps.clock.now();
  const sessionId = newId();
  const expiresAt = new Date(now.getTime() + deps.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  await tx.insert(sessions).values({
    tenantId: user.tenantId,
    id: sessionId,
    userId: user.id,
    userAgent: userAgentOf(client),
    ipAddress: client.ip,
    createdAt: now,
    lastUsedAt: now,
    expiresAt,
  });
  const { token } = await issueRefreshToken(deps, tx, user.tenantId, user.id, sessionId, now);
  return { tenantId: user.tenantId, userId: user.id, role: user.role, sessionId, generation: user.sessionGeneration, refreshToken: token };
}

/** A refresh: the session was used now, from there, and lives a refresh token's lifetime more. */
export async function touchSession(tx: Tx, sessionId: string, now: Date, expiresAt: Date, client: Client) {
  await tx.update(sessions).set({ lastUsedAt: now, expiresAt, ipAddress: client.ip, userAgent: userAgentOf(client) }).where(eq(sessions.id, sessionId));
}

/**
 * Ends the user's open sessions (one, all but one, or all) and revokes their refresh tokens, in
 * the caller's transaction; a trigger tells every API process at commit. Returns the ids ended:
 * pass them to `revokedHere` after the commit.
 */
export async function endSessions(
  tx: Tx,
  now: Date,
  which: { userId: string; only?: string; except?: string | null | undefined },
  reason: EndReason,
): Promise<string[]> {
  const conditions: (SQL | undefined)[] = [
    eq(sessions.userId, which.userId),
    isNull(sessions.endedAt),
    which.only ? eq(sessions.id, which.only) : undefined,
    which.except ? ne(sessions.id, which.except) : undefined,
  ];
  const ended = await tx
    .update(sessions)
    .set({ endedAt: now, endedReason: reason })
    .where(and(...conditions))
    .returning({ id: sessions.id });
  const ids = ended.map((r) => r.id);
  if (ids.length > 0) {
    await tx
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(inArray(refreshTokens.familyId, ids), isNull(refreshTokens.revokedAt)));
  }
  return ids;
}

/**
 * Raises the user's session generation: every access token issued before refuses at once, on
 * every process (a role change, a deactivation). Refresh tokens are not touched here: a refresh
 * issues a token of the new generation, with the user's role as it is now.
 */
export async function raiseGeneration(tx: Tx, userId: string, now: Date): Promise<number> {
  const [row] = await tx
    .update(users)
    .set({ sessionGeneration: sql`${users.sessionGeneration} + 1`, sessionsRevokedAt: now })
    .where(eq(users.id, userId))
    .returning({ generation: users.sessionGeneration });
  return row!.generation;
}
