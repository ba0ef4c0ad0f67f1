import { clean, hasNonAscii, isPlaceholder, nfc, unlessPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

const NOT_ASCII_LOWER_LETTER = /[^a-z]+/g;
/** A letter with the combining marks that belong to it (those NFC has no precomposed form for). */
const LETTER_WITH_MARKS = /\p{L}\p{M}*/gu;
const FIRST_LETTER = /^\p{L}\p{M}*/u;
const HAS_LETTER = /\p{L}/u;
const WHITESPACE_RUN = /\s+/g;
const ALL_WHITESPACE = /[\s\u200b-\u200d\u2060\ufeff]+/g;

/**
 * Meta FN / LN: lowercase letters only, no punctuation, digits or spaces (`Mary Ann` → `maryann`,
 * `O'Brien` → `obrien`); letters beyond a–z stay as UTF-8 NFC (`José` → `josé`). `null` when no
 * letter is left.
 */
export function normalizeNameMeta(value: string, _ctx?: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  let name: string;
  if (hasNonAscii(s)) {
    const letters = s.toLowerCase().match(LETTER_WITH_MARKS);
    // Removing what stood between a letter and a mark can create a composable pair: NFC again.
    name = letters === null ? '' : nfc(letters.join(''));
  } else {
    name = s.toLowerCase().replace(NOT_ASCII_LOWER_LETTER, '');
  }
  return name.length > 0 ? unlessPlaceholder(name) : null;
}

/** Meta FI: the first letter of the Meta first name (`José` → `j`, `Élise` → `é`). */
export function firstInitialMeta(value: string, ctx?: NormalizeContext): string | null {
  const name = normalizeNameMeta(value, ctx);
  if (!name) return name;
  const first = FIRST_LETTER.exec(name);
  return first === null ? null : first[0];
}

/** Honorifics Google wants left out of given_name (English, Portuguese, Spanish, French, German). */
const NAME_PREFIX =
  /^(?:mr|mrs|ms|miss|mx|dr|dra|prof|profa|sr|sra|srta|sir|dame|rev|mme|mlle|herr|frau)(?:\.\s*|\s+)/;
/** Generational and professional suffixes Google wants left out of family_name. */
const NAME_SUFFIX =
  /(?:\s*,\s*|\s+)(?:jr|jnr|sr|snr|ii|iii|iv|ph\.?\s?d|m\.?d|d\.?d\.?s|esq|cpa|mba|dvm)\.?$/;

function googleName(value: string): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  // Lowercasing can leave a sequence NFC would compose, so NFC again (a no-op check for ASCII).
  return nfc(s.toLowerCase().replace(WHITESPACE_RUN, ' '));
}

function withLetter(name: string): string | null {
  const trimmed = name.trim();
  return HAS_LETTER.test(trimmed) ? unlessPlaceholder(trimmed) : null;
}

/** Google given_name: lowercase, trimmed, inner spaces and diacritics kept, whitespace runs made one space, no leading `Mr.`, `Dra.`… */
export function normalizeGivenNameGoogle(value: string, _ctx?: NormalizeContext): string | null {
  let name = googleName(value);
  if (!name) return name;
  // A loop, not one replace, so `Prof. Dr. Hans` loses both and the result is idempotent.
  while (NAME_PREFIX.test(name)) name = name.replace(NAME_PREFIX, '');
  return withLetter(name);
}

/** Google family_name: as given_name, with a trailing `Jr.`, `, III`, `PhD`… removed instead of a prefix. */
export function normalizeFamilyNameGoogle(value: string, _ctx?: NormalizeContext): string | null {
  let name = googleName(value);
  if (!name) return name;
  while (NAME_SUFFIX.test(name)) name = name.replace(NAME_SUFFIX, '');
  return withLetter(name);
}

/** Newtail's rule for every hashed field: remove ALL whitespace (Unicode spaces too), lowercase (` Allan ` → `allan`). */
export function normalizeCompactLower(value: string, _ctx?: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  const compact = nfc(s.replace(ALL_WHITESPACE, '').toLowerCase());
  return unlessPlaceholder(compact);
}
