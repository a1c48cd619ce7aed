import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatSnils,
  type IdentifierResult,
  inn12From,
  innCheckDigits10,
  isValidBankAccount,
  isValidBik,
  isValidInn,
  isValidInn10,
  isValidInn12,
  isValidKpp,
  isValidOgrn,
  isValidOgrnip,
  isValidSnils,
  ogrnFrom,
  ogrnipFrom,
  snilsFrom,
  validateBankAccount,
  validateBik,
  validateInn,
  validateInn10,
  validateInn12,
  validateKpp,
  validateOgrn,
  validateOgrnip,
  validateSnils,
} from '../../shared/src/identifiers.ts';

// ------------------------------------------------------------------ fixture

type Kind = 'INN10' | 'INN12' | 'OGRN' | 'OGRNIP' | 'SNILS' | 'KPP' | 'BIK' | 'BANK_ACCOUNT';
type RawCase =
  | { kind: Exclude<Kind, 'BANK_ACCOUNT'>; value: string; valid: boolean; source: string }
  | { kind: 'BANK_ACCOUNT'; account: string; bik: string; valid: boolean; source: string };

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/identifiers.json', import.meta.url), 'utf8'),
) as { cases: RawCase[] };

const single: Record<Exclude<Kind, 'BANK_ACCOUNT'>, (v: string) => IdentifierResult> = {
  INN10: validateInn10,
  INN12: validateInn12,
  OGRN: validateOgrn,
  OGRNIP: validateOgrnip,
  SNILS: validateSnils,
  KPP: validateKpp,
  BIK: validateBik,
};
const boolean: Record<Exclude<Kind, 'BANK_ACCOUNT'>, (v: string) => boolean> = {
  INN10: isValidInn10,
  INN12: isValidInn12,
  OGRN: isValidOgrn,
  OGRNIP: isValidOgrnip,
  SNILS: isValidSnils,
  KPP: isValidKpp,
  BIK: isValidBik,
};

/** One fixture case, with the validator bound to its inputs. `digits` is the value to mutate. */
interface Case {
  kind: Kind;
  label: string;
  expected: 'valid' | 'invalid';
  valid: boolean;
  source: string;
  /** The value as written in the fixture (the account for BANK_ACCOUNT). */
  input: string;
  digits: string;
  run: (v: string) => IdentifierResult;
  runBool: (v: string) => boolean;
}

const cases: Case[] = fixture.cases.map((c) => {
  const expected = c.valid ? 'valid' : 'invalid';
  if (c.kind === 'BANK_ACCOUNT') {
    const { bik } = c;
    return {
      kind: c.kind,
      label: `${c.account} @ BIK ${bik}`,
      expected,
      valid: c.valid,
      source: c.source,
      input: c.account,
      digits: c.account,
      run: (v: string) => validateBankAccount(v, bik),
      runBool: (v: string) => isValidBankAccount(v, bik),
    };
  }
  return {
    kind: c.kind,
    label: c.value,
    expected,
    valid: c.valid,
    source: c.source,
    input: c.value,
    digits: c.value.replace(/[- ]/g, ''),
    run: single[c.kind],
    runBool: boolean[c.kind],
  };
});

// ------------------------------------------------------------------ independent reference (for properties)

const sumW = (s: string, w: number[]) => w.reduce((acc, wi, i) => acc + wi * Number(s[i]), 0);
/** Raw remainders (before the final `mod 10`) behind each check digit; check positions alongside. */
const reference: Partial<
  Record<Kind, { checkPositions: number[]; remainders: (s: string) => number[]; lead?: RegExp }>
