import { crc32 } from 'node:zlib';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathFor } from '../../sinks/atomic-file.js';
import { AudienceEtlError } from '../errors.js';

/**
 * The delta state: for every customer of the last export that went out, a 64-bit hash of its id
 * and a 64-bit fingerprint of its output row. 16 bytes a customer, so 10 million customers take
 * 160 MB on disk and in memory, and a delta run only adds a bit per customer plus the new ones.
 *
 * File layout (little-endian), written whole under a temporary name and renamed into place:
 *   0  magic `AETLDLT1` · 8 u32 format version · 12 u32 CRC-32 of the records
 *   16 u64 record count · 24 u64 epoch seconds when written
 *   32 records: u32 id-lo, u32 id-hi, u32 fp-lo, u32 fp-hi — sorted by the 64-bit id, unique.
 * Both hashes are the function below over UTF-16 code units; changing it needs a new version.
 */

const MAGIC = 'AETLDLT1';
const VERSION = 1;
const HEADER_BYTES = 32;
/** u32 words per record. */
const WORDS = 4;
const WRITE_CHUNK_RECORDS = 65_536;
const ID_SEED = 0x2f6b9d3a;
const FP_SEED = 0x61c88647;

// ---- 64-bit hashing: two murmur3-style 32-bit lanes fed the same 32-bit blocks, cross-mixed at the
// end. Plain JS over charCodeAt, all in local variables: no allocation and no native call per row.
// Each value is one block holding its length + 1 (0 for an absent value), then its UTF-16 code
// units two by two: an unambiguous encoding of a list of optional strings.
const listScratch: (string | null | undefined)[] = [];

