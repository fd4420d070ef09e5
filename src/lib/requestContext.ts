import { AsyncLocalStorage } from 'node:async_hooks';

/** The request a piece of code runs for, so service and job logs carry its request and tenant ids. */
export interface RequestContext {
  reqId: string;
  tenantId?: string;
  actor?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
