import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/define.js';

export const runImportPayload = z.object({ tenantId: z.uuid(), importId: z.uuid() });

/** Runs a previewed import (`import-<id>`): its rows in order, progress written a chunk at a time; a retry goes on where it stopped. */
export const runImportJob: JobDefinition<typeof runImportPayload> = defineJob({
  name: 'imports.run',
  queue: 'maintenance',
  payload: runImportPayload,
  handler: () => import('./imports.runJob.js').then((m) => m.runImportHandler),
});