function hashList(seed: number, list: readonly (string | null | undefined)[], count: number, out: Uint32Array, at: number): void {
  let h1 = seed | 0;
  let h2 = ~seed;
  let blocks = 0;
  for (let v = 0; v < count; v++) {
    const s = list[v];
    const n = s === null || s === undefined ? -1 : s.length;
    for (let i = -2; i < n; i += 2) {
      // charCodeAt past the end is NaN, which `<<` and `|` turn into 0: an odd tail is one unit.
      let k = i < 0 ? n + 1 : s!.charCodeAt(i) | (s!.charCodeAt(i + 1) << 16);
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h1 ^= k;
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      h2 ^= Math.imul(k, 0x85ebca6b);
      h2 = (h2 << 17) | (h2 >>> 15);
      h2 = (Math.imul(h2, 9) + 0x38495ab5) | 0;
      blocks++;
    }
  }
  let a = fmix(h1 ^ blocks);
  let b = fmix(h2 ^ blocks);
  a = (a + b) | 0;
  b = (b + a) | 0;
  // (0, 0) marks an empty slot in the table of new customers.
  out[at] = a === 0 && b === 0 ? 1 : a >>> 0;
  out[at + 1] = b >>> 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Writes the 64-bit hash of a customer id as [lo, hi] into `out` at `at`. */
export function hashCustomerId(id: string, out: Uint32Array, at = 0): void {
  listScratch[0] = id;
  hashList(ID_SEED, listScratch, 1, out, at);
}

/** Writes the 64-bit fingerprint of a row's output values (in `keys` order; absent ≠ empty) into `out` at `at`. */
export function fingerprintRow(values: Readonly<Record<string, string | null | undefined>>, keys: readonly string[], out: Uint32Array, at = 0): void {
  for (let k = 0; k < keys.length; k++) listScratch[k] = values[keys[k]!];
  hashList(FP_SEED, listScratch, keys.length, out, at);
}

/** What a row is to the state; `Duplicate`: the same customer already came earlier in this run. */
export const Delta = { New: 0, Changed: 1, Unchanged: 2, Duplicate: 3 } as const;
export type Delta = (typeof Delta)[keyof typeof Delta];

/**
 * The state loaded from the last run, updated in memory as rows are classified; `save()` writes
 * the customers seen in this run (and only those) as the next state.
 */
export class DeltaState {
  /** The last run's records, sorted; fingerprints are overwritten in place as rows change. */
  private readonly records: Uint32Array;
  private readonly count: number;
  private readonly seen: Uint8Array;
  /** Records whose id-hi top bits are b start at bucketStart[b]: two or three probes per lookup. */
  private readonly bucketStart: Uint32Array;
  private readonly bucketShift: number;
  /** Open-addressing table of customers not in the last state: [id-lo, id-hi, fp-lo, fp-hi] per slot. */
  private table = new Uint32Array(1024 * WORDS);
  private tableSize = 0;
  private seenCount = 0;

  private constructor(records: Uint32Array) {
    this.records = records;
    this.count = records.length / WORDS;
    this.seen = new Uint8Array(Math.ceil(this.count / 8));
    const bits = Math.max(0, Math.min(24, Math.ceil(Math.log2(Math.max(1, this.count))) - 2));
    this.bucketShift = 32 - bits;
    this.bucketStart = new Uint32Array((1 << bits) + 1);
    let r = 0;
    for (let b = 0; b < 1 << bits; b++) {
      this.bucketStart[b] = r;
      while (r < this.count && (bits === 0 ? 0 : records[r * WORDS + 1]! >>> this.bucketShift) === b) r++;
    }
    this.bucketStart[1 << bits] = this.count;
  }

  /** An empty state: the first run of a delta series, where every row is new. */
  static empty(): DeltaState {
    return new DeltaState(new Uint32Array(0));
  }

  /** Reads the state at `path`; a missing file is an empty state. A damaged file is an IO error. */
  static async load(path: string): Promise<DeltaState> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DeltaState.empty();
      throw new AudienceEtlError('IO', `cannot read the delta state ${path}: ${(err as Error).message}`, {}, { cause: err });
    }
    try {
      const size = (await handle.stat()).size;
      // Read into a fresh buffer so the records view is aligned.
      const bytes = new Uint8Array(size);
      let at = 0;
      while (at < size) {
        const { bytesRead } = await handle.read(bytes, at, size - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return new DeltaState(parseState(bytes.subarray(0, at), path));
    } finally {
      await handle.close();
    }
  }

  /** Customers in the state as loaded. */
  get loaded(): number {
    return this.count;
  }

  /** Customers the next state will hold: those seen in this run. */
  get size(): number {
    return this.seenCount + this.tableSize;
  }

  /** Classifies one row by its id hash and fingerprint, and records it in the next state. */
  classify(id: Uint32Array, fp: Uint32Array): Delta {
    const lo = id[0]!;
    const hi = id[1]!;
    const index = this.find(lo, hi);
    if (index >= 0) {
      const bit = 1 << (index & 7);
      if (this.seen[index >>> 3]! & bit) return Delta.Duplicate;
      this.seen[index >>> 3]! |= bit;
      this.seenCount++;
      const w = index * WORDS;
      if (this.records[w + 2] === fp[0] && this.records[w + 3] === fp[1]) return Delta.Unchanged;
      this.records[w + 2] = fp[0]!;
      this.records[w + 3] = fp[1]!;
      return Delta.Changed;
    }
    return this.insertNew(lo, hi, fp[0]!, fp[1]!) ? Delta.New : Delta.Duplicate;
  }

  /**
   * Writes the next state to `path` atomically: a temporary file in the same folder, synced,
   * then renamed over the old one. Until the rename the old state stays whole and valid.
   */
  async save(path: string, writtenAt: Date): Promise<void> {
    const fresh = this.sortedNewIds();
    const tempPath = tempPathFor(path);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tempPath, 'wx');
      const chunk = new Uint32Array(WRITE_CHUNK_RECORDS * WORDS);
      let filled = 0;
      let crc = 0;
      let position = HEADER_BYTES;
      const flush = async () => {
        const bytes = new Uint8Array(chunk.buffer, 0, filled * WORDS * 4);
        crc = crc32(bytes, crc);
        await writeAll(handle!, bytes, position);
        position += bytes.length;
        filled = 0;
      };
      const put = (lo: number, hi: number, fpLo: number, fpHi: number): boolean => {
        const w = filled * WORDS;
        chunk[w] = lo;
        chunk[w + 1] = hi;
        chunk[w + 2] = fpLo;
        chunk[w + 3] = fpHi;
        return ++filled === WRITE_CHUNK_RECORDS;
      };
      // Merge the last state's records seen in this run with the new customers, both sorted.
      const freshIds = new Uint32Array(fresh.buffer, fresh.byteOffset, fresh.length * 2);
      const records = this.records;
      let f = 0;
      for (let r = 0; r <= this.count; r++) {
        const last = r === this.count;
        const w = r * WORDS;
        while (f < fresh.length && (last || compare(freshIds[2 * f + 1]!, freshIds[2 * f]!, records[w + 1]!, records[w]!) < 0)) {
          const lo = freshIds[2 * f]!;
          const hi = freshIds[2 * f + 1]!;
          const slot = this.slotOf(lo, hi);
          if (put(lo, hi, this.table[slot + 2]!, this.table[slot + 3]!)) await flush();
          f++;
        }
        if (!last && this.seen[r >>> 3]! & (1 << (r & 7))) {
          if (put(records[w]!, records[w + 1]!, records[w + 2]!, records[w + 3]!)) await flush();
        }
      }
      if (filled > 0) await flush();
      const header = Buffer.alloc(HEADER_BYTES);
      header.write(MAGIC, 0, 'latin1');
      header.writeUInt32LE(VERSION, 8);
      header.writeUInt32LE(crc >>> 0, 12);
      header.writeBigUInt64LE(BigInt(this.size), 16);
      header.writeBigUInt64LE(BigInt(Math.floor(writtenAt.getTime() / 1000)), 24);
      await writeAll(handle, header, 0);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(tempPath, path);
      await syncDirectory(dirname(path));
    } catch (err) {
      if (handle) await handle.close().catch(() => undefined);
      await rm(tempPath, { force: true });
      throw new AudienceEtlError('IO', `cannot write the delta state ${path}: ${(err as Error).message}`, {}, { cause: err });
    }
  }

  /** Index of the record with this id in the last state, or -1. */
  private find(lo: number, hi: number): number {
    if (this.count === 0) return -1;
    const bucket = this.bucketShift === 32 ? 0 : hi >>> this.bucketShift;
    const records = this.records;
    for (let r = this.bucketStart[bucket]!, stop = this.bucketStart[bucket + 1]!; r < stop; r++) {
      const rh = records[r * WORDS + 1]!;
      if (rh > hi) return -1;
      if (rh === hi) {
        const rl = records[r * WORDS]!;
        if (rl === lo) return r;
        if (rl > lo) return -1;
      }
    }
    return -1;
  }

  /** Inserts a customer absent from the last state; false when this run already had it. */
  private insertNew(lo: number, hi: number, fpLo: number, fpHi: number): boolean {
    if ((this.tableSize + 1) * 4 > (this.table.length / WORDS) * 3) this.grow();
    const mask = this.table.length / WORDS - 1;
    for (let s = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; ; s = (s + 1) & mask) {
      const w = s * WORDS;
      const sl = this.table[w]!;
      const sh = this.table[w + 1]!;
      if (sl === 0 && sh === 0) {
        this.table[w] = lo;
        this.table[w + 1] = hi;
        this.table[w + 2] = fpLo;
        this.table[w + 3] = fpHi;
        this.tableSize++;
        return true;
      }
      if (sl === lo && sh === hi) return false;
    }
  }

  /** Word offset of a new customer's slot (it must be there). */
  private slotOf(lo: number, hi: number): number {
    const mask = this.table.length / WORDS - 1;
    for (let s = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; ; s = (s + 1) & mask) {
      const w = s * WORDS;
      if (this.table[w] === lo && this.table[w + 1] === hi) return w;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.tableSize = 0;
    for (let w = 0; w < old.length; w += WORDS) {
      if (old[w] !== 0 || old[w + 1] !== 0) this.insertNew(old[w]!, old[w + 1]!, old[w + 2]!, old[w + 3]!);
    }
  }

  /** The new customers' ids as sorted 64-bit integers (native sort; little-endian [lo, hi] words). */
  private sortedNewIds(): BigUint64Array {
    const ids = new BigUint64Array(this.tableSize);
    const words = new Uint32Array(ids.buffer);
    let n = 0;
    for (let w = 0; w < this.table.length; w += WORDS) {
      if (this.table[w] !== 0 || this.table[w + 1] !== 0) {
        words[2 * n] = this.table[w]!;
        words[2 * n + 1] = this.table[w + 1]!;
        n++;
      }
    }
    return ids.sort();
  }
}

