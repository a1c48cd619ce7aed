/**
 * Money as it crosses the API: a decimal string (never a float) and an ISO 4217 currency code.
 * `amount` has at most 2 fraction digits for the currencies the bank books (RUB, USD, EUR, CNY),
 * e.g. `{ amount: "1500000.00", currency: "RUB" }`. PostgreSQL keeps it as numeric(20,2).
 */
export type Money = { amount: string; currency: string };

const AMOUNT_RE = /^-?\d{1,18}(\.\d{1,2})?$/;
const CURRENCY_RE = /^[A-Z]{3}$/;

/** True when `amount` is a decimal string the database's numeric(20,2) stores exactly. */
export function isMoneyAmount(amount: string): boolean {
  return AMOUNT_RE.test(amount);
}

/** True for a syntactically valid ISO 4217 alphabetic code (three capital letters). */
export function isCurrencyCode(code: string): boolean {
  return CURRENCY_RE.test(code);
}

/**
 * Formats money for people, e.g. `1 500 000,00 ₽` in ru-RU. Uses the digits of the string
 * (BigInt for the integer part) so no precision is lost on the way.
 */
export function formatMoney(money: Money, locale: string): string {
  const negative = money.amount.startsWith('-');
  const [intPart = '0', frac = ''] = money.amount.replace('-', '').split('.');
  const fraction = `${frac}00`.slice(0, 2);
  const intText = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: money.currency,
    maximumFractionDigits: 0,
  })
    .formatToParts(BigInt(intPart))
    .map((p) => p.value)
    .join('');
  const decimal =
    new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
  // Put the fraction right after the last digit so the currency sign stays where the locale wants it.
  const lastDigit = intText.search(/\d(?!.*\d)/);
  const text = `${intText.slice(0, lastDigit + 1)}${decimal}${fraction}${intText.slice(lastDigit + 1)}`;
  return negative ? `-${text}` : text;
}
