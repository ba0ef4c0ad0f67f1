import { open, rm, type FileHandle } from 'node:fs/promises';
import type { ColumnChunk, FileMetaData, RowGroup, SchemaElement } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { createRequire } from 'node:module';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import type { EncodedColumn } from '../src/destinations/types.js';
import { AudienceEtlError } from '../src/errors.js';

/**
 * A streaming Parquet writer for flat schemas of UTF-8 strings and 32-bit integers, Snappy.
 *
 * Values are encoded as they arrive, straight into one reusable buffer per column (PLAIN values,
 * RLE definition levels, v1 data pages of about 1 MB), so a row object is not kept once appended;
 * each row group's compressed pages are written out before more rows are accepted. Memory is one
 * encoded row group, whatever the file's size. Page headers, the footer (Thrift) and Snappy come
 * from hyparquet-writer. Measured on 16-column Newtail rows (five SHA-256 hex), CPU rows/s on this
 * project's 2-core machine: parquetjs-lite 0.8.7 ~7–9k; @dsnp/parquetjs 1.9 ~9k; parquet-wasm 0.8
 * ~20k and the whole table in memory (apache-arrow building it takes 80% of that); hyparquet-writer's
 * own ParquetWriter 35–55k (a TextEncoder array per value: GC-bound); this encoder 200–240k.
 */

export interface ParquetColumn {
  /** The column's name, written as given (Parquet names are case-sensitive). */
  name: string;
  type: 'UTF8' | 'INT32';
  /** REQUIRED when true (a null is then a bug upstream), else OPTIONAL. */
  required?: boolean;
}

export interface ParquetFileOptions {
  /** Rows per row group; memory while writing is about one encoded row group. */
  rowGroupSize?: number;
  /** Written into the footer's `created_by`. */
  createdBy?: string;
}

/** A value of one cell: a string, an integer (or its decimal string) for INT32, null/undefined for none. */
export type ParquetCell = string | number | null | undefined;

export const DEFAULT_ROW_GROUP_SIZE = 100_000;
/** Uncompressed bytes of values after which a column's page is closed. */
const PAGE_BYTES = 1 << 20;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
/** Snappy over a sample first: pages of SHA-256 hex barely compress, and JS Snappy is slowest on them. */
const SAMPLE_BYTES = 16_384;
const INCOMPRESSIBLE = 0.85;

/**
 * A Snappy stream made of literals only, over the concatenation of `parts`: valid Snappy that any
 * reader decodes, written at memcpy speed.
 */
export function snappyLiterals(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  let elements = 0;
  for (const part of parts) {
    total += part.length;
    elements += Math.ceil(part.length / 65_536);
  }
  const out = new Uint8Array(5 + total + elements * 3);
  let p = writeVarint(out, 0, total);
  for (const part of parts) {
    for (let i = 0; i < part.length; i += 65_536) {
      const length = Math.min(65_536, part.length - i);
      if (length <= 60) {
        out[p++] = (length - 1) << 2;
      } else {
        out[p++] = 61 << 2; // a literal whose length - 1 follows in two bytes
        out[p++] = (length - 1) & 0xff;
        out[p++] = (length - 1) >>> 8;
      }
      out.set(part.subarray(i, i + length), p);
      p += length;
    }
  }
  return out.subarray(0, p);
}

/** Writes an unsigned varint (below 2^31) at `p`; returns the position after it. */
function writeVarint(out: Uint8Array, p: number, value: number): number {
  for (; value >= 0x80; value >>>= 7) out[p++] = (value & 0x7f) | 0x80;
  out[p++] = value;
  return p;
}

type Compress = (data: Uint8Array) => Uint8Array;

/**
 * The `snappy` package's compressor (Snappy in Rust, prebuilt per platform; an optional
 * dependency), else undefined: ~4.2 ms a MB of Newtail pages where hyparquet-writer's JavaScript
 * takes ~15.8, which was a quarter of a Newtail run's main thread. `AUDIENCE_ETL_NO_NATIVE` turns
 * it off, as it does the native hasher.
 */
