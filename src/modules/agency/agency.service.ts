import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { readTenant, withTenant } from '../../db/client.js';
import { tenants } from '../../db/schema/index.js';
import { notFound } from '../../lib/errors.js';
import { assertVersion } from '../../lib/versioning.js';
import type { Actor } from '../../lib/access.js';
import { diff, recordChange } from '../activity/activity.service.js';
import type { updateAgencyBody } from './agency.schemas.js';

type Tenant = typeof tenants.$inferSelect;
const FIELDS = ['name', 'timeZone', 'holidays'] as const;
const present = (t: Tenant) => ({
  id: t.id,
  name: t.name,
  slug: t.slug,
  timeZone: t.timeZone,
  holidays: t.holidays,
  version: t.version,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

export async function getAgency(deps: Deps, actor: Actor) {
  const [row] = await readTenant(deps.db, actor.tenantId, (tx) => tx.select().from(tenants));
  if (!row) throw notFound('Agency');
  return present(row);
}

/**
 * Changes the agency's name, zone or days off. Like the playbook, follow-ups already planned keep
 * their times; every later re-plan (a new fact on the interview) uses the new days off.
 */
export async function updateAgency(deps: Deps, actor: Actor, input: z.output<typeof updateAgencyBody>, ifMatch?: number) {
  const now = deps.clock.now();
  const row = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const [current] = await tx.select().from(tenants).for('update');
    if (!current) throw notFound('Agency');
    assertVersion(current.version, ifMatch);
    const changes = diff(current, { ...current, ...input }, FIELDS);
    if (Object.keys(changes).length === 0) return current;
    const [updated] = await tx
      .update(tenants)
      .set({ ...input, version: current.version + 1, updatedAt: now })
      .where(eq(tenants.id, actor.tenantId))
      .returning();
    await recordChange(actor, now, { action: 'agency.updated', subject: { type: 'agency', id: actor.tenantId }, changes });
    return updated!;
  });
  return present(row);
}
