import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Deps } from '../../deps.js';
import { withTenant } from '../../db/client.js';
import { interviewParticipants } from '../../db/schema/index.js';
import { AppError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Actor } from '../../lib/access.js';
import { applyChange, checkContacts, loadOrThrow, lockForAction, replanAndLoad } from './interviews.change.js';
import type { addParticipantBody } from './interviews.schemas.js';

/** Adds a contact to a scheduled or completed interview: the plan and the invites follow. */
export async function addParticipant(deps: Deps, actor: Actor, id: string, input: z.output<typeof addParticipantBody>, ifMatch?: number) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockForAction(tx, id, ['scheduled', 'completed'], 'given participants', ifMatch);
    const current = await loadOrThrow(tx, id);
    if (current.participants.some((p) => p.contactId === input.contactId)) {
      throw new AppError('already_exists', 'The contact already takes part', [{ field: 'body.contactId', message: 'Already a participant' }]);
    }
    await checkContacts(tx, current.employerId, [input.contactId], () => 'body.contactId');
    await tx.insert(interviewParticipants).values({
      tenantId: actor.tenantId,
      id: newId(),
      interviewId: id,
      contactId: input.contactId,
      role: input.role,
      highlight: input.highlight ?? null,
      createdAt: now,
    });
    await applyChange(tx, actor, now, row, {}, 'interview.participant_added', { contactId: input.contactId, role: input.role });
    return replanAndLoad(tx, actor, now, id);
  });
}

/** Removes a participant (one stays at least): their steps are cancelled, their invite withdrawn. */
export async function removeParticipant(deps: Deps, actor: Actor, id: string, contactId: string, ifMatch?: number) {
  const now = deps.clock.now();
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockForAction(tx, id, ['scheduled', 'completed'], 'changed', ifMatch);
    const current = await loadOrThrow(tx, id);
    if (!current.participants.some((p) => p.contactId === contactId)) throw notFound('Participant');
    if (current.participants.length === 1) throw new AppError('conflict', 'An interview keeps at least one participant');
    await tx.delete(interviewParticipants).where(and(eq(interviewParticipants.interviewId, id), eq(interviewParticipants.contactId, contactId)));
    await applyChange(tx, actor, now, row, {}, 'interview.participant_removed', { contactId });
    return replanAndLoad(tx, actor, now, id, { removed: contactId });
  });
}
