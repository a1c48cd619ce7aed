/**
 * Validators for Russian business and banking identifiers: INN, OGRN, OGRNIP, KPP, SNILS, BIK and
 * bank account numbers (control key per Bank of Russia procedure No. 515).
 *
 * Every `validate*` function returns an {@link IdentifierResult}; the `isValid*` wrappers return a boolean.
 * No dependencies. All check digits are computed with integer arithmetic (BigInt where the number exceeds
 * 2^53), never with floating point.
 */

/** Why a value was rejected: wrong shape, failed check digit, or a part with a disallowed value. */
export type IdentifierFailure = 'format' | 'checksum' | 'component';

/** Result of a validator. `value` is the normalised identifier (digits only, except KPP letters). */
export type IdentifierResult = { ok: true; value: string } | { ok: false; reason: IdentifierFailure };

const ok = (value: string): IdentifierResult => ({ ok: true, value });
const fail = (reason: IdentifierFailure): IdentifierResult => ({ ok: false, reason });

/** Trims and removes inner whitespace (incl. NBSP); non-strings become '' so they fail the format check. */
function compact(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\s+/g, '') : '';
}

function digitsOf(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0) - 48);
}

function weightedSum(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return sum;
}

// ---------------------------------------------------------------- INN

const INN10_WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
const INN12_WEIGHTS_11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
const INN12_WEIGHTS_12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;

function innCheck(digits: readonly number[], weights: readonly number[]): number {
  return (weightedSum(digits, weights) % 11) % 10;
}

/**
 * Validates a 10-digit INN (legal entity).
 *
 * Shape: 10 digits (whitespace ignored); all zeros -> `component` (its check digit is right, but no
 * taxpayer has it: it is what a form left empty gives). Rule: digit 10 = (sum of digits 1-9 weighted
 * 2,4,10,3,5,9,4,6,8) mod 11 mod 10.
 * Source: FNS order No. ММВ-7-6/435@ (INN assignment procedure); python-stdnum `stdnum/ru/inn.py`.
 */
export function validateInn10(value: string): IdentifierResult {
  const s = compact(value);
  if (!/^\d{10}$/.test(s)) return fail('format');
  if (/^0+$/.test(s)) return fail('component');
  const d = digitsOf(s);
  return innCheck(d, INN10_WEIGHTS) === d[9] ? ok(s) : fail('checksum');
}

/**
 * Validates a 12-digit INN (individual, including a sole proprietor).
 *
 * Shape: 12 digits (whitespace ignored); all zeros -> `component` (valid check digits, no taxpayer).
 * Rule: digit 11 = (digits 1-10 weighted 7,2,4,10,3,5,9,4,6,8) mod 11 mod 10; digit 12 = (digits 1-11
 * weighted 3,7,2,4,10,3,5,9,4,6,8) mod 11 mod 10.
 * Source: FNS order No. ММВ-7-6/435@; python-stdnum `stdnum/ru/inn.py`.
 */
export function validateInn12(value: string): IdentifierResult {
  const s = compact(value);
  if (!/^\d{12}$/.test(s)) return fail('format');
  if (/^0+$/.test(s)) return fail('component');
  const d = digitsOf(s);
  if (innCheck(d, INN12_WEIGHTS_11) !== d[10]) return fail('checksum');
  return innCheck(d, INN12_WEIGHTS_12) === d[11] ? ok(s) : fail('checksum');
}

/**
 * Validates an INN of either length: 10 digits (legal entity, see {@link validateInn10}) or 12 digits
 * (individual, see {@link validateInn12}). Any other length is a `format` failure.
 * Source: FNS order No. ММВ-7-6/435@.
 */
export function validateInn(value: string): IdentifierResult {
  const s = compact(value);
  if (s.length === 10) return validateInn10(s);
  if (s.length === 12) return validateInn12(s);
  return fail('format');
}

/** `true` when {@link validateInn} accepts the value (10- or 12-digit INN). */
export function isValidInn(value: string): boolean {
  return validateInn(value).ok;
}

/** `true` when {@link validateInn10} accepts the value. */
export function isValidInn10(value: string): boolean {
  return validateInn10(value).ok;
}

