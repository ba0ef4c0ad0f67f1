import { Transform, type TransformCallback } from 'node:stream';
import type { DestinationPreset } from '../src/destinations/types.js';
import { hashPattern, type HashAlgorithm, type HashEncoding, type HashSignature } from '../src/hash.js';
import type { Row, RowChunk } from '../src/model/row.js';
import { RunStats, type FieldCounts } from '../src/model/stats.js';

export interface ValidateOptions {
  preset: DestinationPreset;
  algorithm?: HashAlgorithm;
  encoding?: HashEncoding;
  /** Run counters; rejects are reported through `stats.reject()`. */
  stats?: RunStats;
  /** File name written into rejects when a run reads several inputs. */
  file?: string;
  /**
   * The canonical fields rows can have, when every row has the same (see NormalizeOptions.fields):
   * keys made from none of them are known empty, counted per chunk rather than looked at per row.
   */
  fields?: readonly string[];
}

interface CompiledKey {
  key: string;
  pattern: RegExp | undefined;
  /** Hashed with the run's algorithm: a row whose hash stage covered it needs no pattern check. */
  hashed: boolean;
  required: boolean;
  counts: FieldCounts;
}

/** The per-row work of the validate stage: patterns, counts, required keys, the keep rule. */
export class RowValidator {
  private readonly keys: readonly CompiledKey[];
  /** Keys a row may hold a value for: all unless `fields` rules some out (a required key always stays). */
  private readonly checked: readonly CompiledKey[];
  /** The others: empty in every row. */
  private readonly absent: readonly CompiledKey[];
  private readonly preset: DestinationPreset;
  private stats: RunStats;
  /** Per key in `checked`, its counters: the array the generated check reads (see `countInto`). */
  private readonly checkedCounts: FieldCounts[];
  private readonly file: string | undefined;
  private readonly algorithm: HashAlgorithm;
  private readonly encoding: HashEncoding;
  /** The last hash signature found to cover every hashed key (one per run in practice). */
  private trusted: HashSignature | undefined;

  constructor(options: ValidateOptions) {
    this.preset = options.preset;
    this.algorithm = options.algorithm ?? 'sha256';
    this.encoding = options.encoding ?? 'hex';
    this.stats = options.stats ?? new RunStats();
    this.file = options.file;
    const hashed = hashPattern(this.algorithm, this.encoding);
    this.keys = options.preset.keys.map((spec) => ({
      key: spec.key,
      pattern: spec.hashed ? hashed : spec.pattern,
      hashed: spec.hashed,
      required: spec.required === true,
      counts: this.stats.field(spec.key),
    }));
    const fields = options.fields === undefined ? undefined : new Set(options.fields);
    const canHold = (k: number) => {
      const spec = options.preset.keys[k]!;
      return fields === undefined || fields.has(spec.field) || spec.derive !== undefined || spec.required === true;
    };
    this.checked = this.keys.filter((_, k) => canHold(k));
    this.absent = this.keys.filter((_, k) => !canHold(k));
    this.checkedCounts = this.checked.map((spec) => spec.counts);
    this.check = this.compileCheck();
  }

  /**
   * Counts and reports into `stats` from now on, as if built with it: a worker thread validates
   * each block into the block's own counters, with one validator (and one compiled check) per run.
   */
  countInto(stats: RunStats): void {
    this.stats = stats;
    for (const spec of this.keys) spec.counts = stats.field(spec.key);
    for (let k = 0; k < this.checked.length; k++) this.checkedCounts[k] = this.checked[k]!.counts;
  }

