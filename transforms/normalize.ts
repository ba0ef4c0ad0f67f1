import { Transform, type TransformCallback } from 'node:stream';
import type { DestinationPreset, KeySpec } from '../src/destinations/types.js';
import { AudienceEtlError } from '../src/errors.js';
import { detectHashed, shortestDigest, type HashAlgorithm } from '../src/hash.js';
import type { Row, RowChunk } from '../src/model/row.js';
import { AdaptiveMemo, MemoGauge } from '../src/memo.js';
import { countryAlpha2 } from '../src/normalize/country.js';
import { detach } from '../src/normalize/text.js';
import type { NormalizeContext } from '../src/normalize/types.js';

export interface NormalizeOptions {
  preset: DestinationPreset;
  /** The algorithm hashed keys use, so values that already are such a hash pass through. */
  hash?: HashAlgorithm;
  /** ISO alpha-2 country for rows without a valid `country` of their own. */
  defaultCountry?: string;
  dateFormat?: string;
  phoneMode?: 'lenient' | 'strict';
  /** The run's clock; read once, when the stage is built. */
  now?: () => Date;
  /**
   * The canonical fields rows can have, when every row has the same (a CSV's mapped columns): keys
   * made from none of them (and not derived) are known empty, skipped for the run instead of
   * looked up per row.
   */
  fields?: readonly string[];
}

/** Fills one key of every row of a chunk that has memos (the rows not rejected). */
type ChunkFiller = (rows: readonly Row[], countries: readonly (string | undefined)[], rowMemos: readonly ((AdaptiveMemo<string | null> | undefined)[] | undefined)[]) => void;

/** The per-row work of the normalize stage, decided once per run. */
export class RowNormalizer {
  private readonly keys: readonly KeySpec[];
  private readonly algorithm: HashAlgorithm;
  private readonly defaultCountry: string | undefined;
  private readonly ctx: NormalizeContext;
  private readonly countries = new Map<string, string | undefined>();
  private readonly shape: Readonly<Record<string, string | null>>;
  /**
   * Per row country (the one part of the context that changes from row to row), a memo per key:
   * normalizers are pure functions of the value and the context, and most columns repeat.
   */
  private readonly memos = new Map<string | undefined, (AdaptiveMemo<string | null> | undefined)[]>();
  /** Per key, what its memos (one per country) learn together: whether its values repeat. */
  private readonly gauges: readonly MemoGauge[];

  /** Indexes in `keys` of the keys rows can have (all, unless `fields` rules some out). */
  private readonly filled: readonly number[];
  /** Per index in `filled`, that key's loop over a chunk (see `chunkFiller`). */
  private readonly fillers: readonly ChunkFiller[];

  constructor(options: NormalizeOptions) {
    this.keys = options.preset.keys;
    this.gauges = this.keys.map(() => new MemoGauge());
    const fields = options.fields === undefined ? undefined : new Set(options.fields);
    // A derived key can come from the context alone (Google's regionCode from --default-country).
    this.filled = this.keys.flatMap((spec, k) => (fields === undefined || fields.has(spec.field) || spec.derive !== undefined ? [k] : []));
    this.shape = Object.fromEntries(this.keys.map((spec) => [spec.key, undefined])) as unknown as Record<string, string | null>;
    this.algorithm = options.hash ?? options.preset.hashAlgorithms[0]!;
    if (!options.preset.hashAlgorithms.includes(this.algorithm)) {
      throw new AudienceEtlError('BAD_OPTION', `--hash ${this.algorithm}: ${options.preset.name} accepts ${options.preset.hashAlgorithms.join(', ')}`);
    }
    if (options.defaultCountry !== undefined) {
      const cc = countryAlpha2(options.defaultCountry);
      if (!cc) throw new AudienceEtlError('BAD_OPTION', `--default-country ${options.defaultCountry}: not an ISO 3166-1 country`);
      this.defaultCountry = cc;
    }
    const now = (options.now ?? (() => new Date()))();
    this.ctx = {
      country: this.defaultCountry,
      dateFormat: options.dateFormat,
      phoneMode: options.phoneMode ?? 'lenient',
      today: { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() },
    };
    this.fillers = this.filled.map((k) => this.chunkFiller(k));
  }

