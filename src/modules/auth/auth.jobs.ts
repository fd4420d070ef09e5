import { lt, or, isNotNull, and } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { allTenantIds, withTenant } from '../../db/client.js';
import { passwordResets, refreshTokens, sessions } from '../../db/schema/index.js';
import { defineJob } from '../../jobs/define.js';

/**
 * Nightly: deletes what can no longer sign anyone in, a week after it stopped: sessions ended or
 * expired (with their refresh tokens, and the browser and address they recorded), refresh tokens
 * expired, used or revoked, and password reset links past their time.
 */
export const purgeExpiredTokensJob = defineJob({
  name: 'auth.purge-refresh-tokens',
  queue: 'maintenance',
  payload: z.object({}),
  schedule: { id: 'auth-purge-refresh-tokens', pattern: '17 3 * * *', tz: 'UTC', data: {} },
  handler: async () => purgeExpiredTokens,
});

async function purgeExpiredTokens(deps: Deps) {
    const cutoff = new Date(deps.clock.now().getTime() - 7 * 86_400_000);
    let purged = 0;
    let sessionsPurged = 0;
    for (const tenantId of await allTenantIds(deps.db)) {
      await withTenant(deps.db, tenantId, async (tx) => {
        const rows = await tx
          .delete(refreshTokens)
          .where(
            or(
              lt(refreshTokens.expiresAt, cutoff),
              and(isNotNull(refreshTokens.revokedAt), lt(refreshTokens.revokedAt, cutoff)),
              and(isNotNull(refreshTokens.usedAt), lt(refreshTokens.usedAt, cutoff)),
            ),
          )
          .returning({ id: refreshTokens.id });
        const ended = await tx
          .delete(sessions)
          .where(or(lt(sessions.expiresAt, cutoff), and(isNotNull(sessions.endedAt), lt(sessions.endedAt, cutoff))))
          .returning({ id: sessions.id });
        await tx.delete(passwordResets).where(lt(passwordResets.expiresAt, cutoff));
        sessionsPurged += ended.length;
        purged += rows.length;
      });
    }
    deps.log.info({ purged, sessions: sessionsPurged }, 'purged old sessions and refresh tokens');
    return { purged, sessions: sessionsPurged };
}
