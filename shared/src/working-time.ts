/**
 * Working time of a branch: SLA deadlines counted in working hours (banking.md, "Credit applications": SLA
 * norms are bank settings, counted here in the branch's working calendar).
 *
 * A calendar is the branch's IANA time zone (`branches.time_zone`), its working weekdays (ISO 1 = Monday ..
 * 7 = Sunday), the working day's start and end in local wall time, and the production calendar's exceptions:
 * - `holiday`: no work (Labour Code of the RF, art. 112: 1-8 January, 23 February, 8 March, 1 and 9 May,
 *   12 June, 4 November; a holiday on a weekend moves the day off to the next working day, and the
 *   Government's yearly decree transfers days, e.g. for 2026 3 Jan -> 9 Jan and 4 Jan -> 31 Dec);
 * - `short_day`: a working day one hour shorter (art. 95: the working day before a holiday);
 * - `working_day`: a weekend day made working by a transfer.
 * Wall time is converted with the platform's time-zone database (Intl), so zones with daylight saving work
 * too; Russian zones have none since 2014 (Federal Law 248-FZ of 21.07.2014).
 */
export type DayKind = 'holiday' | 'short_day' | 'working_day';

export type WorkingCalendar = {
  /** IANA zone, e.g. `Europe/Moscow`, `Asia/Vladivostok`. */
  timeZone: string;
  /** ISO weekdays that are working days: 1 = Monday ... 7 = Sunday. */
  workDays: readonly number[];
  /** Minutes after local midnight the working day starts and ends (09:00 = 540, 18:00 = 1080). */
  dayStartMinute: number;
  dayEndMinute: number;
  /** Exceptions by local date `YYYY-MM-DD`. */
  days: ReadonlyMap<string, DayKind>;
};

const MINUTE = 60_000;
/** A search for working time gives up after this many calendar days (a calendar without any working day). */
const MAX_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
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
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at `instant`, in milliseconds (Moscow: +3 h). */
function offsetMs(instant: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(instant)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** Local calendar day (as a UTC-midnight day number) and minute of day of an instant in the zone. */
function localOf(instant: number, timeZone: string): { dayMs: number; minute: number } {
  const local = instant + offsetMs(instant, timeZone);
  const dayMs = Math.floor(local / 86_400_000) * 86_400_000;
  return { dayMs, minute: (local - dayMs) / MINUTE };
}

/** The instant of local wall time `minute` on local day `dayMs` (a gap from a DST jump resolves forward). */
function instantOf(dayMs: number, minute: number, timeZone: string): number {
  const wall = dayMs + minute * MINUTE;
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  return guess;
}

const isoDay = (dayMs: number) => new Date(dayMs).toISOString().slice(0, 10);
const isoWeekday = (dayMs: number) => ((new Date(dayMs).getUTCDay() + 6) % 7) + 1;

/** The working window `[start, end)` of a local day in minutes, or null on a day off. */
function windowOf(cal: WorkingCalendar, dayMs: number): { start: number; end: number } | null {
  const kind = cal.days.get(isoDay(dayMs));
  if (kind === 'holiday') return null;
  if (kind !== 'working_day' && !cal.workDays.includes(isoWeekday(dayMs))) return null;
  const end = kind === 'short_day' ? cal.dayEndMinute - 60 : cal.dayEndMinute;
  return end > cal.dayStartMinute ? { start: cal.dayStartMinute, end } : null;
}

function assertCalendar(cal: WorkingCalendar) {
  if (!(cal.dayStartMinute >= 0 && cal.dayEndMinute <= 1440 && cal.dayStartMinute < cal.dayEndMinute))
    throw new RangeError('working day must start before it ends, within the day');
  partsFormatter(cal.timeZone); // throws RangeError on an unknown zone
}

/**
 * The instant `minutes` working minutes after `start`: time outside working hours (nights, weekends,
 * holidays) does not count. A start outside working hours counts from the next working window's start; a due
 * time that ends exactly at a window's end is that end (18:00 Friday stays Friday).
 * @param minutes whole working minutes, >= 0 (an SLA of N working hours is N * 60)
 * @throws RangeError for a negative amount, a bad calendar or one without working time in three years
 */
export function addWorkingMinutes(start: Date, minutes: number, cal: WorkingCalendar): Date {
  if (!(minutes >= 0) || !Number.isFinite(minutes)) throw new RangeError('minutes must be >= 0');
  assertCalendar(cal);
  let remaining = minutes;
  let { dayMs, minute } = localOf(start.getTime(), cal.timeZone);
  for (let i = 0; i < MAX_DAYS; i++, dayMs += 86_400_000, minute = 0) {
    const w = windowOf(cal, dayMs);
    if (!w) continue;
    const from = Math.max(minute, w.start);
    if (from >= w.end) continue;
    const available = w.end - from;
    if (remaining <= available) {
      // Zero minutes from inside a window is the start itself (to the millisecond).
      if (remaining === 0 && minute >= w.start) return new Date(start.getTime());
      return new Date(instantOf(dayMs, from + remaining, cal.timeZone));
    }
    remaining -= available;
  }
  throw new RangeError('the calendar has no working time in the next three years');
}

/** Working minutes between two instants (0 when `to` is not after `from`), in the same calendar. */
export function workingMinutesBetween(from: Date, to: Date, cal: WorkingCalendar): number {
  assertCalendar(cal);
  if (to.getTime() <= from.getTime()) return 0;
  const a = localOf(from.getTime(), cal.timeZone);
  const b = localOf(to.getTime(), cal.timeZone);
  let total = 0;
  for (let dayMs = a.dayMs, i = 0; dayMs <= b.dayMs && i < MAX_DAYS * 10; dayMs += 86_400_000, i++) {
    const w = windowOf(cal, dayMs);
    if (!w) continue;
    const lo = Math.max(w.start, dayMs === a.dayMs ? a.minute : 0);
    const hi = Math.min(w.end, dayMs === b.dayMs ? b.minute : 1440);
    if (hi > lo) total += hi - lo;
  }
  return Math.round(total);
}

/** Minutes of `HH:MM` or `HH:MM:SS` (PostgreSQL `time`). */
export function minutesOfTime(text: string): number {
  const m = /^(\d{2}):(\d{2})/.exec(text);
  if (!m) throw new RangeError(`not a time: ${text}`);
  return Number(m[1]) * 60 + Number(m[2]);
}
