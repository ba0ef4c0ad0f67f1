import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CsvEngine, type CsvDelimiter } from '../../transforms/parse-csv.js';
import { ColumnMapper } from '../../transforms/map.js';
import type { RecordBlock } from '../../transforms/split-records.js';
import { packedBuffer } from '../destinations/encoded.js';
import type { DestinationPreset, EncodedRows, ResolvedRunOptions } from '../destinations/types.js';
import type { Row } from '../model/row.js';
import type { RunStats } from '../model/stats.js';
import type { BlockJob, BlockResult, BlocksResult, BlockSetup } from './block-job.js';
import { deserializeError, WorkerPool } from './pool.js';

/**
 * Worker threads a run uses by default: one per core (at most 8). The main thread only cuts the
 * input into blocks and appends what the workers encoded, so on 2 cores two workers and the main
 * thread share them well; runs of small inputs stay on the main thread (see `runDestination`).
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * The compiled worker module: the build's one-file bundle of `worker.ts` (see scripts/build.mjs).
 * Tests run the TypeScript sources, whose workers still need JavaScript, so this looks for the
 * build below the package root; undefined when there is none (the run then stays on one thread).
 */
export function workerModule(): URL | undefined {
  let here: string;
  try {
    here = dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined; // the CommonJS bundle: no import.meta
  }
  for (let dir = here, up = 0; up < 6; dir = dirname(dir), up++) {
    if (existsSync(join(dir, 'package.json'))) {
      const file = join(dir, 'dist', 'src', 'pipeline', 'worker.bundle.js');
      return existsSync(file) ? pathToFileURL(file) : undefined;
    }
  }
  return undefined;
}

export interface ParallelCsvOptions {
  preset: DestinationPreset;
  options: ResolvedRunOptions;
  stats: RunStats;
  file: string;
  map: Readonly<Record<string, string>> | undefined;
  threads: number;
  worker: URL;
  /** CSV (detected delimiter) or TSV. */
  delimiter?: CsvDelimiter;
  /** Called with the header's columns before any row is read; may throw to stop the run. */
  onHeader: (columns: readonly string[]) => void;
  /** Workers write kept rows with the preset's encoder (not when a later stage needs rows). */
  encode: boolean;
  /**
   * Messages in flight per thread (default 2, of BLOCKS_PER_MESSAGE blocks each): enough to keep
   * every thread busy while the main thread writes (with 2 blocks of one message each, workers of
   * a Meta run were idle 4-10% of the time), few enough to keep memory flat.
   */
  inFlightPerThread?: number;
}

/**
 * Blocks a worker gets in one message, and answers in one. Blocks stay small (see
 * PARALLEL_BLOCK_BYTES), but each message costs both threads: one per block, a 5M-row Meta run
 * took ~6% more CPU time than with four.
 */
const BLOCKS_PER_MESSAGE = 4;

/**
 * Stage: record blocks (from `splitRecords`) → arrays of validated Rows, in input order. The header
 * block is parsed here; every other block is parsed, mapped, normalized, hashed and validated on
 * a worker thread (`block-job.ts`), and the results are queued and emitted from the head, so
 * order never depends on which thread finished first.
 */
