/**
 * LiveIntent data file + metadata (seed 003): one hash per line, no header, plain, gzip or zip,
 * named by the digest of the bytes as uploaded, beside `<data file name>.json`.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { isEncoded, type DestinationPreset, type DestinationSink, type EncodedRows, type EncoderContext, type ResolvedRunOptions, type RowEncoder, type SinkContext, type SinkResult } from '../src/destinations/types.js';
import { AudienceEtlError, asAudienceEtlError } from '../src/errors.js';
import { validateSegments, type LiveIntentSegment } from '../src/liveintent/segments.js';
import type { Row, RowChunk } from '../src/model/row.js';
import { tempPathFor, writeFileAtomic } from './atomic-file.js';

export type LiveIntentDigest = 'md5' | 'sha1';
export type LiveIntentCompression = 'none' | 'gzip' | 'zip';

const DIGESTS: readonly string[] = ['md5', 'sha1'];
/**
 * Hex hashes carry 4 bits per 8-bit character, so every zlib level ends near the same size
 * (1M SHA-256 lines: level 1 is 2.4% larger than level 6) while level 1 is about twice as fast.
 */
const ZLIB_LEVEL = 1;
const COMPRESSIONS: readonly string[] = ['none', 'gzip', 'zip'];

/** The metadata file, field for field as the document's "Request Body". */
export interface LiveIntentMetadata {
  partner_id: string;
  sub_id?: string;
  file: {
    name: string;
    /** The document: "the hashing algorithm used to derive the digest of the file" — md5 or sha1. */
    hash: LiveIntentDigest;
    digest: string;
    date: string;
    records: number;
  };
  segments: LiveIntentSegment[];
}

/** The LiveIntent options of a run, checked. */
export interface LiveIntentOptions {
  partnerId: string;
  subId: string | undefined;
  segments: LiveIntentSegment[];
  digest: LiveIntentDigest;
  compression: LiveIntentCompression;
}

/**
 * Checks the LiveIntent options once, before anything is written: a partner id, at least one
 * well-formed segment, a known digest and compression. Throws `BAD_OPTION` naming the option.
 * Exported so a run can call it while resolving options, before it opens any output.
 */
export function checkLiveIntentOptions(
  options: Pick<ResolvedRunOptions, 'partnerId' | 'subId' | 'segments' | 'digest' | 'compression' | 'encoding'>,
): LiveIntentOptions {
  const partnerId = options.partnerId?.trim();
  if (!partnerId) {
    throw new AudienceEtlError('BAD_OPTION', 'liveintent needs --partner-id (the partner id LiveIntent assigned)');
  }
  const subId = options.subId?.trim();
  if (options.subId !== undefined && !subId) {
    throw new AudienceEtlError('BAD_OPTION', '--sub-id is empty: give the sub id LiveIntent assigned, or leave it out');
  }
  if (!DIGESTS.includes(options.digest)) {
    throw new AudienceEtlError('BAD_OPTION', `digest ${JSON.stringify(options.digest)}: expected md5 or sha1`);
  }
  if (!COMPRESSIONS.includes(options.compression)) {
    throw new AudienceEtlError('BAD_OPTION', `compression ${JSON.stringify(options.compression)}: expected none, gzip or zip`);
  }
  if (options.encoding !== 'hex') {
    throw new AudienceEtlError('BAD_OPTION', `liveintent takes hex hashes, not ${options.encoding}`);
  }
  return {
    partnerId,
    subId: subId || undefined,
    segments: validateSegments(options.segments),
    digest: options.digest,
    compression: options.compression,
  };
}

