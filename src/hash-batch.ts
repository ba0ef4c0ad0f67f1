/**
 * Hashes many values per call. For short values, the cost of one crypto.hash() call is mostly
 * boundary crossing and string decoding, not the digest; the native addon in native/sha-batch
 * receives a whole batch as one buffer of UTF-8 bytes plus offsets and writes every digest in one
 * call. When the addon is not built, fails to load or is disabled (AUDIENCE_ETL_NO_NATIVE=1), the
 * same results come from a loop of crypto.hash(): the addon is an accelerator, never a requirement.
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AudienceEtlError } from './errors.js';
import { HASH_ALGORITHMS, HASH_ENCODINGS, hashValue, type HashAlgorithm, type HashEncoding } from './hash.js';

export type HashBackend = 'native' | 'js';

/** The addon's one function; see native/sha-batch/sha_batch.c. */
interface ShaBatchAddon {
  hashBatch(algorithm: number, encoding: number, input: Uint8Array, offsets: Uint32Array, count: number, output: Uint8Array): void;
}

/** Where the build puts the addon, relative to the package root. */
export const NATIVE_ADDON_PATH = join('native', 'sha-batch', 'build', 'Release', 'sha_batch.node');
/** Set to anything but '' or '0' to use the crypto.hash() loop even when the addon is built. */
export const NO_NATIVE_ENV = 'AUDIENCE_ETL_NO_NATIVE';

const ALGORITHM_IDS: Record<HashAlgorithm, number> = { sha256: 0, sha1: 1, md5: 2 };
const ENCODING_IDS: Record<HashEncoding, number> = { hex: 0, base64: 1 };
const DIGEST_BYTES: Record<HashAlgorithm, number> = { sha256: 32, sha1: 20, md5: 16 };

/** Characters of one digest: fixed per algorithm and encoding (base64 is padded). */
export function digestWidth(algorithm: HashAlgorithm, encoding: HashEncoding): number {
  const bytes = DIGEST_BYTES[algorithm];
  return encoding === 'hex' ? bytes * 2 : Math.ceil(bytes / 3) * 4;
}

/** Values per native call: large enough that the call's fixed cost (~1 µs) vanishes. */
const MAX_CHUNK_VALUES = 4096;
/**
 * Characters per native call, and characters per decoded digest string. Small pieces keep V8's
 * allocations cheap: a string over ~128 KB goes to large-object space (an mmap each; a 256 KB
 * digest string took 1 ms, against 40 µs in 32 KB pieces), and 8 K measured ~1.3x faster than 32 K.
 */
const MAX_CHUNK_CHARS = 8 * 1024;

interface LoadResult {
  addon: ShaBatchAddon | undefined;
  reason: string | undefined;
}

let loaded: LoadResult | undefined;

/** The file of this module, in ESM (import.meta.url) and in the CommonJS bundle (__filename). */
function moduleFile(): string | undefined {
  const url = (import.meta as { url?: string }).url;
  if (typeof url === 'string' && url.startsWith('file:')) return fileURLToPath(url);
  return typeof __filename === 'string' ? __filename : undefined;
}

/** The nearest directory at or above `start` holding a package.json: src/ and dist/src/ both find the root. */
function packageRoot(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Known answers, checked once after loading, so that a miscompiled addon can only cost speed. */
function selfTest(addon: ShaBatchAddon): boolean {
  const values = ['', 'abc', 'mary@example.com', 'é\u{1F600}'];
  const input = Buffer.from(values.join(''), 'utf8');
  const offsets = new Uint32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) offsets[i + 1] = offsets[i]! + Buffer.byteLength(values[i]!, 'utf8');
  for (const algorithm of HASH_ALGORITHMS) {
    for (const encoding of HASH_ENCODINGS) {
      const width = digestWidth(algorithm, encoding);
      const output = Buffer.alloc(width * values.length);
      addon.hashBatch(ALGORITHM_IDS[algorithm], ENCODING_IDS[encoding], input, offsets, values.length, output);
      const expected = values.map((v) => hashValue(v, algorithm, encoding)).join('');
      if (output.toString('latin1') !== expected) return false;
    }
  }
  return true;
}

/** Where this package's addon is or would be built; undefined when the package root is not found. */
export function nativeAddonFile(): string | undefined {
  const file = moduleFile();
  const root = file === undefined ? undefined : packageRoot(dirname(file));
  return root === undefined ? undefined : join(root, NATIVE_ADDON_PATH);
}

function load(): LoadResult {
  const flag = process.env[NO_NATIVE_ENV];
  if (flag !== undefined && flag !== '' && flag !== '0') return { addon: undefined, reason: `disabled by ${NO_NATIVE_ENV}` };
  const path = nativeAddonFile();
  if (path === undefined) return { addon: undefined, reason: 'package root not found' };
  if (!existsSync(path)) return { addon: undefined, reason: `addon not built (${NATIVE_ADDON_PATH} missing)` };
  try {
    // RTLD_NOW: a Node whose OpenSSL lacks a symbol fails here, not with a process abort at the first call.
    const module = { exports: {} as Partial<ShaBatchAddon> };
    process.dlopen(module, path, constants.dlopen.RTLD_NOW);
    const addon = module.exports;
    if (typeof addon.hashBatch !== 'function') return { addon: undefined, reason: 'addon exports no hashBatch' };
    if (!selfTest(addon as ShaBatchAddon)) return { addon: undefined, reason: 'addon failed its self-test' };
    return { addon: addon as ShaBatchAddon, reason: undefined };
  } catch (error) {
    return { addon: undefined, reason: `addon failed to load: ${(error as Error).message}` };
  }
}

