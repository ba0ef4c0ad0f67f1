import { describe, expect, it } from 'vitest';
import { COUNTRY_ALIASES, ISO_3166_1 } from '../../src/normalize/country-data.js';
import { ISO_ALPHA2, countryAlpha2, countryMeta, regionCodeGoogle } from '../../src/normalize/country.js';

const isoRows = ISO_3166_1.split('\n')
  .filter((line) => line.length > 0)
  .map((line) => [line.slice(0, 2), line.slice(3, 6), line.slice(7)] as const);

describe('country data', () => {
  it('holds all 249 ISO 3166-1 countries, each code once', () => {
    expect(isoRows).toHaveLength(249);
    expect(new Set(isoRows.map(([a2]) => a2)).size).toBe(249);
    expect(new Set(isoRows.map(([, a3]) => a3)).size).toBe(249);
    expect(ISO_ALPHA2.size).toBe(249);
  });

  it.each(isoRows)('%s / %s / %s all map to the alpha-2', (alpha2, alpha3, name) => {
    expect(countryAlpha2(alpha2)).toBe(alpha2);
    expect(countryAlpha2(alpha2.toLowerCase())).toBe(alpha2);
    expect(countryAlpha2(alpha3)).toBe(alpha2);
    expect(countryAlpha2(name)).toBe(alpha2);
    expect(countryAlpha2(name.toUpperCase())).toBe(alpha2);
  });

  it('aliases point at assigned codes and never at another country than their own', () => {
    for (const [alpha2, names] of Object.entries(COUNTRY_ALIASES)) {
      expect(ISO_ALPHA2.has(alpha2), alpha2).toBe(true);
      for (const name of names) expect(countryAlpha2(name), name).toBe(alpha2);
    }
  });
});

describe('countryAlpha2', () => {
  it.each([
    ['Germany', 'DE'],
    ['USA', 'US'],
    ['U.S.A.', 'US'],
    ['U.S.', 'US'],
    ['United States of America', 'US'],
    ['united states', 'US'],
    ['UK', 'GB'],
    ['U.K.', 'GB'],
    ['Great Britain', 'GB'],
    ['England', 'GB'],
    ['Scotland', 'GB'],
    ['Brasil', 'BR'],
    ['Deutschland', 'DE'],
    ['España', 'ES'],
    ['Espana', 'ES'],
    ['México', 'MX'],
    ['Mexico', 'MX'],
    ['The Netherlands', 'NL'],
    ['Holland', 'NL'],
    ["Côte d'Ivoire", 'CI'],
    ['Ivory Coast', 'CI'],
    ['Türkiye', 'TR'],
    ['Turkey', 'TR'],
    ['South Korea', 'KR'],
    ['Korea, Republic of', 'KR'],
    ['Russian Federation', 'RU'],
    ['Vietnam', 'VN'],
    ['Czech Republic', 'CZ'],
    ['UAE', 'AE'],
    ['Estados Unidos', 'US'],
    ['EUA', 'US'],
    ['Reino Unido', 'GB'],
    ['Alemanha', 'DE'],
    ['Curaçao', 'CW'],
    ['Curacao', 'CW'],
    ['Åland Islands', 'AX'],
    ['日本', 'JP'],
    ['  brazil  ', 'BR'],
    ['NA', 'NA'], // Namibia, not "n/a"
  ])('%j → %s', (input, expected) => {
    expect(countryAlpha2(input)).toBe(expected);
  });

  it.each(['Narnia', 'XX', 'UKK', 'n/a', '', 'null', 'EU'])('%j → null', (input) => {
    expect(countryAlpha2(input)).toBeNull();
  });
});

describe('countryMeta (COUNTRY) and regionCodeGoogle (region_code)', () => {
  it.each([
    ['Germany', 'de', 'DE'], // SPEC 4
    ['USA', 'us', 'US'], // SPEC 4
    ['DEU', 'de', 'DE'],
    ['br', 'br', 'BR'],
    ['NA', 'na', 'NA'],
    ['n/a', '', ''],
    ['', '', ''],
    ['null', '', ''],
    ['Narnia', null, null],
  ])('%j → %j / %j', (input, meta, google) => {
    expect(countryMeta(input)).toBe(meta);
    expect(regionCodeGoogle(input)).toBe(google);
  });
});