/** `yyyy-mm-dd` of a date in UTC. */
export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Passes bytes through unchanged while hashing them: the digest of exactly what reaches the file. */
class DigestTap extends Transform {
  private readonly hash: Hash;
  constructor(algorithm: LiveIntentDigest) {
    super();
    this.hash = createHash(algorithm);
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    callback(null, chunk);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

/** Opens a new file for writing, failing if it exists, and waits until it is open. */
async function openExclusive(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'wx' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream;
}

/**
 * The sink. `construct` opens a temporary text (or gzip) file; `write` appends one line per row
 * while the bytes are hashed on their way to disk; `final` names the file by its digest, renames
 * it, then writes the metadata (so the metadata never points at a file that is not there yet);
 * `destroy` removes every temporary file.
 */
class LiveIntentSink extends Writable implements DestinationSink {
  private readonly options: LiveIntentOptions;
  private readonly context: SinkContext;
  private readonly dir: string;
  private readonly key: string;
  private records = 0;
  private files: string[] = [];
  private readonly temps = new Set<string>();
  private textTemp = '';
  private head: Transform | undefined;
  private tap: DigestTap | undefined;
  private chain: Promise<void> | undefined;
  private chainError: Error | undefined;

  /** Options and key are checked by `liveIntentSink()`: a Writable schedules `_construct` inside `super()`. */
  constructor(context: SinkContext, options: LiveIntentOptions, key: string) {
    super({ objectMode: true, highWaterMark: 4 });
    this.context = context;
    this.options = options;
    this.dir = join(context.outDir, 'liveintent');
    this.key = key;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.open().then(() => callback(), (err: unknown) => callback(asAudienceEtlError(err, 'IO')));
  }

  private async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const gzip = this.options.compression === 'gzip';
    this.textTemp = tempPathFor(join(this.dir, gzip ? 'liveintent.txt.gz' : 'liveintent.txt'));
    this.temps.add(this.textTemp);
    const file = await openExclusive(this.textTemp);
    // The tap sits right before the file, so it hashes the bytes as uploaded: the gzip stream for
    // gzip, the text for plain; for zip it hashes the text, which names the entry inside the zip.
    this.tap = new DigestTap(this.options.digest);
    this.head = gzip ? createGzip({ level: ZLIB_LEVEL }) : this.tap;
    this.chain = gzip ? pipeline(this.head, this.tap, file) : pipeline(this.tap, file);
    this.chain.catch((err: unknown) => {
      this.chainError = asAudienceEtlError(err, 'IO');
      this.destroy(this.chainError);
    });
  }

  override _write(chunk: RowChunk | EncodedRows, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let encoded: EncodedRows | undefined;
    try {
      encoded = isEncoded(chunk) ? chunk : liveIntentLines(this.key, Array.isArray(chunk) ? chunk : [chunk]);
      if (encoded !== undefined && encoded.encoded !== 'liveintent') {
        throw new AudienceEtlError('INVARIANT', `the liveintent sink got rows encoded for ${encoded.encoded}`);
      }
    } catch (err) {
      callback(err as Error);
      return;
    }
    if (encoded === undefined) {
      callback();
      return;
    }
    this.records += encoded.rows;
    this.context.stats.rowsOut += encoded.rows;
    if (this.head!.write(encoded.bytes ?? encoded.text)) callback();
    else this.head!.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finish().then(() => callback(), (err: unknown) => callback(asAudienceEtlError(err, 'IO')));
  }

  private async finish(): Promise<void> {
    this.head!.end();
    await this.chain;
    if (this.chainError) throw this.chainError;
    if (this.records === 0) {
      // LiveIntent answers an empty file with error 8 ("File has no valid records"): write nothing.
      await this.removeTemps();
      return;
    }
    const now = this.context.options.now();
    const { compression, digest: algorithm } = this.options;
    let dataTemp = this.textTemp;
    let digest = this.tap!.hex();
    let name = compression === 'gzip' ? `${digest}.txt.gz` : `${digest}.txt`;
    if (compression === 'zip') {
      // The zip's own digest cannot name its entry (the entry is inside the bytes being hashed),
      // so the entry is `<digest of the text>.txt` and the zip is `<digest of the zip>.zip`: both
      // names stay true to their contents, and `file.digest` is what LiveIntent checks.
      dataTemp = await this.zip(`${digest}.txt`, now);
      digest = this.tap!.hex();
      name = `${digest}.zip`;
    }
    // A run aborted while the zip was written must not leave a file that looks finished.
    if (this.destroyed) throw new AudienceEtlError('IO', 'liveintent output aborted');
    const dataPath = join(this.dir, name);
    await rename(dataTemp, dataPath);
    this.temps.delete(dataTemp);
    await this.removeTemps();
    const metadata: LiveIntentMetadata = {
      partner_id: this.options.partnerId,
      ...(this.options.subId === undefined ? {} : { sub_id: this.options.subId }),
      file: { name, hash: algorithm, digest, date: utcDate(now), records: this.records },
      segments: this.options.segments,
    };
    try {
      await writeFileAtomic(`${dataPath}.json`, JSON.stringify(metadata, null, 2) + '\n');
    } catch (err) {
      // Without its metadata the data file would look finished but could never be processed.
      await rm(dataPath, { force: true });
      throw err;
    }
    this.files = [`liveintent/${name}`, `liveintent/${name}.json`];
  }

  /** Zips the finished text file into a new temporary file, hashing the zip's bytes; returns its path. */
  private async zip(entryName: string, date: Date): Promise<string> {
    const zipTemp = tempPathFor(join(this.dir, 'liveintent.zip'));
    this.temps.add(zipTemp);
    const out = await openExclusive(zipTemp);
    // Loaded here, not at the top: archiver and its streams cost ~100 ms to load, paid by every
    // run and every worker thread (they import all presets) while only zipped LiveIntent files use it.
    const { ZipArchive } = await import('archiver');
    const archive = new ZipArchive({ zlib: { level: ZLIB_LEVEL } });
    this.tap = new DigestTap(this.options.digest);
    const written = pipeline(archive, this.tap, out);
    archive.append(createReadStream(this.textTemp), { name: entryName, date });
    await Promise.all([archive.finalize(), written]);
    return zipTemp;
  }

  private async removeTemps(): Promise<void> {
    const paths = [...this.temps];
    this.temps.clear();
    await Promise.all(paths.map((path) => rm(path, { force: true })));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.head?.destroy();
    this.removeTemps().then(() => callback(error), () => callback(error));
  }

  result(): SinkResult {
    return { files: [...this.files] };
  }
}

/** The data file's lines for `rows`: one hash of `key` per line; a row without one is a broken pipeline. */
function liveIntentLines(key: string, rows: readonly Row[]): EncodedRows | undefined {
  if (rows.length === 0) return undefined;
  const ends = new Uint32Array(rows.length);
  let text = '';
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]!.values?.[key];
    if (typeof value !== 'string' || value === '') {
      throw new AudienceEtlError('INVARIANT', `a row without ${key} reached the liveintent sink`, { line: rows[i]!.line, stage: 'sink' });
    }
    text += value + '\n';
    ends[i] = text.length;
  }
  return { encoded: 'liveintent', rows: rows.length, text, ends };
}

/** LiveIntent's format as an encoder (see `EncodedRows`): one line per row, the email's hash. */
export function liveIntentEncoder(context: EncoderContext): RowEncoder {
  const key = emailKey(context.preset);
  return (rows) => liveIntentLines(key, rows);
}

function emailKey(preset: DestinationPreset): string {
  const spec = preset.keys.find((k) => k.field === 'email');
  if (spec === undefined) {
    throw new AudienceEtlError('BAD_OPTION', `preset ${preset.name} has no email key for the liveintent sink`);
  }
  return spec.key;
}

/** Builds the LiveIntent sink; throws `BAD_OPTION` at once (before any file exists) on bad options. */
export function liveIntentSink(context: SinkContext): DestinationSink {
  const options = checkLiveIntentOptions(context.options);
  return new LiveIntentSink(context, options, emailKey(context.preset));
}
