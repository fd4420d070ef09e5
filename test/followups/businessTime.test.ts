import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  atLocal,
  businessCalendar,
  clampToBusinessHours,
  describeSkips,
  isBusinessDay,
  nextBusinessDay,
  nonBusinessReason,
  outsideQuietHours,
  sourcedHolidays,
} from '../../src/core/businessTime.js';

const ny = businessCalendar({
  zone: 'America/New_York',
  holidays: [
    ...sourcedHolidays('agency', [{ start: '2026-11-26', end: '2026-11-27', name: 'Thanksgiving' }]),
    ...sourcedHolidays('employer', [{ start: '2026-12-21', end: '2027-01-01', name: 'Winter recess' }]),
  ],
});
const iso = (d: Date) => d.toISOString();

describe('atLocal: wall time to instant, with an explicit DST policy', () => {
  it.each([
    ['an ordinary EST morning', '2026-03-06', '09:30', 'America/New_York', '2026-03-06T14:30:00.000Z', null],
    ['an ordinary EDT morning', '2026-03-09', '09:30', 'America/New_York', '2026-03-09T13:30:00.000Z', null],
    ['the last minute before the gap', '2026-03-08', '01:59', 'America/New_York', '2026-03-08T06:59:00.000Z', null],
    ['02:00, the gap’s first minute, moves to 03:00 EDT', '2026-03-08', '02:00', 'America/New_York', '2026-03-08T07:00:00.000Z', 'does not exist'],
    ['02:30 in the spring-forward gap moves to 03:00 EDT', '2026-03-08', '02:30', 'America/New_York', '2026-03-08T07:00:00.000Z', '02:30 does not exist on 2026-03-08 in America/New_York (clocks spring forward): 03:00 UTC-04:00'],
    ['03:00 just after the gap', '2026-03-08', '03:00', 'America/New_York', '2026-03-08T07:00:00.000Z', null],
    ['01:30 in the fall-back repeat is the earlier (EDT)', '2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:30:00.000Z', '01:30 occurs twice on 2026-11-01 in America/New_York (clocks fall back): the earlier, UTC-04:00'],
    ['01:00, the repeat’s first minute, is the earlier too', '2026-11-01', '01:00', 'America/New_York', '2026-11-01T05:00:00.000Z', 'occurs twice'],
    ['02:00 after the repeat is EST', '2026-11-01', '02:00', 'America/New_York', '2026-11-01T07:00:00.000Z', null],
    ['Phoenix has no gap on the New York change night', '2026-03-08', '02:30', 'America/Phoenix', '2026-03-08T09:30:00.000Z', null],
    ['Kolkata, a half-hour offset without DST', '2026-11-01', '01:30', 'Asia/Kolkata', '2026-10-31T20:00:00.000Z', null],
    ['Lord Howe’s 30-minute gap', '2026-10-04', '02:15', 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z', '(clocks spring forward): 02:30 UTC+11:00'],
    ['Lord Howe’s 30-minute repeat', '2026-04-05', '01:45', 'Australia/Lord_Howe', '2026-04-04T14:45:00.000Z', 'the earlier, UTC+11:00'],
    ['Samoa skipped a whole day in 2011', '2011-12-30', '10:00', 'Pacific/Apia', '2011-12-30T10:00:00.000Z', 'spring forward): 2011-12-31 00:00'],
  ])('%s', (_name, date, time, zone, expected, note) => {
    const r = atLocal(date, time, zone);
    expect(iso(r.at)).toBe(expected);
    if (note === null) expect(r.note).toBeNull();
    else expect(r.note).toContain(note);
  });

  it('rejects a bad zone, date or time', () => {
    expect(() => atLocal('2026-03-09', '09:30', 'Mars/Olympus')).toThrow(/IANA/);
    expect(() => atLocal('2026-02-30', '09:30', 'UTC')).toThrow(/date/);
    expect(() => atLocal('2026-03-09', '9:30', 'UTC')).toThrow(/HH:mm/);
  });
});

describe('business days', () => {
  it.each([
    ['2026-03-06', true, null],
    ['2026-03-07', false, 'Saturday'],
    ['2026-03-08', false, 'Sunday'],
    ['2026-11-26', false, 'Thanksgiving (agency holiday, 2026-11-26 to 2026-11-27)'],
    ['2026-12-31', false, 'Winter recess (employer holiday, 2026-12-21 to 2027-01-01)'],
    ['2027-01-04', true, null],
  ])('%s is a business day: %s', (date, yes, why) => {
    expect(isBusinessDay(date, ny)).toBe(yes);
    expect(nonBusinessReason(date, ny)).toBe(why);
  });

  it('counts forward across weekends and holidays, and says which holidays it skipped', () => {
    expect(nextBusinessDay('2026-03-06', ny).date).toBe('2026-03-09');
    const m = addBusinessDays('2026-11-25', 1, ny);
    expect(m.date).toBe('2026-11-30');
    expect(m.skipped.map((s) => s.date)).toEqual(['2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
    expect(describeSkips(m.skipped)).toBe('skipping Thanksgiving (agency holiday, 2026-11-26 to 2026-11-27)');
    expect(addBusinessDays('2026-12-18', 2, ny).date).toBe('2027-01-05');
  });

  it('counts backward, and zero means on or after', () => {
    expect(addBusinessDays('2026-11-30', -1, ny).date).toBe('2026-11-25');
    expect(addBusinessDays('2026-03-09', -1, ny).date).toBe('2026-03-06');
    expect(addBusinessDays('2026-03-07', 0, ny).date).toBe('2026-03-09');
    expect(addBusinessDays('2026-03-09', 0, ny).date).toBe('2026-03-09');
  });

  it('reads an instant as a local date of the calendar’s zone', () => {
    // Friday 21:30 in New York is already Saturday in UTC.
    expect(addBusinessDays(new Date('2026-03-07T02:30:00Z'), 1, ny).date).toBe('2026-03-09');
    const kolkata = businessCalendar({ zone: 'Asia/Kolkata' });
    // Thursday 23:00 UTC is Thursday evening in New York but Friday 04:30 in Kolkata.
    expect(addBusinessDays(new Date('2026-03-05T23:00:00Z'), 1, ny).date).toBe('2026-03-06');
    expect(addBusinessDays(new Date('2026-03-05T23:00:00Z'), 1, kolkata).date).toBe('2026-03-09');
  });

  it('refuses a calendar without business days instead of looping', () => {
    expect(() => businessCalendar({ zone: 'UTC', businessDays: [] })).toThrow(/businessDays/);
    const always = businessCalendar({ zone: 'UTC', holidays: [{ start: '2026-01-01', end: '2099-12-31', name: 'Forever' }] });
    expect(() => nextBusinessDay('2026-03-06', always)).toThrow(/No business day/);
  });
});

describe('clampToBusinessHours', () => {
  it.each([
    ['inside hours: unchanged', '2026-03-09T15:00:00Z', '2026-03-09T15:00:00.000Z', null],
    ['before the start: that day 08:00', '2026-03-09T10:00:00Z', '2026-03-09T12:00:00.000Z', '06:00 is before business hours (08:00–18:00)'],
    ['at 18:00 exactly: the end is exclusive', '2026-03-09T22:00:00Z', '2026-03-10T12:00:00.000Z', '18:00 is after business hours'],
    ['Friday evening before the March change: Monday 08:00 EDT', '2026-03-06T23:30:00Z', '2026-03-09T12:00:00.000Z', 'next business day Mon 2026-03-09 08:00 America/New_York'],
    ['Saturday: Monday 08:00', '2026-03-07T15:00:00Z', '2026-03-09T12:00:00.000Z', 'Sat 2026-03-07 is not a business day (Saturday)'],
    ['Friday evening before the November change: Monday 08:00 EST', '2026-10-30T23:30:00Z', '2026-11-02T13:00:00.000Z', null],
    ['during Thanksgiving: Monday', '2026-11-26T15:00:00Z', '2026-11-30T13:00:00.000Z', 'Thanksgiving (agency holiday'],
  ])('%s', (_name, instant, expected, note) => {
    const r = clampToBusinessHours(new Date(instant), ny);
    expect(iso(r.at)).toBe(expected);
    if (note) expect(r.note).toContain(note);
    else if (expected === new Date(instant).toISOString()) expect(r.note).toBeNull();
  });

  it('with a business day starting inside the spring-forward gap, starts at the first valid minute', () => {
    const early = businessCalendar({ zone: 'America/New_York', businessDays: [7], dayStart: '02:30', dayEnd: '12:00' });
    const r = clampToBusinessHours(new Date('2026-03-07T12:00:00Z'), early);
    expect(iso(r.at)).toBe('2026-03-08T07:00:00.000Z');
    expect(r.note).toContain('02:30 does not exist');
  });
});

describe('outsideQuietHours', () => {
  const quiet = { start: '21:00', end: '08:00' };
  it.each([
    ['evening: next morning', '2026-03-10T02:00:00Z', '2026-03-10T12:00:00.000Z'],
    ['small hours: that morning', '2026-03-10T08:00:00Z', '2026-03-10T12:00:00.000Z'],
    ['daytime, a Sunday: unchanged', '2026-03-08T16:00:00Z', '2026-03-08T16:00:00.000Z'],
    ['the March change night: 08:00 EDT', '2026-03-08T04:00:00Z', '2026-03-08T12:00:00.000Z'],
    ['the November change night: 08:00 EST', '2026-11-01T04:00:00Z', '2026-11-01T13:00:00.000Z'],
  ])('%s', (_name, instant, expected) => {
    expect(iso(outsideQuietHours(new Date(instant), 'America/New_York', quiet).at)).toBe(expected);
  });

  it('handles a window that does not wrap midnight', () => {
    const r = outsideQuietHours(new Date('2026-03-09T17:30:00Z'), 'America/New_York', { start: '12:00', end: '14:00' });
    expect(iso(r.at)).toBe('2026-03-09T18:00:00.000Z');
  });
});
