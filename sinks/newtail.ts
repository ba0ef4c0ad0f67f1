import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Writable } from 'node:stream';
import { isEncoded, type DestinationSink, type EncodedRows, type EncoderContext, type ResolvedRunOptions, type RowEncoder, type SinkContext, type SinkResult } from '../src/destinations/types.js';
import { AudienceEtlError } from '../src/errors.js';
import type { Row, RowChunk } from '../src/model/row.js';
import type { RunStats } from '../src/model/stats.js';
import { TEMP_PREFIX } from './atomic-file.js';
import { DEFAULT_ROW_GROUP_SIZE, encodeColumns, ParquetFileWriter, type ParquetColumn } from './parquet.js';

/** Extension of every finished Newtail file; the uploader sends these and nothing else. */
export const NEWTAIL_EXTENSION = '.parquet.snappy';
/** Keys written as Parquet INT32; every other key is a UTF-8 string. */
const INT32_KEYS: ReadonlySet<string> = new Set(['AGE']);
/** Letters, digits, `.`, `_`, `-`; starting with a letter or digit (so never `.`, `..` or a hidden name). */
const PREFIX_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Checks `--prefix` (the folder Newtail assigns in its bucket). Called before anything is
 * written: a missing or unsafe prefix is a BAD_OPTION error.
 */
export function checkNewtailPrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') {
    throw new AudienceEtlError('BAD_OPTION', 'newtail needs --prefix, the folder name Newtail assigned to you');
  }
  if (!PREFIX_RE.test(prefix) || prefix.includes('..') || prefix.length > 200) {
    throw new AudienceEtlError(
      'BAD_OPTION',
      '--prefix must be letters, digits, ".", "_" or "-", start with a letter or digit, and hold no "/", ".." or whitespace',
    );
  }
  return prefix;
}

/** Checks the run options Newtail depends on; meant to run before any output is created. */
export function checkNewtailOptions(options: Pick<ResolvedRunOptions, 'prefix' | 'rowsPerFile'>): void {
  checkNewtailPrefix(options.prefix);
  if (!Number.isInteger(options.rowsPerFile) || options.rowsPerFile < 1) {
    throw new AudienceEtlError('BAD_OPTION', `--rows-per-file must be a positive integer, got ${options.rowsPerFile}`);
  }
}

/** `<out>/newtail/<PREFIX>`: the folder whose contents mirror the bucket's `<PREFIX>/`. */
export function newtailRoot(outDir: string, prefix: string | undefined): string {
  return join(outDir, 'newtail', checkNewtailPrefix(prefix));
}

/** Name of the delta state file in the Newtail root: hidden, and never a `.parquet.snappy`, so never uploaded. */
export const NEWTAIL_STATE_FILE = '.audience-etl-state.bin';

/** `<out>/newtail/<PREFIX>/.audience-etl-state.bin`: where `--delta` keeps its state. */
export function newtailStatePath(outDir: string, prefix: string | undefined): string {
  return join(newtailRoot(outDir, checkNewtailPrefix(prefix)), NEWTAIL_STATE_FILE);
}

/** `audiences/YYYY/mm/dd/<TIMESTAMP>.parquet.snappy`, with the date of the timestamp in UTC. */
export function newtailFileKey(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `audiences/${d.getUTCFullYear()}/${mm}/${dd}/${epochSeconds}${NEWTAIL_EXTENSION}`;
}

/** The Parquet schema for a preset's keys: AGE an INT32, the rest strings; required keys REQUIRED. */
export function newtailColumns(keys: readonly { key: string; required?: boolean }[]): ParquetColumn[] {
  return keys.map((k) => ({ name: k.key, type: INT32_KEYS.has(k.key) ? 'INT32' : 'UTF8', required: k.required === true }));
}

export interface NewtailSinkOptions {
  outDir: string;
  prefix: string | undefined;
  columns: readonly ParquetColumn[];
  rowsPerFile: number;
  now: () => Date;
  stats: RunStats;
  rowGroupSize?: number;
}

interface FinishedFile {
  tempPath: string;
  /** Epoch seconds when the file was complete; strictly increasing within a run. */
  timestamp: number;
}

/**
 * Writes validated rows as Snappy Parquet files, a new file every `rowsPerFile` rows. Each file is
 * written under a temporary name in `<out>/newtail/<PREFIX>/` and named by the second it was
 * complete; only `final()` renames them into `audiences/YYYY/mm/dd/`, so a failed run leaves no
 * file that looks finished (and `destroy()` removes the temporary ones). A run with no rows writes
 * no file.
 */
export class NewtailSink extends Writable implements DestinationSink {
  private readonly root: string;
  private readonly outDir: string;
  private readonly columns: readonly ParquetColumn[];
  private readonly rowsPerFile: number;
  private readonly rowGroupSize: number;
  private readonly now: () => Date;
  private readonly stats: RunStats;
  private readonly runTag = randomBytes(4).toString('hex');
  private current: ParquetFileWriter | undefined;
  private readonly finished: FinishedFile[] = [];
  private lastTimestamp = -Infinity;
  private files: string[] = [];
  private committed = false;

