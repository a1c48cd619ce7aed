import windowsIana from 'windows-iana';

/** The first VEVENT of an iCalendar text (RFC 5545), times in UTC. */
export type CalendarEvent = {
  uid: string | null;
  /** ISO 8601 UTC; null when DTSTART is missing or its time zone could not be resolved. */
  start: string | null;
  end: string | null;
  /** The TZID as the sender wrote it (a Windows id such as `FLE Standard Time`, or an IANA name), else null. */
  timeZone: string | null;
  /** The IANA zone the TZID was resolved to; null for UTC or floating times and for unknown zones. */
  ianaTimeZone: string | null;
  summary: string | null;
  location: string | null;
  allDay: boolean;
};

type Property = { name: string; params: Record<string, string>; value: string };

/** Unfolds continuation lines (RFC 5545 3.1) and splits `NAME;PARAM=V:VALUE` lines. */
function properties(ics: string): Property[] {
  const lines = ics.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const out: Property[] = [];
  for (const line of lines) {
    // The value starts at the first colon outside a quoted parameter value.
    let quoted = false;
    let colon = -1;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch === '"') quoted = !quoted;
      else if (ch === ':' && !quoted) {
        colon = i;
        break;
      }
    }
    if (colon <= 0) continue;
    const [name = '', ...rawParams] = line.slice(0, colon).split(';');
    const params: Record<string, string> = {};
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    }
    out.push({ name: name.toUpperCase(), params, value: line.slice(colon + 1) });
  }
  return out;
}

function unescapeText(value: string): string {
  return value.replace(/\\([nN]|[,;\\])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Maps a TZID to an IANA zone: an IANA name as is; a Windows id through CLDR's windowsZones (the
 * `windows-iana` table; Outlook writes `Russian Standard Time`); a Windows id without its " Standard Time"
 * suffix, as Lotus Notes writes it (`FLE` -> `FLE Standard Time` -> Europe/Kiev). Null when unknown.
 */
export function resolveTimeZone(tzid: string): string | null {
  const id = tzid.trim();
  if (id === '') return null;
  for (const candidate of [id, `${id} Standard Time`]) {
    const iana = windowsIana.findIana(candidate)?.[0];
    if (iana && isIanaZone(iana)) return iana;
  }
  return id.includes('/') && isIanaZone(id) ? id : null;
}

/** Offset of `zone` from UTC at the instant `utcMs`, in milliseconds. */
function zoneOffsetMs(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - utcMs;
}

/** A wall-clock time in `zone` as a UTC instant (two passes, so a time just after a DST change is right). */
export function zonedTimeToUtc(fields: [number, number, number, number, number, number], zone: string): Date {
  const [y, mo, d, h, mi, s] = fields;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  let utc = wall - zoneOffsetMs(zone, wall);
  utc = wall - zoneOffsetMs(zone, utc);
  return new Date(utc);
}

function dateTime(p: Property | undefined): { iso: string | null; tzid: string | null; allDay: boolean } {
  if (!p) return { iso: null, tzid: null, allDay: false };
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(p.value.trim());
  if (!m) return { iso: null, tzid: p.params.TZID ?? null, allDay: false };
  const f = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  // Date.UTC reads years 0-99 as 1900-1999: such a date is no meeting time (years are range-checked later).
  if (f[0] < 100) return { iso: null, tzid: p.params.TZID ?? null, allDay: !m[4] };
  const utc = new Date(Date.UTC(f[0], f[1] - 1, f[2], f[3], f[4], f[5])).toISOString();
  if (!m[4]) return { iso: utc, tzid: null, allDay: true };
  if (m[7]) return { iso: utc, tzid: null, allDay: false };
  const tzid = p.params.TZID ?? null;
  // A floating time (no TZID, no Z) has no instant of its own: read it as UTC rather than guess.
  if (!tzid) return { iso: utc, tzid: null, allDay: false };
  const zone = resolveTimeZone(tzid);
  return { iso: zone ? zonedTimeToUtc(f, zone).toISOString() : null, tzid, allDay: false };
}

/** Reads the first VEVENT of an iCalendar text (a meeting request's text/calendar part). Null when none. */
export function parseCalendarEvent(ics: string): CalendarEvent | null {
  const props = properties(ics);
  const begin = props.findIndex((p) => p.name === 'BEGIN' && p.value.trim().toUpperCase() === 'VEVENT');
  if (begin < 0) return null;
  const end = props.findIndex(
    (p, i) => i > begin && p.name === 'END' && p.value.trim().toUpperCase() === 'VEVENT',
  );
  // Only the event's own properties, not those of a nested VALARM.
  const event: Property[] = [];
  let depth = 0;
  for (const p of props.slice(begin + 1, end < 0 ? undefined : end)) {
    if (p.name === 'BEGIN') depth++;
    else if (p.name === 'END') depth--;
    else if (depth === 0) event.push(p);
  }
  const get = (name: string) => event.find((p) => p.name === name);
  const start = dateTime(get('DTSTART'));
  const finish = dateTime(get('DTEND'));
  const tzid = start.tzid ?? finish.tzid;
  return {
    uid: get('UID')?.value.trim() || null,
    start: start.iso,
    end: finish.iso,
    timeZone: tzid,
    ianaTimeZone: tzid ? resolveTimeZone(tzid) : null,
    summary: get('SUMMARY') ? unescapeText(get('SUMMARY')!.value) : null,
    location: get('LOCATION') ? unescapeText(get('LOCATION')!.value) || null : null,
    allDay: start.allDay,
  };
}
