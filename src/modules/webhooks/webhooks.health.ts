import { and, eq, inArray } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { readTenant } from '../../db/client.js';
import { tenants, users } from '../../db/schema/index.js';
import { newId } from '../../lib/ids.js';

// An endpoint's health: its circuit (webhooks.circuit.ts) opens and closes with its answers, five
// days of failures or a 410 disable it (webhooks.delivery.ts), and its admins are told.

/** Emails the agency's owners and admins that an endpoint was disabled. A mail failure is logged. */
export async function notifyAdmins(deps: Deps, tenantId: string, url: string, reason: string) {
  const [agency, admins] = await readTenant(deps.db, tenantId, async (tx) => [
    (await tx.select({ name: tenants.name }).from(tenants))[0],
    await tx
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(and(inArray(users.role, ['owner', 'admin']), eq(users.status, 'active'))),
  ] as const);
  for (const admin of admins) {
    try {
      await deps.mailer.send({
        from: { name: 'Afterview', address: deps.config.MAIL_FROM },
        to: { name: admin.name, address: admin.email },
        subject: `A webhook endpoint of ${agency?.name ?? 'your agency'} was disabled`,
        text: [
          `Hello ${admin.name},`,
          '',
          `We stopped sending events to ${url}.`,
          `Reason: ${reason}.`,
          '',
          'Events are still recorded. Once the receiver works again, resume the endpoint and recover the',
          'failed deliveries (POST /v1/webhook-endpoints/{id}/resume, then /recover with a since time).',
          '',
          'Afterview',
        ].join('\n'),
        messageId: `<wh-disabled-${newId()}@afterview>`,
        date: deps.clock.now(),
      });
    } catch (err) {
      deps.log.warn({ tenantId, err: (err as Error).message }, 'could not email an admin about a disabled endpoint');
    }
  }
}
