import { parseIncompletePhoneNumber } from 'libphonenumber-js/max';
import {
  callingCodeOfCountry,
  countryFor,
  isPossibleParts,
  isValidParts,
  keepsNationalNumber,
  leadingCallingCode,
  mayStartWithIdd,
  parseInternational,
  parseNational,
  possibleInEveryPlan,
  rateNumber,
  readsCallingCodeAsTrunkPrefix,
  splitInternational,
  strippedInternational,
} from './phone-plan.js';
import type { PhoneParts, Rating } from './phone-plan.js';
import { AdaptiveMemo, MemoGauge } from '../memo.js';
import { hasNonAscii, isPlaceholder } from './text.js';
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

/** E164.test(s) without the regular expression engine: it took a fifth of a national number's reading. */
export function isE164(s: string): boolean {
  if (s.length < 3 || s.length > 16 || s.charCodeAt(0) !== 43) return false;
  const first = s.charCodeAt(1);
  if (first < 49 || first > 57) return false;
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function pick(reading: Reading, strict: boolean): string | null {
  const e164 = reading.valid ?? (strict ? null : reading.possible ?? null);
  return e164 !== null && isE164(e164) ? e164 : null;
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

/**
 * The full reading, and the reference for the fast path below: the tests compare the two on
 * generated numbers of every written form.
 */
export function toE164Reference(value: string, country: string | undefined, strict: boolean): string | null {
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

/*
 * The fast path: toE164Reference's steps again, for ASCII values without letters or `#` (others
 * go to toE164Reference whole), with one pass over the characters instead of readE164's regular
 * expressions, and two shortcuts that most numbers take:
 * - digits with no national prefix to strip are read once: parse then reads them as split does,
 *   so readInternational's two readings are one, and parseNational's parts are known unbuilt;
 * - settle() re-reads the result as international digits: when those are the digits just read,
 *   or digits the first shortcut rates, the re-read's answer is known without running it.
 * Where a shortcut's conditions do not hold (UNPROVEN), the full step runs.
 */
const UNPROVEN = undefined;
type Answer = string | null | typeof UNPROVEN;

/** What normalizePhoneE164 computes, before its result memo: toE164Reference's output, faster. */
export function toE164(value: string, country: string | undefined, strict: boolean): string | null {
  const s = value.trim();
  const w = scan(s);
  if (w === undefined) return toE164Reference(value, country, strict);
  const digits = w.digits;
  // Without letters, the only placeholders are punctuation, and `0` (one repeated digit below).
  if (digits.length === 0) return isPlaceholder(s) ? '' : null;
  if (digits.length > MAX_DIGITS) return null;
  if (isRepeatedDigit(digits)) return '';
  // Already E.164 reads as any other `+` form does: readInternational on the same digits.
  if (w.plusFirst) return settledInternational(digits, s, strict);
  if (digits.startsWith('00')) return settledInternational(digits.slice(2), s, strict);
  const callingCode = country === undefined ? null : callingCodeOfCountry(country);
  if (callingCode === null) return digits.charCodeAt(0) === 48 ? null : settledInternational(digits, s, strict);
  if (!digits.startsWith(callingCode)) return fastNational(digits, w.bare, country!, callingCode, s, strict);
  const fast = withCallingCode(digits, country!, s, strict);
  return fast !== UNPROVEN ? fast : settled(readNational(s, digits, country!, callingCode, strict), s, strict);
}

/** The digits of an ASCII value without letters or `#`, and what readE164 asks of its punctuation. */
interface Written {
  digits: string;
  /** A `+` before the first digit (PLUS_FIRST). */
  plusFirst: boolean;
  /** Digits only (DIGITS_ONLY). */
  bare: boolean;
}

/** One pass over the trimmed value, joining runs of digits; `undefined` when readE164's own steps are needed. */
function scan(s: string): Written | undefined {
  let digits = '';
  let run = -1;
  let plusFirst = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (run < 0) run = i;
      continue;
    }
    // Non-ASCII (fullwidth digits: NFKC), letters and `#` (extensions, placeholders).
    if (c > 127 || c === 35 || ((c | 32) >= 97 && (c | 32) <= 122)) return undefined;
    if (run >= 0) {
      digits += s.slice(run, i);
      run = -1;
    } else if (c === 43 && digits.length === 0) {
      plusFirst = true;
    }
  }
  if (run === 0) return { digits: s, plusFirst: false, bare: true };
  if (run > 0) digits += s.slice(run);
  return { digits, plusFirst, bare: false };
}

function isRepeatedDigit(digits: string): boolean {
  const first = digits.charCodeAt(0);
  for (let i = 1; i < digits.length; i++) if (digits.charCodeAt(i) !== first) return false;
  return true;
}

/** pick() of a reading rated `rating`. */
function kept(rating: Rating, strict: boolean): boolean {
  return rating === 'valid' || (rating === 'possible' && !strict);
}

/**
 * readInternational(digits), rated, when the national part has no national prefix to strip:
 * parseInternational then reads the digits as splitInternational does, so the two readings are one
 * (`+digits`). 'impossible' also when no calling code leads the digits: there is no reading at all.
 */
function rateInternational(digits: string): Rating | typeof UNPROVEN {
  // Over 15 digits pick() keeps nothing, though the parsed reading may be shorter.
  if (digits.length > 15) return UNPROVEN;
  const callingCode = leadingCallingCode(digits);
  if (callingCode === undefined || callingCode.length === digits.length) return 'impossible';
  const nationalNumber = digits.slice(callingCode.length);
  // A 1-digit national number is split but not parsed (finish's minimum length; this also covers
  // parse's own minimum of 3 digits).
  if (nationalNumber.length < 2 || !keepsNationalNumber(nationalNumber, callingCode)) return UNPROVEN;
  return rateNumber(countryFor(callingCode, nationalNumber) ?? callingCode, nationalNumber);
}

/**
 * True when rateInternational(digits) is 'valid' or 'possible' whichever country is found for them,
 * so lenient mode keeps `+digits` without finding the country or trying its number types: its
 * conditions hold, and every plan of the calling code deems the national number's length possible.
 */
function possibleWhereverFound(digits: string): boolean {
  if (digits.length > 15) return false;
  const callingCode = leadingCallingCode(digits);
  if (callingCode === undefined) return false;
  const length = digits.length - callingCode.length;
  return length >= 2 && possibleInEveryPlan(callingCode, length) && keepsNationalNumber(digits.slice(callingCode.length), callingCode);
}

/** pick(readInternational(digits)), then settle(). */
function settledInternational(digits: string, read: string, strict: boolean): string | null {
  if (strict || !possibleWhereverFound(digits)) {
    // Lenient, a trunk prefix kept after the calling code (`+44 (0)20 …`): the reading that strips it.
    const stripped = strict ? undefined : strippedInternational(digits);
    if (stripped !== undefined) return isE164(stripped) ? settleFast(stripped, read, strict) : null;
    const rating = rateInternational(digits);
    if (rating === UNPROVEN) return settledReading(readInternational(digits), digits, read, strict);
    if (!kept(rating, strict)) return null;
  }
  // settle() would read the same digits again, after its check for one repeated digit.
  const e164 = `+${digits}`;
  return e164 !== read && isRepeatedDigit(digits) ? '' : e164;
}

/** readInternational(digits), through the shortcut when it can. */
function readingOf(digits: string): Reading {
  const rating = rateInternational(digits);
  if (rating === UNPROVEN) return readInternational(digits);
  return rating === 'valid' ? { valid: `+${digits}` } : rating === 'possible' ? { possible: `+${digits}` } : NO_READING;
}

/** pick(reading) then settle(), for the reading readInternational(digits) gave. */
function settledReading(reading: Reading, digits: string, read: string, strict: boolean): string | null {
  const e164 = pick(reading, strict);
  if (!e164) return e164;
  // `+digits`: settle() would read the same digits again and pick the same, unless one digit repeats.
  if (e164.length === digits.length + 1 && e164.endsWith(digits) && !isRepeatedDigit(digits)) return e164;
  return settleFast(e164, read, strict);
}

function settled(e164: string | null, read: string, strict: boolean): string | null {
  return e164 ? settleFast(e164, read, strict) : e164;
}

/** settle(), whose first re-read almost always gives the number back, through the shortcut when it can. */
function settleFast(e164: string, read: string, strict: boolean): string | null {
  if (e164 === read) return e164;
  const digits = e164.slice(1);
  if (isRepeatedDigit(digits)) return '';
  if (!strict && possibleWhereverFound(digits)) return e164;
  const rating = rateInternational(digits);
  // Kept, the re-read is the number itself; dropped, settle() ends on null.
  if (rating !== UNPROVEN) return kept(rating, strict) ? e164 : null;
  return settle(e164, read, strict);
}

/** readNational then settle(), for digits that start with the calling code: read as international first. */
function withCallingCode(digits: string, country: string, read: string, strict: boolean): Answer {
  if (digits.length > 15) return UNPROVEN; // not read as international then
  // Lenient, when the international reading is kept whatever its country and the national one is
  // the same number (`1 555 987 6543` in the US, where the trunk prefix is the calling code), both
  // answers are `+digits`: neither needs its country found or its number types tried.
  if (!strict && possibleWhereverFound(digits) && readsCallingCodeAsTrunkPrefix(digits, country)) return `+${digits}`;
  const international = readingOf(digits);
  if (international.valid) return settledReading(international, digits, read, strict);
  const national = parseNational(digits, country);
  if (national !== undefined && isValidParts(national)) return settled(pick({ valid: e164Of(national) }, strict), read, strict);
  if (strict) return null;
  if (international.possible) return settledReading(international, digits, read, strict);
  if (national !== undefined && isPossibleParts(national)) return settled(pick({ possible: e164Of(national) }, strict), read, strict);
  return null;
}

/**
 * readNational then settle(), for digits that do not start with the calling code. When
 * parseNational keeps the digits as they are (no exit code, no national prefix), its parts are the
 * calling code, the digits and the country found from them, else the row's: no need to build them.
 */
function fastNational(digits: string, bare: boolean, country: string, callingCode: string, read: string, strict: boolean): string | null {
  const asWritten = digits.length >= 2 && callingCode.length + digits.length <= 15 && !mayStartWithIdd(digits, country) && keepsNationalNumber(digits, country);
  if (!asWritten) return fromNational(parseNational(digits, country), digits, bare, read, strict);
  if (!strict && !bare && keptWhateverFound(digits, callingCode)) return `+${callingCode}${digits}`;
  const found = countryFor(callingCode, digits);
  const rating = rateNumber(found ?? country, digits);
  if (rating !== 'valid') {
    // Bare digits are then read as international too (Meta's form), which can be valid.
    if (bare && digits.charCodeAt(0) !== 48) return fromNational({ callingCode, nationalNumber: digits, country: found ?? country }, digits, bare, read, strict);
    if (strict || rating === 'impossible') return null;
  }
  // pick() keeps it: at most 15 digits, after a calling code's non-zero first digit.
  const e164 = `+${callingCode}${digits}`;
  // settle() re-reads it whole: the same calling code and digits come back, rated in the plan of
  // the country found, else of the calling code; a possible one is parsed again, prefix and all.
  const reread = found !== undefined ? rating : rateNumber(callingCode, digits);
  const same = reread === rating && leadingCallingCode(callingCode) === callingCode;
  return same && (rating === 'valid' || keepsNationalNumber(digits, callingCode)) ? e164 : settleFast(e164, read, strict);
}

/**
 * For fastNational's digits as written, in lenient mode, and not bare: true when the steps below
 * keep `+callingCode digits` whichever country is found. Every plan deems the length possible, so
 * the rating is 'valid' or 'possible' and the number is kept; settle()'s re-read is kept again, as
 * possibleWhereverFound tells, when the calling code leads its own digits and the national number
 * has no prefix to strip in the calling code's plan either. Both hold in today's metadata wherever
 * the length check does (calling codes are prefix-free, and countries sharing one strip the same
 * prefixes from numbers of their common lengths), but they are what the reasoning needs.
 */
function keptWhateverFound(digits: string, callingCode: string): boolean {
  return possibleInEveryPlan(callingCode, digits.length) && leadingCallingCode(callingCode) === callingCode && keepsNationalNumber(digits, callingCode);
}

/** The rest of readNational, then settle(), for digits that do not start with the calling code. */
function fromNational(national: PhoneParts | undefined, digits: string, bare: boolean, read: string, strict: boolean): string | null {
  // Lenient and not bare, a valid reading and a possible one give the same number, and nothing
  // else is tried: when the length is possible, whether it is also valid need not be asked.
  if (!strict && !bare && national !== undefined && isPossibleParts(national)) return settled(pick({ possible: e164Of(national) }, strict), read, strict);
  if (national !== undefined && isValidParts(national)) return settled(pick({ valid: e164Of(national) }, strict), read, strict);
  let international: Reading | undefined;
  if (bare && digits.charCodeAt(0) !== 48 && digits.length <= 15) {
    // Only as written, as readNational does.
    const reading = readingOf(digits);
    international = (reading.valid ?? reading.possible) === `+${digits}` ? reading : NO_READING;
    if (international.valid) return settledReading(international, digits, read, strict);
  }
  if (strict) return null;
  if (national !== undefined && isPossibleParts(national)) return settled(pick({ possible: e164Of(national) }, strict), read, strict);
  return international === undefined ? null : settledReading(international, digits, read, strict);
}

/**
 * Memos of recent results, one per mode and country: the same number often repeats within a file
 * (one customer in several segments). AdaptiveMemo turns itself off when numbers rarely repeat, as
 * in most files: with the fast path a reading costs about 1 µs, so a map insert per value of a
 * cache that never hits would cost a large share of it.
 */
const lenientMemos = new Map<string, AdaptiveMemo<string | null>>();
const strictMemos = new Map<string, AdaptiveMemo<string | null>>();
/** Per mode, what the countries' memos learn together: whether numbers repeat (see MemoGauge). */
const lenientGauge = new MemoGauge();
const strictGauge = new MemoGauge();

function cachedE164(value: string, ctx: NormalizeContext): string | null {
  const strict = ctx.phoneMode === 'strict';
  const memos = strict ? strictMemos : lenientMemos;
  const country = ctx.country ?? '';
  let memo = memos.get(country);
  if (memo === undefined) {
    memo = new AdaptiveMemo(50_000, strict ? strictGauge : lenientGauge);
    memos.set(country, memo);
  }
  const hit = memo.get(value);
  if (hit !== undefined) return hit;
  const e164 = toE164(value, ctx.country, strict);
  memo.set(value, e164);
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
