import { addWorkingMinutes, type DayKind, type WorkingCalendar, workingMinutesBetween } from '@crm/shared';
import { describe, expect, it } from 'vitest';

// SLA due times in the branch's working calendar. Days off of the Russian production calendar as the credit
// migration seeds them (Labour Code art. 112 and the 2026 transfer decree; art. 95 short days).
const RU_DAYS = new Map<string, DayKind>([
  ['2026-11-03', 'short_day'],
  ['2026-11-04', 'holiday'],
  ['2026-12-31', 'holiday'],
  ...['01', '02', '03', '04', '05', '06', '07', '08'].map(
    (d) => [`2027-01-${d}`, 'holiday'] as [string, DayKind],
  ),
]);

const calendar = (timeZone: string, days = RU_DAYS): WorkingCalendar => ({
  timeZone,
  workDays: [1, 2, 3, 4, 5],
  dayStartMinute: 9 * 60,
  dayEndMinute: 18 * 60,
  days,
});
const MOSCOW = calendar('Europe/Moscow');
const VLADIVOSTOK = calendar('Asia/Vladivostok');
const hours = (h: number) => h * 60;

describe('addWorkingMinutes', () => {
  it('counts an 8-hour SLA inside one Moscow working day, ending at 18:00 rather than the next morning', () => {
    // Monday 7 Dec 2026 10:00 MSK (UTC+3)
    expect(addWorkingMinutes(new Date('2026-12-07T07:00:00Z'), hours(8), MOSCOW).toISOString()).toBe(
      '2026-12-07T15:00:00.000Z',
    );
  });

  it('carries a Friday-evening submission over the weekend to Monday', () => {
    // Friday 4 Dec 17:00 MSK + 4 h: 1 h on Friday, 3 h on Monday -> Monday 12:00 MSK
    expect(addWorkingMinutes(new Date('2026-12-04T14:00:00Z'), hours(4), MOSCOW).toISOString()).toBe(
      '2026-12-07T09:00:00.000Z',
    );
    // Submitted after hours (Friday 19:30 MSK): the clock starts Monday 09:00
    expect(addWorkingMinutes(new Date('2026-12-04T16:30:00Z'), hours(2), MOSCOW).toISOString()).toBe(
      '2026-12-07T08:00:00.000Z',
    );
  });

  it('gives the same instant different due times in Moscow and Vladivostok (UTC+10)', () => {
    const friday = new Date('2026-12-04T07:00:00Z'); // 10:00 in Moscow, 17:00 in Vladivostok
    expect(addWorkingMinutes(friday, hours(2), MOSCOW).toISOString()).toBe('2026-12-04T09:00:00.000Z');
    // Vladivostok: 1 h on Friday, 1 h from Monday 09:00 local = Monday 10:00 VLAT = Monday 00:00 UTC
    expect(addWorkingMinutes(friday, hours(2), VLADIVOSTOK).toISOString()).toBe('2026-12-07T00:00:00.000Z');
  });

  it('a Vladivostok Monday morning is still Sunday in UTC: the local weekday decides', () => {
    // Sunday 6 Dec 23:30 UTC = Monday 09:30 VLAT: working time, 30 min of Monday already counts
    expect(addWorkingMinutes(new Date('2026-12-06T23:30:00Z'), 30, VLADIVOSTOK).toISOString()).toBe(
      '2026-12-07T00:00:00.000Z',
    );
  });

  it('skips the 4 November holiday and counts the short pre-holiday day as ending at 17:00', () => {
    // Tuesday 3 Nov 2026 16:00 MSK + 3 h: 1 h (short day ends 17:00), 4 Nov off, Thursday 09:00 + 2 h
    expect(addWorkingMinutes(new Date('2026-11-03T13:00:00Z'), hours(3), MOSCOW).toISOString()).toBe(
      '2026-11-05T08:00:00.000Z',
    );
  });

  it('skips 31 December 2026 and the New Year holidays 1-8 January 2027', () => {
    // Wednesday 30 Dec 17:00 MSK + 2 h: 1 h, then 31 Dec and 1-8 Jan off, 9-10 Jan weekend -> Monday 11 Jan 10:00
    expect(addWorkingMinutes(new Date('2026-12-30T14:00:00Z'), hours(2), MOSCOW).toISOString()).toBe(
      '2027-01-11T07:00:00.000Z',
    );
    expect(addWorkingMinutes(new Date('2026-12-30T14:00:00Z'), hours(2), VLADIVOSTOK).toISOString()).toBe(
      // 30 Dec 17:00 MSK = 31 Dec 00:00 VLAT (a holiday): 2 h from Monday 11 Jan 09:00 VLAT = 11:00 VLAT
      '2027-01-11T01:00:00.000Z',
    );
  });

  it('honours a weekend made working by a transfer', () => {
    const withWorkingSaturday = calendar('Europe/Moscow', new Map([['2026-12-05', 'working_day' as const]]));
    expect(
      addWorkingMinutes(new Date('2026-12-04T14:00:00Z'), hours(4), withWorkingSaturday).toISOString(),
    ).toBe('2026-12-05T09:00:00.000Z');
  });

  it('is right across a daylight-saving change (Berlin, 29 March 2026), though Russian zones have none', () => {
    const berlin = calendar('Europe/Berlin', new Map());
    // Friday 27 Mar 17:00 CET (UTC+1) + 2 h: 1 h Friday, Monday 30 Mar 10:00 CEST (UTC+2) = 08:00 UTC
    expect(addWorkingMinutes(new Date('2026-03-27T16:00:00Z'), hours(2), berlin).toISOString()).toBe(
      '2026-03-30T08:00:00.000Z',
    );
  });

  it('keeps zero minutes inside working hours and moves them to the next window outside', () => {
    expect(addWorkingMinutes(new Date('2026-12-07T07:00:00Z'), 0, MOSCOW).toISOString()).toBe(
      '2026-12-07T07:00:00.000Z',
    );
    expect(addWorkingMinutes(new Date('2026-12-05T07:00:00Z'), 0, MOSCOW).toISOString()).toBe(
      '2026-12-07T06:00:00.000Z',
    );
  });

  it('refuses negative amounts and a calendar without working days', () => {
    expect(() => addWorkingMinutes(new Date(), -1, MOSCOW)).toThrow(RangeError);
    expect(() => addWorkingMinutes(new Date(), 60, { ...MOSCOW, workDays: [] })).toThrow(RangeError);
  });
});

describe('workingMinutesBetween', () => {
  it('counts back what addWorkingMinutes added, across weekends and holidays', () => {
    for (const [start, h, cal] of [
      ['2026-12-04T14:00:00Z', 4, MOSCOW],
      ['2026-11-03T13:00:00Z', 3, MOSCOW],
      ['2026-12-30T14:00:00Z', 2, VLADIVOSTOK],
      ['2026-12-07T07:00:00Z', 40, MOSCOW],
    ] as const) {
      const from = new Date(start);
      const due = addWorkingMinutes(from, hours(h), cal);
      expect(workingMinutesBetween(from, due, cal)).toBe(hours(h));
    }
  });
});
