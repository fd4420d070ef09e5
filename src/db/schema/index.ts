// The database schema, one file per area; drizzle-kit reads this index (drizzle.config.ts).
import { activities, events, idempotencyKeys } from './activity.js';
import { applicationStageChanges, applications, employerReplies, interviewParticipants, interviews, outcomes } from './applications.js';
import { followUps } from './followups.js';
import { inboundReplies } from './inbound.js';
import { candidateNotes, candidates, contacts, employers, positions } from './records.js';
import { applicationDecisions, emailAnswers, employerPromises, responseLinks } from './responses.js';
import { externalIds } from './sync.js';
import { emailMessages, emailThreads } from './threads.js';
import { calendarFeeds, calendarInvites } from './calendar.js';
import { importRows, imports } from './imports.js';
import { followUpDayCounts, positionOpenCounts } from './reports.js';
import { agencyMailSettings, apiKeys, tenants, users } from './tenants.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './webhooks.js';

export { currentTenant, tenantPolicy, timestamps, type Holiday } from './common.js';
export * from './tenants.js';
export * from './accounts.js';
export * from './records.js';
export * from './activity.js';
export * from './applications.js';
export * from './followups.js';
export * from './webhooks.js';
export * from './inbound.js';
export * from './sync.js';
export * from './responses.js';
export * from './threads.js';
export * from './calendar.js';
export * from './imports.js';
export * from './reports.js';

/** The tables drizzle's query builder knows by name (src/db/client.ts). */
export const schema = {
  tenants,
  users,
  apiKeys,
  employers,
  contacts,
  positions,
  candidates,
  candidateNotes,
  activities,
  events,
  idempotencyKeys,
  applications,
  applicationStageChanges,
  interviews,
  interviewParticipants,
  outcomes,
  employerReplies,
  followUps,
  webhookEndpoints,
  webhookDeliveries,
  webhookAttempts,
  inboundReplies,
  externalIds,
  responseLinks,
  employerPromises,
  emailAnswers,
  applicationDecisions,
  emailThreads,
  emailMessages,
  calendarInvites,
  calendarFeeds,
  agencyMailSettings,
  imports,
  importRows,
  followUpDayCounts,
  positionOpenCounts,
};
