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
    this.chunkHashers = this.keys.map((_, k) => this.chunkHasher(k));
  }

  /** Per key, `chunkHasher`'s loop. */
  private readonly chunkHashers: readonly ((rows: readonly Row[]) => void)[];

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
    for (let r = 0; r < rows.length; r++) if (rows[r]!.values !== undefined) rows[r]!.hashedBy = this.signature;
    for (let k = 0; k < this.keys.length; k++) this.chunkHashers[k]!(rows);
    this.pendingValues.length = 0;
    this.pendingTargets.length = 0;
  }

  /**
   * hashChunk's work for one key, as a function made for that key with `new Function`: its key is
   * then a constant name, and each read and write of it stays monomorphic (a loop shared by every
   * key went megamorphic). The key is quoted as JSON.
   */
  private chunkHasher(k: number): (rows: readonly Row[]) => void {
    const key = JSON.stringify(this.keys[k]!);
    const body = `return function hashKey(rows) {
      pending.length = 0;
      targets.length = 0;
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r];
        const values = row.values;
        if (values === undefined) continue;
        const value = values[${key}];
        if (typeof value !== 'string') continue;
        const prehashed = row.prehashed;
        if (prehashed !== undefined && prehashed[${key}] !== undefined) {
          values[${key}] = encodeDigest(prehashed[${key}], encoding);
          continue;
        }
        const known = memo.get(value);
        if (known !== undefined) {
          values[${key}] = known;
          continue;
        }
        pending.push(value);
        targets.push(values);
      }
      if (pending.length === 0) return;
      const digests = batch.hashMany(pending);
      const remember = memo.active;
      for (let i = 0; i < targets.length; i++) {
        targets[i][${key}] = digests[i];
        if (remember) memo.set(pending[i], digests[i]);
      }
    };`;
    return new Function('pending', 'targets', 'memo', 'batch', 'encodeDigest', 'encoding', body)(
      this.pendingValues,
      this.pendingTargets,
      this.memos[k]!,
      this.batch,
      encodeDigest,
      this.encoding,
    ) as (rows: readonly Row[]) => void;
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