/** `true` when {@link validateInn12} accepts the value. */
export function isValidInn12(value: string): boolean {
  return validateInn12(value).ok;
}

// ---------------------------------------------------------------- OGRN / OGRNIP

function ogrnCheck(body: string): number {
  return Number(BigInt(body) % 11n) % 10;
}

function ogrnipCheck(body: string): number {
  return Number(BigInt(body) % 13n) % 10;
}

/**
 * Validates an OGRN (primary state registration number of a legal entity).
 *
 * Shape: 13 digits (whitespace ignored); first digit 1 or 5 (an OGRN sign; other signs are numbers of later
 * register records or OGRNIPs) -> otherwise `component`. Rule: digit 13 = (first 12 digits as one integer)
 * mod 11 mod 10, computed with BigInt.
 * Source: structure of the ЕГРЮЛ record number, Government decree No. 438 of 19.06.2002 (as amended by
 * No. 760 of 13.12.2005, which added sign 5).
 */
export function validateOgrn(value: string): IdentifierResult {
  const s = compact(value);
  if (!/^\d{13}$/.test(s)) return fail('format');
  if (s[0] !== '1' && s[0] !== '5') return fail('component');
  return ogrnCheck(s.slice(0, 12)) === Number(s[12]) ? ok(s) : fail('checksum');
}

/**
 * Validates an OGRNIP (primary state registration number of a sole proprietor).
 *
 * Shape: 15 digits (whitespace ignored); first digit 3 -> otherwise `component`. Rule: digit 15 =
 * (first 14 digits as one integer) mod 13 mod 10, so remainders 10, 11, 12 give check digits 0, 1, 2
 * (python-stdnum and `ru-codes` get this wrong).
 * Source: structure of the ЕГРИП record number, Government decree No. 630 of 16.10.2003, appendix 1
 * (as amended by No. 760 of 13.12.2005).
 */
export function validateOgrnip(value: string): IdentifierResult {
  const s = compact(value);
  if (!/^\d{15}$/.test(s)) return fail('format');
  if (s[0] !== '3') return fail('component');
  return ogrnipCheck(s.slice(0, 14)) === Number(s[14]) ? ok(s) : fail('checksum');
}

/** `true` when {@link validateOgrn} accepts the value. */
export function isValidOgrn(value: string): boolean {
  return validateOgrn(value).ok;
}

/** `true` when {@link validateOgrnip} accepts the value. */
export function isValidOgrnip(value: string): boolean {
  return validateOgrnip(value).ok;
}

// ---------------------------------------------------------------- KPP

/**
 * Validates a KPP (tax registration reason code).
 *
 * Shape: `NNNN PP XXX` = `^\d{4}[0-9A-Z]{2}\d{3}$` (whitespace ignored; Latin upper-case letters only in
 * positions 5-6, lower case is rejected). No check digit. Sole proprietors have no KPP.
 * Source: FNS order No. ММВ-7-6/435@ (KPP structure).
 */
export function validateKpp(value: string): IdentifierResult {
  const s = compact(value);
  return /^\d{4}[0-9A-Z]{2}\d{3}$/.test(s) ? ok(s) : fail('format');
}

/** `true` when {@link validateKpp} accepts the value. */
export function isValidKpp(value: string): boolean {
  return validateKpp(value).ok;
}

// ---------------------------------------------------------------- SNILS

/** Highest SNILS number (first 9 digits) for which the control number is not checked: 001-001-998. */
const SNILS_UNCHECKED_MAX = 1_001_998;

