import type { S } from './api';

export type Stage = S['ApplicationListItem']['stage'];

/** The pipeline's columns, in order. */
export const STAGES: readonly Stage[] = ['submitted', 'interviewing', 'offer', 'on_hold', 'hired', 'rejected', 'withdrawn'];

/**
 * Where an application may go from each stage: the API's table (src/modules/applications/
 * applications.stages.ts, in the contract's description of POST /v1/applications/{id}/stage), so
 * the page offers only moves that can succeed; the API still decides (a 409 names the allowed ones).
 */
export const NEXT: Record<Stage, readonly Stage[]> = {
  submitted: ['interviewing', 'offer', 'rejected', 'withdrawn', 'on_hold'],
  interviewing: ['offer', 'rejected', 'withdrawn', 'on_hold'],
  offer: ['hired', 'rejected', 'withdrawn', 'on_hold'],
  on_hold: ['submitted', 'interviewing', 'offer', 'rejected', 'withdrawn'],
  hired: [],
  rejected: [],
  withdrawn: [],
};
