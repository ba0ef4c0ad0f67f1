import { describe, expect, it } from 'vitest';
import { cityMeta } from '../../src/normalize/city.js';

describe('cityMeta (CT)', () => {
  it.each([
    ['São Paulo', 'saopaulo'], // SPEC 4
    ['Sa\u0303o Paulo', 'saopaulo'],
    ['New York', 'newyork'],
    ['Winston-Salem', 'winstonsalem'],
    ["Coeur d'Alene", 'coeurdalene'],
    ['St. Louis', 'stlouis'],
    ['Zürich', 'zurich'],
    ['Kraków', 'krakow'],
    ['Łódź', 'lodz'],
    ['Düsseldorf', 'dusseldorf'],
    ['Straße 7', 'strasse'],
    ['  MONTRÉAL ', 'montreal'],
  ])('%j → %j', (input, expected) => {
    expect(cityMeta(input)).toBe(expected);
  });

  it.each(['', 'null', 'N/A', 'unknown'])('%j is empty', (input) => {
    expect(cityMeta(input)).toBe('');
  });

  it.each(['12345', 'Москва', '東京', '...!'])('%j has nothing in a–z: invalid', (input) => {
    expect(cityMeta(input)).toBeNull();
  });
});
