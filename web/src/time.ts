/** Times in a zone with the platform's Intl only (no date library in the bundle). */

const fmtCache = new Map<string, Intl.DateTimeFormat>();
export function fmt(zone: string, opts: Intl.DateTimeFormatOptions) {
  const key = zone + JSON.stringify(opts);
  let f = fmtCache.get(key);
  if (!f) fmtCache.set(key, (f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, ...opts })));
  return f;
}

/** "Wed 10 Jun, 13:00" in `zone`. */
export const dateTime = (iso: string, zone: string) =>
  fmt(zone, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
export const time = (iso: string, zone: string) => fmt(zone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
export const date = (iso: string, zone: string) => fmt(zone, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
/** "New York" from "America/New_York". */
export const zoneName = (zone: string) => zone.split('/').pop()!.replace(/_/g, ' ');

function parts(ms: number, zone: string) {
  const p: Record<string, number> = {};
  for (const x of fmt(zone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(ms)) {
    if (x.type !== 'literal') p[x.type] = Number(x.value);
  }
  return p as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The zone's offset from UTC at `ms`, in ms. */
function offset(ms: number, zone: string) {
  const p = parts(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant of wall time `2026-06-10` `10:00` in `zone`, as ISO (DST-exact for times that exist). */
export function zonedToIso(day: string, hhmm: string, zone: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const [h, mi] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, h, mi);
  let guess = wall - offset(wall, zone);
  guess = wall - offset(guess, zone);
  return new Date(guess).toISOString();
}

/** `{ day: '2026-06-10', time: '13:00' }` of an instant in `zone`, for date and time inputs. */
export function isoToZoned(iso: string, zone: string) {
  const p = parts(new Date(iso).getTime(), zone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { day: `${p.year}-${pad(p.month)}-${pad(p.day)}`, time: `${pad(p.hour)}:${pad(p.minute)}` };
}

/** The end of the day of `now` in `zone`, as ISO: "due today" means before it. */
export function endOfDay(now: number, zone: string) {
  const { day } = isoToZoned(new Date(now).toISOString(), zone);
  const next = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return zonedToIso(next, '00:00', zone);
}

export const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Toronto',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Berlin',
  'Europe/Paris',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Australia/Sydney',
  'UTC',
];
