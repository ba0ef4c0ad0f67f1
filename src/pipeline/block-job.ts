import { CsvEngine, type CsvDelimiter } from '../../transforms/parse-csv.js';
import { ColumnMapper } from '../../transforms/map.js';
import { RowHasher } from '../../transforms/hash.js';
import { RowNormalizer } from '../../transforms/normalize.js';
import { RowValidator } from '../../transforms/validate.js';
import type { DestinationPreset, EncodedRows, ResolvedRunOptions, RowEncoder } from '../destinations/types.js';
import type { Row } from '../model/row.js';
import { RunStats, type FieldCounts, type RejectEntry } from '../model/stats.js';
import type { SerializedError } from './pool.js';

/** What every block of a run shares: decided once, sent to each worker at start. */
export interface BlockSetup {
  destination: string;
  file: string;
  columns: readonly string[];
  delimiter: CsvDelimiter;
  map: Readonly<Record<string, string>> | undefined;
  /** Canonical fields the sink reads from `row.fields` that this input provides. */
  extras: readonly string[];
  /** Write kept rows with the preset's encoder (false when a later stage needs rows: newtail --delta). */
  encode: boolean;
  options: Pick<ResolvedRunOptions, 'hash' | 'encoding' | 'defaultCountry' | 'dateFormat' | 'phoneMode' | 'ldu'> & { today: string };
}

export interface BlockJob {
  bytes: Uint8Array;
  startLine: number;
  startByte: number;
}

/**
 * What a worker answers for the blocks of one message: their results in order, and the error that
 * stopped it, if one did (the blocks before it still count, as they would one message each).
 */
export interface BlocksResult {
  results: BlockResult[];
  error?: SerializedError;
}

/**
 * The rows a block kept: written in the sink's format when the destination has an encoder (the
 * sink's thread then only appends text), else flattened so they cross threads as a few arrays.
 */
export interface BlockResult {
  rowsIn: number;
  fields: Record<string, FieldCounts>;
  rejects: RejectEntry[];
  /** The kept rows, encoded; set instead of lines, values and extras when the preset has an encoder. */
  encoded?: EncodedRows;
  /** Per kept row, its line. */
  lines: number[];
  /** Per kept row, per preset key in order: the final value, or '' when absent. */
  values: string[];
  /** Per kept row, per `preset.rowFields`: the canonical field's raw value, or ''. */
  extras: string[];
}

/**
 * The fused per-block pass of a CSV run — parse, map, normalize, hash, validate — calling the
 * same engines as the stream stages. Runs on a worker thread; pure apart from its counters.
 */
export class BlockProcessor {
  /** Cells → canonical fields, so a block's records are never built keyed by input column. */
  private readonly shape: (cells: readonly string[]) => Record<string, string>;
  private readonly normalizer: RowNormalizer;
  private readonly hasher: RowHasher;
  private readonly keys: readonly string[];
  private readonly extras: readonly string[];
  /** Kept rows → the sink's format, built once; undefined when the rows go back flattened. */
  private readonly encode: RowEncoder | undefined;
  /** The counters of the block being processed, where the encoder's rejects go. */
  private blockStats = new RunStats();
  /** Validates into `blockStats` (see `RowValidator.countInto`). */
  private readonly validator: RowValidator;

  constructor(
    preset: DestinationPreset,
    private readonly setup: BlockSetup,
  ) {
    const mapper = new ColumnMapper({ map: setup.map });
    this.shape = mapper.shaper(setup.columns);
    const fields = mapper.planColumns(setup.columns).map(([field]) => field);
    this.encode =
      setup.encode && preset.encoder !== undefined
        ? preset.encoder({
            preset,
            options: setup.options,
            fields,
            reject: (row, reason) => this.blockStats.reject({ line: row.line, reason }),
          })
        : undefined;
    const today = new Date(setup.options.today);
    this.normalizer = new RowNormalizer({
      preset,
      hash: setup.options.hash,
      defaultCountry: setup.options.defaultCountry,
      dateFormat: setup.options.dateFormat,
      phoneMode: setup.options.phoneMode,
      now: () => today,
      fields,
    });
    this.hasher = new RowHasher({ keys: preset, algorithm: setup.options.hash, encoding: setup.options.encoding });
    this.keys = preset.keys.map((k) => k.key);
    this.extras = setup.extras;
    this.validator = new RowValidator({ preset, algorithm: setup.options.hash, encoding: setup.options.encoding, stats: this.blockStats, fields });
  }

  process(job: BlockJob): BlockResult {
    const stats = (this.blockStats = new RunStats());
    const rejects: RejectEntry[] = [];
    stats.onReject((entry) => rejects.push(entry));
    const validator = this.validator;
    validator.countInto(stats);
    const engine = new CsvEngine({
      file: this.setup.file,
      stats,
      columns: this.setup.columns,
      delimiter: this.setup.delimiter,
      startLine: job.startLine,
      startByte: job.startByte,
      shape: this.shape,
    });
    const rows: Row[] = [];
    engine.push(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength).toString('utf8'), rows);
    engine.end(rows);
    this.normalizer.normalizeChunk(rows);
    this.hasher.hashChunk(rows);
    if (this.encode !== undefined) {
      const encoded = this.encode(validator.validateChunk(rows));
      return { rowsIn: stats.rowsIn, fields: stats.fields, rejects, encoded, lines: [], values: [], extras: [] };
    }
    const lines: number[] = [];
    const values: string[] = [];
    const extras: string[] = [];
    const keys = this.keys;
    const kept = validator.validateChunk(rows);
    for (let r = 0; r < kept.length; r++) {
      const row = kept[r]!;
      lines.push(row.line);
      const v = row.values!;
      for (let k = 0; k < keys.length; k++) values.push((v[keys[k]!] as string | undefined) ?? '');
      for (let e = 0; e < this.extras.length; e++) extras.push(row.fields[this.extras[e]!] ?? '');
    }
    return { rowsIn: stats.rowsIn, fields: stats.fields, rejects, lines, values, extras };
  }
}
