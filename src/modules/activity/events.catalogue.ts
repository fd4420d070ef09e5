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
  'candidate.erased': 'A candidate’s personal data was erased',
} as const;

export type EventType = keyof typeof eventCatalogue;
export const EVENT_VERSION = 1;
