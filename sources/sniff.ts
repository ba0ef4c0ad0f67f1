import { Readable } from 'node:stream';

export type Compression = 'gzip' | 'bzip2' | 'zip' | 'none';

/** Compression recognised by its first bytes, never by a file name. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2'; // "BZh"
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05) && (head[3] === 0x04 || head[3] === 0x06)) return 'zip';
  return 'none';
}

export interface Peeked {
  /** The first bytes (at least the number asked for, unless the input is shorter). */
  head: Buffer;
  /** The whole input again, from its first byte. */
  stream: Readable;
}

/**
 * Reads the first `bytes` bytes of a stream and returns them with a stream that replays them and
 * then the rest. (Unshifting into the source breaks when a short input ends while being peeked.)
 */
export async function peek(source: Readable, bytes: number): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const parts: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    parts.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(parts, length);
  async function* replay(): AsyncGenerator<Buffer> {
    let finished = ended;
    try {
      if (head.length) yield head;
      while (!finished) {
        const next = await iterator.next();
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } finally {
      // Destroyed early: let go of the source too.
      if (!finished) await iterator.return?.();
    }
  }
  return { head, stream: Readable.from(replay(), { objectMode: false, highWaterMark: 1 << 16 }) };
}
