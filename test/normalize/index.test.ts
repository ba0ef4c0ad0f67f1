import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as normalize from '../../src/normalize/index.js';
import type { NormalizeContext, Normalizer } from '../../src/normalize/index.js';

/*
 * Properties every normalizer shares (types.ts): it never throws, whatever the string; it returns a
 * non-empty string, '' or null; and it is idempotent, n(n(x)) === n(x) for every valid output.
 */

const today = { year: 2025, month: 6, day: 15 };
const contexts: NormalizeContext[] = [
  normalize.makeContext({ today }),
  normalize.makeContext({ today, country: 'US', dateFormat: 'MM/DD/YYYY' }),
  normalize.makeContext({ today, country: 'GB', dateFormat: 'DD/MM/YYYY' }),
  normalize.makeContext({ today, country: 'BR', dateFormat: 'DD/MM/YYYY', phoneMode: 'strict' }),
  normalize.makeContext({ today, country: 'CA' }),
  normalize.makeContext({ today, country: 'DE', dateFormat: 'DD.MM.YYYY' }),
];

const NORMALIZERS: Record<string, Normalizer> = {
  normalizeEmail: normalize.normalizeEmail,
  normalizeEmailGoogle: normalize.normalizeEmailGoogle,
  normalizePhoneE164: normalize.normalizePhoneE164,
  normalizeNameMeta: normalize.normalizeNameMeta,
  firstInitialMeta: normalize.firstInitialMeta,
  normalizeGivenNameGoogle: normalize.normalizeGivenNameGoogle,
  normalizeFamilyNameGoogle: normalize.normalizeFamilyNameGoogle,
  normalizeCompactLower: normalize.normalizeCompactLower,
  genderMetaMF: normalize.genderMetaMF,
  genderNewtail: normalize.genderNewtail,
  birthYearMeta: normalize.birthYearMeta,
  birthMonthMeta: normalize.birthMonthMeta,
  birthDayMeta: normalize.birthDayMeta,
  normalizeAge: normalize.normalizeAge,
  padUsZip: normalize.padUsZip,
  zipMeta: normalize.zipMeta,
  postalCodeGoogle: normalize.postalCodeGoogle,
  normalizeCep: normalize.normalizeCep,
  stateMeta: normalize.stateMeta,
  cityMeta: normalize.cityMeta,
  countryMeta: normalize.countryMeta,
  regionCodeGoogle: normalize.regionCodeGoogle,
  normalizeCpf: normalize.normalizeCpf,
  normalizeMadid: normalize.normalizeMadid,
  normalizeExternId: normalize.normalizeExternId,
  normalizePxid: normalize.normalizePxid,
};

/** Normalizers idempotent only in part, each tested on its own terms in its file. */
const PARTLY_IDEMPOTENT: Record<string, Normalizer> = {
  // Meta's bare digits can read as a national number of the row's country: phone.test.ts.
  normalizePhoneMeta: normalize.normalizePhoneMeta,
  // A birth date of today gives age 0, and a bare 0 in a birth-date column is a placeholder: date.test.ts.
  ageFromBirthDate: normalize.ageFromBirthDate,
};

/** Strings shaped like the values each field really gets, mixed with arbitrary ones. */
const realistic = fc.oneof(
  fc.constantFrom(
    ' Mary@Example.COM ', 'John.Smith@gmail.com', '+1 (555) 987-6543', '(02) 1234 5678', '0044 20 7946 0958',
    'José', 'Mrs. Mary Ann', 'Smith, Jr.', 'Feminino', 'Male', '1990-05-17', '17/05/1990', '05/17/1990', '19900517',
    '35', '2134', '94035-1234', 'SW1A 1AA', '01310-100', 'K1A 0B1', 'New York', 'Québec', 'São Paulo', 'Germany',
    'USA', 'NA', '123.456.789-09', '6D92078A-8246-4BA4-AE5B-76104861E7DC', 'null', 'N/A', '-', '0', '',
  ),
  fc.stringMatching(/^[+(]?\d[\d ().-]{3,16}$/),
  fc.stringMatching(/^[A-Za-zÀ-ÿ .'-]{1,20}$/),
);
const anyString = fc.oneof(realistic, fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));
const context = fc.constantFrom(...contexts);

function isResult(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

describe.each(Object.entries({ ...NORMALIZERS, ...PARTLY_IDEMPOTENT }))('%s', (_name, normalizer) => {
  it('never throws and returns a string or null, on any string', () => {
    fc.assert(
      fc.property(anyString, context, (input, ctx) => {
        expect(isResult(normalizer(input, ctx))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe.each(Object.entries(NORMALIZERS))('%s', (_name, normalizer) => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(anyString, context, (input, ctx) => {
        const once = normalizer(input, ctx);
        if (once) expect(normalizer(once, ctx)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('index', () => {
  it('re-exports the helpers and the date parsers', () => {
    expect(normalize.clean(' a ')).toBe('a');
    expect(normalize.isPlaceholder('n/a')).toBe(true);
    expect(normalize.foldDiacritics('é')).toBe('e');
    expect(normalize.nfc('e\u0301')).toBe('é');
    expect(normalize.countryAlpha2('Brasil')).toBe('BR');
    expect(normalize.parseDate('1990-05-17')).toEqual({ year: 1990, month: 5, day: 17 });
    expect(normalize.parseDateFormat('DD/MM/YYYY').spec).toBe('DD/MM/YYYY');
  });
});
