import { z } from 'zod';
import { allTenantIds } from '../../db/client.js';
import type { JobDefinition } from '../../jobs/registry.js';
import { purgeExpired } from './idempotency.repo.js';

/** Hourly: forgets Idempotency-Keys past their 24 hours. */
export const purgeIdempotencyKeysJob: JobDefinition<z.ZodObject<{}>> = {
  name: 'idempotency.purge-expired',
  queue: 'maintenance',
  payload: z.object({}),
  schedule: { id: 'idempotency-purge-expired', pattern: '41 * * * *', tz: 'UTC', data: {} },
  handler: async (deps) => {
    const now = deps.clock.now();
    let purged = 0;
    for (const tenantId of await allTenantIds(deps.db)) purged += await purgeExpired(deps.db, tenantId, now);
    deps.log.info({ purged }, 'purged expired idempotency keys');
    return { purged };
  },
};
