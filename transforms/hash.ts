import { Transform, type TransformCallback } from 'node:stream';
import type { DestinationPreset } from '../src/destinations/types.js';
import { encodeDigest, hashValue, type HashAlgorithm, type HashEncoding, type HashSignature } from '../src/hash.js';
import type { Row, RowChunk } from '../src/model/row.js';
import { BatchHasher } from '../src/hash-batch.js';
import { AdaptiveMemo } from '../src/memo.js';

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
    this.batch = new BatchHasher(this.algorithm, this.encoding);
    this.memos = this.keys.map(() => new AdaptiveMemo<string>());
    this.signature = { algorithm: this.algorithm, encoding: this.encoding, keys: new Set(this.keys) };
  }

  private readonly batch: BatchHasher;
  /** Per key, digests of recent values: names, countries and genders repeat, emails rarely do. */
  private readonly memos: AdaptiveMemo<string>[];
  readonly signature: HashSignature;
  private readonly pendingValues: string[] = [];
  private readonly pendingTargets: Record<string, string | null>[] = [];

  /**
   * Hashes a chunk of rows key by key, many values per call (`BatchHasher`: a native batch where
   * it is built, else one crypto.hash() per value): per-call overhead, not SHA-256, is the cost.
   */
  hashChunk(rows: readonly Row[]): void {
    const pending: string[] = this.pendingValues;
    const targets: Record<string, string | null>[] = this.pendingTargets;
    for (let r = 0; r < rows.length; r++) if (rows[r]!.values !== undefined) rows[r]!.hashedBy = this.signature;
    for (let k = 0; k < this.keys.length; k++) {
      const key = this.keys[k]!;
      const memo = this.memos[k]!;
      pending.length = 0;
      targets.length = 0;
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        const values = row.values;
        if (values === undefined) continue;
        const value = values[key];
        if (typeof value !== 'string') continue;
        const hex = row.prehashed?.[key];
        if (hex !== undefined) {
          values[key] = encodeDigest(hex, this.encoding);
          continue;
        }
        const known = memo.get(value);
        if (known !== undefined) {
          values[key] = known;
          continue;
        }
        pending.push(value);
        targets.push(values);
      }
      if (pending.length === 0) continue;
      const digests = this.batch.hashMany(pending);
      const remember = memo.active;
      for (let i = 0; i < targets.length; i++) {
        targets[i]![key] = digests[i]!;
        if (remember) memo.set(pending[i]!, digests[i]!);
      }
    }
    pending.length = 0;
    targets.length = 0;
  }

  /** Hashes each hashed key's normalized value; a value that arrived hashed is re-encoded only. */
  hash(row: Row): void {
    const values = row.values;
    if (values === undefined) return;
    row.hashedBy = this.signature;
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
      if (Array.isArray(chunk)) hasher.hashChunk(chunk);
      else hasher.hash(chunk);
      callback(null, chunk);
    },
  });
}
