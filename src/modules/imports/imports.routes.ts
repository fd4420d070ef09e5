import type { FastifyReply } from 'fastify';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import { toCsv, wantsCsv } from '../reports/reports.csv.js';
import { allImportRows, getImport, listImportRows, previewImport, runImport } from './imports.service.js';
import { createImportBody, importRowSchema, importRowsQuery, importSchema } from './imports.schemas.js';

const read = { access: { role: 'viewer' as const, scope: 'candidates:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'candidates:write' as const } };

/** A 5 MB file grows when sent as a JSON string (quotes and line ends escaped): room for that, and the 400 naming `body.csv` for a file over 5 MB. */
const IMPORT_BODY_LIMIT = 12 * 1024 * 1024;

/** The CSV answer, past the route's JSON response type. */
const sendCsv = (reply: FastifyReply, name: string, csv: string): never =>
  reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(csv) as never;

const ROW_COLUMNS = ['row', 'name', 'email', 'action', 'outcome', 'recordId', 'errors', 'message'];

export function importsRoutes(app: App, deps: Deps) {
  const tags = ['imports'];
  const security = [{ bearer: [] }];
  app.post('/v1/imports', {
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      tags,
      security,
      summary: 'Preview a CSV import: the rows it would create, update and skip, and each error by row and column',
      description:
        'Nothing is imported yet: `POST /v1/imports/{id}/run` does it. Candidates are matched by email; a row that would change nothing is skipped, ' +
        'so importing the same file again changes nothing. At most 5 MB and 50,000 rows. A file that cannot be read at all is 400 naming `body.csv`.',
      headers: idempotencyHeader,
      body: createImportBody,
      response: { 201: importSchema, ...problemResponses() },
    },
    config: write,
    handler: async (req, reply) => reply.code(201).send(await previewImport(deps, actorOf(req), req.body)),
  });
  app.get('/v1/imports/:id', {
    schema: { tags, security, summary: 'An import: its status, progress (processed of total) and counts', params: idParam, response: { 200: importSchema, ...problemResponses() } },
    config: read,
    handler: async (req) => getImport(deps, actorOf(req), req.params.id),
  });
  app.post('/v1/imports/:id/run', {
    schema: {
      tags,
      security,
      summary: 'Run a previewed import as a job',
      description: 'Answers 202 at once; follow `processed` and `results` with GET /v1/imports/{id}. Each row is matched again when it runs. 409 once it was started.',
      headers: idempotencyHeader,
      params: idParam,
      response: { 202: importSchema, ...problemResponses() },
    },
    config: write,
    handler: async (req, reply) => reply.code(202).send(await runImport(deps, actorOf(req), req.params.id)),
  });
  app.get('/v1/imports/:id/rows', {
    schema: {
      tags,
      security,
      summary: 'Each row of an import: what was planned and what became of it',
      description: 'With `Accept: text/csv`, every row as CSV (`row,name,email,action,outcome,recordId,errors,message`), ignoring the page.',
      params: idParam,
      querystring: importRowsQuery,
      response: { 200: pageOf(importRowSchema), ...problemResponses() },
    },
    config: read,
    handler: async (req, reply) => {
      if (!wantsCsv(req.headers.accept)) return listImportRows(deps, actorOf(req), req.params.id, req.query);
      const rows = await allImportRows(deps, actorOf(req), req.params.id);
      return sendCsv(reply, `import-${req.params.id}-rows.csv`, toCsv(rows, ROW_COLUMNS));
    },
  });
}
