/**
 * Calendar months of the chargeback counters, in the router's monitoring time zone (UTC by
 * default): the key `YYYY-MM` of a time, the month before, and how far through its month a time is.
 * @module
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

function parts(at: number, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of format(timeZone).formatToParts(at)) if (p.type in out) out[p.type as keyof typeof out] = Number(p.value);
  return out;
}

/**
 * Every zone's offset from UTC is a whole number of quarter hours (Nepal's +5:45, Chatham's
 * +12:45), so a local midnight, and with it a new month, only ever starts a UTC quarter hour.
 */
const QUARTER_HOUR_MS = 900_000;

/** The month key last worked out per time zone, for the quarter hour it holds for (`monthKey` runs on every sale). */
const lastMonthKey = new Map<string, { quarter: number; key: string }>();

/**
 * The month key of a time in a time zone.
 * @example
 * monthKey(Date.UTC(2026, 10, 30, 23), 'UTC')             // '2026-11'
 * monthKey(Date.UTC(2026, 10, 30, 23), 'Europe/Berlin')   // '2026-12' (already December there)
 */
export function monthKey(at: number, timeZone = 'UTC'): string {
  const quarter = Math.floor(at / QUARTER_HOUR_MS);
  const last = lastMonthKey.get(timeZone);
  if (last?.quarter === quarter) return last.key;
  const p = parts(at, timeZone);
  const key = `${p.year}-${String(p.month).padStart(2, '0')}`;
  lastMonthKey.set(timeZone, { quarter, key });
  return key;
}

/**
 * The month before a month key.
 * @example
 * previousMonth('2026-01') // '2025-12'
 */
export function previousMonth(key: string): string {
  const [y, m] = key.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** Days in a month key. */
export function daysInMonth(key: string): number {
  const [y, m] = key.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * How much of its month has passed at a time, in (0, 1]: what a month-to-date count is scaled by
 * to project the month's end.
 * @example
 * monthElapsed(Date.UTC(2026, 10, 16), 'UTC') // 0.5 (15 of November's 30 days)
 */
export function monthElapsed(at: number, timeZone = 'UTC'): number {
  const p = parts(at, timeZone);
  const days = daysInMonth(`${p.year}-${String(p.month).padStart(2, '0')}`);
  const done = p.day - 1 + (p.hour + (p.minute + p.second / 60) / 60) / 24;
  return Math.min(1, Math.max(done / days, 1 / (days * 24 * 60)));
}
