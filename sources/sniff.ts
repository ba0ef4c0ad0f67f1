import type { Readable } from 'node:stream';

export type Compression = 'gzip' | 'bzip2' | 'zip' | 'none';

/** Compression recognised by its first bytes, never by a file name. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2'; // "BZh"
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05) && (head[3] === 0x04 || head[3] === 0x06)) return 'zip';
  return 'none';
}

/**
 * Reads at least `bytes` bytes (or all there is) from a paused stream and puts them back, so the
 * stream can be consumed from its start afterwards.
 */
export async function peek(stream: Readable, bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      parts.push(chunk);
      length += chunk.length;
      continue;
    }
    if (stream.readableEnded || stream.destroyed) break;
    const ended = await new Promise<boolean>((resolve, reject) => {
      const onReadable = () => done(false);
      const onEnd = () => done(true);
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        stream.off('error', onError);
      };
      const done = (value: boolean) => {
        cleanup();
        resolve(value);
      };
      stream.on('readable', onReadable);
      stream.on('end', onEnd);
      stream.on('error', onError);
    });
    if (ended) break;
  }
  const head = Buffer.concat(parts, length);
  if (head.length > 0) stream.unshift(head);
  return head;
}
