import { describe, expect, it } from 'vitest';
import { parseCalendarEvent } from '../../server/src/modules/interactions/calendar.ts';
import { contentFingerprint } from '../../server/src/modules/interactions/fingerprint.ts';
import { decodeCursor, encodeCursor } from '../../server/src/modules/interactions/interactions.repository.ts';
import {
  checkMessageKey,
  cleanFilename,
  cleanText,
  cutTo,
  dateInRange,
  Notes,
  usableIds,
} from '../../server/src/modules/interactions/limits.ts';

// What a parsed message is held to before it is stored (limits.ts), the content fingerprint that decides
// whether a re-logged Message-ID is the same message, and the history cursor.

describe('file names', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\rm\\Desktop\\выписка.pdf', 'выписка.pdf'],
    ['report\r\n.pdf', 'report.pdf'],
    ['a\u0000b.txt', 'ab.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['  spaced.docx  ', 'spaced.docx'],
    ['..', 'fallback.bin'],
    ['dir/', 'fallback.bin'],
    ['\u202E', 'fallback.bin'],
  ])('stores %j as %j', (raw, stored) => {
    expect(cleanFilename(raw, 'fallback.bin')).toBe(stored);
  });

  it('cuts a long name to 255 characters keeping the extension', () => {
    const name = cleanFilename(`${'я'.repeat(400)}.pdf`, 'x');
    expect([...name]).toHaveLength(255);
    expect(name.endsWith('я.pdf')).toBe(true);
  });
});

describe('display text', () => {
  it('removes NUL characters and cuts to the limit, noting each field once', () => {
    const notes = new Notes();
    expect(cleanText('a\u0000b', 10, 'subject', notes)).toBe('ab');
    expect(cleanText('x'.repeat(600), 512, 'from.name', notes)).toHaveLength(512);
    expect(cleanText('y'.repeat(600), 512, 'from.name', notes)).toHaveLength(512);
    expect(notes.list.map((n) => n.field)).toEqual(['subject', 'from.name']);
  });

  it('never splits a surrogate pair', () => {
    expect(cutTo('😀😀😀', 2)).toBe('😀😀');
  });

  it('keeps dates of 1900-2199 in UTC only', () => {
    expect(dateInRange('1900-01-01T00:00:00Z')).toBe(true);
    expect(dateInRange('1900-01-01T00:00:00+14:00')).toBe(false);
    expect(dateInRange('2199-12-31T23:59:59Z')).toBe(true);
    expect(dateInRange('2199-12-31T23:00:00-05:00')).toBe(false);
    expect(dateInRange('9999-12-31T23:00:00.000Z')).toBe(false);
  });

  it('reads a DTSTART in years 0-99 as no time rather than as 19xx', () => {
    const ics = (start: string) =>
      `BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:${start}\r\nEND:VEVENT\r\nEND:VCALENDAR`;
    expect(parseCalendarEvent(ics('00500101T100000Z'))?.start).toBeNull();
    expect(parseCalendarEvent(ics('20261210T070000Z'))?.start).toBe('2026-12-10T07:00:00.000Z');
  });
});

describe('message ids', () => {
  it('refuses a key with a NUL or over the byte limit, naming the field', () => {
    expect(() => checkMessageKey('<a\u0000b@x>', 'Message-ID', 998, 'body.source.mime')).toThrow(/NUL/);
    expect(() => checkMessageKey(`<${'中'.repeat(400)}>`, 'Message-ID', 998, 'f')).toThrow(/1200 bytes/);
    expect(() => checkMessageKey(`<${'a'.repeat(998)}>`, 'Message-ID', 998, 'f')).not.toThrow();
  });

  it('drops thread ids that cannot be Message-IDs and keeps the last 200', () => {
    const notes = new Notes();
    const ids = [
      ...Array.from({ length: 210 }, (_v, i) => `<r${i}@x>`),
      '<a\u0000@x>',
      `<${'x'.repeat(1000)}>`,
    ];
    const kept = usableIds(ids, notes, 'references');
    expect(kept).toHaveLength(200);
    expect(kept[0]).toBe('<r10@x>');
    expect(notes.list).toHaveLength(1);
  });
});

describe('content fingerprint', () => {
  const base = { subject: 'RE: Лимит', bodyHtml: null, bodyText: 'Согласна с условиями.\n\nЕкатерина' };

  it('is the same for the HTML and the text rendering of one message', () => {
    expect(
      contentFingerprint({
        subject: 'RE:  Лимит',
        bodyHtml: '<div>Согласна <b>с условиями</b>.</div><div><br></div><div>Екатерина</div>',
        bodyText: 'whatever the text part says',
      }),
    ).toBe(contentFingerprint(base));
  });

  it('differs when the subject or the text differ', () => {
    expect(contentFingerprint({ ...base, subject: 'RE: Лимиты' })).not.toBe(contentFingerprint(base));
    expect(contentFingerprint({ ...base, bodyText: 'Не согласна с условиями.' })).not.toBe(
      contentFingerprint(base),
    );
  });
});

describe('history cursor', () => {
  const id = '0b5b0b5b-0b5b-4b5b-8b5b-0b5b0b5b0b5b';
  const b64 = (s: string) => Buffer.from(s).toString('base64url');

  it('reads back what it issued', () => {
    const c = { sentAt: '2026-12-02T06:15:00.123456Z', id };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it.each([
    ['not Base64url', 'a.b'],
    ['a dashes-only id', b64('2026-01-01T00:00:00.000000Z|------------------------------------')],
    ['a loose date', b64(`1|${id}`)],
    ['Feb 30', b64(`2026-02-30T10:00:00.000000Z|${id}`)],
    ['a NUL', b64(`2026-01-01T00:00:00.000000Z\u0000|${id}`)],
    ['an upper-case id', b64(`2026-01-01T00:00:00.000000Z|${id.toUpperCase()}`)],
  ])('refuses %s', (_what, raw) => {
    expect(decodeCursor(raw)).toBeNull();
  });
});
