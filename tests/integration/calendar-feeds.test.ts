import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { escapeText, foldLine } from '../../server/src/modules/calendar-feeds/ical.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// Private iCalendar feeds (no Microsoft 365): token lifecycle, RFC 5545 content, parse-back.

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
let clientId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  clientId = await createClient(tdb.db, org, { kind: 'legal_entity', name: 'ООО Ромашка, Лютик; и К\\о' });
  app = await buildTestApp(tdb.db, {}, 'https://crm.bank.example');
  for (const [k, email] of Object.entries({ rm1: 'rm1@bank.example', rm2: 'rm2@bank.example' }))
    tokens[k] = await tokenFor(app, email);
});
afterAll(async () => {
  await app.close();
  await tdb.destroy();
});

const call = (method: 'POST' | 'PATCH' | 'DELETE' | 'GET', url: string, who?: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: who ? { authorization: `Bearer ${tokens[who]}` } : {},
    ...(payload ? { payload } : {}),
  });
const pathOf = (url: string) => new URL(url).pathname;

/** Minimal RFC 5545 reader: unfolds, splits properties, unescapes text. Checks CRLF and the 75-octet limit. */
function parseIcs(text: string) {
  const raw = text.split('\r\n');
  expect(raw.at(-1)).toBe('');
  for (const l of raw) {
    expect(l.includes('\n')).toBe(false);
    expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
  }
  const lines = text.replace(/\r\n /g, '').split('\r\n').filter(Boolean);
  const events: Record<string, { params: string; value: string }>[] = [];
  let cur: Record<string, { params: string; value: string }> | null = null;
  const unescapeText = (v: string) =>
    v.replace(/\\([\\;,nN])/g, (_m, c: string) => (/[nN]/.test(c) ? '\n' : c));
  // Properties of a VALARM inside the event are kept as `VALARM.<NAME>`.
  let inAlarm = false;
  for (const l of lines) {
    const m = /^([A-Z-]+)((?:;[^:]*)?):(.*)$/.exec(l);
    if (!m) throw new Error(`bad line ${l}`);
    const [, name, params, value] = m as unknown as [string, string, string, string];
    if (name === 'BEGIN' && value === 'VEVENT') cur = {};
    else if (name === 'END' && value === 'VEVENT') {
      events.push(cur!);
      cur = null;
    } else if (name === 'BEGIN' && value === 'VALARM') inAlarm = true;
    else if (name === 'END' && value === 'VALARM') inAlarm = false;
    else if (cur) cur[inAlarm ? `VALARM.${name}` : name] = { params, value: unescapeText(value) };
  }
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  expect(lines.at(-1)).toBe('END:VCALENDAR');
  return events;
}

