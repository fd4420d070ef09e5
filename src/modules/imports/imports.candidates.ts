import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { readTenant } from '../../db/client.js';
import { candidates } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { createCandidate, emailHashOf, updateCandidate, type Candidate } from '../candidates/candidates.service.js';
import type { CandidateRow, ReadFile } from './imports.csv.js';
import { asOutcome, type Outcome, type Planned, type RunContext } from './imports.plan.js';

// Candidates: matched by email (docs/imports.md).

const FIELDS = ['name', 'email', 'phone', 'linkedinUrl', 'timeZone', 'tags', 'relayConsent'] as const;

const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** What a row would change on the candidate with its email: the fields it sets to something else. */
export function changesFor(current: Pick<Candidate, (typeof FIELDS)[number]>, row: CandidateRow): Partial<CandidateRow> {
  const changes: Partial<CandidateRow> = {};
  for (const f of FIELDS) {
    const v = row[f];
    if (v === undefined) continue;
    if (f === 'tags' ? !sameTags(current.tags, v as string[]) : current[f] !== v) (changes as Record<string, unknown>)[f] = v;
  }
  return changes;
}

/** Each row matched by email with the agency's candidates (erased people are refused). */
export async function planCandidates(tx: Tx, actor: Actor, file: ReadFile<CandidateRow>): Promise<Planned[]> {
  const emails = file.rows.flatMap((r) => (r.data?.email ? [r.data.email] : []));
  const existing = new Map<string, Candidate>();
  const erased = new Set<string>();
  for (let i = 0; i < emails.length; i += 5_000) {
    const part = emails.slice(i, i + 5_000);
    for (const c of await tx.select().from(candidates).where(inArray(candidates.email, part))) existing.set(c.email!, c);
    const hashes = part.map((e) => emailHashOf(actor.tenantId, e));
    const gone = await tx
      .select({ hash: candidates.emailHash })
      .from(candidates)
      .where(and(inArray(candidates.emailHash, hashes), isNotNull(candidates.erasedAt)));
    for (const g of gone) if (g.hash) erased.add(g.hash);
  }
  return file.rows.map((r) => {
    let errors = r.errors.map(({ column, message }) => ({ column, message }));
    let action: Planned['action'] = 'error';
    if (r.data) {
      const current = existing.get(r.data.email!);
      const column = file.columns.get('email')!;
      if (!current && erased.has(emailHashOf(actor.tenantId, r.data.email!))) {
        errors = [{ column, message: 'Belongs to a person erased at their request; add them by hand if they asked to come back' }];
      } else if (current?.erasedAt) {
        errors = [{ column, message: 'Belongs to an erased candidate' }];
      } else {
        action = !current ? 'create' : Object.keys(changesFor(current, r.data)).length > 0 ? 'update' : 'skip';
      }
    }
    return { row: r.row, action, data: action === 'error' ? null : (r.data as Record<string, unknown>), errors };
  });
}

/** One row, through the candidates' own service (its activity row and event with it). Matched again by email now: the agency may have changed since the preview. */
export async function applyCandidateRow({ deps, actor }: RunContext, data: CandidateRow): Promise<Outcome> {
  const [current] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(candidates).where(eq(candidates.email, data.email!)));
  return asOutcome(current?.id ?? null, async () => {
    if (!current) {
      const c = await createCandidate(deps, actor, { ...data, name: data.name!, relayConsent: data.relayConsent ?? false, statusUpdatesOptIn: true, tags: data.tags ?? [], overrideErasure: false });
      return { outcome: 'created', recordId: c.id, message: null };
    }
    const changes = changesFor(current, data);
    if (Object.keys(changes).length === 0) return { outcome: 'skipped', recordId: current.id, message: 'Unchanged' };
    await updateCandidate(deps, actor, current.id, changes);
    return { outcome: 'updated', recordId: current.id, message: `Changed ${Object.keys(changes).join(', ')}` };
  });
}
