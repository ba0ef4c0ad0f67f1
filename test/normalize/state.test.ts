import { describe, expect, it } from 'vitest';
import { CA_PROVINCES, US_STATES } from '../../src/normalize/state-data.js';
import { stateMeta } from '../../src/normalize/state.js';
import { makeContext } from '../../src/normalize/types.js';

const ctx = (country?: string) => makeContext({ country, today: { year: 2025, month: 6, day: 15 } });

describe('stateMeta (ST)', () => {
  it.each([
    ['New York', 'US', 'ny'], // SPEC 4
    ['NY', 'US', 'ny'],
    ['ny', 'US', 'ny'],
    ['N.Y.', 'US', 'ny'],
    ['new  york', 'US', 'ny'],
    ['US-NY', 'US', 'ny'],
    ['California', 'US', 'ca'],
    ['District of Columbia', 'US', 'dc'],
    ['Washington, D.C.', 'US', 'dc'],
    ['Washington', 'US', 'wa'],
    ['Puerto Rico', 'US', 'pr'],
    ['Puerto Rico', 'PR', 'pr'],
    ['Guam', 'US', 'gu'],
    ['U.S. Virgin Islands', 'US', 'vi'],
    ['American Samoa', 'US', 'as'],
    ['Northern Mariana Islands', 'US', 'mp'],
    ['United States Minor Outlying Islands', 'US', 'um'],
    ['Québec', 'CA', 'qc'],
    ['Quebec', 'CA', 'qc'],
    ['QC', 'CA', 'qc'],
    ['PQ', 'CA', 'qc'],
    ['Ontario', 'CA', 'on'],
    ['British Columbia', 'CA', 'bc'],
    ['Colombie-Britannique', 'CA', 'bc'],
    ['Newfoundland', 'CA', 'nl'],
    ['Île-du-Prince-Édouard', 'CA', 'pe'],
    ['Yukon', 'CA', 'yt'],
    ['New York', undefined, 'ny'],
    ['Québec', undefined, 'qc'],
    ['Bavaria', 'DE', 'bavaria'], // SPEC 4
    ['Bavaria', undefined, 'bavaria'],
    ['São Paulo', 'BR', 'saopaulo'],
    ['SP', 'BR', 'sp'],
    ['Nuevo León', 'MX', 'nuevoleon'],
    ['Île-de-France', 'FR', 'iledefrance'],
    ['Baden-Württemberg', 'DE', 'badenwurttemberg'],
    ['New South Wales', 'AU', 'newsouthwales'],
    ['Georgia', 'GE', 'georgia'], // the country's own regions, not the US state table
  ])('%j in %s → %j', (input, country, expected) => {
    expect(stateMeta(input, ctx(country))).toBe(expected);
  });

  it.each([
    ['Ontario', 'US'], // a province is not a US state
    ['Texas', 'CA'],
    ['Nwe Yrok', 'US'],
    ['ZZ', 'US'],
    ['Москва', 'RU'], // nothing left in a–z
    ['!!', undefined],
  ])('%j in %s is invalid', (input, country) => {
    expect(stateMeta(input, ctx(country))).toBeNull();
  });

  it.each(['', 'null', 'n/a', '-'])('%j is empty', (input) => {
    expect(stateMeta(input, ctx('US'))).toBe('');
  });

  it('covers all 50 states, DC and the territories, and every province and territory of Canada', () => {
    const us = new Set(US_STATES.map(([code]) => code));
    expect(us.size).toBe(US_STATES.length);
    for (const code of ['DC', 'PR', 'GU', 'VI', 'AS', 'MP', 'UM']) expect(us.has(code)).toBe(true);
    expect(US_STATES.length - 7 - 3).toBe(50); // minus DC + 6 territories and the 3 armed-forces codes
    expect(CA_PROVINCES.map(([code]) => code).sort()).toEqual(
      ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'],
    );
    for (const [code, ...names] of [...US_STATES, ...CA_PROVINCES]) {
      const country = CA_PROVINCES.some(([c]) => c === code) && !US_STATES.some(([c]) => c === code) ? 'CA' : 'US';
      expect(stateMeta(code, ctx(country))).toBe(code.toLowerCase());
      for (const name of names) expect(stateMeta(name, ctx(country)), name).toBe(code.toLowerCase());
    }
  });
});
