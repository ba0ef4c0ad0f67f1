/** What a normalizer may know about the row and the run besides the value itself. */
export interface NormalizeContext {
  /** ISO 3166-1 alpha-2, upper case: the row's own country if it has a valid one, else the run's default. */
  country: string | undefined;
  /** `--date-format`, e.g. `DD/MM/YYYY`; ISO `YYYY-MM-DD` and `YYYYMMDD` are always accepted. */
  dateFormat: string | undefined;
  /** `lenient` keeps numbers libphonenumber deems invalid when their digits are plausible E.164; `strict` drops them. */
  phoneMode: 'lenient' | 'strict';
  /** The run's date (UTC), for year bounds and ages. Comes from the run's `now()`, never read per row. */
  today: { year: number; month: number; day: number };
}

/**
 * A normalizer takes a raw input value and returns the destination's form of it:
 * a non-empty string when valid, `''` when the value counts as empty (blank, placeholder, a gender
 * it cannot tell), `null` when it is present but invalid. Normalizers apply NFC and trim
 * themselves, so they can be used row by row on raw input, and they are idempotent.
 */
export type Normalizer = (value: string, ctx: NormalizeContext) => string | null;

export function makeContext(options: Partial<NormalizeContext> & { now?: Date } = {}): NormalizeContext {
  const now = options.now ?? new Date();
  return {
    country: options.country,
    dateFormat: options.dateFormat,
    phoneMode: options.phoneMode ?? 'lenient',
    today: options.today ?? { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() },
  };
}
