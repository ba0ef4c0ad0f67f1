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
 *
 * Blocks hold at most `blockSize` bytes (a record longer than that makes a block of its own).
 * Each is the only view of its own ArrayBuffer, so a consumer may transfer it to another thread.
 * Chunks wait in a list until a block's worth has arrived, then are copied once into one buffer,
 * which the first block cut from it keeps; later blocks are copied out of it once more (copying
 * a growing carry on every chunk, as before, cost the main thread more than reading the file,
 * and the garbage collections its buffers caused).
 */
export function splitRecords(options: SplitRecordsOptions = {}): Transform {
  const blockSize = options.blockSize ?? 1 << 18;
  const quoted = options.quoted ?? true;
  let wantHeader = options.header ?? false;
  /** Bytes after the last block, in arrival order. */
  let parts: Buffer[] = [];
  let partsLength = 0;
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

  /** The waiting parts in one buffer of their own (never Buffer's shared pool). */
  const gather = (): Buffer => {
    const data = Buffer.allocUnsafeSlow(partsLength);
    let at = 0;
    for (const part of parts) {
      data.set(part, at);
      at += part.length;
    }
    return data;
  };

  /** Queues a chunk (the byte order mark already gone); emits the header, then any whole block. */
  const take = (stream: Transform, chunk: Buffer) => {
    parts.push(chunk);
    partsLength += chunk.length;
    if (wantHeader) {
      const data = parts.length > 1 ? Buffer.concat(parts) : parts[0]!;
      const end = lastBoundaryFirst(data, quoted);
      if (end === -1) {
        parts = [data];
        return;
      }
      emit(stream, data.subarray(0, end), true);
      wantHeader = false;
      parts = end < data.length ? [data.subarray(end)] : [];
      partsLength = data.length - end;
    }
    if (partsLength >= blockSize) {
      const data = gather();
      // Blocks of at most blockSize bytes, each cut at the last record boundary within it (or,
      // for a record longer than a block, at the next one).
      const ends: number[] = [];
      for (let start = 0; data.length - start >= blockSize; ) {
        let end = lastBoundary(data, start, start + blockSize, quoted);
        if (end === -1) end = lastBoundary(data, start, data.length, quoted);
        if (end === -1) break; // one record longer than what has arrived: wait for its end
        ends.push(end);
        start = end;
      }
      if (ends.length === 0) {
        parts = [data];
        return;
      }
      // Every later block and the rest are copied out before the first block (the buffer it
      // shares with them) can be transferred.
      const copies = ends.slice(1).map((end, i) => {
        const copy = Buffer.allocUnsafeSlow(end - ends[i]!); // never Buffer's shared pool
        data.copy(copy, 0, ends[i]!, end);
        return copy;
      });
      const last = ends[ends.length - 1]!;
      const rest = data.subarray(last);
      parts = rest.length ? [Buffer.from(rest)] : [];
      partsLength = rest.length;
      emit(stream, data.subarray(0, ends[0]!), false);
      for (const copy of copies) emit(stream, copy, false);
    }
  };

  /** The first bytes, once there are enough to tell whether they open with a byte order mark. */
  const begin = (stream: Transform, chunk: Buffer) => {
    first = false;
    if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      chunk = chunk.subarray(3);
      byte = 3;
    }
    take(stream, chunk);
  };

  return new Transform({
    writableObjectMode: false,
    readableObjectMode: true,
    readableHighWaterMark: 4,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (!first) take(this, chunk);
      else if (partsLength + chunk.length >= 3) {
        const head = partsLength ? Buffer.concat([...parts, chunk]) : chunk;
        parts = [];
        partsLength = 0;
        begin(this, head);
      } else {
        parts.push(chunk);
        partsLength += chunk.length;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (first && partsLength) {
        const head = Buffer.concat(parts);
        parts = [];
        partsLength = 0;
        begin(this, head);
      }
      if (partsLength) emit(this, gather(), wantHeader);
      parts = [];
      partsLength = 0;
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