function compare(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return aHi !== bHi ? aHi - bHi : aLo - bLo;
}

/** Checks a state file's header, size, checksum and order; returns its records. */
function parseState(bytes: Uint8Array, path: string): Uint32Array {
  const damaged = (why: string) =>
    new AudienceEtlError('IO', `the delta state ${path} is damaged (${why}); remove it to make the next --delta run a full load`);
  if (bytes.length < HEADER_BYTES) throw damaged('too short');
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (header.toString('latin1', 0, 8) !== MAGIC) throw damaged('not a state file');
  const version = header.readUInt32LE(8);
  if (version !== VERSION) throw damaged(`format version ${version}, this program reads ${VERSION}`);
  const count = Number(header.readBigUInt64LE(16));
  if (bytes.length !== HEADER_BYTES + count * WORDS * 4) throw damaged('wrong size');
  const body = bytes.subarray(HEADER_BYTES);
  if (crc32(body) >>> 0 !== header.readUInt32LE(12)) throw damaged('checksum mismatch');
  const records = new Uint32Array(body.buffer, body.byteOffset, count * WORDS);
  for (let r = 1; r < count; r++) {
    const w = r * WORDS;
    if (compare(records[w + 1]!, records[w]!, records[w - WORDS + 1]!, records[w - WORDS]!) <= 0) throw damaged('records out of order');
  }
  return records;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** Makes a rename durable; some platforms cannot open folders, which only weakens durability. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort by design: the rename itself is already atomic.
  }
}
