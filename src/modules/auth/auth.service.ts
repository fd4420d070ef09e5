import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Deps } from '../../deps.js';
import { isUniqueViolation, readTenant, tdb, tenantIdBySlug, withTenant } from '../../db/client.js';
import { apiKeys, refreshTokens, sessions, tenants, users } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { assertStrongPassword, dummyHash, hashPassword, verifyPassword } from '../../lib/passwords.js';
import { parseTenantToken, sha256 } from '../../lib/secrets.js';
import type { Actor } from '../../lib/access.js';
import { recordUserCreated } from '../users/users.service.js';
import { countLoginAttempt } from './loginLimit.js';
import { revokedHere } from './revocations.js';
import { endSessions, issueRefreshToken, openSession, REFRESH_PREFIX, touchSession, type Client, type Session } from './sessions.store.js';
import type { loginBody, signupBody } from './auth.schemas.js';

export type { Client, Session };

export async function signup(deps: Deps, input: z.output<typeof signupBody>, client: Client): Promise<Session> {
  if (!deps.config.SIGNUP_ENABLED) throw new AppError('signup_disabled');
  assertStrongPassword(input.owner.password, 'body.owner.password', [input.owner.email, input.owner.name, input.slug]);
  const tenantId = newId();
  const userId = newId();
  const passwordHash = await hashPassword(input.owner.password);
  const now = deps.clock.now();
  try {
    const session = await withTenant(deps.db, tenantId, async (tx) => {
      await tx.insert(tenants).values({
        id: tenantId,
        name: input.agencyName,
        slug: input.slug,
        timeZone: input.timeZone,
        createdAt: now,
        updatedAt: now,
      });
      const [owner] = await tx
        .insert(users)
        .values({
          tenantId,
          id: userId,
          email: input.owner.email,
          name: input.owner.name,
          role: 'owner',
          passwordHash,
          lastLoginAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      // The agency's timeline starts with its owner, as for every user added later.
      const actor: Actor = { tenantId, kind: 'user', userId, apiKeyId: null, role: 'owner', scopes: [] };
      await recordUserCreated(actor, now, owner!);
      return openSession(deps, tx, owner!, client);
    });
    deps.log.info({ tenantId, slug: input.slug }, 'agency signed up');
    return session;
  } catch (err) {
    if (isUniqueViolation(err, 'tenants_slug_key')) {
      throw new AppError('already_exists', 'An agency with this slug exists', [
        { field: 'body.slug', message: 'Already taken' },
      ]);
    }
    throw err;
  }
}

export async function login(deps: Deps, input: z.output<typeof loginBody>, client: Client): Promise<Session> {
  // Counted before the password is checked, whether the account exists or not (loginLimit.ts).
  const attempt = await countLoginAttempt(deps, input, client.ip);
  const tenantId = await tenantIdBySlug(deps.db, input.agency);
  const user = tenantId
    ? await readTenant(deps.db, tenantId, async (tx) => {
        const [row] = await tx
          .select({ tenantId: users.tenantId, id: users.id, role: users.role, status: users.status, passwordHash: users.passwordHash, sessionGeneration: users.sessionGeneration })
          .from(users)
          .where(eq(users.email, input.email));
        return row;
      })
    : undefined;
  // Same work whether the agency or user exists or not: the answer tells nothing (CWE-204).
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), input.password);
  if (!tenantId || !user || !ok || user.status !== 'active') throw new AppError('invalid_credentials');
  const session = await withTenant(deps.db, tenantId, async (tx) => {
    // The password was checked against a row read before hashing. A password change or reset (or
    // a deactivation) that committed meanwhile has already ended the user's sessions and would not
    // see this one: under the row's lock, the account must still be as checked. A change that
    // commits after this waits for the lock and then ends this session too.
    const [current] = await tx
      .select({ passwordHash: users.passwordHash, status: users.status, sessionGeneration: users.sessionGeneration, role: users.role })
      .from(users)
      .where(eq(users.id, user.id))
      // The lock the update below takes anyway (a shared one would deadlock two sign-ins at once).
      .for('no key update');
    if (!current || current.passwordHash !== user.passwordHash || current.status !== 'active') throw new AppError('invalid_credentials');
    await tx.update(users).set({ lastLoginAt: deps.clock.now() }).where(eq(users.id, user.id));
    return openSession(deps, tx, { ...user, role: current.role, sessionGeneration: current.sessionGeneration }, client);
  });
  await attempt.succeeded();
  return session;
}

/**
 * Rotates a refresh token. A token that was already used (or revoked) means it leaked: its whole
 * session is ended, so the thief and the victim both have to sign in again.
 */
