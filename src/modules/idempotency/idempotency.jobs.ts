import { z } from 'zod';
import { allTenantIds } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { defineJob } from '../../jobs/define.js';
import { purgeExpired } from './idempotency.repo.js';

/** Hourly: forgets Idempotency-Keys past their 24 hours. */
export const purgeIdempotencyKeysJob = defineJob({
  name: 'idempotency.purge-expired',
  queue: 'maintenance',
  payload: z.object({}),
  schedule: { id: 'idempotency-purge-expired', pattern: '41 * * * *', tz: 'UTC', data: {} },
  handler: async () => purgeExpiredKeys,
});

async function purgeExpiredKeys(deps: Deps) {
    const now = deps.clock.now();
    let purged = 0;
    for (const tenantId of await allTenantIds(deps.db)) purged += await purgeExpired(deps.db, tenantId, now);
    deps.log.info({ purged }, 'purged expired idempotency keys');
    return { purged };
}
