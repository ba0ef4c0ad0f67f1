import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePhoneE164, normalizePhoneMeta } from '../../src/normalize/phone.js';
import { makeContext } from '../../src/normalize/types.js';
import type { NormalizeContext } from '../../src/normalize/types.js';

const today = { year: 2025, month: 6, day: 15 };
const lenient = (country?: string): NormalizeContext => makeContext({ country, today });
const strict = (country?: string): NormalizeContext => makeContext({ country, today, phoneMode: 'strict' });
const E164 = /^\+[1-9]\d{1,14}$/;

describe('normalizePhoneE164: SPEC section 3 written forms', () => {
  it.each([
    ['(800)555-0100', 'US', '+18005550100'],
    ['1 (123) 456-7890', 'US', '+11234567890'],
    ['(02) 1234 5678', 'AU', '+61212345678'],
    ['65 1243 5678', 'SG', '+6512435678'],
    ['+44 (0)20 7946 0958', undefined, '+442079460958'],
    ['212 555-1234', 'US', '+12125551234'],
    ['0044 20 7946 0958', undefined, '+442079460958'],
    ['+1 (555) 987-6543', undefined, '+15559876543'],
  ])('%j in %s → %s', (input, country, expected) => {
    expect(normalizePhoneE164(input, lenient(country))).toBe(expected);
  });
});

describe('normalizePhoneE164: more forms', () => {
  it.each([
    ['+44 (0)20 7946 0958', 'US', '+442079460958'], // a + number keeps its own country code
    ['0044 20 7946 0958', 'BR', '+442079460958'], // so does a 00 number
    ['00 44 20 7946 0958', 'US', '+442079460958'],
    ['011 44 20 7946 0958', 'US', '+442079460958'], // the US exit code
    ['020 7946 0958', 'GB', '+442079460958'],
    ['07911 123456', 'GB', '+447911123456'],
    ['(11) 91234-5678', 'BR', '+5511912345678'],
    ['11912345678', 'BR', '+5511912345678'],
    ['55 11 91234-5678', 'BR', '+5511912345678'],
    ['+55 (11) 91234-5678', undefined, '+5511912345678'],
    ['030 123456', 'DE', '+4930123456'],
    ['212.555.1234', 'US', '+12125551234'],
    ['+1-212-555-1234 ext. 5', undefined, '+12125551234'], // E.164 has no extension
    ['212 555 1234 x12', 'US', '+12125551234'],
    ['２１２５５５１２３４', 'US', '+12125551234'], // fullwidth digits
    ['＋１ ２１２ ５５５ １２３４', undefined, '+12125551234'],
    ['+12125551234', 'GB', '+12125551234'],
    ['12125551234', undefined, '+12125551234'], // no country: the digits carry one
  ])('%j in %s → %s', (input, country, expected) => {
    expect(normalizePhoneE164(input, lenient(country))).toBe(expected);
  });

  it.each([
    ['+12112341234'],
    ['+14012341234'],
    ['+16012341234'],
    ['+15112341234'],
    ['+13412341234'],
    ['+551112341234'],
    ['+56212341234'],
    ['+442012341234'],
    ['+33112341234'],
    ['+911112341234'],
  ])('the DataX test number %s is kept as it is (lenient)', (e164) => {
    expect(normalizePhoneE164(e164, lenient())).toBe(e164);
    expect(normalizePhoneE164(e164, lenient('US'))).toBe(e164);
  });
});

describe('normalizePhoneE164: empty and invalid', () => {
  it.each([
    ['0000000000', 'US'],
    ['000-000-0000', 'US'],
    ['+1 111 111 1111', undefined],
    ['9999999', 'BR'],
    ['', 'US'],
    ['  ', 'US'],
    ['null', 'US'],
    ['N/A', 'US'],
    ['-', 'US'],
    ['0', 'US'],
  ])('%j in %s is empty', (input, country) => {
    expect(normalizePhoneE164(input, lenient(country))).toBe('');
    expect(normalizePhoneMeta(input, lenient(country))).toBe('');
  });

  it.each([
    ['abc', 'US'],
    ['123', 'US'],
    ['911', 'US'],
    ['+999 1234 5678', undefined], // no such country code
    ['+1 234', undefined],
    ['020 7946 0958', undefined], // national, and no country to read it in
    ['212 555 1234 5678 9012 3456', 'US'],
    ['1-800-FLOWERS', 'US'],
  ])('%j in %s is invalid', (input, country) => {
    expect(normalizePhoneE164(input, lenient(country))).toBeNull();
    expect(normalizePhoneMeta(input, lenient(country))).toBeNull();
  });
});

