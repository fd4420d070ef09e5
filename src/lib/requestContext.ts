import { AsyncLocalStorage } from 'node:async_hooks';

/** The request a piece of code runs for, so service and job logs carry its request and tenant ids. */
export interface RequestContext {
  reqId: string;
  tenantId?: string;
  actor?: string;
  /**
   * The Idempotency-Key this request holds (docs/idempotency.md): the first transaction of the
   * agency that commits marks it `committed` in the same transaction (withTenant).
   */
  idempotency?: { tenantId: string; principal: string; route: string; key: string; marked?: boolean };
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
