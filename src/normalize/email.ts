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

/** Trim, remove all whitespace, lowercase; `null` unless it then looks like an address. Meta, DataX, LiveIntent, Newtail. */
export function normalizeEmail(value: string, _ctx?: NormalizeContext): string | null {
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
