import { describe, expect, it } from 'vitest';
import { genderMetaMF, genderNewtail } from '../../src/normalize/gender.js';

describe('genderMetaMF (GEN) and genderNewtail (GENDER)', () => {
  it.each([
    ['m', 'm', 'M'],
    ['M', 'm', 'M'],
    ['M.', 'm', 'M'],
    ['Male', 'm', 'M'],
    ['MALE', 'm', 'M'],
    ['man', 'm', 'M'],
    ['boy', 'm', 'M'],
    ['Masculino', 'm', 'M'],
    ['masculina', 'm', 'M'],
    ['Hombre', 'm', 'M'],
    ['Homem', 'm', 'M'],
    ['h', 'm', 'M'],
    ['Varón', 'm', 'M'],
    ['f', 'f', 'F'],
    ['F', 'f', 'F'],
    ['Female', 'f', 'F'],
    ['Woman', 'f', 'F'], // SPEC 4
    ['girl', 'f', 'F'],
    ['Feminino', 'f', 'F'], // SPEC 4
    ['Femenino', 'f', 'F'],
    ['Mujer', 'f', 'F'],
    ['Mulher', 'f', 'F'],
    [' feminino ', 'f', 'F'],
    ['O', '', 'O'],
    ['Other', '', 'O'],
    ['Outro', '', 'O'],
    ['Otro', '', 'O'],
    ['Non-binary', '', 'O'],
    ['Não-binário', '', 'O'],
    ['no binario', '', 'O'],
    ['x', '', 'O'],
    ['', '', ''],
    ['null', '', ''],
    ['N/A', '', ''],
    ['unknown', '', ''],
    ['?', '', ''],
    ['1', '', ''], // numeric codes mean different things in different systems: never guessed
    ['2', '', ''],
    ['prefer not to say', '', ''],
    ['mf', '', ''],
  ])('%j → meta %j, newtail %j', (input, meta, newtail) => {
    expect(genderMetaMF(input)).toBe(meta);
    expect(genderNewtail(input)).toBe(newtail);
  });
});