> = {
  INN10: { checkPositions: [9], remainders: (s) => [sumW(s, [2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11] },
  INN12: {
    checkPositions: [10, 11],
    remainders: (s) => [
      sumW(s, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11,
      sumW(s, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11,
    ],
  },
  OGRN: { checkPositions: [12], remainders: (s) => [Number(BigInt(s.slice(0, 12)) % 11n)], lead: /^[15]/ },
  OGRNIP: { checkPositions: [14], remainders: (s) => [Number(BigInt(s.slice(0, 14)) % 13n)], lead: /^3/ },
};
const snilsSum = (s: string) => sumW(s, [9, 8, 7, 6, 5, 4, 3, 2, 1]);
const snilsControlOf = (sum: number) => (sum < 100 ? sum : sum <= 101 ? 0 : (sum % 101) % 100);

/** Every string that differs from `s` in exactly one digit, with the position changed. */
function* singleDigitChanges(s: string): Generator<[number, string]> {
  for (let i = 0; i < s.length; i++) {
    for (let d = 0; d <= 9; d++) {
      if (String(d) !== s[i]) yield [i, s.slice(0, i) + d + s.slice(i + 1)];
    }
  }
}

/** Deterministic pseudo-random digit strings (LCG), so the property runs are reproducible. */
function* digitStrings(count: number, length: number, lead: string, seed = 20240901): Generator<string> {
  let x = seed;
  for (let n = 0; n < count; n++) {
    let s = lead;
    while (s.length < length) {
      x = (x * 1103515245 + 12345) % 2147483648;
      s += String(Math.floor((x / 2147483648) * 10));
    }
    yield s;
  }
}

/** First digit string of `length`, counting up from `start`, that satisfies `pred`. */
function bodyWithRemainder(start: bigint, length: number, pred: (s: string) => boolean): string {
  for (let k = 0n; k < 10_000n; k++) {
    const s = (start + k).toString().padStart(length, '0');
    if (pred(s)) return s;
  }
  throw new Error('no body found');
}

// ------------------------------------------------------------------ fixture vectors

describe('fixture vectors (tests/fixtures/identifiers.json)', () => {
  it('holds every kind', () => {
    expect(new Set(cases.map((c) => c.kind))).toEqual(
      new Set<Kind>(['INN10', 'INN12', 'OGRN', 'OGRNIP', 'SNILS', 'KPP', 'BIK', 'BANK_ACCOUNT']),
    );
  });

  it.each(cases)('$kind $label is $expected [$source]', (c) => {
    const result = c.run(c.input);
    expect(result.ok).toBe(c.valid);
    expect(c.runBool(c.input)).toBe(c.valid);
    if (result.ok) expect(result.value).toBe(c.digits);
    if (c.kind === 'INN10' || c.kind === 'INN12') {
      expect(validateInn(c.input).ok).toBe(c.valid);
      expect(isValidInn(c.input)).toBe(c.valid);
    }
  });
});

// ------------------------------------------------------------------ failure reasons and normalisation

describe('reasons and normalisation', () => {
  it('reports format, component and checksum failures', () => {
    expect(validateInn('12345')).toEqual({ ok: false, reason: 'format' });
    expect(validateInn('77070838930')).toEqual({ ok: false, reason: 'format' });
    expect(validateInn('7707083894')).toEqual({ ok: false, reason: 'checksum' });
    expect(validateOgrn('9106722490217')).toEqual({ ok: false, reason: 'component' });
    expect(validateOgrnip('512502904600034')).toEqual({ ok: false, reason: 'component' });
    expect(validateOgrn('1022500001328')).toEqual({ ok: false, reason: 'checksum' });
    expect(validateSnils('586-595-917-80')).toEqual({ ok: false, reason: 'format' });
    expect(validateSnils('148-481-255 00')).toEqual({ ok: false, reason: 'checksum' });
    expect(validateKpp('7736ab001')).toEqual({ ok: false, reason: 'format' });
    expect(validateBik('04452522x')).toEqual({ ok: false, reason: 'format' });
    expect(validateBankAccount('4070281050000000123', '044525225')).toEqual({ ok: false, reason: 'format' });
    expect(validateBankAccount('40702810500000001234', '04452522')).toEqual({ ok: false, reason: 'format' });
    expect(validateBankAccount('40702810500000001234', '044525187')).toEqual({
      ok: false,
      reason: 'checksum',
    });
  });

  it('refuses an INN of all zeros, whose check digits are right but which no taxpayer has', () => {
    expect(validateInn10('0000000000')).toEqual({ ok: false, reason: 'component' });
    expect(validateInn12('000000000000')).toEqual({ ok: false, reason: 'component' });
    expect(validateInn(' 0000 000 000 ')).toEqual({ ok: false, reason: 'component' });
    expect(isValidInn('000000000000')).toBe(false);
    // A leading zero alone is fine (regions 01-09).
    expect(validateInn10(innCheckDigits10('000000001')).ok).toBe(true);
  });

  it('rejects a correspondent account paired with another bank of the same region (ending check)', () => {
    // Sber's corr. account has a valid key for any BIK 04xx25xxx (prefix 0+"25"), but ends with 225, not 187.
    expect(validateBankAccount('30101810400000000225', '044525225')).toEqual({
      ok: true,
      value: '30101810400000000225',
    });
    expect(validateBankAccount('30101810400000000225', '044525187')).toEqual({
      ok: false,
      reason: 'component',
    });
  });

  it('skips the key check for treasury accounts starting 03', () => {
    expect(validateBankAccount('03100643000000011800', '044525225').ok).toBe(true);
    expect(validateBankAccount('0310064300000001180', '044525225').ok).toBe(false);
  });

  it('strips whitespace and returns the normalised digits', () => {
    expect(validateInn(' 7707 083 893 ')).toEqual({ ok: true, value: '7707083893' });
    expect(validateOgrn('1 027700 132195')).toEqual({ ok: true, value: '1027700132195' });
    expect(validateBankAccount('40702 810 5 0000 0001234', ' 044525225')).toEqual({
      ok: true,
      value: '40702810500000001234',
    });
    expect(validateSnils(' 112-233-445 95 ')).toEqual({ ok: true, value: '11223344595' });
    expect(validateInn('7707-083-893').ok).toBe(false);
  });

  it('does not check SNILS numbers up to 001-001-998', () => {
    expect(validateSnils('001-001-998 00').ok).toBe(true);
    expect(validateSnils('001-001-999 00').ok).toBe(false);
    expect(validateSnils(snilsFrom('001001999')).ok).toBe(true);
  });

  it('maps SNILS sums 100 and 101 and remainder 100 to control 00', () => {
    // Digits 1-5 fixed (sum 35 or 175), digits 6-9 counted up (adds 0..90): covers the targets below.
    const withSum = (target: number) =>
      bodyWithRemainder(target < 125 ? 111_110_000n : 555_550_000n, 9, (s) => snilsSum(s) === target);
    for (const sum of [100, 101]) expect(snilsFrom(withSum(sum)).slice(9)).toBe('00');
    const r100 = withSum(201); // 201 mod 101 = 100
    expect(snilsFrom(r100).slice(9)).toBe('00');
    expect(validateSnils(`${r100}00`).ok).toBe(true);
    expect(validateSnils(`${withSum(99)}99`).ok).toBe(true);
    expect(validateSnils(`${withSum(102)}01`).ok).toBe(true);
  });
});

// ------------------------------------------------------------------ remainders 10, 11, 12

describe('check digits from remainders >= 10', () => {
  it.each([10, 11, 12])(
    'OGRNIP whose first 14 digits mod 13 = %i validates with check digit r mod 10',
    (r) => {
      const body = bodyWithRemainder(30450000000000n, 14, (s) => reference.OGRNIP!.remainders(s)[0] === r);
      const ogrnip = ogrnipFrom(body);
      expect(ogrnip).toBe(body + String(r % 10));
      expect(validateOgrnip(ogrnip)).toEqual({ ok: true, value: ogrnip });
      for (let d = 0; d <= 9; d++) if (d !== r % 10) expect(isValidOgrnip(body + d)).toBe(false);
    },
  );

  it('OGRNIP fixture vector 304500000000021 has remainder 11', () => {
    expect(reference.OGRNIP!.remainders('304500000000021')).toEqual([11]);
    expect(isValidOgrnip('304500000000021')).toBe(true);
  });

  it.each([0, 1])('INN12 whose check digit %i comes from remainder 10 validates', (which) => {
    const body = bodyWithRemainder(
      5_000_000_000n,
      10,
      (s) => reference.INN12!.remainders(inn12From(s))[which] === 10,
    );
    const inn = inn12From(body);
    expect(inn[10 + which]).toBe('0');
    expect(validateInn12(inn)).toEqual({ ok: true, value: inn });
    expect(validateInn(inn).ok).toBe(true);
  });

  it('INN10 and OGRN with remainder 10 validate with check digit 0', () => {
    const inn9 = bodyWithRemainder(500_000_000n, 9, (s) => reference.INN10!.remainders(`${s}0`)[0] === 10);
    expect(innCheckDigits10(inn9)).toBe(`${inn9}0`);
    expect(isValidInn10(`${inn9}0`)).toBe(true);
    const ogrn12 = bodyWithRemainder(102770013219n, 12, (s) => reference.OGRN!.remainders(`${s}0`)[0] === 10);
    expect(ogrnFrom(ogrn12)).toBe(`${ogrn12}0`);
    expect(isValidOgrn(`${ogrn12}0`)).toBe(true);
  });
});

// ------------------------------------------------------------------ single-digit changes

const checkPositions: Partial<Record<Kind, number[]>> = {
  INN10: [9],
  INN12: [10, 11],
  OGRN: [12],
  OGRNIP: [14],
  SNILS: [9, 10],
  BANK_ACCOUNT: [8],
};
const keyed = cases.filter((c) => c.valid && checkPositions[c.kind]);

describe('a single changed digit in a valid vector', () => {
  it.each(keyed)('$kind $label: any change of a check digit is rejected', (c) => {
    if (c.kind === 'SNILS') expect(Number(c.digits.slice(0, 9))).toBeGreaterThan(1_001_998);
    for (const [pos, changed] of singleDigitChanges(c.digits)) {
      if (!checkPositions[c.kind]!.includes(pos)) continue;
      expect(c.run(changed), `${changed} (position ${pos + 1})`).toMatchObject({ ok: false });
    }
  });

  // A single changed body digit always changes the raw remainder (11 and 13 are prime; SNILS weights and the
  // 7,1,3 account weights are non-zero), but mod-10 reductions alias: remainders 0/10, 1/11, 2/12 give the
  // same check digit, and SNILS sums 100/101 (or equal S mod 101) the same control number. So the property
  // is: rejected unless the raw remainder moved to an alias; the alias cases are asserted to be accepted.
  it.each(keyed)(
    '$kind $label: a changed body digit is rejected unless its remainder aliases mod 10',
    (c) => {
      let checked = 0;
      for (const [pos, changed] of singleDigitChanges(c.digits)) {
        if (checkPositions[c.kind]!.includes(pos)) continue;
        const result = c.run(changed);
        const ref = reference[c.kind];
        if (ref) {
          const before = ref.remainders(c.digits);
          const after = ref.remainders(changed);
          const aliased = after.every((r, i) => r % 10 === before[i]! % 10);
          if (aliased) expect(after).not.toEqual(before);
          // A first digit outside the OGRN (1, 5) / OGRNIP (3) signs is rejected whatever the remainder.
          const leadOk = !ref.lead || ref.lead.test(changed);
          expect(result.ok, `${changed} (position ${pos + 1}), remainders ${after}`).toBe(aliased && leadOk);
        } else if (c.kind === 'SNILS') {
          const unchecked = Number(changed.slice(0, 9)) <= 1_001_998;
          const aliased = snilsControlOf(snilsSum(changed)) === Number(c.digits.slice(9));
          if (aliased) expect(snilsSum(changed)).not.toBe(snilsSum(c.digits));
          expect(result.ok, `${changed} (position ${pos + 1})`).toBe(unchecked || aliased);
        } else {
          // Bank account: the key check cannot alias. A change that moves the account in or out of the
          // `30101` (correspondent) or `03` (treasury) class changes the rule itself: not a typo property.
          const cls = (s: string) =>
            s.startsWith('03') ? 'treasury' : s.startsWith('30101') ? 'corr' : 'other';
          if (cls(changed) !== cls(c.digits)) continue;
          expect(result.ok, `${changed} (position ${pos + 1})`).toBe(false);
        }
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    },
  );
});

// ------------------------------------------------------------------ generators

describe('generators', () => {
  it('produce values their validators accept (deterministic sample)', () => {
    for (const s of digitStrings(300, 9, '')) {
      const inn = innCheckDigits10(s);
      expect(inn).toHaveLength(10);
      expect(validateInn10(inn)).toEqual({ ok: true, value: inn });
      const snils = snilsFrom(s);
      expect(validateSnils(snils)).toEqual({ ok: true, value: snils });
      expect(validateSnils(formatSnils(snils))).toEqual({ ok: true, value: snils });
    }
    for (const s of digitStrings(300, 10, '')) expect(isValidInn12(inn12From(s))).toBe(true);
    for (const s of digitStrings(300, 12, '1')) expect(isValidOgrn(ogrnFrom(s))).toBe(true);
    for (const s of digitStrings(300, 12, '5')) expect(isValidOgrn(ogrnFrom(s))).toBe(true);
    for (const s of digitStrings(300, 14, '3')) expect(isValidOgrnip(ogrnipFrom(s))).toBe(true);
  });

  it('are deterministic and reproduce the fixture vectors', () => {
    expect(innCheckDigits10('770708389')).toBe('7707083893');
    expect(inn12From('1234567890')).toBe('123456789047');
    expect(ogrnFrom('102770013219')).toBe('1027700132195');
    expect(ogrnipFrom('30450011600015')).toBe('304500116000157');
    expect(snilsFrom('112233445')).toBe('11223344595');
    expect(snilsFrom('148481255')).toBe('14848125585');
  });

  it('reject malformed input with RangeError', () => {
    expect(() => innCheckDigits10('77070838')).toThrow(RangeError);
    expect(() => inn12From('12345678901')).toThrow(RangeError);
    expect(() => ogrnFrom('902770013219')).toThrow(RangeError);
    expect(() => ogrnipFrom('50450011600015')).toThrow(RangeError);
    expect(() => snilsFrom('11223344x')).toThrow(RangeError);
  });

  it('formatSnils prints NNN-NNN-NNN CC', () => {
    expect(formatSnils('11223344595')).toBe('112-233-445 95');
    expect(formatSnils('112-233-445 95')).toBe('112-233-445 95');
    expect(() => formatSnils('1122334459')).toThrow(RangeError);
  });
});
