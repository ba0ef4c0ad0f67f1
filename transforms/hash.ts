import { Transform, type TransformCallback } from 'node:stream';
import type { DestinationPreset } from '../src/destinations/types.js';
import { encodeDigest, hashValue, type HashAlgorithm, type HashEncoding } from '../src/hash.js';
import type { Row, RowChunk } from '../src/model/row.js';

export interface HashOptions {
  /** The keys to hash: a preset's hashed keys, or a list of key names. */
  keys: DestinationPreset | readonly string[];
  algorithm?: HashAlgorithm;
  encoding?: HashEncoding;
}

/** The per-row work of the hash stage, decided once per run. */
export class RowHasher {
  private readonly keys: readonly string[];
  private readonly algorithm: HashAlgorithm;
  private readonly encoding: HashEncoding;

  constructor(options: HashOptions) {
    this.keys = Array.isArray(options.keys)
      ? (options.keys as readonly string[])
      : (options.keys as DestinationPreset).keys.filter((k) => k.hashed).map((k) => k.key);
    this.algorithm = options.algorithm ?? 'sha256';
    this.encoding = options.encoding ?? 'hex';
  }

  /** Hashes each hashed key's normalized value; a value that arrived hashed is re-encoded only. */
  hash(row: Row): void {
    const values = row.values;
    if (values === undefined) return;
    const prehashed = row.prehashed;
    for (let k = 0; k < this.keys.length; k++) {
      const key = this.keys[k]!;
      const value = values[key];
      if (typeof value !== 'string') continue;
      const hex = prehashed?.[key];
      values[key] = hex !== undefined ? encodeDigest(hex, this.encoding) : hashValue(value, this.algorithm, this.encoding);
    }
  }
}

/** Stage: normalized values of hashed keys → their hashes. */
export function hash(options: HashOptions): Transform {
  const hasher = new RowHasher(options);
  return new Transform({
    objectMode: true,
    // Chunks are arrays of thousands of rows: a couple in flight per stage keeps memory flat.
    highWaterMark: 2,
    transform(chunk: RowChunk, _encoding: BufferEncoding, callback: TransformCallback) {
      if (Array.isArray(chunk)) for (let i = 0; i < chunk.length; i++) hasher.hash(chunk[i]!);
      else hasher.hash(chunk);
      callback(null, chunk);
    },
  });
}