function loadNativeSnappy(): Compress | undefined {
  const off = process.env.AUDIENCE_ETL_NO_NATIVE;
  if (off !== undefined && off !== '' && off !== '0') return undefined;
  try {
    // The CommonJS bundle has its own require; ES modules make one.
    const load = typeof require === 'function' ? require : createRequire(import.meta.url);
    const { compressSync } = load('snappy') as { compressSync(input: Buffer): Buffer };
    return (data) => compressSync(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch {
    return undefined;
  }
}

/** Loaded on first use: worker threads import this module but never compress. */
let nativeSnappy: Compress | undefined | null = null;
let compressor: Compress | undefined;

function compress(data: Uint8Array): Uint8Array {
  if (compressor === undefined) useNativeSnappy(true);
  return compressor!(data);
}

/**
 * Compresses pages with the native Snappy (true, the default where it loads) or hyparquet-writer's
 * (false); returns whether the native one is in use. For tests and benchmarks: both write Snappy
 * that any reader decodes, though not always the same bytes.
 */
export function useNativeSnappy(on: boolean): boolean {
  if (nativeSnappy === null) nativeSnappy = loadNativeSnappy();
  compressor = on && nativeSnappy !== undefined ? nativeSnappy : snappyCompress;
  return compressor === nativeSnappy;
}

/** Whether Snappy would gain under 15% on `data`, judged on a sample from its middle. */
function incompressible(data: Uint8Array): boolean {
  if (data.length < 4 * SAMPLE_BYTES) return false;
  const from = data.length >>> 1;
  return compress(data.subarray(from, from + SAMPLE_BYTES)).length > SAMPLE_BYTES * INCOMPRESSIBLE;
}

/** Snappy, or literal-only Snappy when a sample of the data shows it would gain under 15%. */
export function snappyAdaptive(data: Uint8Array): Uint8Array {
  return incompressible(data) ? snappyLiterals(data) : compress(data);
}

/** One column's encoder: values and definition levels of the open page, finished pages of the row group. */
class ColumnEncoder {
  values = Buffer.allocUnsafe(64 * 1024);
  valueBytes = 0;
  levels = new Uint8Array(1024);
  pageRows = 0;
  pages: Uint8Array[] = [];
  uncompressed = 0;
  compressed = 0;

  constructor(readonly column: ParquetColumn) {}

  /** Adds a cell already checked by {@link cellOf}: null, an int32 for INT32, a string for UTF8. */
  append(value: string | number | null): void {
    if (this.pageRows === this.levels.length) {
      const grown = new Uint8Array(this.levels.length * 2);
      grown.set(this.levels);
      this.levels = grown;
    }
    if (value === null) {
      this.levels[this.pageRows++] = 0;
      return;
    }
    this.levels[this.pageRows++] = 1;
    if (typeof value === 'number') {
      this.reserve(4);
      this.values.writeInt32LE(value, this.valueBytes);
      this.valueBytes += 4;
    } else {
      this.reserve(4 + value.length * 3);
      const length = this.values.write(value, this.valueBytes + 4, 'utf8');
      this.values.writeUInt32LE(length, this.valueBytes);
      this.valueBytes += 4 + length;
    }
    if (this.valueBytes >= PAGE_BYTES) this.finishPage();
  }

  /**
   * Adds rows [from, to) of an encoded block, closing each page at the row where `append()` would
   * have closed it (the first whose bytes take the page to PAGE_BYTES), so the file is the same.
   */
  appendRange(block: EncodedColumn, from: number, to: number): void {
    const { ends, levels, values } = block;
    for (let r = from; r < to; ) {
      const start = r === 0 ? 0 : ends[r - 1]!;
      // Bytes grow only at non-null rows, so the first row reaching the limit holds a value.
      const limit = start + PAGE_BYTES - this.valueBytes;
      let lo = r;
      let hi = to;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ends[mid]! >= limit) hi = mid;
        else lo = mid + 1;
      }
      const full = lo < to;
      const last = full ? lo + 1 : to;
      const rows = last - r;
      if (this.pageRows + rows > this.levels.length) {
        const grown = new Uint8Array(Math.max(this.levels.length * 2, this.pageRows + rows));
        grown.set(this.levels.subarray(0, this.pageRows));
        this.levels = grown;
      }
      this.levels.set(levels.subarray(r, last), this.pageRows);
      this.pageRows += rows;
      const bytes = (last === 0 ? 0 : ends[last - 1]!) - start;
      this.reserve(bytes);
      this.values.set(values.subarray(start, start + bytes), this.valueBytes);
      this.valueBytes += bytes;
      if (full) this.finishPage();
      r = last;
    }
  }

  /** Closes the open page: levels and values, compressed, behind a v1 data page header. */
  finishPage(): void {
    if (this.pageRows === 0) return;
    const levels = this.column.required ? EMPTY : encodeLevels(this.levels, this.pageRows);
    const prefix = Buffer.alloc(this.column.required ? 0 : 4);
    if (!this.column.required) prefix.writeUInt32LE(levels.length, 0);
    const values = this.values.subarray(0, this.valueBytes);
    const size = prefix.length + levels.length + values.length;
    let compressed: Uint8Array;
    if (incompressible(values)) {
      compressed = snappyLiterals(prefix, levels, values);
    } else {
      const body = Buffer.allocUnsafe(size);
      body.set(prefix, 0);
      body.set(levels, prefix.length);
      body.set(values, prefix.length + levels.length);
      compressed = compress(body);
    }
    const header = new ByteWriter(64);
    writePageHeader(header, {
      type: 'DATA_PAGE',
      uncompressed_page_size: size,
      compressed_page_size: compressed.length,
      data_page_header: { num_values: this.pageRows, encoding: 'PLAIN', definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE' },
    });
    this.pages.push(header.getBytes().slice(), compressed);
    this.uncompressed += header.index + size;
    this.compressed += header.index + compressed.length;
    this.valueBytes = 0;
    this.pageRows = 0;
  }

  private reserve(bytes: number): void {
    if (this.valueBytes + bytes <= this.values.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.values.length * 2, this.valueBytes + bytes));
    this.values.copy(grown, 0, 0, this.valueBytes);
    this.values = grown;
  }
}

