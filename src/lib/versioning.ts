import { AppError } from './errors.js';

/** Optimistic concurrency: a stale If-Match is 412 with the version the client should re-read. */
export function assertVersion(current: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new AppError('precondition_failed', `The resource is at version ${current}; re-read it and retry`, [], {
      currentVersion: current,
    });
  }
}
