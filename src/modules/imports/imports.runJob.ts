import type { JobHandler } from '../../jobs/define.js';
import type { runImportPayload } from './imports.jobs.js';
import { markImportFailed, runImportRows } from './imports.service.js';

/** Runs an import's rows; after the job's last attempt fails, the import is marked failed, not left running. */
export const runImportHandler: JobHandler<typeof runImportPayload> = async (deps, payload, job) => {
  try {
    return await runImportRows(deps, payload.tenantId, payload.importId);
  } catch (err) {
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await markImportFailed(deps, payload.tenantId, payload.importId);
    throw err;
  }
};
