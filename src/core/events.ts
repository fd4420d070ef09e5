/**
 * Every event the outbox carries, with what it means. Payloads are small and versioned:
 * `{ id, type, version, occurredAt, tenantId, data }`, where `data` holds ids and the changed
 * fields, never whole records. Webhook consumers fetch the resource when they need more.
 */
export const eventCatalogue = {
  'employer.created': 'An employer (district, school, company) was added',
  'employer.updated': 'An employer’s details changed',
  'employer.deleted': 'An employer was deleted',
  'contact.created': 'A contact was added to an employer',
  'contact.updated': 'A contact’s details changed',
  'contact.deleted': 'A contact was deleted',
  'position.created': 'A position (vacancy) was opened at an employer',
  'position.updated': 'A position’s details or status changed',
  'position.deleted': 'A position was deleted',
  'candidate.created': 'A candidate was added',
  'candidate.updated': 'A candidate’s details changed',
  'candidate_note.added': 'A note was written on a candidate (data: candidateId, noteId; never its text)',
  'candidate_note.edited': 'A note on a candidate was changed by its author or an admin',
  'candidate_note.deleted': 'A note on a candidate was deleted',
  'candidate.erased': 'A candidate’s personal data was erased',
  'application.created': 'A candidate was put forward for a position',
  'application.updated': 'An application changed owner',
  'application.stage_changed': 'An application moved to another stage (data: from, to, reason)',
  'application.deleted': 'An application made by mistake was deleted, with its history (data: positionId)',
  'outcome.logged': 'A decision was logged on an application (data: kind, reason)',
  'reply.recorded': 'The employer answered (data: channel, newDecisionExpectedBy, suggestedOutcome)',
  'interview.scheduled': 'An interview was scheduled',
  'interview.updated': 'An interview’s details changed',
  'interview.rescheduled': 'An interview moved to another time',
  'interview.cancelled': 'An interview was cancelled',
  'interview.no_show': 'The candidate did not attend',
  'interview.completed': 'An interview took place; highlights and the employer’s timeline recorded',
  'interview.timeline_set': 'The employer’s projected decision date was set or changed',
  'interview.participant_added': 'A contact was added to an interview',
  'interview.participant_removed': 'A contact was removed from an interview',
  'interview.participant_responded': 'A participant answered the calendar invite: accepted, declined or tentative (data: contactId, response, previous)',
  'interview.deleted': 'An interview entered by mistake was deleted (never a completed one)',
  'followup.planned': 'A follow-up was planned after an interview (data: key, kind, channel, voice, dueAt)',
  'followup.cancelled': 'A follow-up was called off, by re-planning, by hand or by the candidate’s erasure (data: key, kind, reason, by)',
  'followup.rescheduled': 'A recruiter moved a follow-up to another time (data: dueAt, previousDueAt, reason; sendNow or resend when sent at once)',
  'followup.completed': 'A recruiter closed a follow-up task (call, LinkedIn, manual note) with notes',
  'followup.skipped': 'A recruiter skipped a follow-up (data: reason)',
  'followup.paused': 'A status check was paused until the employer gives a new decision date (data: key, kind, reason); a new date re-plans it',
  'followup.approved': 'A recruiter approved a follow-up that waited for approval; it goes at its time, or the next allowed moment (data: dueAt, edited, reason)',
  'followup.declined': 'A recruiter declined a follow-up that waited for approval: it is not sent (data: reason)',
  'followup.undone':
    'A recruiter undid an email inside its undo window: it was not sent; back to where a send-now, resend or approval found it, else cancelled (data: key, kind, status, sendsAt, restored, reason)',
  'followup.edited': 'A follow-up’s subject or body was edited',
  'followup.sent': 'A follow-up email went out (data: key, kind, voice, to, messageId), or a recruiter confirmed that an uncertain one did (data: by: user)',
  'followup.failed': 'A follow-up email could not be sent and sending gave up (data: key, kind, error, attempts)',
  'followup.delivery_uncertain':
    'A follow-up email’s worker stopped mid-send, so it may or may not have gone out; it waits for a recruiter to resend it or mark it sent (data: key, kind, reason, attempts)',
  'playbook.updated': 'The agency’s follow-up playbook changed',
  'agency.updated': 'The agency’s name, time zone or days off changed',
  'inbound_reply.received': 'An email answer to a follow-up arrived (data: status matched, out_of_office or unmatched; followUpId)',
  'inbound_reply.assigned': 'A recruiter assigned an unmatched email answer to an application',
  'response_link.answered': 'An employer contact answered through a response link; recorded as their reply, a decision as a suggested outcome to confirm (data: answer, date, replyId, contactId, suggestedOutcome)',
  'webhook_endpoint.created': 'A webhook endpoint was added',
  'webhook_endpoint.updated': 'A webhook endpoint’s URL, event types or description changed',
  'webhook_endpoint.deleted': 'A webhook endpoint was deleted',
  'webhook_endpoint.paused': 'A webhook endpoint was paused: its deliveries wait',
  'webhook_endpoint.resumed': 'A paused or disabled webhook endpoint was turned on again',
  'webhook_endpoint.secret_rotated': 'A webhook endpoint’s secret was replaced; the old one signs for 24 hours more',
  'webhook_endpoint.recovered': 'The failed deliveries of a webhook endpoint since a time were sent again (data: since, redelivering)',
  'webhook_delivery.redelivered': 'A webhook delivery was sent again with the same webhook-id (data: endpointId, eventId, eventType)',
  'webhook.test': 'Sent only by “send a test event”, to that one endpoint (data: endpointId)',
  'followup_template.updated': 'An admin changed or reset one of the agency’s follow-up templates (data: templateId, reset)',
  'user.created': 'A user was added to the agency (data: role)',
  'user.updated': 'A user’s name, role, time zone or daily digest changed (data: role and previousRole when the role changed)',
  'user.deactivated': 'A user was deactivated and their sessions ended (data: role)',
  'user.reactivated': 'A deactivated user was made active again (data: role)',
  'user.sessions_ended': 'Sessions of a user were ended at once, on every API process: “sign out everywhere else” by the user, or all of them by an admin (data: reason, count)',
  'user.password_changed': 'A user changed their password; their other sessions were ended (data: sessionsEnded)',
  'user.password_reset': 'A user set a new password with a reset link; all their sessions were ended (data: sessionsEnded)',
  'session.ended': 'A user ended one of their sessions from the sessions list (data: userId, sessionId)',
  'invitation.created': 'An admin invited someone by email; the email carries a single-use link, valid 72 hours (data: role)',
  'invitation.resent': 'An invitation was sent again with a new link; the earlier link no longer works',
  'invitation.revoked': 'An invitation was withdrawn before it was accepted',
  'invitation.accepted': 'An invitation was accepted: the new user chose their name and password (data: userId, role)',
  'api_key.created': 'An API key was created; its secret is never in an event (data: name, prefix, scopes, expiresAt)',
  'external_id.linked': 'Another system’s id was said to stand for a record (data: type, source, externalId, recordId)',
  'external_id.unlinked': 'Another system’s id for a record was forgotten (data: type, source, externalId, recordId)',
  'api_key.revoked': 'An API key was revoked and no longer authenticates (data: name, prefix)',
} as const;

export type EventType = keyof typeof eventCatalogue;
export const EVENT_VERSION = 1;

/** The public id of an event (`evt_` + its uuid without dashes): also the webhook-id header. */
export const publicEventId = (id: string): string => `evt_${id.replaceAll('-', '')}`;

/** The one shape of every outbox payload: `{ id, type, version, occurredAt, tenantId, data }`. */
export function eventPayload(id: string, type: EventType, tenantId: string, occurredAt: Date, data: Record<string, unknown>) {
  return { id: publicEventId(id), type, version: EVENT_VERSION, occurredAt: occurredAt.toISOString(), tenantId, data };
}
