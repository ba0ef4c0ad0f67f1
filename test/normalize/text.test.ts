import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clean, foldDiacritics, hasNonAscii, isPlaceholder, nfc, PLACEHOLDERS } from '../../src/normalize/text.js';

describe('nfc', () => {
  it('composes a combining accent (SPEC 3: José typed either way is one value)', () => {
    expect(nfc('Jose\u0301')).toBe('José');
    expect(nfc('Jose\u0301')).toBe(nfc('Jos\u00e9'));
  });
  it('returns an ASCII string unchanged (and as the same string)', () => {
    const s = 'mary@example.com';
    expect(nfc(s)).toBe(s);
  });
});

describe('hasNonAscii', () => {
  it.each([
    ['abc', false],
    ['', false],
    ['é', true],
    ['a\u00a0b', true],
  ])('%j → %s', (s, expected) => {
    expect(hasNonAscii(s)).toBe(expected);
  });
});

describe('foldDiacritics', () => {
  it.each([
    ['São Paulo', 'Sao Paulo'],
    ['Jose\u0301', 'Jose'],
    ['Straße', 'Strasse'],
    ['Ærøskøbing', 'AEroskobing'],
    ['Łódź', 'Lodz'],
    ['Đakovo', 'Dakovo'],
    ['Œuvre', 'OEuvre'],
    ['Þingvellir', 'THingvellir'],
    ['Zürich', 'Zurich'],
    ['plain', 'plain'],
  ])('%j → %j', (input, expected) => {
    expect(foldDiacritics(input)).toBe(expected);
  });
});

describe('isPlaceholder', () => {
  it.each([
    '', '   ', 'null', 'NULL', ' Null ', 'nil', 'none', 'None', 'n/a', 'N/A', 'na', 'NA', 'n.a.', '-', '--', '---',
    '.', '?', 'unknown', 'UNKNOWN', 'undefined', 'not available', 'Not Available', '#N/A', '0', 'NaN', '(null)',
    'desconhecido', 'não informado', 'nao informado', 'desconocido', 'ninguno', '________', '- - -', '????????????????????',
  ])('%j is a placeholder', (s) => {
    expect(isPlaceholder(s)).toBe(true);
  });

  it('answers as a lookup of the lowercased value would, digits or not', () => {
    const reference = (s: string) => {
      const t = s.trim();
      return t.length === 0 || (t.length <= 16 && PLACEHOLDERS.has(t.toLowerCase())) || /^[-._*?\s]+$/.test(t);
    };
    const spelling = fc.constantFrom(...PLACEHOLDERS, 'C00000000', '0', ' 0 ', '00', 'n/a1', '1null', '+0', '#0');
    const noise = fc.stringMatching(/^[ 0-9a-zA-Z.\-/]{0,3}$/);
    fc.assert(
      fc.property(fc.oneof(spelling, fc.tuple(noise, spelling, noise).map((p) => p.join('')), fc.string()), (s) => {
        expect(isPlaceholder(s), JSON.stringify(s)).toBe(reference(s));
      }),
      { numRuns: 5000 },
    );
  });

  it.each(['mary@example.com', 'Nadia', 'nan@example.com', '00', '-1', 'n', 'Anna', 'João', 'not available today', 'C00000000', '0.0'])(
    '%j is a value',
    (s) => {
      expect(isPlaceholder(s)).toBe(false);
    },
  );
});

describe('clean', () => {
  it('trims and applies NFC', () => {
    expect(clean('  Jose\u0301 \t')).toBe('José');
  });
  it('trims Unicode spaces too', () => {
    expect(clean('\u00a0Ana\u3000')).toBe('Ana');
  });
});
