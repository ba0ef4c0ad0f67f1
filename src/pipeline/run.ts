import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AtomicFile, writeFileAtomic } from '../../sinks/atomic-file.js';
import { openInput } from '../../sources/input.js';
import { hash } from '../../transforms/hash.js';
import { ColumnMapper, mapColumns } from '../../transforms/map.js';
import { normalize } from '../../transforms/normalize.js';
import { validate } from '../../transforms/validate.js';
import { DESTINATIONS, getDestination } from '../destinations/index.js';
import { splitRecords } from '../../transforms/split-records.js';
import { delta, type DeltaStage } from '../../transforms/delta.js';
import { newtailStatePath } from '../../sinks/newtail.js';
import { defaultThreads, parallelCsv, workerModule } from './parallel.js';
import type { DestinationName, DestinationPreset, DestinationSink } from '../destinations/types.js';
import { AudienceEtlError, asAudienceEtlError } from '../errors.js';
import type { CanonicalField } from '../model/fields.js';
import { RunStats, type StatsReport } from '../model/stats.js';
import { checkFormat, detectFormat, parserFor, type InputFormat } from './format.js';
import { resolveRunOptions, type RunOptions } from './options.js';

/**
 * Bytes of input per worker job, at most (blocks end at the last record boundary within). A
 * block's rows stay alive while it is processed, and a worker's young generation is small
 * (pool.ts): with 256 KB blocks each scavenge copied most of a block. Strings over ~128 KB go to
 * large-object space, a new mapping each: a 64 KB block with one non-ASCII character decodes to a
 * 128 KB two-byte string, and its Meta rows to ~260 KB of text. On one thread, 1M Meta rows took
 * 4.91 us a row in 32 KB blocks against 5.13-5.39 in 64 KB ones (24 KB and 16 KB were slower).
 */
const PARALLEL_BLOCK_BYTES = 32 * 1024;

/** Inputs smaller than this run on the main thread: starting workers would cost more than it saves. */
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;

/** Workers look presets up by name, so only the registry's own objects can run on them. */
function isRegistered(preset: DestinationPreset): boolean {
  return (DESTINATIONS as Record<string, DestinationPreset | undefined>)[preset.name] === preset;
}

export interface RunProgress {
  rowsIn: number;
  rowsOut: number;
  rowsRejected: number;
  /** Bytes of the stored input read so far, and its size when known. */
  bytesRead: number;
  bytesTotal: number | undefined;
}

export interface RunDestinationOptions extends RunOptions {
  destination: DestinationName | DestinationPreset | string;
  /** A path, `-` for stdin, or a byte stream. */
  input: string | Readable;
  /** Output folder; the destination writes below `<out>/<destination>/`. */
  out: string;
  format?: InputFormat | string;
  /** Explicit column mapping, canonical field → input column. */
  map?: Readonly<Record<string, string>>;
  /**
   * Worker threads for CSV/TSV inputs (default: one per core, see `defaultThreads()`, for presets
   * with an encoder; inputs under 4 MB stay on the main thread unless this is given). JSON inputs and presets not in the registry
   * always run on the main thread. Output is identical whatever the count.
   */
  threads?: number;
  /** Stand-in for process.stdin when input is `-`. */
  stdin?: Readable;
  /** Called about twice a second while the run goes, and once at the end. */
  onProgress?: (progress: RunProgress) => void;
  progressIntervalMs?: number;
  /** Aborting stops the run: it rejects with INTERRUPTED (or the reason, when an AudienceEtlError) once its temporary files are removed. */
  signal?: AbortSignal;
}

export interface RunReport extends StatsReport {
  destination: string;
  input: string;
  format: InputFormat;
  compression: string;
  started_at: string;
  finished_at: string;
  seconds: number;
  options: { hash: string; encoding: string; batch_size: number; default_country: string | null; phone: string; threads: number };
  files: string[];
  /** newtail --delta: customers in the state before the run, and how the run's rows compared. */
  delta?: { state_loaded: number; new: number; changed: number; unchanged: number; duplicate: number };
}

