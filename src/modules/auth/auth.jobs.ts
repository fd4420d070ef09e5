import { lt, or, isNotNull, and } from 'drizzle-orm';
import { z } from 'zod';
import { allTenantIds, withTenant } from '../../db/client.js';
import { refreshTokens } from '../../db/schema.accounts.js';
import type { JobDefinition } from '../../jobs/registry.js';

/** Nightly: deletes refresh tokens that expired, or were used or revoked, over a week ago. */
export const purgeExpiredTokensJob: JobDefinition<z.ZodObject<{}>> = {
  name: 'auth.purge-refresh-tokens',
  queue: 'maintenance',
  payload: z.object({}),
  schedule: { id: 'auth-purge-refresh-tokens', pattern: '17 3 * * *', tz: 'UTC', data: {} },
  handler: async (deps) => {
    const cutoff = new Date(deps.clock.now().getTime() - 7 * 86_400_000);
    let purged = 0;
    for (const tenantId of await allTenantIds(deps.db)) {
      const rows = await withTenant(deps.db, tenantId, (tx) =>
        tx
          .delete(refreshTokens)
          .where(
            or(
              lt(refreshTokens.expiresAt, cutoff),
              and(isNotNull(refreshTokens.revokedAt), lt(refreshTokens.revokedAt, cutoff)),
              and(isNotNull(refreshTokens.usedAt), lt(refreshTokens.usedAt, cutoff)),
            ),
          )
          .returning({ id: refreshTokens.id }),
      );
      purged += rows.length;
    }
    deps.log.info({ purged }, 'purged old refresh tokens');
    return { purged };
  },
};
