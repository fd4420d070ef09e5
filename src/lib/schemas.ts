import { z } from 'zod';

/** An instant: ISO 8601 UTC on the wire, a Date in code. */
export const instant = z
  .codec(z.iso.datetime({ offset: true }), z.date(), {
    decode: (s) => new Date(s),
    encode: (d) => d.toISOString(),
  })
  .meta({ example: '2026-11-26T14:30:00.000Z' });

export const idParam = z.strictObject({ id: z.uuid('Must be a UUID') });

/** A calendar date, YYYY-MM-DD. */
export const localDate = z.iso.date('Must be a date, YYYY-MM-DD').meta({ example: '2026-12-12' });

/** http(s) URLs only: no javascript:, file: or other schemes. */
export const webUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain, error: 'Must be an http(s) URL' })
  .max(2048);

export const linkedinUrl = z
  .url({ protocol: /^https$/, hostname: /^([a-z]{2,3}\.)?linkedin\.com$/, error: 'Must be an https://linkedin.com/... URL' })
  .max(2048)
  .meta({ example: 'https://www.linkedin.com/in/jordan-lee' });

/** E.164: a plus, the country code, up to 15 digits. */
export const e164Phone = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'Must be an E.164 phone number such as +15555550123')
  .meta({ example: '+15555550123' });

export const notes = z.string().max(10_000);

export const holidaySchema = z
  .strictObject({ start: localDate, end: localDate, name: z.string().trim().min(1).max(200) })
  .refine((h) => h.end >= h.start, {
    message: 'end must not be before start',
    path: ['end'],
    when: (ctx) => ctx.issues.length === 0,
  })
  .meta({ id: 'Holiday', description: 'Days off, inclusive (a school break, a public holiday)' });

export const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.includes('/') || tz.toUpperCase() === 'UTC';
  } catch {
    return false;
  }
};

/** IANA zone names by their lower case: a zone given as `america/new_york` is kept as `America/New_York`. */
const zoneSpelling = new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((tz) => [tz.toLowerCase(), tz]));

/**
 * An IANA zone with a region (`America/New_York`) or `UTC`, matched in any case and kept in its own
 * spelling. Bare abbreviations that IANA keeps for old systems (`EST`, `CET`, `EST5EDT`) are
 * refused: `EST` is a fixed UTC−5 without daylight saving, rarely what its writer meant.
 */
export const timeZoneSchema = z
  .string()
  .max(64)
  .refine(isTimeZone, 'Must be an IANA time zone such as America/New_York')
  .overwrite((tz) => zoneSpelling.get(tz.toLowerCase()) ?? tz)
  .meta({ example: 'America/New_York' });
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .email('Must be an email address')
  .transform((e) => e.toLowerCase())
  .meta({ example: 'jordan@example.org' });
