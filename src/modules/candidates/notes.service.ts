import { and, eq } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant, type Tx } from '../../db/client.js';
import { diff, recordChange } from '../../db/outbox.js';
import { candidateNotes, candidates } from '../../db/schema/index.js';
import { roleAtLeast, type Actor } from '../../lib/access.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { assertVersion } from '../../lib/versioning.js';
import { pageById, cursorAfter } from '../../db/pages.js';

type Note = typeof candidateNotes.$inferSelect;

export const presentNote = ({ tenantId: _t, ...n }: Note) => ({ ...n, edited: n.version > 1 });

async function candidateOrThrow(tx: Tx, candidateId: string) {
  const [c] = await tx.select({ id: candidates.id, erasedAt: candidates.erasedAt }).from(candidates).where(eq(candidates.id, candidateId));
  if (!c) throw notFound('Candidate');
  return c;
}

async function noteForUpdate(tx: Tx, candidateId: string, noteId: string, actor: Actor) {
  const [n] = await tx
    .select()
    .from(candidateNotes)
    .where(and(eq(candidateNotes.id, noteId), eq(candidateNotes.candidateId, candidateId)))
    .for('update');
  if (!n) throw notFound('Note');
  // A note is its author's: others change it only as an admin (an API key with the scope may too).
  if (actor.kind === 'user' && n.authorId !== actor.userId && !roleAtLeast(actor.role ?? 'viewer', 'admin')) {
    throw new AppError('forbidden', 'Only the author or an admin may change or delete a note');
  }
  return n;
}

/** A candidate's notes, newest first. */
export async function listNotes(deps: Deps, actor: Actor, candidateId: string, q: { limit: number; cursor?: string | undefined }) {
  const after = cursorAfter(q.cursor);
  const page = await readTenant(deps.db, actor.tenantId, async (tx) => {
    await candidateOrThrow(tx, candidateId);
    return pageById(candidateNotes, after, q.limit, [eq(candidateNotes.candidateId, candidateId)]);
  });
  return { data: page.data.map(presentNote), nextCursor: page.nextCursor };
}

export async function addNote(deps: Deps, actor: Actor, candidateId: string, input: { body: string }) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const c = await candidateOrThrow(tx, candidateId);
    if (c.erasedAt) throw new AppError('conflict', 'The candidate’s personal data was erased: nothing more is written about them');
    const [note] = await tx
      .insert(candidateNotes)
      .values({ tenantId: actor.tenantId, id: newId(), candidateId, authorId: actor.userId, body: input.body, createdAt: now, updatedAt: now })
      .returning();
    await recordChange(actor, now, {
      action: 'candidate_note.added',
      subject: { type: 'note', id: note!.id },
      refs: { candidateId },
      changes: diff(null, note!, ['body']),
    });
    return note!;
  });
  return presentNote(row);
}

export async function editNote(deps: Deps, actor: Actor, candidateId: string, noteId: string, input: { body: string }, ifMatch?: number) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await noteForUpdate(tx, candidateId, noteId, actor);
    assertVersion(current.version, ifMatch);
    if (current.body === input.body) return current;
    const [updated] = await tx
      .update(candidateNotes)
      .set({ body: input.body, version: current.version + 1, updatedAt: now })
      .where(eq(candidateNotes.id, noteId))
      .returning();
    await recordChange(actor, now, {
      action: 'candidate_note.edited',
      subject: { type: 'note', id: noteId },
      refs: { candidateId },
      changes: diff(current, updated!, ['body']),
    });
    return updated!;
  });
  return presentNote(row);
}

export async function deleteNote(deps: Deps, actor: Actor, candidateId: string, noteId: string, ifMatch?: number) {
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, async (tx) => {
    const current = await noteForUpdate(tx, candidateId, noteId, actor);
    assertVersion(current.version, ifMatch);
    await tx.delete(candidateNotes).where(eq(candidateNotes.id, noteId));
    await recordChange(actor, now, {
      action: 'candidate_note.deleted',
      subject: { type: 'note', id: noteId },
      refs: { candidateId },
      changes: diff(current, {}, ['body']),
    });
  });
}

/** Export: every note on the candidate, oldest first. */
export async function notesFor(tx: Tx, candidateId: string) {
  const rows = await tx.select().from(candidateNotes).where(eq(candidateNotes.candidateId, candidateId)).orderBy(candidateNotes.id);
  return rows.map(presentNote);
}

/** Erasure: notes are free text about the person; they go. */
export async function eraseNotesOf(tx: Tx, candidateId: string) {
  await tx.delete(candidateNotes).where(eq(candidateNotes.candidateId, candidateId));
}
