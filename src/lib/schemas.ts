import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { LIMITS } from './limits.js';

/** An instant: ISO 8601 UTC on the wire, a Date in code. */
export const instant = z
  .codec(z.iso.datetime({ offset: true }).max(LIMITS.instant), z.date(), {
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

/**
 * A LinkedIn address as people paste it (`linkedin.com/in/x`, `http://…`, `www.…`), kept as
 * `https://www.linkedin.com/…`; any other host is refused.
 */
export const linkedinUrl = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .transform((s, ctx) => {
    let url: URL | null = null;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`);
    } catch {
      url = null;
    }
    if (!url || !/^https?:$/.test(url.protocol) || !/^([a-z]{2,3}\.)?linkedin\.com$/i.test(url.hostname) || url.username || url.password || url.port) {
      ctx.addIssue({ code: 'custom', message: 'Must be a LinkedIn address, such as linkedin.com/in/jordan-lee' });
      return z.NEVER;
    }
    url.protocol = 'https:';
    if (url.hostname.toLowerCase() === 'linkedin.com') url.hostname = 'www.linkedin.com';
    return url.toString();
  })
  .meta({ example: 'https://www.linkedin.com/in/jordan-lee' });

/** Phone numbers without a country code are read as North American (+1). */
export const PHONE_DEFAULT_COUNTRY = 'US';

/**
 * A phone number as people type it (`(212) 555-0123`, `212.555.0123`, `+44 20 7946 0958`), kept in
 * E.164 (`+12125550123`); one that cannot be dialled as given (no area code, too few digits) is
 * refused with what to add.
 */
export const e164Phone = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .transform((s, ctx) => {
    const parsed = /[a-z]/i.test(s.replace(/\s*(ext\.?|x)\s*\d+$/i, '')) ? undefined : parsePhoneNumberFromString(s, PHONE_DEFAULT_COUNTRY);
    if (!parsed || !parsed.isPossible()) {
      ctx.addIssue({ code: 'custom', message: 'Not a number that can be dialled: include the area code, such as (212) 555-0123, or the country code, such as +44 20 7946 0958' });
      return z.NEVER;
    }
    return parsed.number;
  })
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