export interface RunResult {
  stats: StatsReport;
  report: RunReport;
  /** Files the destination wrote, relative to `out`. */
  files: string[];
  reportPath: string;
  rejectsPath: string;
}

/**
 * Runs one destination end to end: source → parse → map → normalize → hash → validate → sink
 * (which batches as its destination needs), then writes `report.json` and `rejects.ndjson` beside the destination's folder. The CLI's
 * `run` is this function. Throws an AudienceEtlError on bad input or options; output files of a
 * failed run are removed.
 */
export async function runDestination(options: RunDestinationOptions): Promise<RunResult> {
  const preset = typeof options.destination === 'string' ? getDestination(options.destination) : options.destination;
  const resolved = resolveRunOptions(preset, options);
  if (resolved.delta && preset.name !== 'newtail') throw new AudienceEtlError('BAD_OPTION', `--delta is for newtail only, not ${preset.name}`);
  // Workers pay when they hand the sink encoded rows; without (no encoder, or newtail --delta,
  // whose delta stage needs rows) the main thread still rebuilds and writes every row, which
  // measured slower on 2 threads than on 1. DataX's bzip2 compressor shares the cores with them:
  // on 2 cores, 5M rows took 34.6-35.4 s on two workers against 36.6-41.6 s on the main thread.
  const encode = preset.encoder !== undefined && !resolved.delta;
  const threads = options.threads ?? (encode ? defaultThreads() : 1);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new AudienceEtlError('BAD_OPTION', `--threads must be an integer from 1 to 64, got ${threads}`);
  const started = resolved.now();
  const clock = performance.now();
  const out = resolve(options.out);
  const mapper = new ColumnMapper({ map: options.map });
  const stats = new RunStats();
  for (const spec of preset.keys) stats.field(spec.key);

  const input = await openInput(options.input, { stdin: options.stdin });
  let source = input.stream;
  let format: InputFormat;
  try {
    if (options.format !== undefined) {
      format = checkFormat(options.format);
    } else {
      ({ format, stream: source } = await detectFormat(input.stream));
    }
  } catch (err) {
    input.stream.destroy();
    throw asAudienceEtlError(err, 'IO', { file: input.name });
  }


  const checkColumns = (columns: readonly string[]) => {
    const missing = mapper.missingExplicit(columns);
    if (missing.length) {
      throw new AudienceEtlError('MISSING_COLUMN', `--map names column(s) the input does not have: ${missing.join(', ')}`, { file: input.name, line: 1 });
    }
    const provided = new Set<CanonicalField>(mapper.planColumns(columns).map(([field]) => field));
    const problem = preset.missingColumns(provided);
    if (problem) throw new AudienceEtlError('MISSING_COLUMN', `missing required column: ${problem}`, { file: input.name, line: 1 });
  };

  // The sink checks its own options first, so a refused option leaves no file behind.
  let sink: DestinationSink;
  let deltaStage: DeltaStage | undefined;
  try {
    sink = preset.sink({ outDir: out, preset, options: resolved, stats });
  } catch (err) {
    source.destroy();
    throw err;
  }
  try {
    deltaStage = resolved.delta
      ? delta({ statePath: newtailStatePath(out, resolved.prefix), idKey: 'CUSTOMER_ID', keys: preset.keys.map((k) => k.key), stats, now: resolved.now, file: input.name })
      : undefined;
  } catch (err) {
    source.destroy();
    sink.destroy();
    throw err;
  }
  await mkdir(out, { recursive: true });
  const rejectsPath = join(out, 'rejects.ndjson');
  const reportPath = join(out, 'report.json');
  const rejects = await AtomicFile.open(rejectsPath);
  stats.onReject((entry) => {
    rejects.stream.write(JSON.stringify(entry) + '\n');
  });
  // Small inputs stay on the main thread unless threads were asked for explicitly.
  const small = options.threads === undefined && input.size !== undefined && input.size < PARALLEL_MIN_BYTES;
  const worker = threads > 1 && (format === 'csv' || format === 'tsv') && isRegistered(preset) && !small ? workerModule() : undefined;
  const stages: (Readable | Transform)[] = worker
    ? [
        source,
        splitRecords({ header: true, quoted: true, blockSize: PARALLEL_BLOCK_BYTES }),
        parallelCsv({ preset, options: resolved, stats, file: input.name, map: options.map, threads, worker, encode, delimiter: format === 'tsv' ? '\t' : undefined, onHeader: checkColumns }),
      ]
    : [
        source,
        parserFor(format, { file: input.name, stats, onHeader: checkColumns }),
        mapColumns({ map: options.map }),
        normalize({ preset, hash: resolved.hash, defaultCountry: resolved.defaultCountry, dateFormat: resolved.dateFormat, phoneMode: resolved.phoneMode, now: () => started }),
        hash({ keys: preset, algorithm: resolved.hash, encoding: resolved.encoding }),
        validate({ preset, algorithm: resolved.hash, encoding: resolved.encoding, stats }),
      ];
  if (deltaStage) stages.push(deltaStage);

  const progress = (): RunProgress => ({
    rowsIn: stats.rowsIn,
    rowsOut: stats.rowsOut,
    rowsRejected: stats.rowsRejected,
    bytesRead: input.bytesRead(),
    bytesTotal: input.size,
  });
  const timer = options.onProgress ? setInterval(() => options.onProgress!(progress()), options.progressIntervalMs ?? 500) : undefined;
  timer?.unref();

  try {
    await pipeline([...stages, sink] as unknown as [Readable, ...Transform[]], options.signal ? { signal: options.signal } : {});
  } catch (err) {
    if (timer) clearInterval(timer);
    await rejects.abort();
    if (!sink.destroyed) sink.destroy();
    // The sink removes its temporary files while it closes; wait so nothing is left behind.
    if (!sink.closed) await new Promise((done) => sink.once('close', done));
    const signal = options.signal;
    if (signal?.aborted) {
      // Stopped on purpose: the caller's reason when it is ours, else INTERRUPTED around it.
      const reason: unknown = signal.reason;
      throw reason instanceof AudienceEtlError ? reason : new AudienceEtlError('INTERRUPTED', 'the run was aborted; no output was finished', { file: input.name }, { cause: reason });
    }
    throw asAudienceEtlError(err, 'IO', { file: input.name });
  }
  if (timer) clearInterval(timer);
  options.onProgress?.(progress());

  if (!stats.balanced()) {
    await rejects.abort();
    throw new AudienceEtlError(
      'INVARIANT',
      `row accounting does not balance: rows_in ${stats.rowsIn} != rows_out ${stats.rowsOut} + rows_rejected ${stats.rowsRejected}`,
    );
  }
  // The delta state moves on only once the files it describes are in place.
  if (deltaStage) await deltaStage.commit();
  await rejects.commit();
  const files = sink.result().files;
  const finished = resolved.now();
  const report: RunReport = {
    destination: preset.name,
    input: input.name,
    format,
    compression: input.compression,
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    seconds: Math.round(performance.now() - clock) / 1000,
    options: {
      hash: resolved.hash,
      encoding: resolved.encoding,
      batch_size: resolved.batchSize,
      default_country: resolved.defaultCountry ?? null,
      phone: resolved.phoneMode,
      threads: worker ? threads : 1,
    },
    ...stats.toJSON(),
    ...(deltaStage ? { delta: { state_loaded: deltaStage.loaded, ...deltaStage.counts() } } : {}),
    files,
  };
  await writeFileAtomic(reportPath, JSON.stringify(report, null, 2) + '\n');
  return { stats: stats.toJSON(), report, files, reportPath, rejectsPath };
}
