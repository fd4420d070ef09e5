import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { toCsv, wantsCsv } from './reports.csv.js';
import { employersReport, followUpsReport, pipelineReport, pipelineReportAll } from './reports.service.js';
import { employersReport as employersSchema, followUpsReport as followUpsSchema, pipelineQuery, pipelineReport as pipelineSchema, reportQuery } from './reports.schemas.js';

const access = { access: { role: 'viewer' as const, scope: 'reports:read' as const } };
const CSV_NOTE = ' With `Accept: text/csv`, the same rows as CSV (one header row; nested fields flattened, e.g. `stages.offer`).';

/** JSON, or the rows as CSV when the client asks for it. */
async function answer<R extends { from: string; to: string; data: object[] }>(req: FastifyRequest, reply: FastifyReply, name: string, report: R): Promise<R> {
  if (!wantsCsv(req.headers.accept)) return report;
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${report.from}-${report.to}.csv"`)
    .send(toCsv(report.data as Record<string, unknown>[])) as unknown as R;
}

export function reportsRoutes(app: App, deps: Deps) {
  const tags = ['reports'];
  const security = [{ bearer: [] }];
  app.get('/v1/reports/employers', {
    schema: {
      tags,
      security,
      summary: 'Who keeps their word: decision dates promised, kept and late, and how fast they answer, per employer family and contact',
      description:
        'Promises given in the period (from the promise ledger: at the interview, in a reply, through a response link), how many were kept ' +
        '(decided on or before the date) and the median business days late; our emails sent in the period and the median days to an answer. ' +
        'A `family` row per district (or stand-alone employer) with its schools, then a `contact` row per person.' + CSV_NOTE,
      querystring: reportQuery,
      response: { 200: employersSchema, ...problemResponses() },
    },
    config: access,
    handler: async (req, reply) => answer(req, reply, 'employers', await employersReport(deps, actorOf(req), req.query)),
  });
  app.get('/v1/reports/follow-ups', {
    schema: {
      tags,
      security,
      summary: 'Per recruiter and kind: follow-ups due in the period, sent on time (within 5 minutes), overdue, waiting for approval, answered',
      description: 'Cancelled follow-ups are left out; overdue is counted as of now.' + CSV_NOTE,
      querystring: reportQuery,
      response: { 200: followUpsSchema, ...problemResponses() },
    },
    config: access,
    handler: async (req, reply) => answer(req, reply, 'follow-ups', await followUpsReport(deps, actorOf(req), req.query)),
  });
  app.get('/v1/reports/pipeline', {
    schema: {
      tags,
      security,
      summary: 'Per position: candidates per stage, and the median days from interview to decision',
      description:
        'The applications in the pipeline during the period (put forward before its end, still open or moved within it) at their stage now; ' +
        'for those with an employer decision, the days from the end of the last interview before it to the decision. ' +
        'Paged like every list (`limit`, `cursor`, `nextCursor`), by position id. ' +
        'With `Accept: text/csv`, every row at once (`limit` and `cursor` aside), by employer name and position title, as CSV (one header row; nested fields flattened, e.g. `stages.offer`).',
      querystring: pipelineQuery,
      response: { 200: pipelineSchema, ...problemResponses() },
    },
    config: access,
    handler: async (req, reply) => {
      const { limit, cursor, ...q } = req.query;
      if (wantsCsv(req.headers.accept)) return answer(req, reply, 'pipeline', { ...(await pipelineReportAll(deps, actorOf(req), q)), nextCursor: null });
      return pipelineReport(deps, actorOf(req), { ...q, limit, cursor });
    },
  });
}
