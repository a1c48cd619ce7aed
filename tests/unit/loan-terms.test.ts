import { describe, expect, it } from 'vitest';
import { amountOf, rateOf, termOf } from '../../addin/src/taskpane/loan-terms.ts';

// How the pane reads a loan's terms as typed, for a new application and for a decision on changed terms.

describe('loan terms as typed', () => {
  it('reads amounts with spaces and a decimal comma, at most 2 decimals and 15 digits', () => {
    expect(amountOf('300 000,50')).toBe('300000.50');
    expect(amountOf('1\u00a0500\u00a0000')).toBe('1500000');
    for (const bad of ['-5', '1e6', '1.234', '', '1234567890123456', '１２３'])
      expect(amountOf(bad), bad).toBeNull();
  });
  it('reads a term of 1 to 600 whole months', () => {
    expect(termOf(' 12 ')).toBe(12);
    for (const bad of ['0', '601', '12.5', '-1', 'x', '']) expect(termOf(bad), bad).toBeNull();
  });
  it('reads a rate in percent with at most 3 decimals', () => {
    expect(rateOf('14,9')).toBe('14.9');
    expect(rateOf('14.500')).toBe('14.500');
    for (const bad of ['14.9999', '1000', '-1', '', 'abc']) expect(rateOf(bad), bad).toBeNull();
  });
});
