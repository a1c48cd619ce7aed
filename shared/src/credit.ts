export * from './schemas/credit.ts';
export * from './working-time.ts';

/**
 * Credit arithmetic on decimal strings, exact: amounts become integer kopecks (BigInt), never floats
 * (style.md: money is never a float). Rules from banking.md, "Credit applications".
 */

const AMOUNT = /^(\d{1,18})(?:\.(\d{1,2}))?$/;
const RATE = /^(\d{1,3})(?:\.(\d{1,3}))?$/;

/** `"1500.5"` -> 150050n (minor units). @throws RangeError on anything but a non-negative decimal string. */
export function toMinorUnits(amount: string): bigint {
  const m = AMOUNT.exec(amount);
  if (!m) throw new RangeError(`not a non-negative amount: ${amount}`);
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

/** 150050n -> `"1500.50"`. */
export function fromMinorUnits(minor: bigint): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Sum of decimal strings, exact. */
export function addAmounts(amounts: readonly string[]): string {
  let sum = 0n;
  for (const a of amounts) sum += a.startsWith('-') ? -toMinorUnits(a.slice(1)) : toMinorUnits(a);
  return fromMinorUnits(sum);
}

/** Integer division rounding half away from zero (both operands' signs respected; divisor > 0). */
function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  return 2n * (r < 0n ? -r : r) >= d ? q + (n < 0n ? -1n : 1n) : q;
}

const SCALE = 10n ** 30n;

/**
 * Monthly annuity payment of a loan: P = S * r / (1 - (1 + r)^-n) with r = annual rate / 12 / 100; S / n at a
 * zero rate. Computed in 30-digit fixed point and rounded half-up to kopecks.
 * @param amount principal, decimal string (e.g. `"300000.00"`)
 * @param annualRatePercent e.g. `"19.9"` (at most 3 decimals)
 * @param termMonths 1..600
 */
export function annuityPayment(amount: string, annualRatePercent: string, termMonths: number): string {
  if (!Number.isInteger(termMonths) || termMonths < 1 || termMonths > 600)
    throw new RangeError('termMonths must be 1..600');
  const m = RATE.exec(annualRatePercent);
  if (!m) throw new RangeError(`not a rate: ${annualRatePercent}`);
  const s = toMinorUnits(amount);
  const rateMilli = BigInt(m[1]!) * 1000n + BigInt((m[2] ?? '').padEnd(3, '0'));
  if (rateMilli === 0n) return fromMinorUnits(divRound(s, BigInt(termMonths)));
  const r = (rateMilli * SCALE) / 1_200_000n; // monthly rate: milli-percent / 1000 / 100 / 12
  let pow = SCALE;
  for (let i = 0; i < termMonths; i++) pow = (pow * (SCALE + r)) / SCALE;
  return fromMinorUnits(divRound(s * r * pow, (pow - SCALE) * SCALE));
}

/** The highest PDN recorded, in percent (a larger burden is recorded as this). */
export const MAX_PDN_PERCENT = '9999999.99';
const MAX_PDN_HUNDREDTHS = 999_999_999n;

export type DebtBurden = {
  /** Monthly payments on all loans incl. the new one, decimal string. */
  monthlyPayments: string;
  /**
   * PDN in percent, 2 decimals, rounded half-up (e.g. `"52.31"`), at most {@link MAX_PDN_PERCENT}: payments of
   * a hundred thousand incomes say all there is to say (and fit the stored numeric(9,2)).
   */
  ratioPercent: string;
  /** True when PDN > 50% (exact comparison, not of the rounded percent): the client gets a written warning. */
  warning: boolean;
};

/**
 * Debt-burden ratio (ПДН) = monthly payments on all loans including the new one / monthly income
 * (banking.md; a written warning above 50%).
 * @throws RangeError when income is not positive
 */
export function debtBurden(input: {
  monthlyIncome: string;
  existingMonthlyPayments: string;
  newMonthlyPayment: string;
}): DebtBurden {
  const income = toMinorUnits(input.monthlyIncome);
  if (income <= 0n) throw new RangeError('monthly income must be positive');
  const payments = toMinorUnits(input.existingMonthlyPayments) + toMinorUnits(input.newMonthlyPayment);
  const exact = divRound(payments * 10_000n, income);
  const hundredths = exact > MAX_PDN_HUNDREDTHS ? MAX_PDN_HUNDREDTHS : exact;
  return {
    monthlyPayments: fromMinorUnits(payments),
    ratioPercent: `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`,
    warning: payments * 2n > income,
  };
}

export const LOAN_KINDS = ['consumer', 'mortgage', 'education', 'car_secured', 'corporate'] as const;
export type LoanKindCode = (typeof LOAN_KINDS)[number];

/**
 * Cooling-off of a consumer loan since 1 Sep 2025 (banking.md): 50-200 thousand RUB usable 4 hours after
 * signing, above 200 thousand after 48 hours; none below 50 thousand, for mortgages, education and secured car
 * loans, or with co-borrowers/guarantors. The thresholds are in roubles: loans in other currencies are left
 * to the bank's own rules (null here).
 * @returns hours, or null when the loan has no cooling-off
 */
export function coolingOffHours(input: {
  loanKind: LoanKindCode;
  amount: string;
  currency: string;
  hasGuarantorsOrCoBorrowers: boolean;
}): 4 | 48 | null {
  if (input.loanKind !== 'consumer' || input.hasGuarantorsOrCoBorrowers || input.currency !== 'RUB')
    return null;
  const a = toMinorUnits(input.amount);
  if (a < 5_000_000n) return null;
  return a <= 20_000_000n ? 4 : 48;
}
