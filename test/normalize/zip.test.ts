import { describe, expect, it } from 'vitest';
import { normalizeCep, padUsZip, postalCodeGoogle, zipMeta } from '../../src/normalize/zip.js';
import { makeContext } from '../../src/normalize/types.js';

const ctx = (country?: string) => makeContext({ country, today: { year: 2025, month: 6, day: 15 } });

describe('padUsZip (SPEC 3)', () => {
  it.each([
    ['2134', 'US', '02134'], // SPEC 3
    ['501', 'US', '00501'],
    ['2134-1234', 'US', '02134-1234'],
    ['94035', 'US', '94035'],
    ['94035-1234', 'US', '94035-1234'],
    ['901', 'PR', '00901'], // Puerto Rico uses US ZIP codes
    ['2134', 'DE', '2134'], // only US rows
    ['2134', undefined, '2134'],
    ['SW1A 1AA', 'GB', 'SW1A 1AA'],
  ])('%j in %s → %j', (input, country, expected) => {
    expect(padUsZip(input, ctx(country))).toBe(expected);
  });

  it('a placeholder is empty', () => {
    expect(padUsZip('n/a', ctx('US'))).toBe('');
  });
});

describe('zipMeta (ZIP)', () => {
  it.each([
    ['94035-1234', 'US', '94035'], // SPEC 4
    ['94035', 'US', '94035'],
    ['940351234', 'US', '94035'],
    ['94035 1234', 'US', '94035'],
    ['2134', 'US', '02134'], // SPEC 3
    ['2134-5678', 'US', '02134'],
    ['SW1A 1AA', 'GB', 'sw1a1'], // SPEC 4
    ['sw1a1aa', 'GB', 'sw1a1'],
    ['M1 1AE', 'GB', 'm11'],
    ['B33 8TH', 'GB', 'b338'],
    ['CR2 6XH', 'GB', 'cr26'],
    ['DN55 1PT', 'GB', 'dn551'],
    ['EC1A 1BB', 'GB', 'ec1a1'],
    ['GY1 1AA', 'GG', 'gy11'],
    ['K1A 0B1', 'CA', 'k1a0b1'],
    ['01310-100', 'BR', '01310-100'],
    ['10115', 'DE', '10115'],
    ['75008', 'FR', '75008'],
    ['1012 AB', 'NL', '1012ab'],
    ['10115', undefined, '10115'],
  ])('%j in %s → %j', (input, country, expected) => {
    expect(zipMeta(input, ctx(country))).toBe(expected);
  });

  it.each([
    ['12', 'US'],
    ['123456', 'US'],
    ['ABCDE', 'US'],
    ['12345-678', 'US'],
    ['NOT A CODE', 'GB'],
    ['12345678901234', 'DE'],
    ['!!', 'FR'],
  ])('%j in %s is invalid', (input, country) => {
    expect(zipMeta(input, ctx(country))).toBeNull();
  });

  it.each(['', 'null', 'N/A', '-'])('%j is empty', (input) => {
    expect(zipMeta(input, ctx('US'))).toBe('');
  });
});

describe('postalCodeGoogle (postal_code, not hashed)', () => {
  it.each([
    ['94035', 'US', '94035'],
    ['12345-6789', 'US', '12345-6789'], // SPEC 4: ZIP+4 allowed for the US
    ['123456789', 'US', '12345-6789'],
    ['12345 6789', 'US', '12345-6789'],
    ['2134', 'US', '02134'],
    ['2134-5678', 'US', '02134-5678'],
    ['21345678', 'US', '02134-5678'],
    ['sw1a1aa', 'GB', 'SW1A 1AA'],
    ['SW1A  1AA', 'GB', 'SW1A 1AA'],
    ['m11ae', 'GB', 'M1 1AE'],
    ['k1a0b1', 'CA', 'K1A 0B1'],
    ['K1A-0B1', 'CA', 'K1A 0B1'],
    ['1012ab', 'NL', '1012 AB'],
    ['01310100', 'BR', '01310-100'], // a CEP's -100 is part of the code, not an extension
    ['01310-100', 'BR', '01310-100'],
    ['01.310-100', 'BR', '01310-100'],
    ['1310100', 'BR', '01310-100'],
    ['1000001', 'JP', '100-0001'],
    ['00950', 'PL', '00-950'],
    ['1000001', 'PT', '1000-001'],
    ['10115', 'DE', '10115'],
    ['d02 x285', 'IE', 'D02 X285'],
    ['75008', undefined, '75008'],
  ])('%j in %s → %j', (input, country, expected) => {
    expect(postalCodeGoogle(input, ctx(country))).toBe(expected);
  });

  it.each([
    ['123456', 'US'],
    ['1234567890', 'US'],
    ['ABC', 'GB'],
    ['K1A', 'CA'],
    ['123', 'BR'],
    ['$$$', 'DE'],
  ])('%j in %s is invalid', (input, country) => {
    expect(postalCodeGoogle(input, ctx(country))).toBeNull();
  });
});

describe('normalizeCep (newtail CEP)', () => {
  it.each([
    ['01310-100', 'BR', '01310100'],
    ['01310100', 'BR', '01310100'],
    ['01.310-100', 'BR', '01310100'],
    ['01310 100', 'BR', '01310100'],
    ['1310100', 'BR', '01310100'], // a spreadsheet dropped the leading zero
    ['01310-100', undefined, '01310100'],
    ['sw1a 1aa', 'GB', 'SW1A1AA'], // another country's code is kept, compact
  ])('%j in %s → %j', (input, country, expected) => {
    expect(normalizeCep(input, ctx(country))).toBe(expected);
  });

  it.each(['123', '0131-0100', '013101000', 'ABCDE-FGH'])('%j is invalid', (input) => {
    expect(normalizeCep(input, ctx('BR'))).toBeNull();
  });

  it.each(['', 'null', '-'])('%j is empty', (input) => {
    expect(normalizeCep(input, ctx('BR'))).toBe('');
  });
});
