import { eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import { apiKeys } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { makeTenantToken, parseTenantToken, sha256 } from '../../lib/secrets.js';
import { scopes as knownScopes, type Actor, type Scope } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import type { createApiKeyBody } from './apiKeys.schemas.js';
import { listById } from '../../db/pages.js';

export const API_KEY_PREFIX = 'avk';
/** What a key's activity records: its name, public prefix, scopes and dates, never the secret or its hash. */
const FIELDS = ['name', 'prefix', 'scopes', 'expiresAt', 'revokedAt'] as const;
const subject = (id: string) => ({ type: 'apiKey', id });

// `last_used_at` is refreshed at most this often, so a busy key does not write on every call.
const LAST_USED_RESOLUTION_MS = 60_000;

export async function createApiKey(deps: Deps, actor: Actor, input: z.output<typeof createApiKeyBody>) {
  const now = deps.clock.now();
  if (input.expiresAt && input.expiresAt <= now) {
    throw new AppError('validation_failed', 'expiresAt must be in the future', [
      { field: 'body.expiresAt', message: 'Must be in the future' },
    ]);
  }
  const secret = makeTenantToken(API_KEY_PREFIX, actor.tenantId);
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const [created] = await tx
      .insert(apiKeys)
      .values({
        tenantId: actor.tenantId,
        id: newId(),
        name: input.name,
        prefix: secret.slice(0, 12),
        keyHash: sha256(secret),
        scopes: input.scopes,
        createdBy: actor.userId!,
        expiresAt: input.expiresAt ?? null,
        createdAt: now,
      })
      .returning();
    await recordChange(actor, now, {
      action: 'api_key.created',
      subject: subject(created!.id),
      changes: diff(null, created!, FIELDS),
      data: { name: created!.name, prefix: created!.prefix, scopes: created!.scopes, expiresAt: created!.expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  deps.log.info({ tenantId: actor.tenantId, apiKeyId: row!.id, scopes: input.scopes }, 'api key created');
  return { ...present(row!), secret };
}

const present = (row: typeof apiKeys.$inferSelect) => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes as Scope[],
  createdBy: row.createdBy,
  expiresAt: row.expiresAt,
  lastUsedAt: row.lastUsedAt,
  revokedAt: row.revokedAt,
  createdAt: row.createdAt,
});

export async function listApiKeys(
  deps: Deps,
  actor: Actor,
  q: { limit: number; cursor?: string | undefined; includeRevoked: boolean },
) {
  const page = await listById(deps.db, actor.tenantId, apiKeys, q, [q.includeRevoked ? undefined : isNull(apiKeys.revokedAt)]);
  return { data: page.data.map(present), nextCursor: page.nextCursor };
}

export async function getApiKey(deps: Deps, actor: Actor, id: string) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(apiKeys).where(eq(apiKeys.id, id)));
  if (!row) throw notFound('API key');
  return present(row);
}

export async function revokeApiKey(deps: Deps, actor: Actor, id: string): Promise<void> {
  const now = deps.clock.now();
  const found = await withTenant(deps.db, actor.tenantId, async (tx) => {
    // Locked, so two revokes at once record one revocation.
    const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for('update');
    if (!row) return false;
    if (!row.revokedAt) {
      await tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, id));
      await recordChange(actor, now, {
        action: 'api_key.revoked',
        subject: subject(id),
        changes: diff(row, { ...row, revokedAt: now }, FIELDS),
        data: { name: row.name, prefix: row.prefix },
      });
    }
    return true;
  });
  if (!found) throw notFound('API key');
  deps.log.info({ tenantId: actor.tenantId, apiKeyId: id }, 'api key revoked');
}

// Hashes of keys that authenticated in this process, for rate-limit keying only (auth always
// checks the database). Bounded: cleared when full.
const seenKeys = new Map<string, string>();
export const knownApiKeyId = (token: string): string | undefined => seenKeys.get(sha256(token));

/** The actor behind an API key, or null when it is unknown, revoked or expired. */
export async function authenticateApiKey(deps: Deps, token: string): Promise<Actor | null> {
  const parsed = parseTenantToken(API_KEY_PREFIX, token);
  if (!parsed) return null;
  const now = deps.clock.now();
  // Two single statements (a read, and at most once a minute a stamp): no transaction needed.
  return readTenant(deps.db, parsed.tenantId, async (tx) => {
    const [row] = await tx
      .select({ id: apiKeys.id, scopes: apiKeys.scopes, revokedAt: apiKeys.revokedAt, expiresAt: apiKeys.expiresAt, lastUsedAt: apiKeys.lastUsedAt })
      .from(apiKeys)
      .where(eq(apiKeys.keyHash, sha256(token)));
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
    if (seenKeys.size >= 10_000) seenKeys.clear();
    seenKeys.set(sha256(token), row.id);
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await tx.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
    }
    return {
      tenantId: parsed.tenantId,
      kind: 'api_key' as const,
      userId: null,
      apiKeyId: row.id,
      role: null,
      scopes: row.scopes.filter((s): s is Scope => (knownScopes as readonly string[]).includes(s)),
    };
  });
}
