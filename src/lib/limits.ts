/**
 * The longest text and the longest lists the API takes or gives, by kind (the contract's
 * `maxLength` and `maxItems`, docs/contract.md#limits). A request field is held to its limit by its
 * zod schema (400 naming the field); a response field is declared with the limit of what can be
 * stored there: what a request may write, or what the server writes itself.
 */
export const LIMITS = {
  /** Names and titles of people, agencies, employers, positions; short labels and codes. */
  name: 200,
  /** An email address as the API accepts it (RFC 5321's path limit). */
  email: 254,
  /** An address as received or configured (local part + domain at their longest). */
  address: 320,
  /** A header with a list of addresses or ids (`To`, `In-Reply-To`). */
  addresses: 2000,
  timeZone: 64,
  phone: 40,
  url: 2048,
  /** An instant as ISO 8601 (`2026-11-26T14:30:00.000Z`, or with an offset and more decimals). */
  instant: 40,
  /** A UUID, as the document's `format: uuid` (its pattern fixes the length). */
  uuid: 36,
  /** A calendar date, YYYY-MM-DD. */
  date: 10,
  /** Free text: notes, descriptions, highlights, reasons; errors and answers the server keeps. */
  text: 10_000,
  /** A subject line as sent: a template's 300 characters with its values put in. */
  subject: 2000,
  /** A body as sent: a template's 20,000 characters with its values put in. */
  rendered: 100_000,
  /** The text of an inbound email, as the mail provider may post it. */
  inboundText: 200_000,
  messageId: 1000,
  references: 20_000,
  /** Secrets, prefixes and opaque tokens the server makes. */
  token: 200,
  /** A signed access token (JWT). */
  jwt: 4096,
  /** A list cursor (the `cursor` query takes what `nextCursor` gave). */
  cursor: 512,
  tag: 50,
  tags: 30,
  /** A page of a list (`limit` is at most 100). */
  page: 100,
  /** Short lists: holidays, scopes, event types, the errors of one problem or one import. */
  list: 200,
  /**
   * An iCalendar answer: one interview's event, or a feed of at most 500 events (each well under
   * 5,000 characters).
   */
  calendar: 5_000_000,
  /** The records of one candidate in their export, per kind; the rows of one report. */
  records: 10_000,
} as const;
