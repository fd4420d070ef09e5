import { z } from 'zod';
import { defineJob, smtpRetries, type JobDefinition } from '../../jobs/define.js';

export const invitePayload = z.object({ tenantId: z.uuid(), inviteId: z.uuid() });

/** Sends one calendar invite (`inv-<id>`); a claimed, sent or superseded one does nothing. */
export const sendInviteJob: JobDefinition<typeof invitePayload> = defineJob({
  name: 'interviews.invite',
  queue: 'followups',
  payload: invitePayload,
  options: smtpRetries,
  handler: () => import('./interviews.inviteJob.js').then((m) => m.inviteHandler),
});

export const reconcileInvitesPayload = z.object({});

/** Every minute: invites still pending a minute after they were written (Redis lost their job) are enqueued again. */
export const reconcileInvitesJob: JobDefinition<typeof reconcileInvitesPayload> = defineJob({
  name: 'interviews.invites-reconcile',
  queue: 'maintenance',
  payload: reconcileInvitesPayload,
  schedule: { id: 'interviews-invites-reconcile', every: 60_000, data: {} },
  handler: () => import('./interviews.inviteJob.js').then((m) => m.reconcileHandler),
});
