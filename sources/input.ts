import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { AudienceEtlError } from '../src/errors.js';
import { decompress, unzipSingle } from './decompress.js';
import { detectCompression, peek, type Compression } from './sniff.js';

export interface OpenedInput {
  /** Decompressed bytes. */
  stream: Readable;
  /** What errors and reports call this input: the file's base name, or `stdin`. */
  name: string;
  compression: Compression;
  /** Size of the input as stored (compressed), when known, for progress. */
  size: number | undefined;
  /** Bytes of the stored input read so far, for progress. */
  bytesRead(): number;
}

export interface OpenInputOptions {
  /** Stand-in for process.stdin when the input is `-` (tests). */
  stdin?: Readable;
  highWaterMark?: number;
}

class Meter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, callback: (err?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

/**
 * Opens a path, `-` (stdin) or a stream, and unwraps gzip, bzip2 or zip recognised by the first
 * bytes. A missing file is an INPUT_NOT_FOUND error naming it.
 */
export async function openInput(input: string | Readable, options: OpenInputOptions = {}): Promise<OpenedInput> {
  let raw: Readable;
  let name: string;
  let size: number | undefined;
  if (typeof input === 'string' && input !== '-') {
    name = basename(input);
    try {
      const info = await stat(input);
      if (!info.isFile()) throw new AudienceEtlError('INPUT_NOT_FOUND', 'input is not a file', { file: input, stage: 'source' });
      size = info.size;
    } catch (err) {
      if (err instanceof AudienceEtlError) throw err;
      throw new AudienceEtlError('INPUT_NOT_FOUND', 'input file does not exist or cannot be read', { file: input, stage: 'source' });
    }
    raw = createReadStream(input, { highWaterMark: options.highWaterMark ?? 1 << 16 });
  } else if (input === '-') {
    name = 'stdin';
    raw = options.stdin ?? process.stdin;
  } else {
    name = 'stream';
    raw = input as Readable;
  }

  const meter = new Meter({ highWaterMark: 1 << 16 });
  raw.on('error', (err) => meter.destroy(new AudienceEtlError('IO', `cannot read input: ${err.message}`, { file: name, stage: 'source' })));
  raw.pipe(meter);
  // .pipe() is safe here: the meter is the only consumer and raw errors are forwarded above.
  const peeked = await peek(meter, 4);
  const compression = detectCompression(peeked.head);
  let stream: Readable;
  switch (compression) {
    case 'gzip':
    case 'bzip2':
      stream = decompress(peeked.stream, compression, name);
      break;
    case 'zip':
      if (typeof input === 'string' && input !== '-') {
        // yauzl reads the file itself by random access; the sniffing stream is no longer needed.
        peeked.stream.destroy();
        raw.destroy();
        stream = await unzipSingle(input, name);
      } else {
        stream = await unzipSingle(peeked.stream, name);
      }
      break;
    default:
      stream = peeked.stream;
  }
  return { stream, name, compression, size, bytesRead: () => meter.bytes };
}