  /** The rows of a chunk that are kept, in order; the others are reported, as by `validate`. */
  validateChunk(rows: readonly Row[]): Row[] {
    const kept: Row[] = [];
    let checked = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (row.rejected === undefined) checked++;
      if (this.check(row)) kept.push(row);
    }
    for (let k = 0; k < this.absent.length; k++) this.absent[k]!.counts.empty += checked;
    return kept;
  }

  /** Whether a hash stage with this signature made digests that need no re-check here. */
  private covers(signature: HashSignature | undefined): boolean {
    if (signature === undefined) return false;
    if (signature === this.trusted) return true;
    if (signature.algorithm !== this.algorithm || signature.encoding !== this.encoding) return false;
    for (const spec of this.keys) if (spec.hashed && !signature.keys.has(spec.key)) return false;
    this.trusted = signature;
    return true;
  }

  /** True when the row is kept; a rejected row is reported and should be dropped. */
  validate(row: Row): boolean {
    const kept = this.check(row);
    if (row.rejected === undefined) for (let k = 0; k < this.absent.length; k++) this.absent[k]!.counts.empty++;
    return kept;
  }

  /**
   * validate() for the keys in `checked`, as a function made for them with `new Function`: each
   * key's read, counters and pattern are then constants, and its accesses monomorphic (a loop over
   * keys went megamorphic). Keys are quoted as JSON; what each key needs is decided here, once.
   */
  private readonly check: (row: Row) => boolean;

  private compileCheck(): (row: Row) => boolean {
    // An invalid value becomes undefined (empty), not deleted, which would turn the object into a
    // slow dictionary.
    const steps = this.checked.map((spec, k) => {
      const key = JSON.stringify(spec.key);
      // A digest the hash stage made (a covering signature) needs no pattern check.
      const test = spec.pattern === undefined ? 'false' : `${spec.hashed ? '!trusted && ' : ''}!patterns[${k}].test(value)`;
      return `value = values[${key}];
      if (value === undefined) {
        counts[${k}].empty++;
        ${spec.required ? 'missingRequired = true;' : ''}
      } else {
        if (prehashed !== undefined && prehashed[${key}] !== undefined) counts[${k}].arrived_hashed++;
        if (value === null || (${test})) {
          counts[${k}].invalid++;
          values[${key}] = undefined;
          (invalid ??= []).push(${key});
          ${spec.required ? 'invalidRequired = true;' : ''}
        } else counts[${k}].valid++;
      }`;
    });
    const body = `return function check(row) {
      if (row.rejected !== undefined) return rejected(row);
      const values = (row.values ??= {});
      const prehashed = row.prehashed;
      const trusted = covers(row.hashedBy);
      let invalid;
      let missingRequired = false;
      let invalidRequired = false;
      let value;
      ${steps.join('\n')}
      return verdict(row, values, invalid, missingRequired, invalidRequired);
    };`;
    return new Function('counts', 'patterns', 'covers', 'rejected', 'verdict', body)(
      this.checkedCounts,
      this.checked.map((spec) => spec.pattern),
      (signature: HashSignature | undefined) => this.covers(signature),
      (row: Row) => {
        this.stats.reject({ line: row.line, reason: row.rejected!, ...(this.file ? { file: this.file } : {}) });
        return false;
      },
      (row: Row, values: Record<string, string | null>, invalid: string[] | undefined, missingRequired: boolean, invalidRequired: boolean) =>
        this.verdict(row, values, invalid, missingRequired, invalidRequired),
    ) as (row: Row) => boolean;
  }

  /** The keep rule, once a row's keys are checked: true when kept, else the row is reported. */
  private verdict(row: Row, values: Record<string, string | null>, invalid: string[] | undefined, missingRequired: boolean, invalidRequired: boolean): boolean {
    const reason = missingRequired ? 'missing_required_key' : invalidRequired ? 'invalid_required_key' : this.preset.keep(values);
    if (reason === null) return true;
    this.stats.reject({ line: row.line, reason, ...(invalid ? { invalid } : {}), ...(this.file ? { file: this.file } : {}) });
    return false;
  }
}

/** Stage: drops invalid keys (counted), rejects rows the destination cannot use, passes the rest. */
export function validate(options: ValidateOptions): Transform {
  const validator = new RowValidator(options);
  return new Transform({
    objectMode: true,
    // Chunks are arrays of thousands of rows: a couple in flight per stage keeps memory flat.
    highWaterMark: 2,
    transform(chunk: RowChunk, _encoding: BufferEncoding, callback: TransformCallback) {
      if (!Array.isArray(chunk)) {
        callback(null, validator.validate(chunk) ? chunk : undefined);
        return;
      }
      const kept = validator.validateChunk(chunk);
      if (kept.length) this.push(kept);
      callback();
    },
  });
}