export async function refresh(deps: Deps, token: string, client: Client): Promise<Session> {
  const parsed = parseTenantToken(REFRESH_PREFIX, token);
  if (!parsed) throw new AppError('invalid_token');
  const { tenantId } = parsed;
  const now = deps.clock.now();
  const outcome = await withTenant(deps.db, tenantId, async (tx) => {
    // The session's row first, then the token's: the order ending sessions takes them in (logout,
    // deactivation, a reset), so the two never wait for each other in a circle.
    const [family] = await tx.select({ id: refreshTokens.familyId }).from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256(token)));
    if (!family) return { kind: 'invalid' as const };
    await tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, family.id)).for('no key update');
    const [row] = await tx
      .select({
        id: refreshTokens.id,
        userId: refreshTokens.userId,
        sessionId: refreshTokens.familyId,
        usedAt: refreshTokens.usedAt,
        revokedAt: refreshTokens.revokedAt,
        expiresAt: refreshTokens.expiresAt,
        role: users.role,
        status: users.status,
        generation: users.sessionGeneration,
        sessionEndedAt: sessions.endedAt,
      })
      .from(refreshTokens)
      .innerJoin(users, eq(users.id, refreshTokens.userId))
      .innerJoin(sessions, eq(sessions.id, refreshTokens.familyId))
      .where(eq(refreshTokens.tokenHash, sha256(token)))
      .for('update', { of: refreshTokens });
    if (!row) return { kind: 'invalid' as const };
    if (row.usedAt || row.revokedAt) {
      await endSessions(tx, now, { userId: row.userId, only: row.sessionId }, 'refresh_token_reused');
      return { kind: 'reused' as const, sessionId: row.sessionId };
    }
    // An ended session refreshes nothing, whatever became of its tokens.
    if (row.expiresAt <= now || row.status !== 'active' || row.sessionEndedAt) return { kind: 'invalid' as const };
    await tx.update(refreshTokens).set({ usedAt: now }).where(eq(refreshTokens.id, row.id));
    const next = await issueRefreshToken(deps, tx, tenantId, row.userId, row.sessionId, now);
    await touchSession(tx, row.sessionId, now, next.expiresAt, client);
    const session: Session = { tenantId, userId: row.userId, role: row.role, sessionId: row.sessionId, generation: row.generation, refreshToken: next.token };
    return { kind: 'ok' as const, session };
  });
  if (outcome.kind === 'reused') {
    revokedHere(deps, { sessionIds: [outcome.sessionId] });
    deps.log.warn({ tenantId, sessionId: outcome.sessionId }, 'refresh token reused: session ended');
    throw new AppError('invalid_token', 'This refresh token was already used; sign in again');
  }
  if (outcome.kind === 'invalid') throw new AppError('invalid_token');
  return outcome.session;
}

/** Ends the session the refresh token belongs to, its access tokens too. Unknown tokens are ignored (idempotent). */
export async function logout(deps: Deps, token: string): Promise<void> {
  const parsed = parseTenantToken(REFRESH_PREFIX, token);
  if (!parsed) return;
  const ended = await withTenant(deps.db, parsed.tenantId, async (tx) => {
    const [row] = await tx
      .select({ sessionId: refreshTokens.familyId, userId: refreshTokens.userId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(token)));
    return row ? endSessions(tx, deps.clock.now(), { userId: row.userId, only: row.sessionId }, 'signed_out') : [];
  });
  revokedHere(deps, { sessionIds: ended });
}

// The hottest read: one prepared statement, one round trip with its tenant context.
const agencyColumns = {
  id: tenants.id,
  name: tenants.name,
  slug: tenants.slug,
  timeZone: tenants.timeZone,
  createdAt: tenants.createdAt,
};
// Raw and in array rows: on a route this cheap, drizzle's and pg's per-row object building showed.
const ME_AS_USER = {
  name: 'me_as_user',
  rowMode: 'array' as const,
  text: `SELECT t.id, t.name, t.slug, t.time_zone, t.created_at,
                u.id, u.email, u.name, u.role, u.status, u.time_zone, u.last_login_at, u.daily_digest, u.version, u.created_at, u.updated_at
         FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1`,
};
type MeRow = [string, string, string, string, Date, string, string, string, UserRow['role'], UserRow['status'], string | null, Date | null, boolean, number, Date, Date];
type UserRow = typeof users.$inferSelect;
const meAsKey = tdb
  .select({ agency: agencyColumns, apiKey: { id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes } })
  .from(apiKeys)
  .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
  .where(eq(apiKeys.id, sql.placeholder('apiKeyId')))
  .prepare('me_as_key');

export async function me(deps: Deps, actor: Actor) {
  if (actor.kind === 'user') {
    const res = await readTenant(deps.db, actor.tenantId, () => tdb.$client.query<MeRow>({ ...ME_AS_USER, values: [actor.userId] }));
    const r = res.rows[0];
    if (!r || r[9] !== 'active') throw new AppError('invalid_token', 'This user is no longer active');
    return {
      agency: { id: r[0], name: r[1], slug: r[2], timeZone: r[3], createdAt: r[4] },
      user: { id: r[5], email: r[6], name: r[7], role: r[8], status: r[9], timeZone: r[10], lastLoginAt: r[11], dailyDigest: r[12], version: r[13], createdAt: r[14], updatedAt: r[15] },
      apiKey: null,
    };
  }
  const [row] = await readTenant(deps.db, actor.tenantId, () => meAsKey.execute({ apiKeyId: actor.apiKeyId }));
  if (!row) throw new AppError('invalid_token');
  return { agency: row.agency, user: null, apiKey: row.apiKey };
}
