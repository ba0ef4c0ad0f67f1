import type { Writable } from 'node:stream';
import type { HashAlgorithm, HashEncoding } from '../hash.js';
import type { CanonicalField } from '../model/fields.js';
import type { RejectReason } from '../model/reasons.js';
import type { Row } from '../model/row.js';
import type { RunStats } from '../model/stats.js';
import type { NormalizeContext, Normalizer } from '../normalize/types.js';

export const DESTINATION_NAMES = ['meta', 'google', 'datax', 'liveintent', 'newtail'] as const;
export type DestinationName = (typeof DESTINATION_NAMES)[number];

/** One key a destination receives, and how it is made from the input. */
export interface KeySpec {
  /** The key's name in the destination's own words (`EMAIL`, `SHA256EMAIL`, `EMAIL_HASHED`…). */
  key: string;
  /** The canonical field it is made from. */
  field: CanonicalField;
  /** Raw value → destination form (`''` empty, `null` invalid). */
  normalize: Normalizer;
  /**
   * For keys made from several fields (an age from `age` or else `birth_date`): used instead of
   * `normalize` and given every canonical field of the row.
   */
  derive?: (fields: Readonly<Record<string, string>>, ctx: NormalizeContext) => string | null;
  /** Other fields `derive` reads, so the key counts as provided when any of them is present. */
  alsoFrom?: readonly CanonicalField[];
  /** Hashed with the run's algorithm and encoding; values that arrive hashed pass through. */
  hashed: boolean;
  /** The final value (after hashing, for hashed keys) must match this, or it is invalid. */
  pattern?: RegExp;
  /** A row whose value of this key is empty or invalid is rejected. */
  required?: boolean;
}

/** What a sink is given when a run builds it. */
export interface SinkContext {
  /** The run's output directory; each destination writes below `<outDir>/<name>/`. */
  outDir: string;
  preset: DestinationPreset;
  options: ResolvedRunOptions;
  stats: RunStats;
}

/** Run options after parsing and checking, with every default filled in. */
export interface ResolvedRunOptions {
  hash: HashAlgorithm;
  encoding: HashEncoding;
  defaultCountry: string | undefined;
  dateFormat: string | undefined;
  phoneMode: 'lenient' | 'strict';
  batchSize: number;
  rowsPerFile: number;
  now: () => Date;
  random: () => number;
  /** meta */
  sessionId: bigint | undefined;
  ldu: { enabled: boolean; country?: number; state?: number };
  operation: 'add' | 'remove' | 'replace';
  /** liveintent */
  partnerId: string | undefined;
  subId: string | undefined;
  segments: { id: string; name: string; action: 'add' | 'remove' }[];
  digest: 'md5' | 'sha1';
  compression: 'none' | 'gzip' | 'zip';
  /** newtail */
  prefix: string | undefined;
  delta: boolean;
}

/** Files a sink wrote, relative to the run's `outDir`, for the summary and for uploads. */
export interface SinkResult {
  files: string[];
}

/** A sink: an object-mode Writable of validated rows (Row or Row[]), owning its files' lifecycle. */
export type DestinationSink = Writable & { result(): SinkResult };

/**
 * Rows already written in their sink's own format, as a run of items (a Meta row, a Google member,
 * a DataX or LiveIntent line) concatenated into one string. Made by the destination's `encoder`
 * where the rows were made (on a worker thread), so that the sink's thread only appends text; one
 * string and one offset array cross threads far more cheaply than thousands of row objects.
 */
export interface EncodedRows {
  /** The destination whose encoder made them; its sink refuses any other's. */
  encoded: DestinationName;
  /** Input rows they hold, for rows_out. */
  rows: number;
  text: string;
  /**
   * The items as UTF-8, set instead of `text` (then '') when they crossed threads (see
   * `packEncoded`); `ends` then count bytes. Read either with `encodedRange`.
   */
  bytes?: Uint8Array;
  /**
   * Set by the thread that received `bytes` from a worker: a sink that is done with them (every
   * write of them completed) calls it once, and their buffer goes back to be filled again. Optional
   * to call: bytes never released are collected as usual.
   */
  release?: () => void;
  /** End offset in `text` (or `bytes`) of each item; item i is `text.slice(ends[i - 1] ?? 0, ends[i])`. */
  ends: Uint32Array;
  /** Per item, which of the sink's files or parts it belongs to (DataX's schemas), when it has several. */
  parts?: Uint8Array;
  /** Canonical fields the rows came from, when the format depends on them (Meta's schema). */
  fields?: readonly string[];
  /** For a columnar format (Newtail's Parquet), the rows column by column; `text` is then '' and `ends` empty. */
  columns?: EncodedColumn[];
}

/** One column of a block of rows, encoded: PLAIN values of its non-null cells, and per row its level and byte end. */
export interface EncodedColumn {
  values: Uint8Array;
  /** Per row, where its bytes end in `values` (they start where the previous row's end). */
  ends: Uint32Array;
  /** Per row, 1 when the cell holds a value, 0 when it is null. */
  levels: Uint8Array;
}

/** What an encoder knows: the destination, the run's options, the fields the input provides. */
export interface EncoderContext {
  preset: DestinationPreset;
  options: Pick<ResolvedRunOptions, 'ldu' | 'encoding'>;
  /** Canonical fields of the rows (every row of a CSV input has the same). */
  fields: readonly string[];
  /** Reports a row the encoder cannot write (counted as rejected, never lost). */
  reject(row: Row, reason: RejectReason): void;
}

/** Validated rows → their encoded form, or undefined when the chunk kept no row. */
export type RowEncoder = (rows: readonly Row[]) => EncodedRows | undefined;

/** Whether a chunk that reached a sink is pre-encoded rather than Row objects. */
export function isEncoded(chunk: unknown): chunk is EncodedRows {
  return typeof chunk === 'object' && chunk !== null && !Array.isArray(chunk) && typeof (chunk as EncodedRows).encoded === 'string';
}

/** A destination, as data. */
export interface DestinationPreset {
  name: DestinationName;
  title: string;
  keys: readonly KeySpec[];
  /** Algorithms the destination accepts; the first is the default. */
  hashAlgorithms: readonly HashAlgorithm[];
  /** Encodings the destination accepts; the first is the default. */
  encodings: readonly HashEncoding[];
  /** Rows per request or batch, by default and at most. */
  batchSize: { default: number; max: number };
  /** Rows per output file (newtail), when the destination rolls files. */
  rowsPerFile?: { default: number };
  /**
   * Whether a row, after validation, still has what the destination matches on: `null` keeps it,
   * a reason rejects it. `values` holds only the valid keys.
   */
  keep(values: Readonly<Record<string, string | null>>): RejectReason | null;
  /**
   * Checked once against the canonical fields the input provides (the CSV header, the first
   * record): a message naming what is missing when no row could ever be kept.
   */
  missingColumns(provided: ReadonlySet<CanonicalField>): string | null;
  /** Canonical fields the sink reads from `row.fields` (besides `values`), e.g. Meta's LDU columns. */
  rowFields?: readonly CanonicalField[];
  sink(context: SinkContext): DestinationSink;
  /**
   * The sink's format as a pure function of validated rows, for runs whose rows are made on
   * worker threads: the sink then accepts `EncodedRows` as well as rows, with identical output.
   */
  encoder?(context: EncoderContext): RowEncoder;
}
