import { Transform, type TransformCallback } from 'node:stream';

/** A run of whole records cut from the input, with where it starts. */
export interface RecordBlock {
  /** The bytes, ending just after a record terminator (the last block may end without one). */
  bytes: Buffer;
  /** Physical line of the block's first byte. */
  startLine: number;
  /** Byte offset of the block's first byte in the (decompressed) input. */
  startByte: number;
  /** The first block of a CSV: its header record alone. */
  header: boolean;
}

export interface SplitRecordsOptions {
  /** Aim for blocks of about this many bytes (a block always ends on a record boundary). */
  blockSize?: number;
  /** CSV: records may hold quoted line breaks, so a boundary must be outside quotes. */
  quoted?: boolean;
  /** Emit the first record alone as the header block. */
  header?: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Line terminators in buf[from, to): `\n`, and `\r` not followed by `\n`, as the CSV engine counts them. */
export function countLines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let at = buf.indexOf(LF, from); at !== -1 && at < to; at = buf.indexOf(LF, at + 1)) n++;
  for (let at = buf.indexOf(CR, from); at !== -1 && at < to; at = buf.indexOf(CR, at + 1)) if (buf[at + 1] !== LF) n++;
  return n;
}

/**
 * The end (exclusive) of the last complete record in buf[from, to), or -1: just after the last
 * `\n` with an even number of quotes between `from` (a record boundary) and it.
 */
export function lastBoundary(buf: Buffer, from: number, to: number, quoted: boolean): number {
  let nl = buf.lastIndexOf(LF, to - 1);
  if (nl < from) return -1;
  if (!quoted) return nl + 1;
  const quotes: number[] = [];
  for (let at = buf.indexOf(QUOTE, from); at !== -1 && at < nl; at = buf.indexOf(QUOTE, at + 1)) quotes.push(at);
  let count = quotes.length;
  while (nl >= from) {
    while (count > 0 && quotes[count - 1]! > nl) count--;
    if (count % 2 === 0) return nl + 1;
    nl = buf.lastIndexOf(LF, nl - 1);
  }
  return -1;
}

/**
 * Bytes → blocks of whole records, so each can be parsed on its own (on a worker thread) and the
 * results put back in order. The scan only looks at quotes and line ends, a few ns a byte.
 */
export function splitRecords(options: SplitRecordsOptions = {}): Transform {
  const blockSize = options.blockSize ?? 1 << 18;
  const quoted = options.quoted ?? true;
  let wantHeader = options.header ?? false;
  let carry: Buffer = Buffer.alloc(0);
  let line = 1;
  let byte = 0;
  let first = true;

  const emit = (stream: Transform, bytes: Buffer, header: boolean) => {
    const block: RecordBlock = { bytes, startLine: line, startByte: byte, header };
    // Count before pushing: a consumer may take the block at once and transfer its bytes away.
    line += countLines(bytes, 0, bytes.length);
    byte += bytes.length;
    stream.push(block);
  };

  return new Transform({
    writableObjectMode: false,
    readableObjectMode: true,
    readableHighWaterMark: 4,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      let data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      if (first && data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
        data = data.subarray(3); // a UTF-8 byte order mark
        byte = 3;
      }
      if (first && data.length) first = false;
      let start = 0;
      if (wantHeader) {
        const end = lastBoundaryFirst(data, quoted);
        if (end === -1) {
          carry = data;
          callback();
          return;
        }
        emit(this, data.subarray(0, end), true);
        wantHeader = false;
        start = end;
      }
      if (data.length - start >= blockSize) {
        const end = lastBoundary(data, start, data.length, quoted);
        if (end !== -1) {
          emit(this, Buffer.from(data.subarray(start, end)), false);
          start = end;
        }
      }
      carry = Buffer.from(data.subarray(start));
      callback();
    },
    flush(callback: TransformCallback) {
      if (carry.length) emit(this, carry, wantHeader);
      carry = Buffer.alloc(0);
      callback();
    },
  });
}

/** End of the first record (just after its `\n` outside quotes), or -1. */
function lastBoundaryFirst(buf: Buffer, quoted: boolean): number {
  let inQuotes = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (quoted && c === QUOTE) inQuotes = !inQuotes;
    else if (c === LF && !inQuotes) return i + 1;
  }
  return -1;
}
