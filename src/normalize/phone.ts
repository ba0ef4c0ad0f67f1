import { parseIncompletePhoneNumber } from 'libphonenumber-js/max';
import {
  callingCodeOfCountry,
  isPossibleParts,
  isValidParts,
  parseInternational,
  parseNational,
  splitInternational,
} from './phone-plan.js';
import type { PhoneParts } from './phone-plan.js';
import { hasNonAscii, isPlaceholder, detach } from './text.js';
import type { NormalizeContext } from './types.js';

/*
 * Parsing and validation are libphonenumber-js's, on its `max` metadata (see phone-plan.ts for why
 * they are replayed there). `max` rather than `min`: with `min`, isValid() checks little more than
 * length, so `--phone strict` would keep nearly everything (`+551112341234`, `+911112341234` pass).
 * Lenient mode (the default) gives the same output for every SPEC example with either.
 */

const E164 = /^\+[1-9]\d{1,14}$/;
const NON_DIGITS = /\D+/g;
const DIGITS_ONLY = /^\d+$/;
const REPEATED_DIGIT = /^(\d)\1*$/;
const PLUS_FIRST = /^[^\d]*\+/;
const HAS_LETTER_OR_HASH = /[a-z#]/i;
/** A trailing extension (`ext. 12`, `x12`, `ramal 12`, `#12`): E.164 has no place for it. */
const EXTENSION = /\s*[,;]?\s*(?:ext(?:ension|n)?|ramal|x|#)\s*[.:]?\s*\d{1,7}\s*$/i;
const UNICODE_DIGIT = /\p{Nd}/gu;
/** `00` + up to 15 digits, or an exit / trunk prefix + 15: anything longer is not a phone number. */
const MAX_DIGITS = 20;

/** Fullwidth and other non-ASCII digits (`＋１２`, Arabic-Indic) become ASCII, so the digit rules below see them. */
function asciiDigits(s: string): string {
  return s.normalize('NFKC').replace(UNICODE_DIGIT, (d) => parseIncompletePhoneNumber(d) || d);
}

function e164Of(parts: PhoneParts): string {
  return `+${parts.callingCode}${parts.nationalNumber}`;
}

/** One reading of a number: its E.164 form when valid, or when only possible (lenient mode keeps those). */
interface Reading {
  valid?: string;
  possible?: string;
}

const NO_READING: Reading = {};

/**
 * Reads international digits (after `+` or `00`). As written first, then as libphonenumber parses
 * them, which removes a national `0` kept after the country code (`+44 (0)20…`).
 */
function readInternational(digits: string): Reading {
  const direct = splitInternational(digits);
  if (direct !== undefined && isValidParts(direct)) return { valid: `+${digits}` };
  const parsed = parseInternational(digits);
  if (parsed !== undefined && isValidParts(parsed)) return { valid: e164Of(parsed) };
  if (direct !== undefined && isPossibleParts(direct)) return { possible: `+${digits}` };
  return parsed !== undefined && isPossibleParts(parsed) ? { possible: e164Of(parsed) } : NO_READING;
}

function pick(reading: Reading, strict: boolean): string | null {
  const e164 = reading.valid ?? (strict ? null : reading.possible ?? null);
  return e164 !== null && E164.test(e164) ? e164 : null;
}

/**
 * A number without `+` or `00`, read in the row's country. Digits that start with the country's
 * calling code are first read as carrying it (`65 1243 5678` in SG, `49 30 123456` in DE): written
 * that way they rarely are a national number, and it makes Meta's bare digits normalize to
 * themselves. Bare digits are also read as international, as written, when the national reading is
 * not valid. Valid readings win over merely possible ones, which only lenient mode keeps.
 */
function readNational(body: string, digits: string, country: string, callingCode: string, strict: boolean): string | null {
  const startsWithCallingCode = digits.startsWith(callingCode);
  const canBeInternational = digits.charCodeAt(0) !== 48 && digits.length <= 15;
  let international: Reading | undefined;
  if (canBeInternational && startsWithCallingCode) {
    international = readInternational(digits);
    if (international.valid) return pick(international, strict);
  }
  const national = parseNational(digits, country);
  if (national !== undefined && isValidParts(national)) return pick({ valid: e164Of(national) }, strict);
  if (canBeInternational && international === undefined && DIGITS_ONLY.test(body)) {
    // Only as written: bare digits are read as international to give Meta's own form back unchanged.
    const reading = readInternational(digits);
    international = (reading.valid ?? reading.possible) === `+${digits}` ? reading : NO_READING;
    if (international.valid) return pick(international, strict);
  }
  if (strict) return null;
  if (startsWithCallingCode && international?.possible) return pick(international, strict);
  if (national !== undefined && isPossibleParts(national)) return pick({ possible: e164Of(national) }, strict);
  return international === undefined ? null : pick(international, strict);
}

/**
 * The result read once more as the E.164 input it now is, until it stays the same, so the
 * normalizer is idempotent: libphonenumber strips a national prefix per parse, so a number written
 * with two (`+66 0 0900…`) needs two passes. One pass almost always; null if it never settles.
 */
function settle(e164: string | null, read: string, strict: boolean): string | null {
  let current = e164;
  for (let i = 0; i < 4; i++) {
    if (current === null || current === read) return current;
    if (REPEATED_DIGIT.test(current.slice(1))) return '';
    const again = pick(readInternational(current.slice(1)), strict);
    if (again === current) return current;
    read = current;
    current = again;
  }
  return null;
}

function toE164(value: string, country: string | undefined, strict: boolean): string | null {
  const e164 = readE164(value, country, strict);
  return e164 ? settle(e164, value.trim(), strict) : e164;
}

function readE164(value: string, country: string | undefined, strict: boolean): string | null {
  let s = value.trim();
  if (hasNonAscii(s)) s = asciiDigits(s);
  if (isPlaceholder(s)) return '';
  if (E164.test(s)) {
    // Already E.164, the common case for data that went through a CRM's own validation.
    const digits = s.slice(1);
    return REPEATED_DIGIT.test(digits) ? '' : pick(readInternational(digits), strict);
  }
  const body = HAS_LETTER_OR_HASH.test(s) ? s.replace(EXTENSION, '') : s;
  const digits = body.replace(NON_DIGITS, '');
  if (digits.length === 0 || digits.length > MAX_DIGITS) return null;
  if (REPEATED_DIGIT.test(digits)) return '';
  if (PLUS_FIRST.test(body)) return pick(readInternational(digits), strict);
  if (digits.startsWith('00')) return pick(readInternational(digits.slice(2)), strict);
  const callingCode = country === undefined ? null : callingCodeOfCountry(country);
  if (callingCode === null) {
    // No usable country: only digits that already carry a calling code can be read.
    return digits.charCodeAt(0) === 48 ? null : pick(readInternational(digits), strict);
  }
  return readNational(body, digits, country!, callingCode, strict);
}

/**
 * Bounded memo of recent results: the same number often repeats within a file (one customer in
 * several segments); a hit costs ~0.5 µs against ~3 µs for a parse. One map per mode and country,
 * keyed by the raw value itself, so a lookup builds no key string. Cleared when full rather than
 * evicted one by one, which keeps it a plain Map.
 */
const CACHE_LIMIT = 50_000;
const lenientCaches = new Map<string, Map<string, string | null>>();
const strictCaches = new Map<string, Map<string, string | null>>();

function cachedE164(value: string, ctx: NormalizeContext): string | null {
  const strict = ctx.phoneMode === 'strict';
  const caches = strict ? strictCaches : lenientCaches;
  const country = ctx.country ?? '';
  let cache = caches.get(country);
  if (cache === undefined) {
    cache = new Map();
    caches.set(country, cache);
  }
  const hit = cache.get(value);
  if (hit !== undefined) return hit;
  const e164 = toE164(value, ctx.country, strict);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(detach(value), e164 === null ? null : detach(e164));
  return e164;
}

/**
 * E.164 with `+` (`+15559876543`). A number with `+` or `00` carries its own country code, else
 * `ctx.country` applies. Numbers libphonenumber deems invalid but possible are kept in lenient mode,
 * dropped (`null`) in strict mode; one repeated digit (`0000000000`) is empty.
 */
export function normalizePhoneE164(value: string, ctx: NormalizeContext): string | null {
  return cachedE164(value, ctx);
}

/** Meta's PHONE: the E.164 digits without `+` (`15559876543`). */
export function normalizePhoneMeta(value: string, ctx: NormalizeContext): string | null {
  const e164 = cachedE164(value, ctx);
  return e164 ? e164.slice(1) : e164;
}
