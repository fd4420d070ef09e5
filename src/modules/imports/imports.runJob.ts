import type { JobHandler } from '../../jobs/define.js';
import type { runImportPayload } from './imports.jobs.js';
import { runImportRows } from './imports.service.js';

export const runImportHandler: JobHandler<typeof runImportPayload> = async (deps, payload) => runImportRows(deps, payload.tenantId, payload.importId);
