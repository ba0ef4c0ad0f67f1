/**
 * Text primitives every normalizer starts from. They run once per field of every row, so each one
 * checks cheaply whether it has anything to do before doing it.
 */

const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARKS = /\p{M}+/gu;

/** Letters that carry no Unicode decomposition, so NFD alone would leave them unfolded. */
const FOLD_SPECIAL: Readonly<Record<string, string>> = {
  ß: 'ss', ẞ: 'SS', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L',
  đ: 'd', Đ: 'D', ð: 'd', Ð: 'D', þ: 'th', Þ: 'TH', ı: 'i', ħ: 'h', Ħ: 'H', ŧ: 't', Ŧ: 'T',
  ŋ: 'n', Ŋ: 'N', ĸ: 'k', ſ: 's', ŀ: 'l', Ŀ: 'L',
};
const FOLD_SPECIAL_RE = new RegExp(`[${Object.keys(FOLD_SPECIAL).join('')}]`, 'g');

/** True when `s` has a character outside ASCII: the only strings NFC or folding can change. */
export function hasNonAscii(s: string): boolean {
  return NON_ASCII.test(s);
}

/** NFC, skipped for pure-ASCII strings (the vast majority), which NFC never changes. */
export function nfc(s: string): string {
  return NON_ASCII.test(s) ? s.normalize('NFC') : s;
}

/** Removes accents and folds the Latin letters without a decomposition: `São Paulo` → `Sao Paulo`, `Straße` → `Strasse`. */
export function foldDiacritics(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  return s
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(FOLD_SPECIAL_RE, (c) => FOLD_SPECIAL[c] ?? c);
}

/** Lower-cased spellings that mean "no value" in CRM exports (English, Portuguese, Spanish). */
export const PLACEHOLDERS: ReadonlySet<string> = new Set([
  'null', 'nil', 'none', 'n/a', 'n\\a', 'na', 'n.a.', 'n.a', 'n/d', '#n/a', '#na', '#null!', '(null)', '<null>',
  '[null]', '(blank)', '(empty)', 'nan', '-', '--', '---', '.', '..', '...', '?', '??', '???', '_', '*', '0',
  'unknown', 'unk', 'undefined', 'not available', 'not applicable', 'not provided', 'not specified', 'no data',
  'empty', 'blank', 'missing', 'tbd', 'nulo', 'nula', 'vazio', 'nenhum', 'nenhuma', 'desconhecido',
  'nao informado', 'não informado', 'sem informação', 'sem informacao', 'ninguno', 'ninguna', 'desconocido',
  'no disponible', 'sin dato', 'sin datos', 'no informado',
]);
const MAX_PLACEHOLDER_LENGTH = 16;
/** Strings made only of dashes, dots, underscores, stars, question marks and spaces. */
const FILLER_ONLY = /^[-._*?\s]+$/;

/** True when the value counts as empty: blank, or a placeholder such as `null`, `n/a`, `-`, `unknown`. */
export function isPlaceholder(s: string): boolean {
  const t = s.trim();
  if (t.length === 0) return true;
  if (t.length > MAX_PLACEHOLDER_LENGTH) return FILLER_ONLY.test(t);
  // No placeholder holds a digit but `0`, nor starts with `+`: phones, ids and dates skip the
  // lowercase copy and the lookup.
  if (t.charCodeAt(0) === 43) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) return t === '0';
  }
  return PLACEHOLDERS.has(t.toLowerCase()) || FILLER_ONLY.test(t);
}

/**
 * A normalizer's output, or `''` when removing punctuation or spaces turned it into a placeholder
 * (`N-A` → `na`): the output must normalize to itself, and a placeholder normalizes to `''`.
 */
export function unlessPlaceholder(output: string): string {
  return output.length <= MAX_PLACEHOLDER_LENGTH && isPlaceholder(output) ? '' : output;
}

/** NFC plus trim: the first step of every normalizer. */
export function clean(s: string): string {
  return nfc(s.trim());
}

/**
 * A copy of `s` that shares no memory with the string it was cut from. Parsers hand out slices of
 * their input chunk; a slice kept in a long-lived cache would keep the whole chunk (64 KiB) alive.
 * Concatenating then slicing makes V8 flatten into a fresh string.
 */
export function detach(s: string): string {
  return (' ' + s).slice(1);
}
