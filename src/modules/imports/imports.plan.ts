import type { Deps } from '../../deps.js';
import type { Actor } from '../../lib/access.js';
import { AppError } from '../../lib/errors.js';

// What each kind of import (candidates, employers, contacts) shares: the plan of a row made by the
// preview, and what the run did with it (docs/imports.md).

export type Action = 'create' | 'update' | 'skip';

/** A row as the preview planned it; `data` holds the checked cells (and the ids it was matched to), null for a row with errors. */
export interface Planned {
  row: number;
  action: Action | 'error';
  data: Record<string, unknown> | null;
  errors: { column: string; message: string }[];
}

export type Outcome = { outcome: 'created' | 'updated' | 'skipped' | 'failed'; recordId: string | null; message: string | null };

/** What a row's run can ask: who runs it, and what became of an earlier row of the same file (a school's district). */
export interface RunContext {
  deps: Deps;
  actor: Actor;
  outcomeOf(row: number): Promise<Pick<Outcome, 'outcome' | 'recordId'> | undefined>;
}

/** Names are matched without regard to case or surrounding spaces. */
export const nameKey = (s: string) => s.trim().toLowerCase();

/** The fields a row sets to something else than `current` has (cells left empty are not in `row`). */
export function changedFields<R extends object>(current: Partial<Record<keyof R, unknown>>, row: R, fields: readonly (keyof R & string)[]): Partial<R> {
  const changes: Partial<R> = {};
  for (const f of fields) {
    const v = row[f];
    if (v === undefined) continue;
    if ((current[f] ?? null) !== v) changes[f] = v;
  }
  return changes;
}

/** A write refused by the service (a 4xx: the record changed since the preview, say) is the row's failure, not the job's. */
export async function asOutcome(recordId: string | null, write: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return { outcome: 'failed', recordId, message: err.message };
    throw err;
  }
}

export const failed = (message: string, recordId: string | null = null): Outcome => ({ outcome: 'failed', recordId, message });
