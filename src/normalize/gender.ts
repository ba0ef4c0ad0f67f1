import { clean, foldDiacritics, isPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

const NOT_LETTER = /[^a-z]+/g;

/**
 * Spellings seen in CRM exports (English, Portuguese, Spanish, plus common French and German), keyed
 * lowercase, diacritics folded, letters only, so `Não-binário` and `nao binario` share `naobinario`.
 */
const GENDERS: ReadonlyMap<string, 'M' | 'F' | 'O'> = new Map([
  ...['m', 'male', 'man', 'men', 'boy', 'masc', 'masculine', 'masculino', 'masculina', 'hombre', 'varon', 'homem',
    'h', 'menino', 'nino', 'homme', 'masculin', 'mannlich', 'sexomasculino'].map((k) => [k, 'M'] as const),
  ...['f', 'female', 'woman', 'women', 'girl', 'fem', 'feminine', 'feminino', 'feminina', 'femenino', 'femenina',
    'mujer', 'mulher', 'menina', 'nina', 'femme', 'feminin', 'w', 'weiblich', 'sexofeminino'].map((k) => [k, 'F'] as const),
  ...['o', 'other', 'others', 'outro', 'outra', 'outros', 'otro', 'otra', 'otros', 'nonbinary', 'nb', 'enby', 'x',
    'naobinario', 'nobinario', 'diverse', 'divers', 'genderqueer', 'genderfluid', 'agender', 'bigender', 'intersex',
    'autre', 'andere'].map((k) => [k, 'O'] as const),
]);
const MAX_KEY_LENGTH = 16;

function genderOf(value: string): 'M' | 'F' | 'O' | undefined {
  const s = clean(value);
  if (s.length > MAX_KEY_LENGTH * 2 || isPlaceholder(s)) return undefined;
  return GENDERS.get(foldDiacritics(s).toLowerCase().replace(NOT_LETTER, ''));
}

/** Meta GEN: `m` or `f` from common spellings (`Male`, `Woman`, `Feminino`…); anything else `''`, never guessed. */
export function genderMetaMF(value: string, _ctx?: NormalizeContext): string {
  const g = genderOf(value);
  return g === 'M' ? 'm' : g === 'F' ? 'f' : '';
}

/** Newtail GENDER: `F`, `M`, `O` (other, non-binary, `outro`, `otro`…), or `''` when it cannot tell. */
export function genderNewtail(value: string, _ctx?: NormalizeContext): string {
  return genderOf(value) ?? '';
}
