import { clean, hasNonAscii, isPlaceholder, nfc } from './text.js';
import type { NormalizeContext } from './types.js';

const WHITESPACE = /\s/;
const WHITESPACE_ALL = /[\s\u200b-\u200d\u2060\ufeff]+/g;
const HAS_ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/;

/**
 * A sane address, not RFC 5322: an unquoted local part of at most 64 characters without leading,
 * trailing or doubled dots, and a domain of letter/digit labels ending in a TLD of two or more
 * characters that starts with a letter. Letters beyond ASCII are allowed (internationalized addresses are real customers).
 */
export const EMAIL =
  /^(?=[^@]{1,64}@)(?!\.)(?!.*\.\.)[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~.-]+(?<!\.)@(?=.{1,253}$)(?:[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?\.)+\p{L}[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}]$/u;

/**
 * {@link EMAIL} for ASCII strings, where `\p{L}` is `[A-Za-z]`, `\p{N}` is `[0-9]` and `\p{M}`
 * matches nothing: the same answers (a test compares them) without the Unicode matcher's cost.
 */
export const EMAIL_ASCII =
  /^(?=[^@]{1,64}@)(?!\.)(?!.*\.\.)[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+(?<!\.)@(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]$/;

/** Whether `s` looks like an address (see EMAIL). */
export function isEmailAddress(s: string): boolean {
  return hasNonAscii(s) ? EMAIL.test(s) : EMAIL_ASCII.test(s);
}

/**
 * What each ASCII character can be in an address (EMAIL_ASCII's classes), so that the one-pass
 * reading below asks one table per character instead of a chain of ranges. 0: allowed nowhere.
 */
const SPACE = 1;
const UPPER = 2;
const LOWER = 3;
const DIGIT = 4;
const DOT = 5;
const AT_SIGN = 6;
const HYPHEN = 7;
/** A local part's punctuation besides `.` and `-` (EMAIL's `!#$%&'*+/=?^_\`{|}~`). */
const PUNCTUATION = 8;
const KIND = new Uint8Array(128);
for (const c of "!#$%&'*+/=?^_`{|}~") KIND[c.charCodeAt(0)] = PUNCTUATION;
for (const c of '\t\n\v\f\r ') KIND[c.charCodeAt(0)] = SPACE;
for (let c = 65; c <= 90; c++) KIND[c] = UPPER;
for (let c = 97; c <= 122; c++) KIND[c] = LOWER;
for (let c = 48; c <= 57; c++) KIND[c] = DIGIT;
KIND[46] = DOT;
KIND[64] = AT_SIGN;
KIND[45] = HYPHEN;

/** Every ASCII whitespace character (`\s` below U+0080). */
const ASCII_WHITESPACE_ALL = /[\t\n\v\f\r ]+/g;

/** Trim, remove all whitespace, lowercase; `null` unless it then looks like an address. Meta, DataX, LiveIntent, Newtail. */
export function normalizeEmail(value: string, _ctx?: NormalizeContext): string | null {
  // One pass, for ASCII values with an `@` (nearly all), decides what the general steps would do
  // and checks the address they would give: NFC changes nothing; no placeholder has an `@`;
  // trimming then removing inner whitespace is skipping all of it; case does not change validity
  // (EMAIL_ASCII's rules, read over the characters that are not whitespace, without the regular
  // expression, which was about half of an email's cost; the reference steps still use it).
  let first = -1;
  let last = -1;
  let innerWhitespace = false;
  let upper = false;
  let valid = true;
  let count = 0; // characters that are not whitespace
  let at = -1; // how many came before the `@`
  let previous = DOT; // the previous character's kind, as if after a `.`: a local part cannot start with one
  let label = 0; // the domain label's length so far
  let labelFirst = 0; // its first character's kind
  let labels = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 127) return normalizeEmailReference(value);
    const kind = KIND[c]!;
    if (kind === SPACE) continue;
    if (first < 0) first = i;
    else if (last !== i - 1) innerWhitespace = true;
    last = i;
    if (kind === UPPER) upper = true;
    if (at < 0) {
      if (kind === AT_SIGN) {
        if (count === 0 || count > 64 || previous === DOT) valid = false;
        at = count;
      } else if (kind === DOT) {
        if (previous === DOT) valid = false;
      } else if (kind === 0) {
        valid = false;
      }
    } else if (kind === DOT) {
      if (label < 1 || label > 63 || labelFirst < UPPER || labelFirst > DIGIT || previous < UPPER || previous > DIGIT) valid = false;
      labels++;
      label = 0;
    } else if (kind >= UPPER && (kind <= DIGIT || kind === HYPHEN)) {
      if (label++ === 0) labelFirst = kind;
    } else {
      valid = false; // a second `@`, or punctuation in the domain
    }
    previous = kind;
    count++;
  }
  if (at < 0) return normalizeEmailReference(value);
  // The TLD: 2–63 characters, a letter first, a letter or digit last; a domain of at most 253.
  if (!valid || labels === 0 || label < 2 || label > 63 || labelFirst < UPPER || labelFirst > LOWER || previous < UPPER || previous > DIGIT || count - at - 1 > 253) return null;
  const s = innerWhitespace ? value.replace(ASCII_WHITESPACE_ALL, '') : first > 0 || last < value.length - 1 ? value.slice(first, last + 1) : value;
  return upper ? s.toLowerCase() : s;
}

/** normalizeEmail's general steps, for any value; the reference its fast path is tested against. */
export function normalizeEmailReference(value: string): string | null {
  let s = clean(value);
  if (isPlaceholder(s)) return '';
  if (WHITESPACE.test(s) || HAS_ZERO_WIDTH.test(s)) s = s.replace(WHITESPACE_ALL, '');
  // Lowercasing can leave a sequence NFC would compose, so NFC again (a no-op check for ASCII).
  s = nfc(s.toLowerCase());
  return isEmailAddress(s) ? s : null;
}

const GMAIL_DOMAINS: ReadonlySet<string> = new Set(['gmail.com', 'googlemail.com']);
const DOTS = /\./g;

/** {@link normalizeEmail}, then for gmail.com and googlemail.com every `.` before `@` removed; a `+tag` stays (Google names dots only). */
export function normalizeEmailGoogle(value: string, ctx?: NormalizeContext): string | null {
  const s = normalizeEmail(value, ctx);
  if (!s) return s;
  const at = s.lastIndexOf('@');
  if (!GMAIL_DOMAINS.has(s.slice(at + 1))) return s;
  const local = s.slice(0, at).replace(DOTS, '');
  return local.length > 0 ? `${local}${s.slice(at)}` : null;
}
