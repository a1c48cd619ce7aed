/**
 * How Outlook hands us participants' addresses, and how we turn them into keys.
 * Sources: office-js#3701, #2590, #1250 (LegacyExchangeDN instead of SMTP), #577/#2736 (empty sender
 * in Sent Items), #5144 (UPN instead of primary address). Cases: ../shared/cases/senders.json.
 */
export type AddressKind = 'smtp' | 'exchange-dn' | 'empty' | 'invalid';

export type NormalizedAddress = {
  kind: AddressKind;
  /** Lower-case SMTP address with an ASCII (punycode) domain, or the lower-cased DN; '' when empty. */
  key: string;
};

const DN_RE = /^\/o=/i;
const LOCAL_RE = /^[^\s@<>()[\]\\,;:"]+$/;

// A domain as people write it: letters of any script, digits, hyphens and dots (one trailing dot allowed).
const DOMAIN_RE = /^[\p{L}\p{M}\p{N}-]+(\.[\p{L}\p{M}\p{N}-]+)+\.?$/u;

/**
 * Converts a domain to its ASCII (IDNA/punycode) lower-case form using the WHATWG URL parser; null if it is
 * not a plain domain name. Anything a URL parser would read as a path, port, query or IP address
 * (`a.example\\x`, `a.example:80`, `2130706433`) is refused rather than silently cut to its host.
 */
export function domainToAscii(domain: string): string | null {
  if (!DOMAIN_RE.test(domain)) return null;
  try {
    const host = new URL(`http://${domain.replace(/\.$/, '')}`).hostname;
    if (!host || /^[\d.]+$/.test(host) || host.startsWith('[')) return null;
    return host;
  } catch {
    return null;
  }
}

/**
 * Normalises a raw address from Office.js: trims, strips `mailto:` and angle brackets, lower-cases,
 * converts a Unicode domain to punycode (`office@пример.рф` -> `office@xn--e1afmkfd.xn--p1ai`).
 * A LegacyExchangeDN (`/o=ExchangeLabs/...`) is recognised and never treated as an SMTP address.
 */
export function normalizeAddress(raw: string | null | undefined): NormalizedAddress {
  let value = (raw ?? '').trim();
  if (value === '') return { kind: 'empty', key: '' };
  if (DN_RE.test(value)) return { kind: 'exchange-dn', key: value.toLowerCase() };
  value = value
    .replace(/^mailto:/i, '')
    .replace(/^<(.*)>$/, '$1')
    .trim();
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return { kind: 'invalid', key: value.toLowerCase() };
  const local = value.slice(0, at).toLowerCase();
  const domain = domainToAscii(value.slice(at + 1));
  if (!domain || !LOCAL_RE.test(local) || !domain.includes('.'))
    return { kind: 'invalid', key: value.toLowerCase() };
  return { kind: 'smtp', key: `${local}@${domain}` };
}

/**
 * Normalises a phone number to E.164 digits with a leading `+`. Russian national forms
 * (`8 (495) 123-45-67`, `495 123 45 67`) become `+74951234567`. Returns null when it has too few digits.
 */
export function normalizePhone(raw: string): string | null {
  let digits = raw.replace(/\D/g, '');
  const international = raw.trim().startsWith('+');
  if (!international) {
    if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
    else if (digits.length === 10) digits = `7${digits}`;
  }
  if (digits.length < 10 || digits.length > 15) return null;
  return `+${digits}`;
}
