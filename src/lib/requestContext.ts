import { AsyncLocalStorage } from 'node:async_hooks';

/** Who holds an Idempotency-Key: the agency, the credential, the route, and the key itself. */
export interface IdempotencyScope {
  tenantId: string;
  principal: string;
  route: string;
  key: string;
}

/** The request a piece of code runs for, so service and job logs carry its request and tenant ids. */
export interface RequestContext {
  reqId: string;
  tenantId?: string;
  actor?: string;
  /**
   * The Idempotency-Key this request holds (docs/idempotency.md): the request's first transaction
   * in the agency that writes marks it committed before its COMMIT (src/db/idempotency.ts); a
   * one-statement change marks it itself. `marked` once done.
   */
  idempotency?: IdempotencyScope & { marked?: boolean };
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
