import { addAmounts, annuityPayment, coolingOffHours, debtBurden } from '@crm/shared';
import { describe, expect, it } from 'vitest';

// PDN and cooling-off (banking.md, "Credit applications"), on decimal strings: no float ever holds money.

describe('annuityPayment', () => {
  it('matches the annuity formula to the kopeck', () => {
    // 300 000 at 12% for 12 months: 300000 * 0.01 / (1 - 1.01^-12) = 26 654.6366... (checked with Python's decimal at 60 digits)
    expect(annuityPayment('300000.00', '12', 12)).toBe('26654.64');
    // 1 000 000 at 19.9% for 60 months
    expect(annuityPayment('1000000', '19.9', 60)).toBe('26438.27');
  });
  it('divides evenly at a zero rate, rounding half up', () => {
    expect(annuityPayment('100000', '0', 3)).toBe('33333.33');
    expect(annuityPayment('0.05', '0', 2)).toBe('0.03');
  });
});

describe('debtBurden', () => {
  it('adds the new payment to existing ones and warns strictly above 50%', () => {
    expect(
      debtBurden({
        monthlyIncome: '100000.00',
        existingMonthlyPayments: '20000',
        newMonthlyPayment: '30000.00',
      }),
    ).toEqual({ monthlyPayments: '50000.00', ratioPercent: '50.00', warning: false });
    expect(
      debtBurden({
        monthlyIncome: '100000.00',
        existingMonthlyPayments: '20000',
        newMonthlyPayment: '30000.01',
      }),
    ).toEqual({ monthlyPayments: '50000.01', ratioPercent: '50.00', warning: true });
  });
  it('is exact where floats are not (0.1 + 0.2)', () => {
    expect(addAmounts(['0.10', '0.20'])).toBe('0.30');
    expect(
      debtBurden({ monthlyIncome: '3', existingMonthlyPayments: '0.1', newMonthlyPayment: '0.2' })
        .ratioPercent,
    ).toBe('10.00');
  });
  it('refuses a zero income', () => {
    expect(() =>
      debtBurden({ monthlyIncome: '0', existingMonthlyPayments: '0', newMonthlyPayment: '1' }),
    ).toThrow(RangeError);
  });
});

describe('coolingOffHours', () => {
  const consumer = { loanKind: 'consumer' as const, currency: 'RUB', hasGuarantorsOrCoBorrowers: false };
  it('is 4 h for 50-200 thousand RUB and 48 h above', () => {
    expect(coolingOffHours({ ...consumer, amount: '49999.99' })).toBeNull();
    expect(coolingOffHours({ ...consumer, amount: '50000.00' })).toBe(4);
    expect(coolingOffHours({ ...consumer, amount: '200000.00' })).toBe(4);
    expect(coolingOffHours({ ...consumer, amount: '200000.01' })).toBe(48);
  });
  it('has the exemptions: mortgages, education, secured car loans, guarantors or co-borrowers', () => {
    for (const loanKind of ['mortgage', 'education', 'car_secured', 'corporate'] as const)
      expect(coolingOffHours({ ...consumer, loanKind, amount: '500000' })).toBeNull();
    expect(coolingOffHours({ ...consumer, amount: '500000', hasGuarantorsOrCoBorrowers: true })).toBeNull();
  });
});
