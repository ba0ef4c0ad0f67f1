import { describe, expect, it } from 'vitest';
import { normalizeExternId, normalizePxid } from '../../src/normalize/customer-id.js';

describe('normalizeExternId (meta EXTERN_ID, newtail CUSTOMER_ID)', () => {
  it.each([
    ['12345', '12345'],
    ['ABC-def_01', 'ABC-def_01'],
    [' 12345 ', ' 12345 '], // SPEC 4: exactly as given
    ['Jose\u0301', 'Jose\u0301'], // not even NFC: it must equal the advertiser's id byte for byte
    ['a,b', 'a,b'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeExternId(input)).toBe(expected);
  });

  it.each(['', '   ', 'null', 'N/A', '-'])('%j is empty', (input) => {
    expect(normalizeExternId(input)).toBe('');
  });
});

describe('normalizePxid (datax PXID)', () => {
  it.each([
    ['Partner123', 'Partner123'],
    ['AbC', 'AbC'], // case-sensitive
    ['!#$%&()*+-./:;<=>?@[]^_`{|}~', '!#$%&()*+-./:;<=>?@[]^_`{|}~'], // ASCII 33–126 without the comma
    [' id-1 ', 'id-1'],
  ])('%j → %j', (input, expected) => {
    expect(normalizePxid(input)).toBe(expected);
  });

  it.each(['a,b', 'a b', 'José', 'tab\there', 'x\u007f'])('%j is invalid', (input) => {
    expect(normalizePxid(input)).toBeNull();
  });

  it.each(['', '  ', 'null', 'n/a'])('%j is empty', (input) => {
    expect(normalizePxid(input)).toBe('');
  });
});
