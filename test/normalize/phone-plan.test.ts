import fc from 'fast-check';
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import {
  callingCodeOfCountry,
  isPossibleParts,
  isValidParts,
  keepsNationalNumber,
  leadingCallingCode,
  mayStartWithIdd,
  parseInternational,
  parseNational,
  possibleInEveryPlan,
  rateNumber,
  splitInternational,
  usePlanShortcuts,
} from '../../src/normalize/phone-plan.js';
import type { PhoneParts } from '../../src/normalize/phone-plan.js';

/*
 * phone-plan.ts replays libphonenumber-js's parse and validation with precompiled patterns. These
 * tests hold it to the library itself: same E.164 number, country, validity and possibility.
 */

const countries = getCountries();

function ours(parts: PhoneParts | undefined): string {
  if (parts === undefined) return 'none';
  return `+${parts.callingCode}${parts.nationalNumber} ${parts.country} valid=${isValidParts(parts)} possible=${isPossibleParts(parts)}`;
}

function library(phone: PhoneNumber | undefined): string {
  if (phone === undefined) return 'none';
  return `${phone.number} ${phone.country} valid=${phone.isValid()} possible=${phone.isPossible()}`;
}

function libraryNational(digits: string, country: CountryCode): string {
  return library(parsePhoneNumberFromString(digits, { defaultCountry: country, extract: false }));
}

describe('phone-plan agrees with libphonenumber-js', () => {
  it('on random digits read nationally in every country and as international', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,17}$/), fc.constantFrom(...countries), (digits, country) => {
        expect(ours(parseNational(digits, country))).toBe(libraryNational(digits, country));
        expect(ours(parseInternational(digits))).toBe(library(parsePhoneNumberFromString(`+${digits}`)));
      }),
      { numRuns: 5000 },
    );
  });

  it.each(countries)('on %s example numbers written in the usual ways', (country) => {
    const example = getExampleNumber(country, examples);
    expect(example).toBeDefined();
    const nsn = example!.nationalNumber;
    const cc = example!.countryCallingCode;
    // `06`: Hungary's trunk prefix, the one of more than one digit.
    const written = [nsn, `0${nsn}`, `06${nsn}`, `1${nsn}`, `8${nsn}`, `${cc}${nsn}`, `${cc}0${nsn}`, `00${cc}${nsn}`, `011${cc}${nsn}`, nsn.slice(0, -1), `${nsn}1`];
    for (const digits of written) {
      for (const rowCountry of [country, 'US', 'GB', 'BR'] as const) {
        expect(ours(parseNational(digits, rowCountry)), `${digits} in ${rowCountry}`).toBe(libraryNational(digits, rowCountry));
      }
    }
    for (const digits of [`${cc}${nsn}`, `${cc}0${nsn}`]) {
      expect(ours(parseInternational(digits)), digits).toBe(library(parsePhoneNumberFromString(`+${digits}`)));
    }
    // The example is a valid mobile number, read as written.
    expect(isValidParts(splitInternational(`${cc}${nsn}`)!)).toBe(true);
  });
});

