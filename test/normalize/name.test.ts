import { describe, expect, it } from 'vitest';
import {
  firstInitialMeta,
  normalizeCompactLower,
  normalizeFamilyNameGoogle,
  normalizeGivenNameGoogle,
  normalizeNameMeta,
} from '../../src/normalize/name.js';

const empties = ['', '  ', 'null', 'N/A', 'none', '-', 'unknown'];

describe('normalizeNameMeta (FN, LN)', () => {
  it.each([
    ['Mary Ann', 'maryann'], // SPEC 4
    ["O'Brien", 'obrien'],
    ['José', 'josé'], // SPEC 4: letters beyond a–z kept as UTF-8
    ['Jose\u0301', 'josé'], // SPEC 3: the combining form hashes like the precomposed one
    ['  MARY  ', 'mary'],
    ['Jean-Luc', 'jeanluc'],
    ['Smith Jr.', 'smithjr'],
    ['R2-D2', 'rd'],
    ['Zoë', 'zoë'],
    ['Łukasz', 'łukasz'],
    ['Müller', 'müller'],
    ['ÅSA', 'åsa'],
    ['Ngô Bảo Châu', 'ngôbảochâu'],
    ['Дмитрий', 'дмитрий'],
    ['田中', '田中'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeNameMeta(input)).toBe(expected);
  });

  it.each(empties)('%j is empty', (input) => {
    expect(normalizeNameMeta(input)).toBe('');
  });

  it.each(['123', '...!', "'"])('%j has no letter: invalid', (input) => {
    expect(normalizeNameMeta(input)).toBeNull();
  });
});

describe('firstInitialMeta (FI)', () => {
  it.each([
    ['Mary Ann', 'm'],
    ['José', 'j'],
    ['Élise', 'é'],
    ['E\u0301lise', 'é'],
    ["'Amelia", 'a'],
    ['j', 'j'],
  ])('%j → %j', (input, expected) => {
    expect(firstInitialMeta(input)).toBe(expected);
  });

  it('keeps empty and invalid apart', () => {
    expect(firstInitialMeta('n/a')).toBe('');
    expect(firstInitialMeta('42')).toBeNull();
  });
});

describe('normalizeGivenNameGoogle', () => {
  it.each([
    ['Mary Ann', 'mary ann'], // SPEC 4: inner spaces kept
    ['  Mary   Ann  ', 'mary ann'],
    ['José', 'josé'], // diacritics kept
    ['Mrs. Mary', 'mary'],
    ['Mrs Mary', 'mary'],
    ['MR. John', 'john'],
    ['Ms Jane', 'jane'],
    ['Miss Jane', 'jane'],
    ['Dr. Ana', 'ana'],
    ['Dr.Ana', 'ana'],
    ['Dra. Ana', 'ana'],
    ['Prof. Dr. Hans', 'hans'],
    ['Sr. João', 'joão'],
    ['Sra Maria', 'maria'],
    ['Srta. Lucía', 'lucía'],
    ['Missy', 'missy'], // a prefix only as a whole word
    ['Drew', 'drew'],
    ['Mary-Kate', 'mary-kate'],
    ["D'Arcy", "d'arcy"],
  ])('%j → %j', (input, expected) => {
    expect(normalizeGivenNameGoogle(input)).toBe(expected);
  });

  it.each(empties)('%j is empty', (input) => {
    expect(normalizeGivenNameGoogle(input)).toBe('');
  });

  it.each(['Mr.', 'Dr. ', '123'])('%j has no name: invalid', (input) => {
    expect(normalizeGivenNameGoogle(input)).toBeNull();
  });
});

describe('normalizeFamilyNameGoogle', () => {
  it.each([
    ['Smith', 'smith'],
    ['Smith Jr.', 'smith'],
    ['Smith Jr', 'smith'],
    ['Smith, Jr.', 'smith'],
    ['Smith,Jr', 'smith'],
    ['Smith Sr.', 'smith'],
    ['King III', 'king'],
    ['King II', 'king'],
    ['Gates IV', 'gates'],
    ['Doe PhD', 'doe'],
    ['Doe, Ph.D.', 'doe'],
    ['House MD', 'house'],
    ['House, M.D.', 'house'],
    ['Saul Esq.', 'saul'],
    ['Smith Jr., PhD', 'smith'],
    ['van der Berg', 'van der berg'], // inner spaces kept
    ['Muñoz', 'muñoz'],
    ["O'Brien", "o'brien"],
    ['Ii', 'ii'], // a surname, not a suffix: nothing before it
    ['Junior', 'junior'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeFamilyNameGoogle(input)).toBe(expected);
  });

  it.each(empties)('%j is empty', (input) => {
    expect(normalizeFamilyNameGoogle(input)).toBe('');
  });
});

describe('normalizeCompactLower (newtail hashed fields)', () => {
  it.each([
    [' Allan ', 'allan'], // vectors.json, 000 (and SPEC 4 errata)
    ['Allan Smith', 'allansmith'],
    ['Ana\u00a0Maria', 'anamaria'],
    ['Ana\u3000Maria\u200b', 'anamaria'],
    ['123.456.789-09', '123.456.789-09'],
    ['JOSÉ', 'josé'],
    ['Jose\u0301', 'josé'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeCompactLower(input)).toBe(expected);
  });

  it.each(empties)('%j is empty', (input) => {
    expect(normalizeCompactLower(input)).toBe('');
  });
});