describe('phone modes', () => {
  it.each([
    ['1 (123) 456-7890', 'US'],
    ['65 1243 5678', 'SG'],
    ['+12112341234', undefined],
    ['+1 (555) 987-6543', undefined],
  ])('%j in %s: kept when lenient, dropped when strict (invalid but plausible)', (input, country) => {
    expect(normalizePhoneE164(input, lenient(country))).toMatch(E164);
    expect(normalizePhoneE164(input, strict(country))).toBeNull();
  });

  it.each([
    ['(800)555-0100', 'US', '+18005550100'],
    ['(02) 1234 5678', 'AU', '+61212345678'],
    ['+44 (0)20 7946 0958', undefined, '+442079460958'],
    ['212 555-1234', 'US', '+12125551234'],
    ['0044 20 7946 0958', undefined, '+442079460958'],
  ])('%j in %s is valid, kept in strict mode too', (input, country, expected) => {
    expect(normalizePhoneE164(input, strict(country))).toBe(expected);
  });
});

describe('normalizePhoneMeta', () => {
  it.each([
    ['+1 (555) 987-6543', undefined, '15559876543'], // vectors.json, 004
    ['(800)555-0100', 'US', '18005550100'],
    ['0044 20 7946 0958', undefined, '442079460958'],
    ['(02) 1234 5678', 'AU', '61212345678'],
  ])('%j in %s → %s (SPEC section 4, meta)', (input, country, expected) => {
    expect(normalizePhoneMeta(input, lenient(country))).toBe(expected);
  });

  it.each([
    ['15559876543', undefined], // Meta's own vector, no country
    ['15559876543', 'US'],
    ['15559876543', 'GB'], // not a possible UK number: the digits carry their own code
    ['442079460958', 'US'],
    ['442079460958', 'GB'],
    ['442079460958', undefined],
    ['6512435678', 'SG'],
    ['61212345678', 'AU'],
    ['61212345678', 'US'],
    ['5511912345678', 'BR'],
    ['5511912345678', 'US'],
    ['911112341234', undefined],
  ])('its own output %s comes back the same in %s', (digits, country) => {
    expect(normalizePhoneMeta(digits, lenient(country))).toBe(digits);
  });

  it('reads bare digits in the row country when they make a possible number there (SPEC 3: the row country applies)', () => {
    // 12112341234 is Meta's form of the invalid +1 211 234 1234, but also a possible Brazilian number:
    // without a + the row's country wins, so only the + form keeps the US reading.
    expect(normalizePhoneMeta('12112341234', lenient('BR'))).toBe('5512112341234');
    expect(normalizePhoneMeta('+12112341234', lenient('BR'))).toBe('12112341234');
  });
});

describe('phone properties', () => {
  const contexts = [lenient(), lenient('US'), lenient('GB'), lenient('BR'), lenient('SG'), strict(), strict('US'), strict('DE')];
  const context = fc.constantFrom(...contexts);
  const phoneLike = fc.stringMatching(/^(\+|00)?[ (]?\d{1,4}[) .-]?\d{2,5}[ .-]?\d{2,6}$/);
  const anyInput = fc.oneof(phoneLike, fc.string(), fc.string({ unit: 'binary' }));

  it('E.164 output always matches ^\\+[1-9]\\d{1,14}$, or is empty or null', () => {
    fc.assert(
      fc.property(anyInput, context, (input, ctx) => {
        const e164 = normalizePhoneE164(input, ctx);
        expect(e164 === null || e164 === '' || E164.test(e164)).toBe(true);
        const meta = normalizePhoneMeta(input, ctx);
        expect(meta === null || meta === '' || /^[1-9]\d{1,14}$/.test(meta)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('normalizePhoneE164 is idempotent in every context', () => {
    fc.assert(
      fc.property(anyInput, context, (input, ctx) => {
        const once = normalizePhoneE164(input, ctx);
        if (once) expect(normalizePhoneE164(once, ctx)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('normalizePhoneMeta is idempotent without a country', () => {
    fc.assert(
      fc.property(anyInput, fc.constantFrom(lenient(), strict()), (input, ctx) => {
        const once = normalizePhoneMeta(input, ctx);
        if (once) expect(normalizePhoneMeta(once, ctx)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('normalizePhoneMeta is idempotent for valid national numbers of the row country', () => {
    // Only valid numbers: Meta's bare digits of an invalid number kept leniently can also be a valid
    // national number of the row's country (DE 0 10000000 → 4910000000, a valid German number), and
    // without a + the row's country wins.
    const national = fc.tuple(
      fc.constantFrom(
        ['US', ''] as const,
        ['US', '1'] as const,
        ['GB', '0'] as const,
        ['BR', '0'] as const,
        ['BR', ''] as const,
        ['AU', '0'] as const,
        ['DE', '0'] as const,
        ['FR', '0'] as const,
        ['MX', ''] as const,
      ),
      fc.stringMatching(/^[1-9]\d{7,10}$/),
    );
    fc.assert(
      fc.property(national, ([[country, prefix], digits]) => {
        const once = normalizePhoneMeta(`${prefix}${digits}`, strict(country));
        if (once) {
          expect(normalizePhoneMeta(once, strict(country))).toBe(once);
          expect(normalizePhoneMeta(once, lenient(country))).toBe(once);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
