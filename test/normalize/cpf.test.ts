import { describe, expect, it } from 'vitest';
import { normalizeCpf } from '../../src/normalize/cpf.js';

describe('normalizeCpf (newtail SOCIAL_ID)', () => {
  it.each([
    ['123.456.789-09', '12345678909'],
    ['12345678909', '12345678909'],
    ['123456789-09', '12345678909'],
    ['123 456 789 09', '12345678909'],
    [' 123.456.789-09 ', '12345678909'],
    ['529.982.247-25', '52998224725'],
    ['111.444.777-35', '11144477735'],
    ['012.345.678-90', '01234567890'],
    ['1234567890', '01234567890'], // a spreadsheet dropped the leading zero; the check digits confirm
    ['000.000.001-91', '00000000191'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeCpf(input)).toBe(expected);
  });

  it.each([
    '123.456.789-00', // wrong check digits
    '123.456.789-19',
    '111.111.111-11', // one repeated digit: passes the check digits, never issued
    '00000000000',
    '99999999999',
    '1234567890123',
    '123.456.78-09',
    '12.345.678-90', // punctuated, but digits missing: not padded
    'abc.def.ghi-jk',
    '123456789O9',
  ])('%j is invalid', (input) => {
    expect(normalizeCpf(input)).toBeNull();
  });

  it.each(['', 'null', 'N/A', '-', '0'])('%j is empty', (input) => {
    expect(normalizeCpf(input)).toBe('');
  });
});
