import { and, eq, isNull, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Deps } from '../../deps.js';
import { isUniqueViolation, readTenant, tdb, tenantIdBySlug, withTenant, type Tx } from '../../db/client.js';
import { apiKeys, refreshTokens, tenants, users } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { dummyHash, hashPassword, verifyPassword } from '../../lib/passwords.js';
import { makeTenantToken, parseTenantToken, sha256 } from '../../lib/secrets.js';
import type { Actor, Role } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import type { loginBody, signupBody } from './auth.schemas.js';

const REFRESH_PREFIX = 'rt';

/** What an access token is signed from (the route signs it: JWTs are an HTTP concern). */
export interface Session {
  tenantId: string;
  userId: string;
  role: Role;
  familyId: string;
  refreshToken: string;
}

async function issueRefreshToken(deps: Deps, tx: Tx, tenantId: string, userId: string, familyId: string) {
  const token = makeTenantToken(REFRESH_PREFIX, tenantId);
  const expiresAt = new Date(deps.clock.now().getTime() + deps.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  await tx.insert(refreshTokens).values({
    tenantId,
    id: newId(),
    userId,
    familyId,
    tokenHash: sha256(token),
    expiresAt,
    createdAt: deps.clock.now(),
  });
  return token;
}

export async function signup(deps: Deps, input: z.output<typeof signupBody>): Promise<Session> {
  if (!deps.config.SIGNUP_ENABLED) throw new AppError('signup_disabled');
  const tenantId = newId();
  const userId = newId();
  const familyId = newId();
  const passwordHash = await hashPassword(input.owner.password);
  const now = deps.clock.now();
  try {
    const refreshToken = await withTenant(deps.db, tenantId, async (tx) => {
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
      await recordChange(actor, now, {
        action: 'user.created',
        subject: { type: 'user', id: userId },
        changes: diff(null, owner!, ['email', 'name', 'role', 'status', 'timeZone', 'dailyDigest']),
        data: { role: 'owner' },
      });
      return issueRefreshToken(deps, tx, tenantId, userId, familyId);
    });
    deps.log.info({ tenantId, slug: input.slug }, 'agency signed up');
    return { tenantId, userId, role: 'owner', familyId, refreshToken };
  } catch (err) {
    if (isUniqueViolation(err, 'tenants_slug_key')) {
      throw new AppError('already_exists', 'An agency with this slug exists', [
        { field: 'body.slug', message: 'Already taken' },
      ]);
    }
    throw err;
  }
}

/** Failed sign-ins per account and window, in Redis (skipped when Redis is away). */
async function guardAccount(deps: Deps, input: { agency: string; email: string }) {
  const key = `${deps.config.QUEUE_PREFIX}:login-fail:${input.agency}:${input.email}`;
  const failures = Number(await deps.redis.get(key).catch(() => 0)) || 0;
  if (failures >= deps.config.LOGIN_RATE_LIMIT_MAX) {
    const ttl = await deps.redis.pttl(key).catch(() => deps.config.RATE_LIMIT_WINDOW_MS);
    throw new AppError('rate_limited', 'Too many failed sign-ins for this account; wait and retry', [], {
      retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)),
    });
  }
  return async () => {
    await deps.redis
      .multi()
      .incr(key)
      .pexpire(key, deps.config.RATE_LIMIT_WINDOW_MS, 'NX')
      .exec()
      .catch(() => undefined);
  };
}

export async function login(deps: Deps, input: z.output<typeof loginBody>): Promise<Session> {
  const recordFailure = await guardAccount(deps, input);
  const tenantId = await tenantIdBySlug(deps.db, input.agency);
  const user = tenantId
    ? await readTenant(deps.db, tenantId, async (tx) => {
        const [row] = await tx
          .select({ id: users.id, role: users.role, status: users.status, passwordHash: users.passwordHash })
          .from(users)
          .where(eq(users.email, input.email));
        return row;
      })
    : undefined;
  // Same work whether the agency or user exists or not: the answer tells nothing (CWE-204).
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), input.password);
  if (!tenantId || !user || !ok || user.status !== 'active') {
    await recordFailure();
    throw new AppError('invalid_credentials');
  }
  const familyId = newId();
  const refreshToken = await withTenant(deps.db, tenantId, async (tx) => {
    await tx.update(users).set({ lastLoginAt: deps.clock.now() }).where(eq(users.id, user.id));
    return issueRefreshToken(deps, tx, tenantId, user.id, familyId);
  });
  return { tenantId, userId: user.id, role: user.role, familyId, refreshToken };
}

/**
 * Rotates a refresh token. A token that was already used (or revoked) means it leaked: the whole
 * family is revoked, so the thief and the victim both have to sign in again.
 */
export async function refresh(deps: Deps, token: string): Promise<Session> {
  const parsed = parseTenantToken(REFRESH_PREFIX, token);
  if (!parsed) throw new AppError('invalid_token');
  const { tenantId } = parsed;
  const now = deps.clock.now();
  const outcome = await withTenant(deps.db, tenantId, async (tx) => {
    const [row] = await tx
      .select({
        id: refreshTokens.id,
        userId: refreshTokens.userId,
        familyId: refreshTokens.familyId,
        usedAt: refreshTokens.usedAt,
        revokedAt: refreshTokens.revokedAt,
        expiresAt: refreshTokens.expiresAt,
        role: users.role,
        status: users.status,
      })
      .from(refreshTokens)
      .innerJoin(users, eq(users.id, refreshTokens.userId))
      .where(eq(refreshTokens.tokenHash, sha256(token)))
      .for('update', { of: refreshTokens });
    if (!row) return { kind: 'invalid' as const };
    if (row.usedAt || row.revokedAt) {
      await revokeFamily(tx, row.familyId, now);
      return { kind: 'reused' as const, familyId: row.familyId };
    }
    if (row.expiresAt <= now || row.status !== 'active') return { kind: 'invalid' as const };
    await tx.update(refreshTokens).set({ usedAt: now }).where(eq(refreshTokens.id, row.id));
    const next = await issueRefreshToken(deps, tx, tenantId, row.userId, row.familyId);
    return { kind: 'ok' as const, session: { tenantId, userId: row.userId, role: row.role, familyId: row.familyId, refreshToken: next } };
  });
  if (outcome.kind === 'reused') {
    deps.log.warn({ tenantId, familyId: outcome.familyId }, 'refresh token reused: family revoked');
    throw new AppError('invalid_token', 'This refresh token was already used; sign in again');
  }
  if (outcome.kind === 'invalid') throw new AppError('invalid_token');
  return outcome.session;
}

async function revokeFamily(tx: Tx, familyId: string, now: Date) {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/** Ends the session the refresh token belongs to. Unknown tokens are ignored (idempotent). */
export async function logout(deps: Deps, token: string): Promise<void> {
  const parsed = parseTenantToken(REFRESH_PREFIX, token);
  if (!parsed) return;
  await withTenant(deps.db, parsed.tenantId, async (tx) => {
    const [row] = await tx
      .select({ familyId: refreshTokens.familyId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, sha256(token)));
    if (row) await revokeFamily(tx, row.familyId, deps.clock.now());
  });
}

/** Revokes every session of a user (deactivation, password change). */
export async function revokeUserSessions(deps: Deps, tx: Tx, userId: string): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: deps.clock.now() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
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
