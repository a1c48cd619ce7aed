// A small RFC 5545 serializer for the task feed (no library: the few properties we write are below, each
// escaped and folded as the RFC says). Text values escape `\`, `;`, `,` and newlines (3.3.11); every content
// line is folded at 75 octets without splitting a UTF-8 sequence (3.1); lines end with CRLF.

export type FeedEvent = {
  uid: string;
  /** When the feed item was produced (DTSTAMP, UTC). */
  stamp: Date;
  /** Timed events: UTC instants. All-day events: `date` (the first day) and `endDate` (exclusive). */
  start: Date;
  end: Date;
  allDay: boolean;
  summary: string;
  description: string;
  url: string | null;
  status: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
  sequence: number;
  lastModified: Date | null;
  categories: string[];
  priority: number | null;
  /** Minutes before the start to remind (a DISPLAY VALARM, RFC 5545 3.6.6); null: no alarm. */
  reminderMinutes: number | null;
};

/** Escapes a TEXT value (RFC 5545 3.3.11). */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds one content line at 75 octets: continuation lines start with one space (RFC 5545 3.1). */
export function foldLine(line: string): string {
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let size = 0;
  let limit = 75;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (size + n > limit) {
      parts.push(current);
      current = '';
      size = 0;
      limit = 74; // the leading space of a continuation line counts
    }
    current += ch;
    size += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** `20261210T070000Z` */
export function utcStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** `20261210` of a UTC date. */
export function dateValue(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/** A whole VCALENDAR, CRLF line ends, folded. */
export function serializeCalendar(opts: { prodId: string; name: string; events: FeedEvent[] }): string {
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${opts.prodId}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(opts.name)}`,
  ];
  for (const e of opts.events) {
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, `DTSTAMP:${utcStamp(e.stamp)}`);
    if (e.allDay)
      lines.push(`DTSTART;VALUE=DATE:${dateValue(e.start)}`, `DTEND;VALUE=DATE:${dateValue(e.end)}`);
    else lines.push(`DTSTART:${utcStamp(e.start)}`, `DTEND:${utcStamp(e.end)}`);
    lines.push(`SUMMARY:${escapeText(e.summary)}`, `DESCRIPTION:${escapeText(e.description)}`);
    if (e.url) lines.push(`URL:${e.url}`);
    lines.push(`STATUS:${e.status}`, `SEQUENCE:${e.sequence}`);
    if (e.lastModified) lines.push(`LAST-MODIFIED:${utcStamp(e.lastModified)}`);
    if (e.categories.length) lines.push(`CATEGORIES:${e.categories.map(escapeText).join(',')}`);
    if (e.priority !== null) lines.push(`PRIORITY:${e.priority}`);
    lines.push('TRANSP:OPAQUE');
    if (e.reminderMinutes !== null)
      lines.push(
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        `DESCRIPTION:${escapeText(e.summary)}`,
        `TRIGGER:-PT${e.reminderMinutes}M`,
        'END:VALARM',
      );
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