describe('the shortcuts (memos, joined patterns) give the answers of the loops', () => {
  function plainly<T>(read: () => T): T {
    usePlanShortcuts(false);
    try {
      return read();
    } finally {
      usePlanShortcuts(true);
    }
  }

  // Runs of numbers that share calling codes, digits and countries: what the memos are keyed on.
  const codes = ['1', '44', '7', '39', '61', '262', '590', '599', '55', '800', '888', '979'];
  const related = fc.tuple(fc.constantFrom(...codes), fc.stringMatching(/^\d{1,14}$/), fc.nat(4), fc.constantFrom('US', 'CA', 'GB', 'JE', 'RU', 'KZ', 'IT', 'VA', 'AU', 'RE', 'BR', 'JM', 'GP'));

  it('on runs of related numbers', () => {
    fc.assert(
      fc.property(fc.array(related, { minLength: 1, maxLength: 30 }), (run) => {
        for (const [cc, nn, form, country] of run) {
          const digits = [`${cc}${nn}`, `${cc}0${nn}`, nn, `1${nn}`, `011${cc}${nn}`][form]!;
          expect(ours(parseNational(digits, country)), `${digits} in ${country}`).toBe(plainly(() => ours(parseNational(digits, country))));
          expect(ours(parseInternational(digits)), digits).toBe(plainly(() => ours(parseInternational(digits))));
          expect(ours(splitInternational(digits)), digits).toBe(plainly(() => ours(splitInternational(digits))));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('leadingCallingCode reads any string as the slices did', () => {
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^\d{0,5}$/), fc.string({ maxLength: 5 })), (s) => {
        expect(leadingCallingCode(s)).toBe(plainly(() => leadingCallingCode(s)));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the questions the fast path asks', () => {
  it.each([
    ['US', '2015550123', 'valid'],
    ['1', '2015550123', 'valid'],
    ['US', '5551234567', 'possible'],
    ['US', '555123456', 'impossible'],
    ['GB', '2079460958', 'valid'],
    ['BR', '11912345678', 'valid'],
  ] as const)('rateNumber(%s, %s) is %s, as isValidParts and isPossibleParts say', (where, nsn, rating) => {
    expect(rateNumber(where, nsn)).toBe(rating);
    const parts = { callingCode: /^\d+$/.test(where) ? where : callingCodeOfCountry(where)!, nationalNumber: nsn, country: /^\d+$/.test(where) ? undefined : where };
    expect(isValidParts(parts) ? 'valid' : isPossibleParts(parts) ? 'possible' : 'impossible').toBe(rating);
  });

  it('keepsNationalNumber: whether there is a national prefix to strip', () => {
    expect(keepsNationalNumber('2079460958', 'GB')).toBe(true);
    expect(keepsNationalNumber('02079460958', 'GB')).toBe(false);
    expect(keepsNationalNumber('5551234567', 'US')).toBe(true);
    expect(keepsNationalNumber('15551234567', '1')).toBe(false);
  });

  it('possibleInEveryPlan: the lengths every country of a calling code deems possible', () => {
    expect(possibleInEveryPlan('1', 10)).toBe(true);
    expect(possibleInEveryPlan('1', 7)).toBe(false); // CA allows 7 digits, the US and the rest do not
    expect(possibleInEveryPlan('44', 10)).toBe(true);
    expect(possibleInEveryPlan('44', 9)).toBe(false); // GB and GG allow 9, IM and JE do not
    expect(possibleInEveryPlan('61', 12)).toBe(true);
    expect(possibleInEveryPlan('61', 5)).toBe(false); // AU only
    expect(possibleInEveryPlan('55', 11)).toBe(true);
    expect(possibleInEveryPlan('999', 10)).toBe(false); // no such calling code
  });

  it('possibleInEveryPlan agrees with rateNumber in each country of the calling code', () => {
    const codes = [...new Set(countries.map((country) => callingCodeOfCountry(country)!))];
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.stringMatching(/^[1-9]\d{1,16}$/), (callingCode, nsn) => {
        if (!possibleInEveryPlan(callingCode, nsn.length)) return;
        for (const country of countries.filter((c) => callingCodeOfCountry(c) === callingCode)) {
          expect(rateNumber(country, nsn), `${nsn} in ${country}`).not.toBe('impossible');
        }
        expect(rateNumber(callingCode, nsn)).not.toBe('impossible');
      }),
      { numRuns: 2000 },
    );
  });

  it('mayStartWithIdd: whether the exit code may start the digits', () => {
    expect(mayStartWithIdd('011442079460958', 'US')).toBe(true);
    expect(mayStartWithIdd('5551234567', 'US')).toBe(false);
    expect(mayStartWithIdd('00442079460958', 'BR')).toBe(false); // Brazil's exit codes name a carrier: 0014, 0021…
    expect(mayStartWithIdd('0014442079460958', 'BR')).toBe(true);
  });
});

describe('callingCodeOfCountry', () => {
  it.each([
    ['US', '1'],
    ['CA', '1'],
    ['GB', '44'],
    ['BR', '55'],
    ['SG', '65'],
    ['XX', null],
    ['AQ', null],
  ])('%s → %s', (country, callingCode) => {
    expect(callingCodeOfCountry(country)).toBe(callingCode);
  });
});

describe('splitInternational', () => {
  it('finds the country of a shared calling code', () => {
    expect(splitInternational('14165550123')).toEqual({ callingCode: '1', nationalNumber: '4165550123', country: 'CA' });
    expect(splitInternational('12125551234')).toEqual({ callingCode: '1', nationalNumber: '2125551234', country: 'US' });
  });
  it('refuses an unknown calling code or a leading zero', () => {
    expect(splitInternational('9991234567')).toBeUndefined();
    expect(splitInternational('0441234567')).toBeUndefined();
  });
});
