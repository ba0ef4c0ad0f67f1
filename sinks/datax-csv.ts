/**
 * Yahoo DataX files (seed 002): comma-delimited CSV, bzip2-compressed, header line = schema. Every
 * line of a file has every column of its schema, so rows go to one file per schema they fill:
 * `audience-email.csv.bz2` (PXID,SHA256EMAIL), `audience-phone.csv.bz2` (PXID,SHA256PHONE) and
 * `audience-email-phone.csv.bz2` (PXID,SHA256EMAIL,SHA256PHONE), each opened when its first row
 * arrives, written under a temporary name and renamed only when every file is complete.
 */
import { join } from 'node:path';
import { Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { encodedRange } from '../src/destinations/encoded.js';
import { isEncoded, type DestinationSink, type EncodedRows, type EncoderContext, type RowEncoder, type SinkContext, type SinkResult } from '../src/destinations/types.js';
import { AudienceEtlError, asAudienceEtlError } from '../src/errors.js';
import type { RejectReason } from '../src/model/reasons.js';
import type { Row, RowChunk } from '../src/model/row.js';
import { PXID_PATTERN } from '../src/validate/datax.js';
import { AtomicFile } from './atomic-file.js';
import { createBzip2Compressor, resolveBzip2 } from './bzip2.js';

/** The destination keys, as DataX names its schema fields. */
export const DATAX_KEYS = { pxid: 'PXID', email: 'SHA256EMAIL', phone: 'SHA256PHONE' } as const;

export type DataxSchemaName = 'email' | 'phone' | 'email-phone';

/** Per schema: its header fields and its file, in the order files are listed. */
export const DATAX_SCHEMAS: Readonly<Record<DataxSchemaName, { fields: readonly string[]; file: string }>> = {
  email: { fields: ['PXID', 'SHA256EMAIL'], file: 'audience-email.csv.bz2' },
  phone: { fields: ['PXID', 'SHA256PHONE'], file: 'audience-phone.csv.bz2' },
  'email-phone': { fields: ['PXID', 'SHA256EMAIL', 'SHA256PHONE'], file: 'audience-email-phone.csv.bz2' },
};
const SCHEMA_ORDER: readonly DataxSchemaName[] = ['email', 'phone', 'email-phone'];

/**
 * bzip2's block size (100 kB steps): hex digests hold 4 bits a character whatever the block, so
 * level 1 is no larger (1M email+phone lines: 61.98 MB at -1, 62.14 MB at -9) and 15% faster
 * (lbzip2 on one core: 8.3 s against 9.8 s).
 */
const DATAX_BZIP2_LEVEL = 1;

/** The folder below the run's `outDir`. */
export const DATAX_DIR = 'datax';

/** The file's own rules, re-checked here so a file this sink writes always passes DataX's checks. */
const HASH_RE = /^[0-9a-f]{64}$/;
const ANY_CASE_HASH_RE = /^[0-9a-fA-F]{64}$/;

export interface DataxCsvSinkOptions {
  /** Makes each file's compressor; the system bzip2 (sinks/bzip2.ts) by default. For tests. */
  createCompressor?: () => Duplex;
}

/** Whether the hash stage made the row's value of `key` as the file wants it: SHA-256, lowercase hex. */
function madeByHashStage(row: Row, key: string): boolean {
  const signature = row.hashedBy;
  return signature !== undefined && signature.algorithm === 'sha256' && signature.encoding === 'hex' && signature.keys.has(key);
}

/**
 * A hash as the file wants it (lowercase hex), or undefined when the value is not one. A digest
 * the hash stage made needs no pattern (that check was ~8% of a main-thread DataX run).
 */
function dataxHash(row: Row, key: string): string | undefined {
  const value = row.values?.[key];
  if (typeof value !== 'string') return undefined;
  if (madeByHashStage(row, key) || HASH_RE.test(value)) return value;
  return ANY_CASE_HASH_RE.test(value) ? value.toLowerCase() : undefined;
}

/**
 * The line a row makes and the schema it belongs to, or the reason it cannot be written. Rows
 * reach the sink validated; the checks keep a custom pipeline that skipped validation from
 * writing a line DataX would refuse, and such a row is rejected (counted), never lost.
 */
export function dataxLine(row: Row): { schema: DataxSchemaName; line: string } | { reject: RejectReason } {
  const values = row.values;
  const pxid = values?.[DATAX_KEYS.pxid];
  if (typeof pxid !== 'string' || pxid === '') return { reject: 'missing_required_key' };
  if (!PXID_PATTERN.test(pxid)) return { reject: 'invalid_required_key' };
  const email = dataxHash(row, DATAX_KEYS.email);
  const phone = dataxHash(row, DATAX_KEYS.phone);
  if (email !== undefined && phone !== undefined) return { schema: 'email-phone', line: `${pxid},${email},${phone}\n` };
  if (email !== undefined) return { schema: 'email', line: `${pxid},${email}\n` };
  if (phone !== undefined) return { schema: 'phone', line: `${pxid},${phone}\n` };
  return { reject: 'no_match_key' };
}

/**
 * DataX's format as an encoder (see `EncodedRows`): one item per line, grouped by schema (input
 * order kept within each), `parts` holding each line's index in `SCHEMA_ORDER`.
 */
export function dataxEncoder(context: EncoderContext): RowEncoder {
  return (rows) => {
    const text = ['', '', ''];
    const lengths: number[][] = [[], [], []];
    let kept = 0;
    for (let r = 0; r < rows.length; r++) {
      const made = dataxLine(rows[r]!);
      if ('reject' in made) {
        context.reject(rows[r]!, made.reject);
        continue;
      }
      const part = SCHEMA_ORDER.indexOf(made.schema);
      text[part] += made.line;
      lengths[part]!.push(made.line.length);
      kept++;
    }
    if (kept === 0) return undefined;
    const ends = new Uint32Array(kept);
    const parts = new Uint8Array(kept);
    for (let part = 0, i = 0, at = 0; part < SCHEMA_ORDER.length; part++) {
      for (const length of lengths[part]!) {
        at += length;
        ends[i] = at;
        parts[i++] = part;
      }
    }
    return { encoded: 'datax', rows: kept, text: text.join(''), ends, parts };
  };
}

interface OpenFile {
  atomic: AtomicFile;
  compressor: Duplex;
  /** Settles when the compressor has ended and its output is written to the temporary file. */
  done: Promise<void>;
  rows: number;
}

/**
 * The sink. `write` sorts each chunk's lines by schema and writes one string per file, waiting
 * for every compressor it filled; `final` ends the compressors, waits for their exit status and
 * only then renames the files into place; `destroy` kills the compressors and removes every
 * temporary file.
 */
class DataxCsvSink extends Writable implements DestinationSink {
  private readonly context: SinkContext;
  private readonly createCompressor: () => Duplex;
  private readonly customCompressor: boolean;
  private readonly files = new Map<DataxSchemaName, OpenFile>();
  private readonly opening = new Map<DataxSchemaName, Promise<OpenFile>>();
  private readonly written: string[] = [];
  private failed = false;
  private readonly encode: RowEncoder;

  constructor(context: SinkContext, options: DataxCsvSinkOptions) {
    super({ objectMode: true });
    this.context = context;
    const { stats } = context;
    this.encode = dataxEncoder({ preset: context.preset, options: context.options, fields: [], reject: (row, reason) => stats.reject({ line: row.line, reason }) });
    this.customCompressor = options.createCompressor !== undefined;
    this.createCompressor = options.createCompressor ?? (() => createBzip2Compressor({ level: DATAX_BZIP2_LEVEL }));
  }

  override _construct(callback: (error?: Error | null) => void): void {
    // Without a custom compressor, fail before any row is read when bzip2 is missing.
    try {
      if (!this.customCompressor) resolveBzip2();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _write(chunk: RowChunk | EncodedRows, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeChunk(chunk).then(() => callback(), (err: unknown) => callback(asAudienceEtlError(err, 'IO', { stage: 'sink' })));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finish().then(() => callback(), (err: unknown) => callback(asAudienceEtlError(err, 'IO', { stage: 'sink' })));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.failed = true;
    const aborts: Promise<void>[] = [];
    for (const file of this.files.values()) {
      file.compressor.destroy();
      aborts.push(file.atomic.abort());
    }
    // A file still opening is removed once it is open.
    for (const pending of this.opening.values()) {
      aborts.push(pending.then((file) => file.atomic.abort(), () => undefined));
    }
    Promise.allSettled(aborts).then(() => callback(error));
  }

  result(): SinkResult {
    return { files: [...this.written] };
  }

  private async writeChunk(chunk: RowChunk | EncodedRows): Promise<void> {
    const text: Partial<Record<DataxSchemaName, string | Uint8Array>> = {};
    const counts: Partial<Record<DataxSchemaName, number>> = {};
    const { stats } = this.context;
    const encoded = isEncoded(chunk) ? chunk : this.encode(Array.isArray(chunk) ? chunk : [chunk]);
    if (encoded !== undefined && encoded.encoded !== 'datax') {
      throw new AudienceEtlError('INVARIANT', `the datax sink got rows encoded for ${encoded.encoded}`);
    }
    if (encoded === undefined) return;
    const { ends, parts } = encoded;
    for (let i = 0, at = 0; i < ends.length; ) {
      const part = parts![i]!;
      let last = i;
      while (last + 1 < ends.length && parts![last + 1] === part) last++;
      const schema = SCHEMA_ORDER[part]!;
      text[schema] = encodedRange(encoded, at, ends[last]!);
      counts[schema] = last - i + 1;
      at = ends[last]!;
      i = last + 1;
    }
    const waits: Promise<void>[] = [];
    for (const schema of SCHEMA_ORDER) {
      const lines = text[schema];
      if (lines === undefined) continue;
      const file = this.files.get(schema) ?? (await this.open(schema));
      file.rows += counts[schema]!;
      stats.rowsOut += counts[schema]!;
      if (!file.compressor.write(lines)) waits.push(drained(file));
    }
    await Promise.all(waits);
  }

  private open(schema: DataxSchemaName): Promise<OpenFile> {
    let pending = this.opening.get(schema);
    if (pending === undefined) {
      pending = this.openFile(schema);
      this.opening.set(schema, pending);
    }
    return pending;
  }

  private async openFile(schema: DataxSchemaName): Promise<OpenFile> {
    const { fields, file } = DATAX_SCHEMAS[schema];
    const atomic = await AtomicFile.open(join(this.context.outDir, DATAX_DIR, file));
    if (this.failed) {
      await atomic.abort();
      throw new Error('the DataX sink was destroyed');
    }
    let compressor: Duplex;
    try {
      compressor = this.createCompressor();
    } catch (err) {
      await atomic.abort();
      throw err;
    }
    // `end: false`: the temporary file is ended by `commit()`, after the compressor's exit status is known.
    const done = pipeline(compressor, atomic.stream, { end: false });
    const open: OpenFile = { atomic, compressor, done, rows: 0 };
    done.catch((err: unknown) => this.destroy(asAudienceEtlError(err, 'IO', { stage: 'sink', file })));
    this.files.set(schema, open);
    this.opening.delete(schema);
    compressor.write(`${fields.join(',')}\n`);
    return open;
  }

  private async finish(): Promise<void> {
    const open = SCHEMA_ORDER.flatMap((schema) => {
      const file = this.files.get(schema);
      return file ? [{ schema, file }] : [];
    });
    for (const { file } of open) file.compressor.end();
    // Every compressor must exit cleanly before any file gets its final name.
    await Promise.all(open.map(({ file }) => file.done));
    for (const { schema, file } of open) {
      await file.atomic.commit();
      this.written.push(`${DATAX_DIR}/${DATAX_SCHEMAS[schema].file}`);
    }
  }
}

/** Waits for a compressor to take more input, or fails with it. */
function drained(file: OpenFile): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      file.compressor.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      file.compressor.off('drain', onDrain);
      reject(new Error('the bzip2 compressor closed before it took all rows'));
    };
    file.compressor.once('drain', onDrain);
    file.compressor.once('close', onClose);
  });
}

/** The DataX sink of a run: `<outDir>/datax/audience-<schema>.csv.bz2`. */
export function dataxCsvSink(context: SinkContext, options: DataxCsvSinkOptions = {}): DestinationSink {
  return new DataxCsvSink(context, options);
}
