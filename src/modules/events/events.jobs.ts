import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { defineJob } from '../../jobs/define.js';
import { purgeOldEvents } from './events.service.js';

/** Daily: the event feed keeps 30 days (docs/events.md). */
export const purgeOldEventsJob = defineJob({
  name: 'events.purge-old',
  queue: 'maintenance',
  payload: z.object({}),
  schedule: { id: 'events-purge-old', pattern: '29 4 * * *', tz: 'UTC', data: {} },
  handler: async () => async (deps: Deps) => {
    const purged = await purgeOldEvents(deps);
    deps.log.info({ purged }, 'purged events past the feed’s 30 days');
    return { purged };
  },
});
