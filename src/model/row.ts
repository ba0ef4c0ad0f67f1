import type { HashSignature } from '../hash.js';
import type { RejectReason } from './reasons.js';

/**
 * The envelope every stage passes on. Stages accept one Row or an array of Rows per chunk, and
 * emit the same shape they received: arrays keep the per-chunk overhead low on the hot path.
 */
export interface Row {
  /** Physical line where the record starts in its input (a CSV header is line 1). */
  line: number;
  /** Raw columns as parsed; canonical fields after the map stage. Values are always strings. */
  fields: Record<string, string>;
  /**
   * Per destination key, after the normalize stage: a string is the normalized value (hashed
   * after the hash stage), `null` is a value that failed normalization or validation. A key that
   * is absent or undefined is empty (the normalize stage gives every row all of its preset's keys,
   * so that all rows share one object shape).
   */
  values?: Record<string, string | null>;
  /** Keys whose value arrived already hashed, with the hash as lowercase hex. */
  prehashed?: Record<string, string>;
  /** Set by the hash stage: the keys it turned into digests, and how (see `HashSignature`). */
  hashedBy?: HashSignature;
  /**
   * Set by a parser on a record it cannot use (wrong field count, not an object). The row travels
   * on with empty fields so the validate stage reports it in input order; later stages skip it.
   */
  rejected?: RejectReason;
}

/** What moves between stages: one row, or a chunk of rows in input order. */
export type RowChunk = Row | Row[];

/** Calls `fn` for each row of a chunk, whatever its shape. */
export function forEachRow(chunk: RowChunk, fn: (row: Row) => void): void {
  if (Array.isArray(chunk)) {
    for (let i = 0; i < chunk.length; i++) fn(chunk[i]!);
  } else {
    fn(chunk);
  }
}
