import fc from 'fast-check';
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import {
  callingCodeOfCountry,
  isPossibleParts,
  isValidParts,
  parseInternational,
  parseNational,
  splitInternational,
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
    const written = [nsn, `0${nsn}`, `1${nsn}`, `8${nsn}`, `${cc}${nsn}`, `${cc}0${nsn}`, `00${cc}${nsn}`, `011${cc}${nsn}`, nsn.slice(0, -1), `${nsn}1`];
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
