import { and, eq, isNull } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, tenantIdBySlug, withTenant } from '../../db/client.js';
import { tenants, users } from '../../db/schema/index.js';
import { passwordResets } from '../../db/schema/index.js';
import { newId } from '../../lib/ids.js';
import { assertStrongPassword, hashPassword } from '../../lib/passwords.js';
import { makeTenantToken, sha256 } from '../../lib/secrets.js';
import type { Actor } from '../../lib/access.js';
import { recordChange } from '../activity/activity.service.js';
import { accountLink, mailErrorForLog, sendAccountEmail } from './auth.emails.js';
import { linkExpired, linkInvalid, linkTenant, linkUsed, RESET_PREFIX } from './links.js';
import { trustAddress } from './loginLimit.js';
import { revokedHere } from './revocations.js';
import { endSessions, openSession, raiseGeneration, type Client, type Session } from './sessions.store.js';

const RESET_TTL_MS = 30 * 60_000;
/** Reset emails per account and hour: asking more often sends nothing more (and says nothing). */
export const RESET_EMAILS_PER_HOUR = 3;

// The work behind "forgot password", done after the answer (in order, per process), so neither
// the answer nor its time tells whether the account exists. A process that dies in between loses
// the request; the user asks again. At most RESET_QUEUE_MAX wait: a flood from many addresses
// (each within its own rate limit) is dropped past that, with the same answer, rather than held.
const queues = new WeakMap<Deps, Promise<void>>();
const waiting = new WeakMap<Deps, number>();
const dropped = new WeakMap<Deps, number>();
export const RESET_QUEUE_MAX = 200;

/** POST /v1/auth/forgot-password: answered at once, the same for every agency and email. */
export function requestPasswordReset(deps: Deps, account: { agency: string; email: string }): void {
  const pending = waiting.get(deps) ?? 0;
  if (pending >= RESET_QUEUE_MAX) {
    // Logged at the first drop of a burst and every 1,000th after, not once per request.
    const n = (dropped.get(deps) ?? 0) + 1;
    dropped.set(deps, n);
    if (n % 1000 === 1) deps.log.warn({ pending, dropped: n }, 'password reset requests dropped: too many waiting in this process');
    return;
  }
  dropped.delete(deps);
  waiting.set(deps, pending + 1);
  const next = (queues.get(deps) ?? Promise.resolve())
    .then(() => sendResetLink(deps, account))
    .catch((err: Error) => deps.log.warn({ err: mailErrorForLog(err) }, 'could not send a password reset link'))
    .finally(() => waiting.set(deps, (waiting.get(deps) ?? 1) - 1));
  queues.set(deps, next);
}

/** How many reset requests this process holds, waiting their turn. */
export const resetRequestsWaiting = (deps: Deps): number => waiting.get(deps) ?? 0;

/** Resolves when the reset requests taken so far are done (the app waits for them as it closes). */
export const resetRequestsDone = (deps: Deps): Promise<void> => queues.get(deps) ?? Promise.resolve();

async function sendResetLink(deps: Deps, account: { agency: string; email: string }) {
  const key = `${deps.config.QUEUE_PREFIX}:reset:${sha256(`${account.agency}\n${account.email}`)}`;
  // Redis unreachable: not counted (fail open, as the other limits).
  const counted = await deps.redis.multi().incr(key).pexpire(key, 3_600_000, 'NX').exec().catch(() => null);
  const sent = Number(counted?.[0]?.[1] ?? 0);
  if (sent > RESET_EMAILS_PER_HOUR) return void deps.log.info('password reset not sent: this account asked too often this hour');
  const tenantId = await tenantIdBySlug(deps.db, account.agency);
  if (!tenantId) return;
  const now = deps.clock.now();
  const token = makeTenantToken(RESET_PREFIX, tenantId);
  const user = await withTenant(deps.db, tenantId, async (tx) => {
    const [row] = await tx
      .select({ id: users.id, name: users.name, email: users.email, status: users.status, agency: tenants.name })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(eq(users.email, account.email));
    if (!row || row.status !== 'active') return null;
    await tx.insert(passwordResets).values({ tenantId, id: newId(), userId: row.id, tokenHash: sha256(token), createdAt: now, expiresAt: new Date(now.getTime() + RESET_TTL_MS) });
    return row;
  });
  if (!user) return;
  await sendAccountEmail(deps, 'passwordReset', { name: user.name, address: user.email }, { name: user.name, agency: user.agency, email: user.email, link: accountLink(deps, 'reset-password', token) });
  deps.log.info({ tenantId, userId: user.id }, 'password reset link sent');
}

/**
 * POST /v1/auth/reset-password: a new password with a reset link. Every session of the user ends
 * (their access tokens on every process at once) and a new one starts here; the address becomes
 * known to the sign-in limit, which is how a user locked out by someone else's guesses gets in.
 */
export async function resetPassword(deps: Deps, input: { token: string; password: string }, client: Client): Promise<Session> {
  const tenantId = linkTenant(RESET_PREFIX, input.token);
  const hash = sha256(input.token);
  const now = deps.clock.now();
  const [found] = await readTenant(deps.db, tenantId, (tx) =>
    tx
      .select({ id: passwordResets.id, usedAt: passwordResets.usedAt, expiresAt: passwordResets.expiresAt, user: { id: users.id, role: users.role, status: users.status, email: users.email, name: users.name }, agency: { name: tenants.name, slug: tenants.slug } })
      .from(passwordResets)
      .innerJoin(users, eq(users.id, passwordResets.userId))
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(eq(passwordResets.tokenHash, hash)),
  );
  if (!found || found.user.status !== 'active') throw linkInvalid();
  if (found.usedAt) throw linkUsed('This reset link was already used. Ask for a new one if you need to');
  if (found.expiresAt <= now) throw linkExpired('This reset link has expired (links work for 30 minutes). Ask for a new one');
  assertStrongPassword(input.password, 'body.password', [found.user.email, found.user.name, found.agency.name, found.agency.slug]);
  const passwordHash = await hashPassword(input.password);
  const userId = found.user.id;
  const actor: Actor = { tenantId, kind: 'user', userId, apiKeyId: null, role: found.user.role, scopes: [] };
  const { session, ended } = await withTenant(deps.db, tenantId, async (tx) => {
    // Taken once: of two resets with the same link at the same time, the second finds it used.
    const taken = await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)))
      .returning({ id: passwordResets.id });
    if (!taken.some((r) => r.id === found.id)) throw linkUsed('This reset link was already used. Ask for a new one if you need to');
    await tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, userId));
    const ended = await endSessions(tx, now, { userId }, 'password_reset');
    const generation = await raiseGeneration(tx, userId, now);
    await recordChange(actor, now, { action: 'user.password_reset', subject: { type: 'user', id: userId }, data: { sessionsEnded: ended.length } });
    const session = await openSession(deps, tx, { tenantId, id: userId, role: found.user.role, sessionGeneration: generation }, client);
    return { session, ended: { sessionIds: ended, user: { id: userId, generation } } };
  });
  revokedHere(deps, ended);
  await trustAddress(deps, { agency: found.agency.slug, email: found.user.email }, client.ip);
  deps.log.info({ tenantId, userId, sessionsEnded: ended.sessionIds.length }, 'password reset with a link');
  return session;
}
