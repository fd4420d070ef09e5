import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';

/** A date range off work (school breaks, public holidays), inclusive, in the owner's zone. */
export interface Holiday {
  start: string;
  end: string;
  name: string;
}

/**
 * A business calendar on Luxon: recipient-local IANA time, business days and hours, holidays.
 * Calendar dates are 'YYYY-MM-DD' strings and wall times 'HH:mm' strings; instants are Dates.
 * Every function that moves a time also says why, so the planner can store the reason.
 */

/** A calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;
/** A wall-clock time, 'HH:mm' (24-hour). */
export type WallTime = string;

/** Days off, inclusive, compared with the recipient-local date. `source` names whose they are. */
export interface CalendarHoliday {
  start: IsoDate;
  end: IsoDate;
  name: string;
  source?: string;
}

export interface BusinessCalendar {
  zone: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  businessDays: readonly number[];
  dayStart: WallTime;
  /** Exclusive: an instant at `dayEnd` is outside business hours. */
  dayEnd: WallTime;
  holidays: readonly CalendarHoliday[];
}

export interface SkippedDay {
  date: IsoDate;
  /** Set when the weekday is not a business day. */
  weekday: string | null;
  holiday: CalendarHoliday | null;
}

export interface DayMove {
  date: IsoDate;
  skipped: SkippedDay[];
}

export interface Resolved {
  at: Date;
  /** Why the time differs from what was asked (DST gap or repeat, outside hours), else null. */
  note: string | null;
}

export const DEFAULT_BUSINESS_DAYS: readonly number[] = [1, 2, 3, 4, 5];
const LOCALE = 'en-US';
const WALL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar with no business day within two years is a configuration error, not a loop. */
const MAX_DAYS_SCANNED = 731;

export function isWallTime(value: string): boolean {
  return WALL_TIME.test(value);
}

