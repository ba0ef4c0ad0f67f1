import { COUNTRY_ALIASES, ISO_3166_1 } from './country-data.js';
import { clean, foldDiacritics, isPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

/** Letters and digits of any script, after folding: `U.S.A.`, `usa` and `U S A` share a key. */
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;
const LEADING_THE = /^the\s+/;

function countryKey(s: string): string {
  return foldDiacritics(s).toLowerCase().replace(LEADING_THE, '').replace(NOT_LETTER_OR_DIGIT, '');
}

/** Key → alpha-2, built once: every alpha-2, alpha-3, ISO short name and alias. */
const COUNTRIES: ReadonlyMap<string, string> = (() => {
  const table = new Map<string, string>();
  for (const line of ISO_3166_1.split('\n')) {
    if (line.length === 0) continue;
    const alpha2 = line.slice(0, 2);
    table.set(alpha2.toLowerCase(), alpha2);
    table.set(line.slice(3, 6).toLowerCase(), alpha2);
    table.set(countryKey(line.slice(7)), alpha2);
  }
  for (const [alpha2, names] of Object.entries(COUNTRY_ALIASES)) {
    for (const name of names) table.set(countryKey(name), alpha2);
  }
  return table;
})();

/** Every ISO 3166-1 alpha-2 code, upper case. */
export const ISO_ALPHA2: ReadonlySet<string> = new Set(
  ISO_3166_1.split('\n').filter((line) => line.length > 0).map((line) => line.slice(0, 2)),
);

/** The alpha-2 code when `s` is one in any case; checked before placeholders, as `NA` is Namibia, not "n/a". */
function asAlpha2(s: string): string | null {
  if (s.length !== 2) return null;
  const upper = s.toUpperCase();
  return ISO_ALPHA2.has(upper) ? upper : null;
}

/** Upper-case ISO 3166-1 alpha-2 from an alpha-2, alpha-3 or country name (`USA`, `Brasil`, `England` → `GB`), else `null`. */
export function countryAlpha2(value: string): string | null {
  const s = clean(value);
  const alpha2 = asAlpha2(s);
  if (alpha2 !== null) return alpha2;
  return isPlaceholder(s) ? null : (COUNTRIES.get(countryKey(s)) ?? null);
}

/** Google region_code: ISO alpha-2 in upper case, not hashed. */
export function regionCodeGoogle(value: string, _ctx?: NormalizeContext): string | null {
  const s = clean(value);
  const alpha2 = asAlpha2(s);
  if (alpha2 !== null) return alpha2;
  return isPlaceholder(s) ? '' : (COUNTRIES.get(countryKey(s)) ?? null);
}

/** Meta COUNTRY: ISO alpha-2 in lower case (`Germany` → `de`, `USA` → `us`). */
export function countryMeta(value: string, ctx?: NormalizeContext): string | null {
  const region = regionCodeGoogle(value, ctx);
  return region ? region.toLowerCase() : region;
}