function snilsControl(first9: string): number {
  const s = weightedSum(digitsOf(first9), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  if (s < 100) return s;
  if (s === 100 || s === 101) return 0;
  return (s % 101) % 100; // remainder 100 -> 00
}

/**
 * Validates a SNILS (individual insurance account number).
 *
 * Shape: 11 digits, either plain `NNNNNNNNNNN` or the printed form `NNN-NNN-NNN CC` (surrounding whitespace
 * ignored; other separators are a `format` failure). Rule: S = digits 1-9 weighted 9,8,...,1; control
 * number CC = S if S < 100; 00 if S is 100 or 101; otherwise S mod 101 (a remainder of 100 gives 00).
 * Numbers up to 001-001-998 are not checked. `value` is the 11 plain digits.
 * Source: Pension Fund of Russia (now Social Fund) insurance number check-number algorithm.
 */
export function validateSnils(value: string): IdentifierResult {
  const t = typeof value === 'string' ? value.trim() : '';
  let s: string;
  if (/^\d{11}$/.test(t)) s = t;
  else if (/^\d{3}-\d{3}-\d{3} \d{2}$/.test(t)) s = t.replace(/[- ]/g, '');
  else return fail('format');
  const first9 = s.slice(0, 9);
  if (Number(first9) <= SNILS_UNCHECKED_MAX) return ok(s);
  return snilsControl(first9) === Number(s.slice(9)) ? ok(s) : fail('checksum');
}

/** `true` when {@link validateSnils} accepts the value. */
export function isValidSnils(value: string): boolean {
  return validateSnils(value).ok;
}

/**
 * Formats a SNILS as `NNN-NNN-NNN CC`. Accepts 11 digits (whitespace and dashes are ignored); does not check
 * the control number. Throws `RangeError` when the input does not hold exactly 11 digits.
 */
export function formatSnils(digits: string): string {
  const s = typeof digits === 'string' ? digits.replace(/[\s-]+/g, '') : '';
  if (!/^\d{11}$/.test(s)) throw new RangeError('SNILS must have 11 digits');
  return `${s.slice(0, 3)}-${s.slice(3, 6)}-${s.slice(6, 9)} ${s.slice(9)}`;
}

// ---------------------------------------------------------------- BIK and bank accounts

/**
 * Validates the format of a BIK (Bank of Russia bank identification code).
 *
 * Shape: 9 digits (whitespace ignored). No check digit; whether the BIK exists is a lookup in the Bank of
 * Russia directory (ED807), not done here. Do not assume a `04` prefix or a 050-999 ending: real BIKs
 * start 01 (treasury offices) or 10 (foreign banks) and some end in 003-049.
 * Source: Bank of Russia BIK directory (ED807).
 */
export function validateBik(value: string): IdentifierResult {
  const s = compact(value);
  return /^\d{9}$/.test(s) ? ok(s) : fail('format');
}

/** `true` when {@link validateBik} accepts the value. */
export function isValidBik(value: string): boolean {
  return validateBik(value).ok;
}

const ACCOUNT_KEY_WEIGHTS = [7, 1, 3] as const;

/** `true` when BIK digits 7-8 are `00`: the BIK of a Bank of Russia division (RKC), per procedure 515. */
function isBankOfRussiaDivisionBik(bik: string): boolean {
  return bik.slice(6, 8) === '00';
}

/** Sum of the low digits of (prefix + account) digits times 7,1,3,...; mod 10. 0 for a valid key. */
function accountKeySum(prefix: string, account: string): number {
  const d = digitsOf(prefix + account);
  let sum = 0;
  for (let i = 0; i < d.length; i++) sum += ((d[i] ?? 0) * ACCOUNT_KEY_WEIGHTS[i % 3]!) % 10;
  return sum % 10;
}

/**
 * Validates a 20-digit bank account number against the BIK of the bank (or Bank of Russia division) that
 * holds it.
 *
 * Shape: account 20 digits, BIK 9 digits (whitespace ignored in both) -> otherwise `format`.
 * Rule (control key at account position 9): the 3-digit conditional number is
 * - `0` + BIK digits 5-6 for an account at a Bank of Russia division: every correspondent account starting
 *   `30101`, and any account when BIK digits 7-8 are `00`;
 * - BIK digits 7-9 for an account at a credit institution.
 * Weights 7,1,3 repeat over the 23 digits (conditional number + account); the sum of the low digits of the
 * products must be 0 mod 10, else `checksum`.
 * A `30101` correspondent account must also end with the bank's BIK digits 7-9, else `component`; this is
 * checked when the BIK given is the bank's own. When the BIK is that of the Bank of Russia division holding
 * the account (digits 7-8 `00`, as in example 1 of procedure 515: account 30101810800000000746 at RKC BIK
 * 049805000), the ending names the bank, not the division, and is not compared.
 * Treasury accounts starting `03` are not keyed to the BIK: only their format is checked.
 * Source: Bank of Russia procedure No. 515 of 08.09.1997 "Порядок расчета контрольного ключа в номере
 * лицевого счета".
 */
export function validateBankAccount(account: string, bik: string): IdentifierResult {
  const a = compact(account);
  const b = compact(bik);
  if (!/^\d{20}$/.test(a) || !/^\d{9}$/.test(b)) return fail('format');
  if (a.startsWith('03')) return ok(a);
  const correspondent = a.startsWith('30101');
  const atDivision = correspondent || isBankOfRussiaDivisionBik(b);
  if (correspondent && !isBankOfRussiaDivisionBik(b) && a.slice(17) !== b.slice(6)) return fail('component');
  const prefix = atDivision ? `0${b.slice(4, 6)}` : b.slice(6, 9);
  return accountKeySum(prefix, a) === 0 ? ok(a) : fail('checksum');
}

/** `true` when {@link validateBankAccount} accepts the account for that BIK. */
export function isValidBankAccount(account: string, bik: string): boolean {
  return validateBankAccount(account, bik).ok;
}

// ---------------------------------------------------------------- generators (demo seed, tests)

function requireDigits(input: string, length: number, name: string): string {
  if (typeof input !== 'string' || !new RegExp(`^\\d{${length}}$`).test(input)) {
    throw new RangeError(`${name} expects exactly ${length} digits`);
  }
  return input;
}

/**
 * Completes a 10-digit INN: appends the check digit (rule of {@link validateInn10}) to the given 9 digits.
 * Deterministic; throws `RangeError` unless `first9` is exactly 9 digits.
 */
export function innCheckDigits10(first9: string): string {
  const s = requireDigits(first9, 9, 'innCheckDigits10');
  return s + innCheck(digitsOf(s), INN10_WEIGHTS);
}

/**
 * Completes a 12-digit INN: appends both check digits (rule of {@link validateInn12}) to the given 10 digits.
 * Deterministic; throws `RangeError` unless `first10` is exactly 10 digits.
 */
export function inn12From(first10: string): string {
  const s = requireDigits(first10, 10, 'inn12From');
  const s11 = s + innCheck(digitsOf(s), INN12_WEIGHTS_11);
  return s11 + innCheck(digitsOf(s11), INN12_WEIGHTS_12);
}

/**
 * Completes an OGRN: appends the check digit (first 12 digits mod 11 mod 10) to the given 12 digits.
 * Deterministic; throws `RangeError` unless `first12` is 12 digits starting with 1 or 5.
 */
export function ogrnFrom(first12: string): string {
  const s = requireDigits(first12, 12, 'ogrnFrom');
  if (s[0] !== '1' && s[0] !== '5') throw new RangeError('ogrnFrom: an OGRN starts with 1 or 5');
  return s + ogrnCheck(s);
}

/**
 * Completes an OGRNIP: appends the check digit (first 14 digits mod 13 mod 10) to the given 14 digits.
 * Deterministic; throws `RangeError` unless `first14` is 14 digits starting with 3.
 */
export function ogrnipFrom(first14: string): string {
  const s = requireDigits(first14, 14, 'ogrnipFrom');
  if (s[0] !== '3') throw new RangeError('ogrnipFrom: an OGRNIP starts with 3');
  return s + ogrnipCheck(s);
}

/**
 * Completes a SNILS: appends the 2-digit control number (rule of {@link validateSnils}) to the given 9
 * digits and returns the 11 plain digits (use {@link formatSnils} for display). The control number is
 * computed for numbers up to 001-001-998 too. Deterministic; throws `RangeError` unless `first9` is 9 digits.
 */
export function snilsFrom(first9: string): string {
  const s = requireDigits(first9, 9, 'snilsFrom');
  return s + String(snilsControl(s)).padStart(2, '0');
}
