import type { IdempotencyScope } from '../lib/requestContext.js';
import { requestContext } from '../lib/requestContext.js';

// A request's Idempotency-Key is marked `committed` inside the transaction that makes the change it
// guards, so a request that dies before its answer is stored is never run again (docs/idempotency.md).
// src/http/idempotency.ts claims the key and puts it in the request's context; the unit of work
// (withTenant) and the one-statement writes mark it.

const MARK_COMMITTED = "UPDATE idempotency_keys SET state = 'committed' WHERE principal = $1 AND route = $2 AND key = $3 AND state = 'in_progress'";

/** The statement marking a held key committed: withTenant runs it before the COMMIT of the request's first write. */
export const markCommitted = (s: IdempotencyScope) => ({
  name: 'afterview_idempotency_committed',
  text: MARK_COMMITTED,
  values: [s.principal, s.route, s.key],
});

/**
 * The same as a member of a one-statement change's CTE: the key in parameters $p..$p+2 (all null
 * when none is held, `heldKeyValues`), marked only when the CTE named `made` produced a row.
 */
export const markCommittedCte = (p: number, made: string) =>
  `UPDATE idempotency_keys SET state = 'committed'
      WHERE $${p}::text IS NOT NULL AND principal = $${p}::text AND route = $${p + 1}::text AND key = $${p + 2}::text
        AND state = 'in_progress' AND EXISTS (SELECT 1 FROM ${made})`;

/**
 * The Idempotency-Key the current request holds in `tenantId` and has not yet marked committed:
 * withTenant marks it in the first transaction that writes; a change made in one statement
 * outside a transaction marks it in that statement (`markCommittedCte`), then sets `marked`.
 */
export function heldIdempotencyKey(tenantId: string) {
  const held = requestContext.getStore()?.idempotency;
  return held && !held.marked && held.tenantId === tenantId ? held : null;
}

/** The parameters of `markCommittedCte` for a held key, or three nulls. */
export const heldKeyValues = (held: IdempotencyScope | null) => [held?.principal ?? null, held?.route ?? null, held?.key ?? null];
