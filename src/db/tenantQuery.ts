import pg from 'pg';
// pg's internal value mapper (dates, buffers, arrays), the one its own Query uses for bind().
// @ts-expect-error no type declarations for this internal module
import pgUtils from 'pg/lib/utils.js';

const CONTEXT_NAME = 'afterview_tenant_context';
// Returns no row, so the reply needs no row description; set_config runs once per execution.
const CONTEXT_SQL = "SELECT 1 FROM (SELECT set_config('app.tenant_id', $1, true) AS v) s WHERE s.v IS NULL";

interface Connection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(msg: { text: string; name: string; types: unknown[] }): void;
  bind(msg: { portal: string; statement: string; values: unknown[]; valueMapper: unknown }): void;
  execute(msg: { portal: string; rows: number }): void;
}

/** The parts of pg's Query that its type declarations leave out. */
interface InternalQuery extends pg.Submittable {
  handleError(err: Error, connection: Connection): void;
  requiresPreparation(): boolean;
  prepare(connection: Connection): void;
  handleCommandComplete(msg: unknown, connection: unknown): void;
}
const QueryBase = pg.Query as unknown as new (config: pg.QueryConfig, values?: unknown[]) => InternalQuery;

/**
 * A query that carries its tenant context. Before the query's own messages it sends a bind and
 * execute of `set_config('app.tenant_id', $1, true)` with no Sync in between: both run in one
 * implicit transaction, so the setting holds for the query and ends with it. One round trip and
 * one reply for the caller, instead of BEGIN, set_config, query and COMMIT.
 */
export class TenantQuery extends QueryBase {
  private contextAcknowledged = false;
  private readonly tenantId: string;

  constructor(tenantId: string, config: pg.QueryConfig, values?: unknown[]) {
    super(config, values);
    this.tenantId = tenantId;
  }

  override requiresPreparation(): boolean {
    return true;
  }

  override prepare(connection: Connection): void {
    if (!connection.parsedStatements[CONTEXT_NAME] && !connection.submittedNamedStatements[CONTEXT_NAME]) {
      connection.parse({ text: CONTEXT_SQL, name: CONTEXT_NAME, types: [] });
      connection.submittedNamedStatements[CONTEXT_NAME] = CONTEXT_SQL;
    }
    connection.bind({ portal: '', statement: CONTEXT_NAME, values: [this.tenantId], valueMapper: pgUtils.prepareValue });
    connection.execute({ portal: '', rows: 0 });
    super.prepare(connection);
  }

  /**
   * pg notes a named statement as parsed when the first ParseComplete of the round trip arrives,
   * which may be the context statement's: if the query's own Parse then failed, the name stays
   * noted on this connection and every later use fails with 26000. Forget it then, so the next
   * use parses it again.
   */
  override handleError(err: Error & { code?: string }, connection: Connection): void {
    const name = (this as unknown as { name?: string }).name;
    if (err.code === '26000' && name) {
      delete connection.parsedStatements[name];
      delete connection.submittedNamedStatements[name];
    }
    super.handleError(err, connection);
  }

  override handleCommandComplete(msg: unknown, connection: unknown): void {
    // The first CommandComplete is the context statement's.
    if (!this.contextAcknowledged) {
      this.contextAcknowledged = true;
      return;
    }
    super.handleCommandComplete(msg, connection);
  }
}