  /**
   * fill() for one key over a chunk. For a key made from one field, a function made for that key
   * with `new Function`: its field and key are constant names and its normalizer one function, so
   * V8 keeps each access and the call monomorphic (a shared loop sees every key's, and went
   * megamorphic: about 15% of the stage). Names are quoted as JSON.
   */
  private chunkFiller(k: number): ChunkFiller {
    const spec = this.keys[k]!;
    if (spec.derive !== undefined) {
      return (rows, countries, rowMemos) => {
        for (let r = 0; r < rows.length; r++) {
          if (rowMemos[r] === undefined) continue;
          this.ctx.country = countries[r];
          this.fill(rows[r]!, spec, undefined);
        }
      };
    }
    const key = JSON.stringify(spec.key);
    // Values shorter than any digest (names, countries, most phones) skip the trim and the check.
    const prehashed = spec.hashed
      ? `if (raw.length >= ${shortestDigest(this.algorithm)}) {
          const hex = detectHashed(raw.trim(), algorithm);
          if (hex !== undefined) {
            (row.prehashed ??= {})[${key}] = hex;
            row.values[${key}] = hex;
            continue;
          }
        }`
      : '';
    const body = `return function fill(rows, countries, rowMemos) {
      for (let r = 0; r < rows.length; r++) {
        const memos = rowMemos[r];
        if (memos === undefined) continue;
        const row = rows[r];
        const raw = row.fields[${JSON.stringify(spec.field)}];
        if (raw === undefined || raw === '') continue;
        ${prehashed}
        const memo = memos[${k}];
        let value = memo.get(raw);
        if (value === undefined) {
          ctx.country = countries[r];
          value = normalize(raw, ctx);
          memo.set(raw, value);
        }
        if (value !== '') row.values[${key}] = value;
      }
    };`;
    return new Function('normalize', 'detectHashed', 'algorithm', 'ctx', body)(spec.normalize, detectHashed, this.algorithm, this.ctx) as ChunkFiller;
  }

  private rowCountry(raw: string | undefined): string | undefined {
    if (raw === undefined || raw === '') return this.defaultCountry;
    let cc = this.countries.get(raw);
    if (cc === undefined && !this.countries.has(raw)) {
      cc = countryAlpha2(raw) ?? undefined;
      if (this.countries.size > 10_000) this.countries.clear();
      this.countries.set(detach(raw), cc);
    }
    return cc ?? this.defaultCountry;
  }

  private memosFor(country: string | undefined): (AdaptiveMemo<string | null> | undefined)[] {
    let memos = this.memos.get(country);
    if (memos === undefined) {
      // Keys made from several fields (`derive`) depend on more than their value: never memoized.
      memos = this.keys.map((spec, k) => (spec.derive === undefined ? new AdaptiveMemo<string | null>(undefined, this.gauges[k]) : undefined));
      this.memos.set(country, memos);
    }
    return memos;
  }

  /**
   * {@link normalize} for every row of a chunk, key by key: each key's loop reads one field and
   * calls one normalizer and one memo, so its property reads and calls stay monomorphic (about 10%
   * of the stage against row by row).
   */
  normalizeChunk(rows: readonly Row[]): void {
    const countries: (string | undefined)[] = new Array(rows.length);
    const rowMemos: (AdaptiveMemo<string | null> | undefined)[][] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (row.rejected !== undefined) continue;
      const country = this.rowCountry(row.fields.country);
      countries[r] = country;
      rowMemos[r] = this.memosFor(country);
      // Every row's values share one shape (all keys, in order; undefined is empty), so reads and
      // writes by key stay on V8's fast path instead of going megamorphic over per-row shapes.
      row.values = { ...this.shape };
    }
    for (let f = 0; f < this.fillers.length; f++) this.fillers[f]!(rows, countries, rowMemos);
  }

  /** Fills `row.values` (and `row.prehashed`) from `row.fields`. */
  normalize(row: Row): void {
    if (row.rejected !== undefined) return;
    const ctx = this.ctx;
    ctx.country = this.rowCountry(row.fields.country);
    const memos = this.memosFor(ctx.country);
    row.values = { ...this.shape };
    for (let f = 0; f < this.filled.length; f++) {
      const k = this.filled[f]!;
      this.fill(row, this.keys[k]!, memos[k]);
    }
  }

  /** Sets one key of `row.values` (still all undefined) in the context of the row's country. */
  private fill(row: Row, spec: KeySpec, memo: AdaptiveMemo<string | null> | undefined): void {
    const values = row.values!;
    let value: string | null;
    if (spec.derive !== undefined) {
      value = spec.derive(row.fields, this.ctx);
    } else {
      const raw = row.fields[spec.field];
      if (raw === undefined || raw === '') return;
      if (spec.hashed) {
        const hex = detectHashed(raw.trim(), this.algorithm);
        if (hex !== undefined) {
          (row.prehashed ??= {})[spec.key] = hex;
          values[spec.key] = hex;
          return;
        }
      }
      const known = memo!.get(raw);
      if (known !== undefined) {
        value = known;
      } else {
        value = spec.normalize(raw, this.ctx);
        memo!.set(raw, value);
      }
    }
    if (value !== '') values[spec.key] = value;
  }
}

/** Stage: canonical fields → the destination's keys, normalized (`''` dropped, invalid as null). */
export function normalize(options: NormalizeOptions): Transform {
  const normalizer = new RowNormalizer(options);
  return new Transform({
    objectMode: true,
    // Chunks are arrays of thousands of rows: a couple in flight per stage keeps memory flat.
    highWaterMark: 2,
    transform(chunk: RowChunk, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        if (Array.isArray(chunk)) normalizer.normalizeChunk(chunk);
        else normalizer.normalize(chunk);
      } catch (err) {
        callback(err as Error);
        return;
      }
      callback(null, chunk);
    },
  });
}