  constructor(options: NewtailSinkOptions) {
    super({ objectMode: true, highWaterMark: 2 });
    checkNewtailOptions({ prefix: options.prefix, rowsPerFile: options.rowsPerFile });
    this.outDir = options.outDir;
    this.root = newtailRoot(options.outDir, options.prefix!);
    this.columns = options.columns;
    this.rowsPerFile = options.rowsPerFile;
    // A row group never spans two files, and small files do not need big groups.
    this.rowGroupSize = Math.min(options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE, options.rowsPerFile);
    this.now = options.now;
    this.stats = options.stats;
  }

  result(): SinkResult {
    return { files: [...this.files] };
  }

  override _write(chunk: RowChunk | EncodedRows, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const written = isEncoded(chunk) ? this.writeEncoded(chunk) : this.writeRows(Array.isArray(chunk) ? chunk : [chunk]);
    written.then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.commit().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.cleanUp().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private async writeRows(rows: readonly Row[]): Promise<void> {
    for (let i = 0; i < rows.length; i++) {
      const writer = this.current ?? (await this.openNext());
      const pending = writer.append(rows[i]!.values ?? {});
      if (pending !== undefined) await pending;
      this.stats.rowsOut++;
      if (writer.rows >= this.rowsPerFile) await this.completeCurrent();
    }
  }

  /** Encoded rows (see `newtailEncoder`): column ranges cut at row group and file boundaries. */
  private async writeEncoded(chunk: EncodedRows): Promise<void> {
    const columns = chunk.columns;
    if (chunk.encoded !== 'newtail' || columns === undefined) throw new AudienceEtlError('INVARIANT', `the newtail sink got rows encoded for ${chunk.encoded}`);
    for (let r = 0; r < chunk.rows; ) {
      const writer = this.current ?? (await this.openNext());
      const n = Math.min(chunk.rows - r, writer.groupRoom, this.rowsPerFile - writer.rows);
      const pending = writer.appendEncoded(columns, r, r + n);
      if (pending !== undefined) await pending;
      this.stats.rowsOut += n;
      r += n;
      if (writer.rows >= this.rowsPerFile) await this.completeCurrent();
    }
    // appendEncoded copied every row's levels and values into the writer's pages.
    chunk.release?.();
  }

  private async openNext(): Promise<ParquetFileWriter> {
    await mkdir(this.root, { recursive: true });
    const seq = String(this.finished.length + 1).padStart(6, '0');
    // Not ending in .parquet.snappy, so nothing that lists finished files can pick it up.
    const tempPath = join(this.root, `${TEMP_PREFIX}${this.runTag}-${seq}.parquet.partial`);
    this.current = await ParquetFileWriter.open(tempPath, this.columns, { rowGroupSize: this.rowGroupSize });
    return this.current;
  }

  private async completeCurrent(): Promise<void> {
    const writer = this.current;
    if (writer === undefined) return;
    await writer.close();
    this.current = undefined;
    // TIMESTAMP is the second the file was complete, bumped past the previous file's when two
    // files complete within the same second, so names never repeat within a run.
    const timestamp = Math.max(Math.floor(this.now().getTime() / 1000), this.lastTimestamp + 1);
    this.lastTimestamp = timestamp;
    this.finished.push({ tempPath: writer.path, timestamp });
  }

  private async commit(): Promise<void> {
    await this.completeCurrent();
    const files: string[] = [];
    let previous = -Infinity;
    for (const file of this.finished) {
      // A file of an earlier run may hold the same second (two runs within one second): never
      // overwrite it, take the next free second instead.
      let timestamp = Math.max(file.timestamp, previous + 1);
      while (await exists(join(this.root, newtailFileKey(timestamp)))) timestamp++;
      previous = timestamp;
      const finalPath = join(this.root, newtailFileKey(timestamp));
      await mkdir(dirname(finalPath), { recursive: true });
      try {
        await rename(file.tempPath, finalPath);
      } catch (err) {
        // All or nothing: take back the files this run already put in place.
        for (const done of files) await rm(join(this.outDir, done), { force: true });
        throw new AudienceEtlError('IO', `cannot rename a Newtail file into ${finalPath}: ${(err as Error).message}`, {}, { cause: err });
      }
      files.push(relative(this.outDir, finalPath).split(sep).join('/'));
    }
    this.files = files;
    this.committed = true;
  }

  private async cleanUp(): Promise<void> {
    const writer = this.current;
    this.current = undefined;
    if (writer !== undefined) await writer.abort();
    if (this.committed) return;
    for (const file of this.finished) await rm(file.tempPath, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Newtail's format as an encoder (see `EncodedRows`): the rows' columns PLAIN-encoded where the
 * rows are made, so the sink's thread only copies bytes into pages and compresses them.
 */
export function newtailEncoder(context: EncoderContext): RowEncoder {
  const columns = newtailColumns(context.preset.keys);
  return (rows) => {
    if (rows.length === 0) return undefined;
    const cells = rows.map((row) => row.values ?? {});
    return { encoded: 'newtail', rows: rows.length, text: '', ends: new Uint32Array(0), columns: encodeColumns(columns, cells) };
  };
}

/** The preset's sink factory. */
export function newtailSink(context: SinkContext): DestinationSink {
  return new NewtailSink({
    outDir: context.outDir,
    prefix: context.options.prefix,
    columns: newtailColumns(context.preset.keys),
    rowsPerFile: context.options.rowsPerFile,
    now: context.options.now,
    stats: context.stats,
  });
}
