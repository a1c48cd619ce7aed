// How the pane reads a loan's terms as typed (a new application, a decision on changed terms).

/** "300 000,50" -> "300000.50"; null when it is not an amount with at most 2 decimals. */
export function amountOf(text: string): string | null {
  const v = text.replace(/[\s\u00a0]/g, '').replace(',', '.');
  return /^\d{1,15}(\.\d{1,2})?$/.test(v) ? v : null;
}

/** "12" -> 12; null unless a whole number of months from 1 to 600. */
export function termOf(text: string): number | null {
  const v = text.trim();
  if (!/^\d{1,3}$/.test(v)) return null;
  const n = Number(v);
  return n >= 1 && n <= 600 ? n : null;
}

/** "14,9" -> "14.9" (percent a year); null unless at most 3 digits and 3 decimals. */
export function rateOf(text: string): string | null {
  const v = text.trim().replace(',', '.');
  return /^\d{1,3}(\.\d{1,3})?$/.test(v) ? v : null;
}