export function parallelCsv(o: ParallelCsvOptions): Transform {
  const keys = o.preset.keys.map((k) => k.key);
  const encode = o.encode && o.preset.encoder !== undefined;
  let extras: readonly string[] = [];
  const queue: Promise<BlocksResult>[] = [];
  const maxInFlight = o.threads * (o.inFlightPerThread ?? 2);
  let pool: WorkerPool<BlockJob[], BlocksResult> | undefined;
  /** Blocks waiting to fill a message, and the buffers it transfers. */
  let waiting: BlockJob[] = [];
  let transfers: ArrayBuffer[] = [];
  let template: Record<string, string> = {};

  const start = (block: RecordBlock) => {
    let columns: readonly string[] = [];
    let delimiter: CsvDelimiter = o.delimiter ?? ',';
    const engine = new CsvEngine({ file: o.file, delimiter: o.delimiter, onHeader: (c, d) => ((columns = c), (delimiter = d)) });
    engine.push(block.bytes.toString('utf8'), []);
    engine.end([]);
    o.onHeader(columns);
    template = Object.fromEntries(new ColumnMapper({ map: o.map }).planColumns(columns).map(([field]) => [field, '']));
    extras = (o.preset.rowFields ?? []).filter((f) => f in template);
    const setup: BlockSetup = {
      destination: o.preset.name,
      file: o.file,
      columns,
      delimiter,
      map: o.map,
      extras,
      encode,
      options: {
        hash: o.options.hash,
        encoding: o.options.encoding,
        defaultCountry: o.options.defaultCountry,
        dateFormat: o.options.dateFormat,
        phoneMode: o.options.phoneMode,
        ldu: o.options.ldu,
        today: o.options.now().toISOString(),
      },
    };
    pool = new WorkerPool<BlockJob[], BlocksResult>(o.worker, setup, o.threads);
  };

  /** A block's result → what the sink takes (encoded rows, or Rows); its counts and rejects into the run's stats. */
  const rowsOf = (result: BlockResult): Row[] | EncodedRows | undefined => {
    const { stats } = o;
    stats.rowsIn += result.rowsIn;
    for (const key in result.fields) {
      const into = stats.field(key);
      const from = result.fields[key]!;
      into.valid += from.valid;
      into.invalid += from.invalid;
      into.empty += from.empty;
      into.arrived_hashed += from.arrived_hashed;
    }
    for (const entry of result.rejects) stats.reject(entry);
    if (encode) {
      const encoded = result.encoded;
      const buffer = encoded === undefined ? undefined : packedBuffer(encoded);
      if (encoded !== undefined && buffer !== undefined) {
        let released = false;
        encoded.release = () => {
          if (released) return;
          released = true;
          pool?.recycle(buffer);
        };
      }
      return encoded;
    }
    const K = keys.length;
    const E = extras.length;
    const rows: Row[] = new Array(result.lines.length);
    for (let r = 0; r < rows.length; r++) {
      const values: Record<string, string | null> = {};
      for (let k = 0; k < K; k++) {
        const v = result.values[r * K + k]!;
        if (v !== '') values[keys[k]!] = v;
      }
      let fields = template;
      if (E) {
        fields = { ...template };
        for (let e = 0; e < E; e++) fields[extras[e]!] = result.extras[r * E + e]!;
      }
      rows[r] = { line: result.lines[r]!, fields, values };
    }
    return rows;
  };

  const emitHead = async (stream: Transform) => {
    const { results, error } = await queue.shift()!;
    for (const result of results) {
      const rows = rowsOf(result);
      if (rows !== undefined && (!Array.isArray(rows) || rows.length)) stream.push(rows);
    }
    if (error !== undefined) throw deserializeError(error);
  };

  /** Sends the waiting blocks to a worker as one message. */
  const dispatch = () => {
    if (waiting.length === 0) return;
    const result = pool!.run(waiting, transfers);
    result.catch(() => undefined); // surfaced when it reaches the head of the queue
    queue.push(result);
    waiting = [];
    transfers = [];
  };

  return new Transform({
    objectMode: true,
    highWaterMark: 2,
    transform(block: RecordBlock, _encoding: BufferEncoding, callback: TransformCallback) {
      (async () => {
        if (block.header) {
          start(block);
          return;
        }
        if (!pool) throw new Error('a record block arrived before the header');
        waiting.push({ bytes: block.bytes, startLine: block.startLine, startByte: block.startByte });
        transfers.push(block.bytes.buffer as ArrayBuffer);
        if (waiting.length < BLOCKS_PER_MESSAGE) return;
        dispatch();
        while (queue.length >= maxInFlight) await emitHead(this);
      })().then(() => callback(), (err: Error) => callback(err));
    },
    flush(callback: TransformCallback) {
      (async () => {
        if (pool) dispatch();
        while (queue.length) await emitHead(this);
      })().then(
        () => callback(),
        (err: Error) => callback(err),
      );
    },
    destroy(err, callback) {
      const closing = pool?.close();
      pool = undefined;
      (closing ?? Promise.resolve()).then(() => callback(err), () => callback(err));
    },
  });
}
