import { clean, foldDiacritics, isPlaceholder, unlessPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

const NOT_ASCII_LOWER_LETTER = /[^a-z]+/g;

/**
 * Meta CT: lowercase, diacritics folded, a–z only (`São Paulo` → `saopaulo`, `Winston-Salem` →
 * `winstonsalem`); `null` when no Latin letter is left (Meta allows special characters only in names).
 */
export function cityMeta(value: string, _ctx?: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  const city = foldDiacritics(s).toLowerCase().replace(NOT_ASCII_LOWER_LETTER, '');
  return city.length > 0 ? unlessPlaceholder(city) : null;
}
