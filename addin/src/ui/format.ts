import { formatMoney, type Money } from '@crm/shared';
import type { Lang } from './i18n.ts';

/** The Intl locale for a UI language. */
export const localeOf = (lang: Lang): string => (lang === 'ru' ? 'ru-RU' : 'en-GB');

export const money = (m: Money, lang: Lang): string => formatMoney(m, localeOf(lang));

/** `2026-12-01` or an ISO date-time as a short date, e.g. `1 дек. 2026` / `1 Dec 2026`. */
export function shortDate(value: string, lang: Lang): string {
  // A bare date is a calendar date: read it as such, not as UTC midnight shifted into the local zone.
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00`) : new Date(value);
  return new Intl.DateTimeFormat(localeOf(lang), { day: 'numeric', month: 'short', year: 'numeric' }).format(
    d,
  );
}

/**
 * An ISO date-time as a short date with time, e.g. `1 дек., 14:30`; with the year when it is not `now`'s
 * (`1 Jan 1900, 00:00` must not read as this January).
 */
export function shortDateTime(value: string, lang: Lang, now: Date = new Date()): string {
  const d = new Date(value);
  return new Intl.DateTimeFormat(localeOf(lang), {
    day: 'numeric',
    month: 'short',
    ...(d.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

/** A duration rounded to a unit people read at a glance: minutes under an hour, hours under two days, else days. */
export type Span = { unit: 'min' | 'h' | 'd'; value: number };

export function spanOf(ms: number): Span {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 60) return { unit: 'min', value: minutes };
  const hours = Math.round(minutes / 60);
  if (hours < 48) return { unit: 'h', value: hours };
  return { unit: 'd', value: Math.round(hours / 24) };
}

/** `YYYY-MM-DD` of a local date (for `<input type="date">`). */
export function toDateInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A file size in bytes as people read it: `820 KB`, `1.4 MB` (binary units, as Outlook shows them). */
export function fileSize(bytes: number, lang: Lang): string {
  const units = lang === 'ru' ? ['Б', 'КБ', 'МБ', 'ГБ'] : ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
