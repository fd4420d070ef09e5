import { sql } from 'drizzle-orm';
import { check, date, foreignKey, index, integer, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy, timestamps, version } from './common.js';
import { candidates, contacts, positions } from './records.js';
import { users } from './tenants.js';
import { outcomeKinds } from '../../core/followups/types.js';

export { outcomeKinds };

// Applications, their stage history, interviews and their participants, outcomes and employer replies.

export const applicationStages = ['submitted', 'interviewing', 'offer', 'hired', 'rejected', 'withdrawn', 'on_hold'] as const;
export const channels = ['email', 'phone', 'linkedin', 'other'] as const;
/** Where a reply came from: typed by a recruiter, an inbound email, or the contact's response link. */
export const replySources = ['manual', 'inbound_email', 'link'] as const;
export const participantResponses = ['needs_action', 'accepted', 'declined', 'tentative'] as const;

export const applications = pgTable(
  'applications',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    candidateId: uuid('candidate_id').notNull(),
    positionId: uuid('position_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    stage: text('stage', { enum: applicationStages }).notNull().default('submitted'),
    stageChangedAt: timestamp('stage_changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version,
    ...timestamps,
  },
  (t) => [
    // ?updatedSince= (a sync read, src/db/sync.ts)
    index('applications_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    unique('applications_tenant_id_id_key').on(t.tenantId, t.id),
    uniqueIndex('applications_candidate_position_key').on(t.tenantId, t.candidateId, t.positionId),
    foreignKey({ name: 'applications_candidate_fk', columns: [t.tenantId, t.candidateId], foreignColumns: [candidates.tenantId, candidates.id] }),
    foreignKey({ name: 'applications_position_fk', columns: [t.tenantId, t.positionId], foreignColumns: [positions.tenantId, positions.id] }),
    foreignKey({ name: 'applications_owner_fk', columns: [t.tenantId, t.ownerId], foreignColumns: [users.tenantId, users.id] }),
    index('applications_stage_idx').on(t.tenantId, t.stage, t.id),
    index('applications_position_idx').on(t.tenantId, t.positionId, t.id),
    index('applications_candidate_idx').on(t.tenantId, t.candidateId, t.id),
    index('applications_owner_idx').on(t.tenantId, t.ownerId, t.id),
    // The pipeline report (index-only): closed applications by when they moved, and open ones by
    // when they were put forward (those put forward after a period are taken off position_open_counts).
    index('applications_closed_moved_idx')
      .on(t.tenantId, t.stageChangedAt, t.positionId, t.ownerId, t.stage, t.createdAt)
      .where(sql`stage IN ('hired', 'rejected', 'withdrawn')`),
    index('applications_open_created_idx')
      .on(t.tenantId, t.createdAt, t.positionId, t.ownerId, t.stage)
      .where(sql`stage NOT IN ('hired', 'rejected', 'withdrawn')`),
    tenantPolicy(),
  ],
);

export const applicationStageChanges = pgTable(
  'application_stage_changes',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    fromStage: text('from_stage', { enum: applicationStages }),
    toStage: text('to_stage', { enum: applicationStages }).notNull(),
    reason: text('reason'),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'stage_changes_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    index('stage_changes_application_idx').on(t.tenantId, t.applicationId, t.id),
    tenantPolicy(),
  ],
);

export const interviews = pgTable(
  'interviews',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    round: integer('round').notNull().default(1),
    format: text('format', { enum: ['phone', 'video', 'onsite'] }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }).notNull(),
    timeZone: text('time_zone').notNull(),
    arrangedVia: text('arranged_via', { enum: ['email', 'phone'] }).notNull(),
    status: text('status', { enum: ['scheduled', 'completed', 'cancelled', 'no_show'] }).notNull().default('scheduled'),
    decisionExpectedBy: date('decision_expected_by', { mode: 'string' }),
    highlights: text('highlights'),
    location: text('location'),
    /** The video call's link, sent in calendar invites (docs/email.md). */
    meetingUrl: text('meeting_url'),
    notes: text('notes'),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    cancelReason: text('cancel_reason'),
    version,
    ...timestamps,
  },
  (t) => [
    // ?updatedSince= (a sync read, src/db/sync.ts)
    index('interviews_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    unique('interviews_tenant_id_id_key').on(t.tenantId, t.id),
    foreignKey({ name: 'interviews_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }),
    check('interviews_ends_after_start', sql`ends_at > starts_at`),
    index('interviews_starts_idx').on(t.tenantId, t.startsAt, t.id),
    index('interviews_status_starts_idx').on(t.tenantId, t.status, t.startsAt, t.id),
    index('interviews_application_idx').on(t.tenantId, t.applicationId, t.id),
    tenantPolicy(),
  ],
);

export const interviewParticipants = pgTable(
  'interview_participants',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    interviewId: uuid('interview_id').notNull(),
    contactId: uuid('contact_id').notNull(),
    role: text('role', { enum: ['interviewer', 'hiring_manager', 'coordinator'] }).notNull().default('interviewer'),
    highlight: text('highlight'),
    notes: text('notes'),
    /** Their answer to the calendar invite (an iTIP REPLY through the inbound endpoint). */
    response: text('response', { enum: participantResponses }).notNull().default('needs_action'),
    respondedAt: timestamp('responded_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'participants_interview_fk', columns: [t.tenantId, t.interviewId], foreignColumns: [interviews.tenantId, interviews.id] }).onDelete('cascade'),
    foreignKey({ name: 'participants_contact_fk', columns: [t.tenantId, t.contactId], foreignColumns: [contacts.tenantId, contacts.id] }),
    uniqueIndex('participants_interview_contact_key').on(t.tenantId, t.interviewId, t.contactId),
    index('participants_contact_idx').on(t.tenantId, t.contactId),
    tenantPolicy(),
  ],
);

export const outcomes = pgTable(
  'outcomes',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    kind: text('kind', { enum: outcomeKinds }).notNull(),
    reason: text('reason'),
    notes: text('notes'),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    /** When the employer decided (given, else when it was logged); post-decision timing counts from it. */
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamps.createdAt,
  },
  (t) => [
    foreignKey({ name: 'outcomes_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    index('outcomes_application_idx').on(t.tenantId, t.applicationId, t.id),
    tenantPolicy(),
  ],
);

export const employerReplies = pgTable(
  'employer_replies',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    applicationId: uuid('application_id').notNull(),
    interviewId: uuid('interview_id'),
    channel: text('channel', { enum: channels }).notNull(),
    summary: text('summary').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    newDecisionExpectedBy: date('new_decision_expected_by', { mode: 'string' }),
    suggestedOutcome: text('suggested_outcome', { enum: outcomeKinds }),
    source: text('source', { enum: replySources }).notNull().default('manual'),
    /** The employer contact who answered, when known (an answer through a response link). */
    contactId: uuid('contact_id'),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
    actorId: uuid('actor_id'),
    createdAt: timestamps.createdAt,
    /**
     * When the follow-ups were re-planned from this reply: in its own transaction for a recruiter's or
     * an inbound email's; for a link's answer by the worker after the commit (null until then: the
     * follow-up sweep re-enqueues it if Redis lost the job).
     */
    replannedAt: timestamp('replanned_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    unique('employer_replies_tenant_id_id_key').on(t.tenantId, t.id),
    index('replies_replan_due_idx').on(t.tenantId, t.createdAt).where(sql`replanned_at IS NULL`),
    foreignKey({ name: 'replies_contact_fk', columns: [t.tenantId, t.contactId], foreignColumns: [contacts.tenantId, contacts.id] }),
    foreignKey({ name: 'replies_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }).onDelete('cascade'),
    foreignKey({ name: 'replies_interview_fk', columns: [t.tenantId, t.interviewId], foreignColumns: [interviews.tenantId, interviews.id] }),
    index('replies_application_idx').on(t.tenantId, t.applicationId, t.id),
    tenantPolicy(),
  ],
);
