import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import unbzip2 from 'unbzip2-stream';
import yauzl from 'yauzl';
import { createBzip2Decompressor } from '../sinks/bzip2.js';
import { AudienceEtlError } from '../src/errors.js';
import type { Compression } from './sniff.js';

/** Counts the compressed bytes that went through, so an error can say where the input broke. */
class ByteCounter extends Transform {
  bytes = 0;
  ended = false;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
  override _flush(callback: (err?: Error | null) => void): void {
    this.ended = true;
    callback();
  }
}

/** The decoded output; whatever error destroys it is turned into one of ours on the way out. */
class DecodedOutput extends PassThrough {
  constructor(private readonly describe: (err: Error) => AudienceEtlError) {
    super({ highWaterMark: 1 << 16 });
  }
  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    callback(err ? this.describe(err) : null);
  }
}

/** The system's lbzip2/bzip2 (several times faster, and it checks every block's CRC), else unbzip2-stream. */
function bzip2Decoder(): Transform {
  try {
    return createBzip2Decompressor() as unknown as Transform;
  } catch {
    return unbzip2() as unknown as Transform;
  }
}

/**
 * Wraps a compressed byte stream in its decoder. Decoder errors become AudienceEtlErrors naming
 * the input and the compressed byte offset reached: an error once all input was read (or zlib's
 * "unexpected end of file") means the input is truncated, any other means it is corrupt.
 */
export function decompress(raw: Readable, compression: 'gzip' | 'bzip2', name: string): Readable {
  const counter = new ByteCounter();
  const decoder = compression === 'gzip' ? createGunzip() : bzip2Decoder();
  const label = compression === 'gzip' ? 'gzip' : 'bzip2';
  const out = new DecodedOutput((err) => {
    if (err instanceof AudienceEtlError && err.stage === 'source') return err;
    const truncated = counter.ended || /unexpected end|end of file/i.test(err.message);
    return new AudienceEtlError(
      truncated ? 'TRUNCATED_INPUT' : 'BAD_COMPRESSION',
      truncated
        ? `${label} input is truncated: it ends inside a compressed block after ${counter.bytes} bytes`
        : `${label} input is corrupt after ${counter.bytes} compressed bytes`,
      { file: name, byte: counter.bytes, stage: 'source' },
      { cause: err },
    );
  });
  pipeline(raw, counter, decoder, out).catch(() => {
    // The error reaches the reader through `out`, already described.
  });
  return out;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip!)));
  });
}

/**
 * The one data file of a zip archive, decompressed. A zip needs random access, so stdin is first
 * spooled to a temporary file (removed once read).
 */
export async function unzipSingle(source: string | Readable, name: string): Promise<Readable> {
  let path: string;
  let spoolDir: string | undefined;
  if (typeof source === 'string') {
    path = source;
  } else {
    spoolDir = await mkdtemp(join(tmpdir(), 'audience-etl-zip-'));
    path = join(spoolDir, 'input.zip');
    await pipeline(source, createWriteStream(path));
  }
  const cleanup = () => (spoolDir ? rm(spoolDir, { recursive: true, force: true }) : Promise.resolve());
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    await cleanup();
    const message = (err as Error).message;
    throw new AudienceEtlError('TRUNCATED_INPUT', `zip input is truncated or corrupt: ${message}`, { file: name, stage: 'source' });
  }
  const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      const isData = !e.fileName.endsWith('/') && !e.fileName.startsWith('__MACOSX/') && !/(^|\/)\.[^/]*$/.test(e.fileName);
      if (isData) resolve(e);
      else zip.readEntry();
    });
    zip.on('end', () => resolve(undefined));
    zip.on('error', reject);
    zip.readEntry();
  }).catch(async (err: Error) => {
    await cleanup();
    throw new AudienceEtlError('BAD_COMPRESSION', `zip input is corrupt: ${err.message}`, { file: name, stage: 'source' });
  });
  if (entry === undefined) {
    zip.close();
    await cleanup();
    throw new AudienceEtlError('BAD_COMPRESSION', 'zip input holds no data file', { file: name, stage: 'source' });
  }
  const inner = await new Promise<Readable>((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream!)));
  });
  const out = new PassThrough({ highWaterMark: 1 << 16 });
  const label = `${name}:${entry.fileName}`;
  pipeline(inner, out)
    .catch((err: Error) => {
      out.destroy(new AudienceEtlError('TRUNCATED_INPUT', `zip entry cannot be read: ${err.message}`, { file: label, stage: 'source' }));
    })
    .finally(() => {
      zip.close();
      void cleanup();
    });
  return out;
}