function parseWallTime(time: WallTime): { hour: number; minute: number } {
  const m = WALL_TIME.exec(time);
  if (!m) throw new RangeError(`Not a wall time HH:mm: ${time}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

function parseDate(date: IsoDate): DateTime {
  // Pure calendar arithmetic happens in UTC, where every day has 24 hours.
  const d = ISO_DATE.test(date) ? DateTime.fromISO(date, { zone: 'utc' }) : DateTime.invalid('format');
  if (!d.isValid) throw new RangeError(`Not a date YYYY-MM-DD: ${date}`);
  return d;
}

function assertZone(zone: string): void {
  // IANAZone.create caches per name; isValidZone builds an Intl.DateTimeFormat on every call.
  if (!IANAZone.create(zone).isValid) throw new RangeError(`Not an IANA time zone: ${zone}`);
}

export function businessCalendar(input: {
  zone: string;
  businessDays?: readonly number[];
  dayStart?: WallTime;
  dayEnd?: WallTime;
  holidays?: readonly CalendarHoliday[];
}): BusinessCalendar {
  assertZone(input.zone);
  const cal: BusinessCalendar = {
    zone: input.zone,
    businessDays: input.businessDays ?? DEFAULT_BUSINESS_DAYS,
    dayStart: input.dayStart ?? '08:00',
    dayEnd: input.dayEnd ?? '18:00',
    holidays: input.holidays ?? [],
  };
  parseWallTime(cal.dayStart);
  parseWallTime(cal.dayEnd);
  if (cal.dayEnd <= cal.dayStart) throw new RangeError('dayEnd must be after dayStart');
  if (cal.businessDays.length === 0 || cal.businessDays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new RangeError('businessDays must be ISO weekdays 1..7, at least one');
  }
  for (const h of cal.holidays) {
    parseDate(h.start);
    parseDate(h.end);
  }
  return cal;
}

/** Tags each holiday with its owner, e.g. `sourcedHolidays('employer', employer.holidays)`. */
export function sourcedHolidays(
  source: string,
  holidays: readonly { start: IsoDate; end: IsoDate; name: string }[],
): CalendarHoliday[] {
  return holidays.map((h) => ({ ...h, source }));
}

// ---- formatting -----------------------------------------------------------------------------

function local(instant: Date, zone: string): DateTime {
  return DateTime.fromJSDate(instant, { zone }).setLocale(LOCALE);
}

export function localDateOf(instant: Date, zone: string): IsoDate {
  return local(instant, zone).toFormat('yyyy-LL-dd');
}

export function localTimeOf(instant: Date, zone: string): WallTime {
  return local(instant, zone).toFormat('HH:mm');
}

/** "Mon 2026-03-09 09:30 America/New_York" */
export function describeInstant(instant: Date, zone: string): string {
  return `${local(instant, zone).toFormat('ccc yyyy-LL-dd HH:mm')} ${zone}`;
}

/** "Mon 2026-03-09" */
export function describeDate(date: IsoDate): string {
  return parseDate(date).setLocale(LOCALE).toFormat('ccc yyyy-LL-dd');
}

function describeHoliday(h: CalendarHoliday): string {
  const owner = h.source ? `${h.source} holiday` : 'holiday';
  const span = h.start === h.end ? h.start : `${h.start} to ${h.end}`;
  return `${h.name} (${owner}, ${span})`;
}

/** Names the holidays a move stepped over; weekends go unsaid. Null when there were none. */
export function describeSkips(skipped: readonly SkippedDay[]): string | null {
  const seen = new Map<string, string>();
  for (const s of skipped) {
    if (s.holiday) seen.set(`${s.holiday.source}|${s.holiday.name}|${s.holiday.start}`, describeHoliday(s.holiday));
  }
  return seen.size === 0 ? null : `skipping ${[...seen.values()].join(', ')}`;
}

// ---- days -----------------------------------------------------------------------------------

export function holidayOn(date: IsoDate, cal: BusinessCalendar): CalendarHoliday | null {
  return cal.holidays.find((h) => h.start <= date && date <= h.end) ?? null;
}

function inspect(date: IsoDate, cal: BusinessCalendar): SkippedDay | null {
  const d = parseDate(date);
  const weekday = cal.businessDays.includes(d.weekday) ? null : d.setLocale(LOCALE).toFormat('cccc');
  const holiday = holidayOn(date, cal);
  return weekday || holiday ? { date, weekday, holiday } : null;
}

export function isBusinessDay(date: IsoDate, cal: BusinessCalendar): boolean {
  return inspect(date, cal) === null;
}

/** Why a date is not a business day ("Saturday", "Winter recess (employer holiday, …)"), else null. */
export function nonBusinessReason(date: IsoDate, cal: BusinessCalendar): string | null {
  const s = inspect(date, cal);
  if (!s) return null;
  return s.weekday ?? describeHoliday(s.holiday as CalendarHoliday);
}

function step(date: IsoDate, days: number): IsoDate {
  return parseDate(date).plus({ days }).toFormat('yyyy-LL-dd');
}

/** Counts `n` business days from `from` (an instant is read in the calendar's zone); n < 0 counts back, n = 0 is the first business day on or after. */
export function addBusinessDays(from: Date | IsoDate, n: number, cal: BusinessCalendar): DayMove {
  if (!Number.isInteger(n)) throw new RangeError('n must be an integer');
  let date = typeof from === 'string' ? from : localDateOf(from, cal.zone);
  const skipped: SkippedDay[] = [];
  const direction = n < 0 ? -1 : 1;
  let remaining = Math.abs(n);
  if (n === 0) {
    let s = inspect(date, cal);
    for (let i = 0; s; i++) {
      if (i > MAX_DAYS_SCANNED) throw new RangeError('No business day found in the calendar');
      skipped.push(s);
      date = step(date, 1);
      s = inspect(date, cal);
    }
    return { date, skipped };
  }
  for (let i = 0; remaining > 0; i++) {
    if (i > MAX_DAYS_SCANNED + Math.abs(n)) throw new RangeError('No business day found in the calendar');
    date = step(date, direction);
    const s = inspect(date, cal);
    if (s) skipped.push(s);
    else remaining--;
  }
  return { date, skipped };
}

/** The first business day strictly after `date`. */
export function nextBusinessDay(date: IsoDate, cal: BusinessCalendar): DayMove {
  return addBusinessDays(date, 1, cal);
}

// ---- wall times and DST ---------------------------------------------------------------------

/**
 * The instant of a wall time in a zone, with an explicit DST policy: a time in a spring-forward gap
 * moves forward to the first minute that exists; a time that occurs twice (fall-back) is the earlier.
 */
export function atLocal(date: IsoDate, time: WallTime, zone: string): Resolved {
  assertZone(zone);
  const d = parseDate(date);
  const { hour, minute } = parseWallTime(time);
  const wall = { year: d.year, month: d.month, day: d.day, hour, minute };
  const probe = DateTime.fromObject(wall, { zone });
  const offsets = new Set([probe.offset, probe.minus({ hours: 24 }).offset, probe.plus({ hours: 24 }).offset]);
  const matches = [...offsets]
    .map((o) => DateTime.fromObject(wall, { zone: FixedOffsetZone.instance(o) }).setZone(zone))
    .filter((c) => c.toFormat('yyyy-LL-dd HH:mm') === `${date} ${time}`)
    .sort((a, b) => a.toMillis() - b.toMillis());
  const first = matches[0];
  if (first) {
    const note =
      matches.length > 1
        ? `${time} occurs twice on ${date} in ${zone} (clocks fall back): the earlier, UTC${first.toFormat('ZZ')}`
        : null;
    return { at: first.toJSDate(), note };
  }
  const after = firstMinuteAfterGap(wall, offsets, zone, `${date} ${time}`);
  const note = `${time} does not exist on ${date} in ${zone} (clocks spring forward): ${after.toFormat(after.toFormat('yyyy-LL-dd') === date ? 'HH:mm' : 'yyyy-LL-dd HH:mm')} UTC${after.toFormat('ZZ')}`;
  return { at: after.toJSDate(), note };
}

/** Binary search over whole minutes for the first instant whose wall time is at or after the asked one. */
function firstMinuteAfterGap(
  wall: { year: number; month: number; day: number; hour: number; minute: number },
  offsets: Set<number>,
  zone: string,
  wanted: string,
): DateTime {
  const bounds = [...offsets].map((o) => DateTime.fromObject(wall, { zone: FixedOffsetZone.instance(o) }).setZone(zone));
  bounds.sort((a, b) => a.toMillis() - b.toMillis());
  let lo = bounds[0] as DateTime;
  let hi = bounds[bounds.length - 1] as DateTime;
  const wallOf = (t: DateTime) => t.toFormat('yyyy-LL-dd HH:mm');
  while (hi.diff(lo, 'minutes').minutes > 1) {
    const mid = lo.plus({ minutes: Math.floor(hi.diff(lo, 'minutes').minutes / 2) });
    if (wallOf(mid) >= wanted) hi = mid;
    else lo = mid;
  }
  return wallOf(lo) >= wanted ? lo : hi;
}

// ---- hours ----------------------------------------------------------------------------------

/** Inside business hours: unchanged. Before the start of a business day: that day's start. Otherwise the next business day's start. */
export function clampToBusinessHours(instant: Date, cal: BusinessCalendar): Resolved {
  const t = local(instant, cal.zone);
  const date = t.toFormat('yyyy-LL-dd');
  const clock = t.toFormat('HH:mm:ss.SSS');
  const nonBusiness = nonBusinessReason(date, cal);
  const hours = `${cal.dayStart}–${cal.dayEnd}`;
  if (!nonBusiness && clock >= `${cal.dayStart}:00.000` && clock < `${cal.dayEnd}:00.000`) {
    return { at: instant, note: null };
  }
  if (!nonBusiness && clock < `${cal.dayStart}:00.000`) {
    const start = atLocal(date, cal.dayStart, cal.zone);
    const note = `${t.toFormat('HH:mm')} is before business hours (${hours}): ${describeInstant(start.at, cal.zone)}`;
    return { at: start.at, note: join(note, start.note) };
  }
  const next = nextBusinessDay(date, cal);
  const start = atLocal(next.date, cal.dayStart, cal.zone);
  const why = nonBusiness
    ? `${describeDate(date)} is not a business day (${nonBusiness})`
    : `${t.toFormat('HH:mm')} is after business hours (${hours})`;
  const note = `${why}: next business day ${describeInstant(start.at, cal.zone)}`;
  return { at: start.at, note: join(note, describeSkips(next.skipped), start.note) };
}

/**
 * Moves an instant out of a daily quiet window (e.g. 21:00–08:00, may wrap midnight) to its end,
 * any day of the week: for messages to private persons rather than offices.
 */
export function outsideQuietHours(instant: Date, zone: string, quiet: { start: WallTime; end: WallTime }): Resolved {
  const t = local(instant, zone);
  const clock = t.toFormat('HH:mm:ss.SSS');
  const from = `${quiet.start}:00.000`;
  const to = `${quiet.end}:00.000`;
  const wraps = quiet.start > quiet.end;
  const inside = wraps ? clock >= from || clock < to : clock >= from && clock < to;
  if (!inside) return { at: instant, note: null };
  const date = t.toFormat('yyyy-LL-dd');
  const endDate = clock >= to ? step(date, 1) : date;
  const end = atLocal(endDate, quiet.end, zone);
  const note = `${t.toFormat('HH:mm')} is in the quiet hours (${quiet.start}–${quiet.end} ${zone}): ${describeInstant(end.at, zone)}`;
  return { at: end.at, note: join(note, end.note) };
}

export function join(...parts: (string | null | undefined)[]): string {
  return parts.filter((p): p is string => !!p).join('; ');
}