const EMPTY = new Uint8Array(0);
let levelScratch = new Uint8Array(4096);

/**
 * Definition levels (0 or 1) as the RLE/bit-packed hybrid with bit width 1, in RLE runs only:
 * a varint header (run length × 2) and the level in one byte. The result is valid until the next call.
 */
function encodeLevels(levels: Uint8Array, count: number): Uint8Array {
  // At most one run per level, each at most 5 header bytes + 1 value byte.
  if (levelScratch.length < count * 6) levelScratch = new Uint8Array(count * 6);
  const out = levelScratch;
  let p = 0;
  let i = 0;
  while (i < count) {
    const value = levels[i]!;
    let run = 1;
    while (i + run < count && levels[i + run] === value) run++;
    p = writeVarint(out, p, run * 2);
    out[p++] = value;
    i += run;
  }
  return out.subarray(0, p);
}

function schemaElement(column: ParquetColumn): SchemaElement {
  const repetition_type = column.required ? 'REQUIRED' : 'OPTIONAL';
  return column.type === 'INT32'
    ? { name: column.name, type: 'INT32', repetition_type }
    : { name: column.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
}

export class ParquetFileWriter {
  readonly path: string;
  private readonly columns: readonly ParquetColumn[];
  private readonly encoders: ColumnEncoder[];
  private readonly rowGroupSize: number;
  private readonly createdBy: string;
  private readonly handle: FileHandle;
  private readonly rowGroups: RowGroup[] = [];
  private readonly cells: (string | number | null)[] = [];
  private offset = 4;
  private groupRows = 0;
  private total = 0;
  private state: 'open' | 'closed' | 'aborted' = 'open';
  /** Row groups go to disk one after another; a write in flight is awaited before the next. */
  private tail: Promise<void> = Promise.resolve();

  private constructor(path: string, columns: readonly ParquetColumn[], handle: FileHandle, options: ParquetFileOptions) {
    this.path = path;
    this.columns = columns;
    this.encoders = columns.map((c) => new ColumnEncoder(c));
    this.rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
    this.createdBy = options.createdBy ?? 'audience-etl';
    this.handle = handle;
  }

  /** Creates `path` (which must not exist: callers write under a temporary name) and writes the header. */
  static async open(path: string, columns: readonly ParquetColumn[], options: ParquetFileOptions = {}): Promise<ParquetFileWriter> {
    if (columns.length === 0) throw new AudienceEtlError('BAD_OPTION', 'a Parquet schema needs at least one column');
    const size = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
    if (!Number.isInteger(size) || size < 1) throw new AudienceEtlError('BAD_OPTION', `rowGroupSize must be a positive integer, got ${size}`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'wx');
      await writeAll(handle, Buffer.from('PAR1'));
      return new ParquetFileWriter(path, columns, handle, options);
    } catch (err) {
      if (handle) await Promise.allSettled([handle.close(), rm(path, { force: true })]);
      throw new AudienceEtlError('IO', `cannot create ${path}: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.total;
  }

  /**
   * Adds one row, by column name. Returns a promise only when the call completed a row group that
   * is now being written: the caller awaits it before appending more, which is the backpressure.
   */
  append(values: Readonly<Record<string, ParquetCell>>): Promise<void> | undefined {
    if (this.state !== 'open') throw new AudienceEtlError('IO', `${this.path} is already closed`);
    // Check every cell before encoding any, so a refused row leaves the columns aligned.
    const cells = this.cells;
    for (let c = 0; c < this.columns.length; c++) cells[c] = cellOf(this.columns[c]!, values[this.columns[c]!.name]);
    for (let c = 0; c < this.encoders.length; c++) this.encoders[c]!.append(cells[c]!);
    this.groupRows++;
    this.total++;
    return this.groupRows >= this.rowGroupSize ? this.writeGroup() : undefined;
  }

  /** Rows the open row group takes before it is written. */
  get groupRoom(): number {
    return this.rowGroupSize - this.groupRows;
  }

  /**
   * Adds rows [from, to) of a block encoded by {@link encodeColumns}, at most `groupRoom` of them:
   * the same file as appending those rows one by one. Returns a promise as `append()` does.
   */
  appendEncoded(columns: readonly EncodedColumn[], from: number, to: number): Promise<void> | undefined {
    if (this.state !== 'open') throw new AudienceEtlError('IO', `${this.path} is already closed`);
    if (columns.length !== this.encoders.length || to - from > this.groupRoom || from > to) {
      throw new AudienceEtlError('INVARIANT', `encoded rows do not fit ${this.path}: ${columns.length} columns, rows ${from}..${to}`);
    }
    for (let c = 0; c < this.encoders.length; c++) this.encoders[c]!.appendRange(columns[c]!, from, to);
    this.groupRows += to - from;
    this.total += to - from;
    return this.groupRows >= this.rowGroupSize ? this.writeGroup() : undefined;
  }

  /** Writes what is buffered and the footer, and syncs the file. The file is complete after this. */
  async close(): Promise<void> {
    if (this.state !== 'open') return;
    try {
      if (this.groupRows > 0) await this.writeGroup();
      await this.tail;
      const footer = new ByteWriter(4096);
      const metadata: Omit<FileMetaData, 'metadata_length'> = {
        version: 1,
        schema: [{ name: 'root', num_children: this.columns.length }, ...this.columns.map(schemaElement)],
        num_rows: BigInt(this.total),
        row_groups: this.rowGroups,
        created_by: this.createdBy,
      };
      writeMetadata(footer, metadata as FileMetaData);
      footer.appendUint32(0x31524150); // PAR1
      await writeAll(this.handle, footer.getBytes());
      await this.handle.sync();
      this.state = 'closed';
      await this.handle.close();
    } catch (err) {
      await this.abort();
      throw err instanceof AudienceEtlError ? err : new AudienceEtlError('IO', `cannot write ${this.path}: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  /** Closes and removes the file. Safe to call more than once, and after close(). */
  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const wasOpen = this.state === 'open';
    this.state = 'aborted';
    await this.tail.catch(() => undefined);
    if (wasOpen) await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  /** Finishes every column's pages and queues them for the file, column after column. */
  private writeGroup(): Promise<void> {
    const rows = this.groupRows;
    this.groupRows = 0;
    const chunks: Uint8Array[] = [];
    const columns: ColumnChunk[] = [];
    let uncompressed = 0n;
    const start = this.offset;
    for (const encoder of this.encoders) {
      encoder.finishPage();
      const offset = BigInt(this.offset);
      columns.push({
        file_offset: offset,
        meta_data: {
          type: encoder.column.type === 'INT32' ? 'INT32' : 'BYTE_ARRAY',
          encodings: encoder.column.required ? ['PLAIN'] : ['PLAIN', 'RLE'],
          path_in_schema: [encoder.column.name],
          codec: 'SNAPPY',
          num_values: BigInt(rows),
          total_uncompressed_size: BigInt(encoder.uncompressed),
          total_compressed_size: BigInt(encoder.compressed),
          data_page_offset: offset,
        },
      });
      chunks.push(...encoder.pages);
      this.offset += encoder.compressed;
      uncompressed += BigInt(encoder.uncompressed);
      encoder.pages = [];
      encoder.uncompressed = 0;
      encoder.compressed = 0;
    }
    this.rowGroups.push({
      columns,
      total_byte_size: uncompressed,
      num_rows: BigInt(rows),
      file_offset: BigInt(start),
      total_compressed_size: BigInt(this.offset - start),
    });
    this.tail = this.tail.then(async () => {
      try {
        for (const chunk of chunks) await writeAll(this.handle, chunk);
      } catch (err) {
        throw new AudienceEtlError('IO', `cannot write ${this.path}: ${(err as Error).message}`, {}, { cause: err });
      }
    });
    return this.tail;
  }
}

/**
 * Rows → their columns encoded as the file's pages hold them (PLAIN values, per row level and
 * byte end), for {@link ParquetFileWriter.appendEncoded}. Runs where the rows are made (a worker
 * thread); checks every cell as `append()` does. Column by column; each column's values are
 * returned in a buffer of their own, so that they can be transferred.
 */
export function encodeColumns(columns: readonly ParquetColumn[], rows: readonly Readonly<Record<string, ParquetCell>>[]): EncodedColumn[] {
  return columns.map((column) => (column.type === 'UTF8' ? encodeStrings(column, rows) : encodeIntegers(column, rows)));
}

/** Four characters standing for a value's length, written before it and patched once written. */
const LENGTH_GAP = '\0\0\0\0';

/**
 * A UTF8 column: each value as its 4-byte little-endian length, then its UTF-8 bytes. The values
 * are written in one call, joined with a 4-character gap before each, which takes 4 bytes too:
 * the buffer's size is then exact, and when every character is ASCII (bytes equal characters,
 * as for hex digests) each length is known without asking (a write per value cost ~60% more).
 */
function encodeStrings(column: ParquetColumn, rows: readonly Readonly<Record<string, ParquetCell>>[]): EncodedColumn {
  const n = rows.length;
  const name = column.name;
  const ends = new Uint32Array(n);
  const levels = new Uint8Array(n);
  const cells: string[] = [];
  for (let r = 0; r < n; r++) {
    const cell = cellOf(column, rows[r]![name]) as string | null;
    if (cell === null) continue;
    levels[r] = 1;
    cells.push(cell);
  }
  const joined = cells.length === 0 ? '' : LENGTH_GAP + cells.join(LENGTH_GAP);
  const size = Buffer.byteLength(joined, 'utf8');
  const values = Buffer.allocUnsafeSlow(size);
  const lengths = new Uint32Array(cells.length);
  if (size === joined.length) {
    values.write(joined, 0, size, 'latin1');
    for (let i = 0; i < cells.length; i++) lengths[i] = cells[i]!.length;
  } else {
    for (let i = 0, at = 0; i < cells.length; i++) {
      lengths[i] = values.write(cells[i]!, at + 4, 'utf8');
      at += 4 + lengths[i]!;
    }
  }
  for (let r = 0, i = 0, at = 0; r < n; r++) {
    if (levels[r] === 1) {
      const length = lengths[i++]!;
      values[at] = length & 0xff;
      values[at + 1] = (length >>> 8) & 0xff;
      values[at + 2] = (length >>> 16) & 0xff;
      values[at + 3] = length >>> 24;
      at += 4 + length;
    }
    ends[r] = at;
  }
  return { values: new Uint8Array(values.buffer, 0, size), ends, levels };
}

/** An INT32 column: each value as 4 little-endian bytes. */
function encodeIntegers(column: ParquetColumn, rows: readonly Readonly<Record<string, ParquetCell>>[]): EncodedColumn {
  const n = rows.length;
  const name = column.name;
  const ends = new Uint32Array(n);
  const levels = new Uint8Array(n);
  const cells: number[] = [];
  for (let r = 0; r < n; r++) {
    const cell = cellOf(column, rows[r]![name]) as number | null;
    if (cell !== null) {
      levels[r] = 1;
      cells.push(cell);
    }
    ends[r] = cells.length * 4;
  }
  const values = Buffer.allocUnsafeSlow(cells.length * 4);
  for (let i = 0; i < cells.length; i++) values.writeInt32LE(cells[i]!, i * 4);
  return { values: new Uint8Array(values.buffer, 0, values.length), ends, levels };
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

/** A cell as its column stores it: null, an int32, or a string; a missing required value or a bad int throws. */
function cellOf(column: ParquetColumn, value: ParquetCell): string | number | null {
  if (value === null || value === undefined || (value === '' && column.type === 'INT32')) {
    if (column.required) throw new AudienceEtlError('INVARIANT', `Parquet column ${column.name} is required but a row has no value`);
    return null;
  }
  if (column.type === 'UTF8') return typeof value === 'string' ? value : String(value);
  const n = typeof value === 'number' ? value : Number(value);
  // The value itself is left out of the message: columns may hold customer data.
  if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX || (typeof value === 'string' && value.trim() === '')) {
    throw new AudienceEtlError('INVARIANT', `Parquet column ${column.name} holds a value that is not a 32-bit integer`);
  }
  return n;
}
