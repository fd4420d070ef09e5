import type { Queues } from './queues.js';
import type { JobDefinition } from './define.js';
import { jobRegistry } from './registry.js';

type Scheduled = JobDefinition & { schedule: NonNullable<JobDefinition['schedule']> };
const scheduled = (): Scheduled[] => jobRegistry.filter((j): j is Scheduled => j.schedule !== undefined);

/**
 * The registry's schedules that Redis does not hold in working order: no scheduler, or a scheduler
 * whose next job is gone (BullMQ makes the next run only when the current one starts, so without
 * that job the schedule never fires again). Empty when all is well. Throws when Redis cannot be
 * asked.
 */
export async function missingSchedules(queues: Queues): Promise<string[]> {
  const missing: string[] = [];
  const defs = scheduled();
  for (const queueName of new Set(defs.map((d) => d.queue))) {
    const queue = queues.get(queueName);
    const present = new Map((await queue.getJobSchedulers()).map((s) => [s.key, s]));
    for (const def of defs.filter((d) => d.queue === queueName)) {
      const s = present.get(def.schedule.id);
      const next = s?.next ? await queue.getJobState(`repeat:${s.key}:${s.next}`) : 'unknown';
      if (next === 'unknown') missing.push(def.schedule.id);
    }
  }
  return missing.sort();
}

/** The id of every schedule of the registry. */
export const scheduleIds = (): string[] => scheduled().map((d) => d.schedule.id);

/** Creates (or replaces) the schedules named, by default every one of the registry. */
export async function ensureSchedules(queues: Queues, ids: readonly string[] = scheduleIds()): Promise<void> {
  for (const def of scheduled()) {
    if (!ids.includes(def.schedule.id)) continue;
    const { id, data, ...repeat } = def.schedule;
    await queues.get(def.queue).upsertJobScheduler(id, repeat, { name: def.name, data });
  }
}