function state(): LoadResult {
  return (loaded ??= load());
}

/** Whether batches go through the native addon: decided at the first call, dropped only if the addon fails a call. */
export function nativeHashAvailable(): boolean {
  return state().addon !== undefined;
}

export function hashBackend(): HashBackend {
  return nativeHashAvailable() ? 'native' : 'js';
}

/** Why the native addon is not used, for diagnostics (bench, --verbose); undefined when it is. */
export function hashBackendReason(): string | undefined {
  return state().reason;
}

// Scratch space shared by all calls: hashing is synchronous, so no two batches use it at once.
// A chunk of MAX_CHUNK_CHARS UTF-16 units takes at most 3 UTF-8 bytes a unit.
const inputBytes = Buffer.allocUnsafe(MAX_CHUNK_CHARS * 3);
const offsets = new Uint32Array(MAX_CHUNK_VALUES + 1);
const outputBytes = Buffer.allocUnsafe(MAX_CHUNK_VALUES * 64);

/**
 * UTF-8 byte offsets of values[start, start + count) into `offsets`, from their characters; false
 * when a value holds a lone surrogate, which the joined write could pair with its neighbour's.
 */
function utf8Offsets(values: readonly string[], start: number, count: number): number | false {
  let position = 0;
  for (let i = 0; i < count; i++) {
    offsets[i] = position;
    const value = values[start + i]!;
    const length = value.length;
    let bytes = length;
    for (let j = 0; j < length; j++) {
      const code = value.charCodeAt(j);
      if (code < 0x80) continue;
      if (code < 0x800) bytes += 1;
      else if (code < 0xd800 || code > 0xdfff) bytes += 2;
      else if (code <= 0xdbff && j + 1 < length && (value.charCodeAt(j + 1) & 0xfc00) === 0xdc00) {
        bytes += 2; // a pair: 2 units, 4 bytes
        j++;
      } else return false;
    }
    position += bytes;
  }
  offsets[count] = position;
  return position;
}

/**
 * Hashes values[start, end) with the addon into out[outAt…]; false when the addon refused the
 * call. `offsets` already holds the values' character offsets, which are their byte offsets when
 * every character is ASCII.
 */
function hashChunkNative(
  addon: ShaBatchAddon,
  values: readonly string[],
  start: number,
  end: number,
  chars: number,
  algorithm: HashAlgorithm,
  encoding: HashEncoding,
  out: string[],
  outAt: number,
): boolean {
  const count = end - start;
  // Only a chunk of one value longer than MAX_CHUNK_CHARS needs more; its buffer is not kept.
  const input = chars * 3 <= inputBytes.length ? inputBytes : Buffer.allocUnsafe(chars * 3);
  // One join and one write beat a write per value (~12 ns against ~55 ns a value).
  const joined = start === 0 && end === values.length ? values.join('') : values.slice(start, end).join('');
  const written = input.write(joined, 0, 'utf8');
  // UTF-8 bytes equal UTF-16 units only when every character is ASCII; otherwise count the bytes.
  if (written !== chars && utf8Offsets(values, start, count) !== written) {
    let position = 0;
    for (let i = 0; i < count; i++) {
      offsets[i] = position;
      position += input.write(values[start + i]!, position, 'utf8');
    }
    offsets[count] = position;
  }
  try {
    addon.hashBatch(ALGORITHM_IDS[algorithm], ENCODING_IDS[encoding], input, offsets, count, outputBytes);
  } catch (error) {
    // A call it should accept: drop the addon for good; the caller gives the same digests anyway.
    const current = state();
    current.addon = undefined;
    current.reason = `addon call failed: ${(error as Error).message}`;
    return false;
  }
  // A few strings of digests, then substrings of them: V8 makes those slices without copying.
  const width = digestWidth(algorithm, encoding);
  const perString = Math.floor(MAX_CHUNK_CHARS / width);
  for (let first = 0; first < count; first += perString) {
    const last = Math.min(count, first + perString);
    const digests = outputBytes.toString('latin1', first * width, last * width);
    for (let i = first, at = 0; i < last; i++, at += width) out[outAt + i] = digests.slice(at, at + width);
  }
  return true;
}

function hashRangeJs(values: readonly string[], start: number, end: number, algorithm: HashAlgorithm, encoding: HashEncoding, out: string[], outAt: number): void {
  for (let i = start; i < end; i++) out[outAt + i - start] = hashValue(values[i]!, algorithm, encoding);
}

