import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { applications, interviews } from './applications.js';
import { tenantPolicy, timestamps, version } from './common.js';
import { candidates } from './records.js';
import { users } from './tenants.js';
import { followUpChannels, followUpKinds, followUpVoices, type PlanBasis } from '../../core/followups/types.js';

// Follow-ups: what the planner schedules after an interview.

/**
 * `uncertain`: claimed for sending, but its worker stopped before it could say how it went (docs/followups.md#delivery).
 * `stale`: planned after its kind's freshness limit (a backfilled interview): not sent by itself, waiting for review.
 * `awaiting_approval`: the playbook wants a recruiter to approve it (candidate news of a decision, by default) before it goes.
 * `paused`: a status check waiting for a new decision date (the employer replied without one); a new date re-plans it.
 */
export const followUpStatuses = ['pending', 'queued', 'sent', 'done', 'skipped', 'cancelled', 'failed', 'uncertain', 'stale', 'awaiting_approval', 'paused'] as const;

/** Planned and not closed, but waiting for a person or a new fact rather than for its time. */
export const heldStatuses = ['stale', 'awaiting_approval', 'paused'] as const satisfies readonly (typeof followUpStatuses)[number][];

/** Who a follow-up goes to, as the planner routed it (followups.types.ts Recipient). */
export type FollowUpRecipient =
  | { type: 'contact'; contactId: string; name: string; email: string | null }
  | { type: 'candidate'; name: string; email: string | null }
  | { type: 'recruiter'; userId: string; name: string; email: string | null };

/** A follow-up's state before a recruiter released it, restored by `POST …/undo` inside its window. */
export interface UndoState {
  status: 'pending' | 'stale' | 'paused' | 'awaiting_approval' | 'uncertain' | 'failed';
  dueAt: string;
  reason: string;
  holdReason: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  /** Its machine-readable why before the release (absent in rows written before it was kept). */
  basis?: PlanBasis | null;
  /** What released it: `send_now`, `resend` or `approve`. */
  by: 'send_now' | 'resend' | 'approve';
}

/**
 * One planned contact after an interview (DESIGN section 2). `key` is the planner's deterministic
 * step key: at most one live (not cancelled) row per interview and key. `planned_due_at` is the
 * planner's time, kept when a recruiter moves `due_at` by hand, so re-planning compares like with like.
 */
export const followUps = pgTable(
  'follow_ups',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').primaryKey(),
    interviewId: uuid('interview_id').notNull(),
    applicationId: uuid('application_id').notNull(),
    candidateId: uuid('candidate_id').notNull(),
    key: text('key').notNull(),
    kind: text('kind', { enum: followUpKinds }).notNull(),
    channel: text('channel', { enum: followUpChannels }).notNull(),
    voice: text('voice', { enum: followUpVoices }).notNull(),
    recipient: jsonb('recipient').$type<FollowUpRecipient>().notNull(),
    contactId: uuid('contact_id'),
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }).notNull(),
    ruleDueAt: timestamp('rule_due_at', { withTimezone: true, mode: 'date' }).notNull(),
    plannedDueAt: timestamp('planned_due_at', { withTimezone: true, mode: 'date' }).notNull(),
    reason: text('reason').notNull(),
    // The planner's machine-readable why (PlanBasis); null on steps planned before 0039 and tasks added by hand.
    basis: jsonb('basis').$type<PlanBasis>(),
    status: text('status', { enum: followUpStatuses }).notNull().default('pending'),
    subject: text('subject'),
    body: text('body'),
    vars: jsonb('vars').$type<Record<string, unknown>>().notNull().default({}),
    ownerId: uuid('owner_id').notNull(),
    notes: text('notes'),
    cancelReason: text('cancel_reason'),
    /** Why it waits for a person (stale: past its freshness limit when planned; awaiting approval); null otherwise. */
    holdReason: text('hold_reason'),
    /** Who approved it and when, for a step that waited for approval. */
    approvedAt: timestamp('approved_at', { withTimezone: true, mode: 'date' }),
    approvedBy: uuid('approved_by'),
    /** `plan`: re-planning made it pointless; `user`: closed by hand, so re-planning leaves its key alone. */
    cancelledBy: text('cancelled_by', { enum: ['plan', 'user'] }),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    /** Delivery: sends tried by the worker, the server's answer to the last failed one, the Message-ID once sent. */
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    messageId: text('message_id'),
    /** While `queued`: the end of the worker's claim; still queued after it, the send is uncertain. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true, mode: 'date' }),
    /**
     * The undo window (playbook `undoSeconds`, fixed when it was planned or made due by hand): an
     * email leaves at `due_at + undo_seconds` (its `sendsAt`), and may be undone until then.
     */
    undoSeconds: integer('undo_seconds').notNull().default(30),
    /** What `undo` restores: the state before a recruiter released it (send-now, resend, approve); null otherwise. */
    undoTo: jsonb('undo_to').$type<UndoState>(),
    version,
    ...timestamps,
  },
  (t) => [
    // ?updatedSince= (a sync read, src/db/sync.ts)
    index('follow_ups_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    unique('follow_ups_tenant_id_id_key').on(t.tenantId, t.id),
    foreignKey({ name: 'follow_ups_interview_fk', columns: [t.tenantId, t.interviewId], foreignColumns: [interviews.tenantId, interviews.id] }),
    foreignKey({ name: 'follow_ups_application_fk', columns: [t.tenantId, t.applicationId], foreignColumns: [applications.tenantId, applications.id] }),
    foreignKey({ name: 'follow_ups_candidate_fk', columns: [t.tenantId, t.candidateId], foreignColumns: [candidates.tenantId, candidates.id] }),
    foreignKey({ name: 'follow_ups_owner_fk', columns: [t.tenantId, t.ownerId], foreignColumns: [users.tenantId, users.id] }),
    uniqueIndex('follow_ups_live_key').on(t.tenantId, t.interviewId, t.key).where(sql`status <> 'cancelled'`),
    index('follow_ups_due_idx').on(t.tenantId, t.dueAt, t.id),
    index('follow_ups_status_due_idx').on(t.tenantId, t.status, t.dueAt, t.id),
    index('follow_ups_kind_due_idx').on(t.tenantId, t.kind, t.dueAt, t.id),
    index('follow_ups_owner_due_idx').on(t.tenantId, t.ownerId, t.dueAt, t.id),
    index('follow_ups_candidate_due_idx').on(t.tenantId, t.candidateId, t.dueAt, t.id),
    index('follow_ups_interview_due_idx').on(t.tenantId, t.interviewId, t.dueAt, t.id),
    index('follow_ups_open_tenant_due_idx').on(t.tenantId, t.dueAt, t.id).where(sql`status IN ('pending', 'queued')`),
    // For the worker's reconciler, across tenants: what is due and not sent yet.
    index('follow_ups_open_due_idx').on(t.dueAt).where(sql`status IN ('pending', 'queued')`),
    tenantPolicy(),
  ],
);
