import { clean, isPlaceholder } from './text.js';
import type { NormalizeContext } from './types.js';

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** A `--date-format` layout, checked and compiled once per run. */
export interface DateLayout {
  readonly spec: string;
  readonly pattern: RegExp;
  /** Which capture group (1-based) holds each part. */
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** An optional time after the date (`T10:20:30.123Z`, ` 00:00:00`, ` 12:00 PM`): spreadsheets add one. */
const TIME_SUFFIX = String.raw`(?:[T\s]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:\s*[AaPp][Mm])?(?:\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?)?`;
const ISO_DATE = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})${TIME_SUFFIX}$`);
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const LAYOUT_TOKEN = /YYYY|MM|DD|[^A-Za-z0-9]+|[A-Za-z0-9]+/g;
/** Separators a layout's separator stands for: `DD/MM/YYYY` also reads `17-05-1990` and `17.05.1990`. */
const SEPARATORS = String.raw`[\s./\\,_-]+`;

const ALPHANUMERIC_START = /^[A-Z0-9]/;

function isToken(part: string | undefined): boolean {
  return part !== undefined && ALPHANUMERIC_START.test(part);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The date when it exists on the calendar, else `null`: February 30 or month 13 is invalid, never guessed. */
function calendarDate(year: number, month: number, day: number): CalendarDate | null {
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  const last = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= last ? { year, month, day } : null;
}

/**
 * Checks and compiles a layout of the tokens `DD`, `MM` and `YYYY`, each once, with any separators
 * (`DD/MM/YYYY`, `MM-DD-YYYY`, `YYYY.MM.DD`, `DDMMYYYY`). Tokens may be written in lower case.
 * Throws an Error naming the spec when it is not such a layout.
 */
export function parseDateFormat(spec: string): DateLayout {
  const upper = spec.trim().toUpperCase();
  const parts = upper.match(LAYOUT_TOKEN) ?? [];
  const groups: Record<string, number> = {};
  let source = '^';
  let group = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === 'YYYY' || part === 'MM' || part === 'DD') {
      if (groups[part] !== undefined) throw new Error(`Invalid date format "${spec}": ${part} appears twice`);
      groups[part] = ++group;
      // Between separators, a day or month may have lost its leading zero (`1/2/1990`).
      const separated = !isToken(parts[i - 1]) && !isToken(parts[i + 1]);
      source += part === 'YYYY' ? String.raw`(\d{4})` : separated ? String.raw`(\d{1,2})` : String.raw`(\d{2})`;
    } else if (isToken(part)) {
      throw new Error(`Invalid date format "${spec}": unknown token "${part}" (use DD, MM and YYYY)`);
    } else {
      source += SEPARATORS;
    }
  }
  const { YYYY: year, MM: month, DD: day } = groups;
  if (year === undefined || month === undefined || day === undefined) {
    throw new Error(`Invalid date format "${spec}": it needs DD, MM and YYYY`);
  }
  return { spec, pattern: new RegExp(`${source}${TIME_SUFFIX}$`), year, month, day };
}

/** Layouts compiled once; a run uses one or two. */
const layouts = new Map<string, DateLayout>();

function layoutOf(format: string): DateLayout {
  let layout = layouts.get(format);
  if (layout === undefined) {
    layout = parseDateFormat(format);
    layouts.set(format, layout);
  }
  return layout;
}

/**
 * A calendar date from the layout given (tried first, so `YYYY/DD/MM` wins over ISO), ISO
 * `YYYY-MM-DD` (an ISO datetime gives its date) or `YYYYMMDD`; `null` when none matches or the
 * date does not exist. Throws only for a bad `format`, which a run checks once up front.
 */
export function parseDate(value: string, format?: string): CalendarDate | null {
  const s = clean(value);
  if (format !== undefined) {
    const layout = layoutOf(format);
    const m = layout.pattern.exec(s);
    if (m !== null) return calendarDate(Number(m[layout.year]), Number(m[layout.month]), Number(m[layout.day]));
  }
  const m = ISO_DATE.exec(s) ?? COMPACT_DATE.exec(s);
  return m === null ? null : calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

const ONE_OR_TWO_DIGITS = /^\d{1,2}$/;
const FOUR_DIGITS = /^\d{4}$/;
const AGE = /^(\d{1,3})(?:\.0+)?$/;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Meta DOBY `YYYY`, 1900..this year, from a birth date; a bare year passes, so the result normalizes to itself. */
export function birthYearMeta(value: string, ctx: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  const year = FOUR_DIGITS.test(s) ? Number(s) : parseDate(s, ctx.dateFormat)?.year;
  return year !== undefined && year >= 1900 && year <= ctx.today.year ? String(year) : null;
}

/** Meta DOBM `MM` (01..12) from a birth date; a bare month passes; a bare year has no month (`''`). */
export function birthMonthMeta(value: string, ctx: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s) || FOUR_DIGITS.test(s)) return '';
  if (ONE_OR_TWO_DIGITS.test(s)) {
    const month = Number(s);
    return month >= 1 && month <= 12 ? pad2(month) : null;
  }
  const date = parseDate(s, ctx.dateFormat);
  return date === null ? null : pad2(date.month);
}

/** Meta DOBD `DD` (01..31) from a birth date; a bare day passes; a bare year has no day (`''`). */
export function birthDayMeta(value: string, ctx: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s) || FOUR_DIGITS.test(s)) return '';
  if (ONE_OR_TWO_DIGITS.test(s)) {
    const day = Number(s);
    return day >= 1 && day <= 31 ? pad2(day) : null;
  }
  const date = parseDate(s, ctx.dateFormat);
  return date === null ? null : pad2(date.day);
}

/**
 * An `age` column: an integer 0..130 (`35`, `035`, `35.0`) as a plain integer string, else `null`.
 * Read before the placeholder check, so `0` is an age here, as the 0..130 range says.
 */
export function normalizeAge(value: string, _ctx?: NormalizeContext): string | null {
  const s = clean(value);
  const m = AGE.exec(s);
  if (m === null) return isPlaceholder(s) ? '' : null;
  const age = Number(m[1]);
  return age <= 130 ? String(age) : null;
}

/**
 * Whole years from a birth date to `ctx.today`, as a string; `null` for an invalid date, a date after
 * today, or an age over 130. A bare age passes through {@link normalizeAge}, so the result normalizes
 * to itself, except `0`: in a birth-date column that is a placeholder, so it reads as empty.
 */
export function ageFromBirthDate(value: string, ctx: NormalizeContext): string | null {
  const s = clean(value);
  if (isPlaceholder(s)) return '';
  if (AGE.test(s)) return normalizeAge(s);
  const date = parseDate(s, ctx.dateFormat);
  if (date === null) return null;
  const { today } = ctx;
  const birthdayPassed = today.month > date.month || (today.month === date.month && today.day >= date.day);
  const age = today.year - date.year - (birthdayPassed ? 0 : 1);
  return age >= 0 && age <= 130 ? String(age) : null;
}