function checkOptions(algorithm: HashAlgorithm, encoding: HashEncoding): void {
  if (!Object.hasOwn(ALGORITHM_IDS, algorithm)) throw new AudienceEtlError('BAD_OPTION', `unknown hash algorithm "${String(algorithm)}"`);
  if (!Object.hasOwn(ENCODING_IDS, encoding)) throw new AudienceEtlError('BAD_OPTION', `unknown hash encoding "${String(encoding)}"`);
}

function hashInto(values: readonly string[], algorithm: HashAlgorithm, encoding: HashEncoding, out: string[], outStart: number): void {
  const n = values.length;
  const addon = state().addon;
  if (addon === undefined) return hashRangeJs(values, 0, n, algorithm, encoding, out, outStart);
  let start = 0;
  while (start < n) {
    // The chunk's character offsets, computed while choosing where it ends.
    let end = start;
    let chars = 0;
    offsets[0] = 0;
    while (end < n && end - start < MAX_CHUNK_VALUES) {
      const length = values[end]!.length;
      if (end > start && chars + length > MAX_CHUNK_CHARS) break;
      chars += length;
      end++;
      offsets[end - start] = chars;
    }
    if (!hashChunkNative(addon, values, start, end, chars, algorithm, encoding, out, outStart + start)) {
      return hashRangeJs(values, start, n, algorithm, encoding, out, outStart + start);
    }
    start = end;
  }
}

/** Digests of `values` (UTF-8), in order; identical to crypto.hash(algorithm, value, encoding) for each. */
export function hashMany(values: readonly string[], algorithm: HashAlgorithm = 'sha256', encoding: HashEncoding = 'hex'): string[] {
  checkOptions(algorithm, encoding);
  const out = new Array<string>(values.length);
  hashInto(values, algorithm, encoding, out, 0);
  return out;
}

/** As hashMany, writing digest i to out[outStart + i] so that callers can reuse one array. */
export function hashManyInto(
  values: readonly string[],
  algorithm: HashAlgorithm,
  encoding: HashEncoding,
  out: string[],
  outStart = 0,
): void {
  checkOptions(algorithm, encoding);
  hashInto(values, algorithm, encoding, out, outStart);
}

/** A hasher whose algorithm and encoding are checked once, for per-batch use in a stream stage. */
export class BatchHasher {
  readonly algorithm: HashAlgorithm;
  readonly encoding: HashEncoding;

  constructor(algorithm: HashAlgorithm = 'sha256', encoding: HashEncoding = 'hex') {
    checkOptions(algorithm, encoding);
    this.algorithm = algorithm;
    this.encoding = encoding;
  }

  hashMany(values: readonly string[]): string[] {
    const out = new Array<string>(values.length);
    hashInto(values, this.algorithm, this.encoding, out, 0);
    return out;
  }

  hashManyInto(values: readonly string[], out: string[], outStart = 0): void {
    hashInto(values, this.algorithm, this.encoding, out, outStart);
  }

  /**
   * Digests of values given joined, value i being `text.slice(ends[i - 1] ?? 0, ends[i])`, as one
   * string of fixed-width digests in order. The form values take when they cross threads (see
   * `EncodedRows`): no value is sliced out and nothing is joined again.
   */
  hashJoined(text: string, ends: ArrayLike<number>): string {
    return hashJoined(text, ends, this.algorithm, this.encoding);
  }
}

function hashJoined(text: string, ends: ArrayLike<number>, algorithm: HashAlgorithm, encoding: HashEncoding): string {
  const count = ends.length;
  const addon = state().addon;
  joined: if (addon !== undefined) {
    const input = Buffer.allocUnsafe(text.length * 3);
    const written = input.write(text, 0, 'utf8');
    const byteEnds = new Uint32Array(count + 1);
    if (written === text.length) {
      for (let i = 0; i < count; i++) byteEnds[i + 1] = ends[i]!;
    } else {
      // Not all ASCII: the byte length of each value, counted where it sits in the text.
      for (let i = 0, at = 0; i < count; at = ends[i]!, i++) byteEnds[i + 1] = byteEnds[i]! + Buffer.byteLength(text.slice(at, ends[i]), 'utf8');
      // A surrogate pair cut between two values is one character joined and two replaced apart.
      if (byteEnds[count] !== written) break joined;
    }
    const width = digestWidth(algorithm, encoding);
    const output = Buffer.allocUnsafe(count * width);
    try {
      // The addon reads offsets[0..count] from the array it is given: a view per call of MAX_CHUNK_VALUES.
      for (let first = 0; first < count; first += MAX_CHUNK_VALUES) {
        const n = Math.min(MAX_CHUNK_VALUES, count - first);
        addon.hashBatch(ALGORITHM_IDS[algorithm], ENCODING_IDS[encoding], input, byteEnds.subarray(first, first + n + 1), n, output.subarray(first * width));
      }
      return output.toString('latin1');
    } catch (error) {
      const current = state();
      current.addon = undefined;
      current.reason = `addon call failed: ${(error as Error).message}`;
    }
  }
  let digests = '';
  for (let i = 0, at = 0; i < count; at = ends[i]!, i++) digests += hashValue(text.slice(at, ends[i]), algorithm, encoding);
  return digests;
}
