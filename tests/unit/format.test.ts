import { describe, expect, it } from 'vitest';
import { shortDate, shortDateTime } from '../../addin/src/ui/format.ts';

// How the pane writes dates. A task due on 1 Jan 1900 read "due 1 Jan, 00:00", as if this January (new-user
// trial): another year is always written out.

describe('dates in the pane', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  it('leaves out the year of this year only', () => {
    expect(shortDateTime('2026-12-01T09:30:00Z', 'en', now)).not.toMatch(/2026/);
    expect(shortDateTime('1900-01-01T12:00:00Z', 'en', now)).toMatch(/1900/);
    expect(shortDateTime('2027-01-15T12:00:00Z', 'ru', now)).toMatch(/2027/);
  });
  it('reads a bare calendar date as that day whatever the zone', () => {
    expect(shortDate('2026-12-01', 'en')).toBe('1 Dec 2026');
  });
});
