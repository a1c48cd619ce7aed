import { AppError, INTERACTION_LIMITS as L, type LogNoteDto, stripBidiControls } from '@crm/shared';

// What a logged message may hold, whichever source it came from. The `item` source is held to these limits by
// its request schema; a MIME message can say anything, so what it gives is brought to the same limits here
// before anything is stored, and a stored row always fits the API's answer schemas:
// - display text (subject, names, addresses, body, file names, location) loses its NUL characters (PostgreSQL
//   text cannot hold U+0000) and is cut to its limit, each change noted for the user;
// - the Message-ID, the key the log is idempotent on, is never altered: a NUL or more than 998 bytes is
//   refused (400 naming the field); In-Reply-To / References ids that could not be Message-IDs are dropped
//   (they only suggest thread links);
// - dates outside 1900-2199 (UTC) are dropped from a MIME message with a note (the sent time falls back to
//   the logging time); the `item` source, whose caller chose them, gets a 400 naming the field.

/** Earliest and first-not-allowed instants of a stored date (the API's `DateTime`: years 1900-2199). */
const EARLIEST = Date.UTC(1900, 0, 1);
const UNTIL = Date.UTC(2200, 0, 1);

/** Whether an ISO date-time falls in 1900-2199 once in UTC (what the API answers with). */
export function dateInRange(iso: string): boolean {
  const t = Date.parse(iso);
  return !Number.isNaN(t) && t >= EARLIEST && t < UNTIL;
}

export const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Length in code points, as JSON Schema's maxLength and PostgreSQL's length() count. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The first `max` code points (a surrogate pair is never split). */
export function cutTo(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n++ === max) break;
    out += ch;
  }
  return out;
}

const withoutNul = (s: string) => s.split('\u0000').join('');
/** Without C0 controls (CR, LF, NUL, TAB...) and DEL: never part of a file name. */
const withoutControls = (s: string) =>
  Array.from(s)
    .filter((ch) => ch > '\u001f' && ch !== '\u007f')
    .join('');

/**
 * A file name as stored and offered for download: the last path component only (`../../x.pdf`,
 * `C:\Users\a\x.pdf` -> `x.pdf`), without control characters (CR/LF, NUL) or bidi controls
 * (`invoice\u202Efdp.exe` would read as `invoiceexe.pdf`), at most 255 code points with the extension kept;
 * `fallback` when nothing remains.
 */
export function cleanFilename(raw: string, fallback: string): string {
  const parts = withoutControls(stripBidiControls(raw)).split(/[\\/]/);
  let name = (parts[parts.length - 1] ?? '').trim();
  if (name === '' || /^\.+$/.test(name)) name = fallback;
  if (codePoints(name) > L.filename) {
    const ext = /\.[^.\s]{1,16}$/.exec(name)?.[0] ?? '';
    name = cutTo(name, L.filename - ext.length) + ext;
  }
  return name;
}

/** Collects what was changed, once per field. */
export class Notes {
  readonly list: LogNoteDto[] = [];
  add(field: string, message: string): void {
    if (!this.list.some((n) => n.field === field)) this.list.push({ field, message });
  }
}

/** Display text without NUL characters and cut to `max` code points; each change noted under `field`. */
export function cleanText(value: string, max: number, field: string, notes: Notes): string {
  let v = value;
  if (v.includes('\u0000')) {
    v = withoutNul(v);
    notes.add(field, `${field}: NUL characters removed`);
  }
  if (codePoints(v) > max) {
    v = cutTo(v, max);
    notes.add(field, `${field}: cut to ${max} characters`);
  }
  return v;
}

/** Body text or HTML: NUL characters removed (no length limit besides the request's). */
export function cleanBody(value: string | null, field: string, notes: Notes): string | null {
  if (value === null || !value.includes('\u0000')) return value;
  notes.add(field, `${field}: NUL characters removed`);
  return withoutNul(value);
}

/**
 * Checks the key a message is logged under (normalised `<id>`): no NUL, at most `maxBytes` UTF-8 bytes
 * inside the brackets, so the unique index can hold it.
 * @throws AppError VALIDATION_FAILED naming `field`
 */
export function checkMessageKey(key: string, what: string, maxBytes: number, field: string): void {
  if (key.includes('\u0000'))
    throw new AppError('VALIDATION_FAILED', `${what} holds a NUL character: it is not a Message-ID`, field);
  const bytes = utf8Bytes(key) - 2;
  if (bytes > maxBytes)
    throw new AppError(
      'VALIDATION_FAILED',
      `${what} is ${bytes} bytes, over the limit of ${maxBytes} bytes`,
      field,
    );
}

/** Thread ids kept: no NUL, at most 998 bytes each; the last 200 References (the nearest ancestors). */
export function usableIds(ids: string[], notes: Notes, field: string): string[] {
  const kept = ids.filter((id) => !id.includes('\u0000') && utf8Bytes(id) - 2 <= L.messageIdBytes);
  if (kept.length < ids.length) notes.add(field, `${field}: ids that cannot be Message-IDs dropped`);
  if (kept.length > L.references) {
    notes.add(field, `${field}: only the last ${L.references} ids kept`);
    return kept.slice(-L.references);
  }
  return kept;
}
