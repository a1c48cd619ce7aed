import { describe, expect, it } from 'vitest';
import { normalizeAddress, normalizePhone } from '../../shared/src/email-address.ts';
import { formatMoney, isMoneyAmount } from '../../shared/src/money.ts';
import { foldName } from '../../shared/src/names.ts';

describe('normalizeAddress', () => {
  it.each([
    ['  Ivan.Petrov@Example-Holding.RU ', 'ivan.petrov@example-holding.ru'],
    ['mailto:Ivan@Example.ru', 'ivan@example.ru'],
    ['<ivan@example.ru>', 'ivan@example.ru'],
    ['office@пример.рф', 'office@xn--e1afmkfd.xn--p1ai'],
    ['OFFICE@ПРИМЕР.РФ', 'office@xn--e1afmkfd.xn--p1ai'],
    ['office@xn--e1afmkfd.xn--p1ai', 'office@xn--e1afmkfd.xn--p1ai'],
    ['info@почта.москва', 'info@xn--80a1acny.xn--80adxhks'],
  ])('turns %j into the key %s', (raw, key) => {
    expect(normalizeAddress(raw)).toEqual({ kind: 'smtp', key });
  });

  it('recognises a LegacyExchangeDN and never calls it an SMTP address', () => {
    const dn =
      '/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc-ovolkova';
    expect(normalizeAddress(dn)).toEqual({ kind: 'exchange-dn', key: dn.toLowerCase() });
  });

  it.each([[''], ['   '], [null], [undefined]])('treats %j as empty (Sent Items sender)', (raw) => {
    expect(normalizeAddress(raw).kind).toBe('empty');
  });

  it.each([
    ['not an address'],
    ['a@'],
    ['@b.c'],
    ['a b@c.d'],
    ['user@localhost'],
    ['x@a.example\\evil.example'],
    ['x@a.example:80'],
    ['x@a.example/x'],
    ['x@a.example?x'],
    ['a@2130706433'],
  ])('flags %j as invalid', (raw) => {
    expect(normalizeAddress(raw).kind).toBe('invalid');
  });
});

describe('normalizePhone', () => {
  it.each([
    ['8 (495) 123-45-67', '+74951234567'],
    ['+7 495 123 45 67', '+74951234567'],
    ['495 123-45-67', '+74951234567'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('turns %j into %s', (raw, e164) => expect(normalizePhone(raw)).toBe(e164));
  it('refuses too few digits', () => expect(normalizePhone('12-34')).toBeNull());
});

describe('money', () => {
  it('formats exact amounts beyond float precision', () => {
    expect(
      formatMoney({ amount: '90071992547409931.05', currency: 'RUB' }, 'en-US').replace(/\s/g, ' '),
    ).toBe('RUB 90,071,992,547,409,931.05');
  });
  it('formats roubles the Russian way', () => {
    expect(formatMoney({ amount: '1500000.5', currency: 'RUB' }, 'ru-RU').replace(/\s/g, ' ')).toBe(
      '1 500 000,50 ₽',
    );
  });
  it('accepts only decimal strings with at most two fraction digits', () => {
    expect(isMoneyAmount('10.00')).toBe(true);
    expect(isMoneyAmount('1e6')).toBe(false);
    expect(isMoneyAmount('10.001')).toBe(false);
  });
});

describe('foldName', () => {
  it('folds ё, case, quotes and legal forms', () => {
    expect(foldName('ООО «Артёмов и Партнёры»')).toBe('артемов и партнеры');
    expect(foldName('Артёмов Пётр')).toBe(foldName('АРТЕМОВ  ПЕТР'));
    expect(foldName('ПАО "Сбербанк"')).toBe('сбербанк');
  });
});