describe('iCalendar serializer', () => {
  it('escapes text and folds at 75 octets without splitting UTF-8', () => {
    expect(escapeText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
    const folded = foldLine(`SUMMARY:${'Ж'.repeat(100)}`);
    for (const l of folded.split('\r\n')) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(`SUMMARY:${'Ж'.repeat(100)}`);
  });
});

describe('private calendar feed', () => {
  it('creates a feed URL, serves the open tasks as VEVENTs, parses back, and revokes', async () => {
    const longTitle = `Встреча, повестка; итоги\\ ${'очень длинный заголовок '.repeat(5)}`.trim();
    const timed = await call('POST', '/api/v1/tasks', 'rm1', {
      title: longTitle,
      type: 'meeting',
      clientId,
      plannedStartAt: '2026-12-10T07:00:00.000Z',
      plannedDurationMinutes: 45,
    });
    expect(timed.statusCode).toBe(201);
    const allDay = await call('POST', '/api/v1/tasks', 'rm1', {
      title: 'Проверка документов',
      type: 'document_check',
      clientId,
      plannedStartAt: '2026-12-11T21:30:00.000Z', // 12 December in Moscow
      allDay: true,
    });
    expect(allDay.statusCode).toBe(201);
    const done = await call('POST', '/api/v1/tasks', 'rm1', {
      title: 'Уже сделано',
      type: 'call',
      clientId,
      dueAt: '2026-12-09T07:00:00.000Z',
    });
    await call('PATCH', `/api/v1/tasks/${done.json().id}`, 'rm1', { version: 1, status: 'done' });
    await call('POST', '/api/v1/tasks', 'rm2', {
      title: 'Задача другого',
      type: 'call',
      clientId,
      dueAt: '2026-12-09T07:00:00.000Z',
    });

    const created = await call('POST', '/api/v1/me/calendar-feed', 'rm1');
    expect(created.statusCode).toBe(201);
    const url = created.json().url as string;
    expect(url).toMatch(/^https:\/\/crm\.bank\.example\/api\/v1\/calendar-feeds\/[A-Za-z0-9_-]{43}\.ics$/);
    const token = /([A-Za-z0-9_-]{43})\.ics$/.exec(url)![1]!;
    // Stored hashed only.
    const stored = await tdb.db.selectFrom('calendar_feeds').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);
    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('action', 'like', 'calendar_feed.%')
      .selectAll()
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['calendar_feed.create']);
    expect(JSON.stringify(audit)).not.toContain(token);

    const feed = await call('GET', pathOf(url)); // no Authorization: the token is the credential
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
    const events = parseIcs(feed.body);
    expect(events).toHaveLength(2);
    const t = events.find((e) => e.UID!.value === `${timed.json().id}@crm.bank.example`)!;
    expect(t.SUMMARY!.value).toBe(longTitle);
    expect(t.DTSTART).toEqual({ params: '', value: '20261210T070000Z' });
    expect(t.DTEND).toEqual({ params: '', value: '20261210T074500Z' });
    expect(t.DTSTAMP!.value).toMatch(/^\d{8}T\d{6}Z$/);
    expect(t.SEQUENCE!.value).toBe('1');
    expect(t.STATUS!.value).toBe('CONFIRMED');
    expect(t.DESCRIPTION!.value).toContain(`https://crm.bank.example/?task=${timed.json().id}`);
    expect(t.DESCRIPTION!.value).toContain('ООО Ромашка, Лютик; и К\\о');
    // The type's reminder travels with the event (new-user trial: the feed had none).
    expect(t['VALARM.ACTION']!.value).toBe('DISPLAY');
    expect(t['VALARM.TRIGGER']!.value).toBe('-PT15M');
    expect(t['VALARM.DESCRIPTION']!.value).toBe(longTitle);
    const a = events.find((e) => e.UID!.value.startsWith(allDay.json().id))!;
    expect(a.DTSTART).toEqual({ params: ';VALUE=DATE', value: '20261212' });
    expect(a.DTEND).toEqual({ params: ';VALUE=DATE', value: '20261213' });

    // SEQUENCE follows the task version.
    await call('PATCH', `/api/v1/tasks/${timed.json().id}`, 'rm1', {
      version: 1,
      plannedStartAt: '2026-12-10T08:00:00.000Z',
    });
    const again = parseIcs((await call('GET', pathOf(url))).body);
    const moved = again.find((e) => e.UID!.value.startsWith(timed.json().id))!;
    expect(moved.SEQUENCE!.value).toBe('2');
    expect(moved.DTSTART!.value).toBe('20261210T080000Z');

    // Rotation: a new URL, the old one stops working.
    const rotated = await call('POST', '/api/v1/me/calendar-feed', 'rm1');
    expect((await call('GET', pathOf(url))).statusCode).toBe(404);
    expect((await call('GET', pathOf(rotated.json().url))).statusCode).toBe(200);
    // Revocation.
    expect((await call('DELETE', '/api/v1/me/calendar-feed', 'rm1')).statusCode).toBe(204);
    expect((await call('GET', pathOf(rotated.json().url))).statusCode).toBe(404);
    const actions = await tdb.db
      .selectFrom('audit_events')
      .where('action', 'like', 'calendar_feed.%')
      .select('action')
      .orderBy('at')
      .execute();
    expect(actions.map((r) => r.action)).toEqual([
      'calendar_feed.create',
      'calendar_feed.create',
      'calendar_feed.revoke',
    ]);
  });

  it("another user's feed is not reachable by guessing: unknown, malformed and near-miss tokens are 404", async () => {
    const mine = (await call('POST', '/api/v1/me/calendar-feed', 'rm2')).json().url as string;
    const token = /([A-Za-z0-9_-]{43})\.ics$/.exec(mine)![1]!;
    const nearMiss = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const guess of [randomBytes(32).toString('base64url'), nearMiss, 'short', `${token}x`]) {
      const res = await call('GET', `/api/v1/calendar-feeds/${guess}.ics`);
      expect(res.statusCode, guess).toBe(404);
      expect(res.body).not.toContain('BEGIN:VCALENDAR');
    }
    const body = (await call('GET', pathOf(mine))).body;
    expect(body).toContain('Задача другого');
    expect(body).not.toContain('Проверка документов');
  });
});
