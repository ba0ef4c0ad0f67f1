import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HASH_ALGORITHMS, HASH_ENCODINGS, hashPattern, type HashAlgorithm, type HashEncoding } from '../src/hash.js';
import * as native from '../src/hash-batch.js';
import { vectors } from './vectors.js';

type HashBatchModule = typeof native;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addonPath = join(root, native.NATIVE_ADDON_PATH);
const addonBuilt = existsSync(addonPath);

/** The reference: one createHash per value, as the rest of the product did before batching. */
function expected(values: readonly string[], algorithm: HashAlgorithm, encoding: HashEncoding): string[] {
  return values.map((v) => createHash(algorithm).update(v, 'utf8').digest(encoding));
}

const COMBOS = HASH_ALGORITHMS.flatMap((a) => HASH_ENCODINGS.map((e) => [a, e] as [HashAlgorithm, HashEncoding]));

// A second instance of the module, loaded with the fallback forced by the environment variable.
let fallback: HashBatchModule;

beforeAll(async () => {
  vi.stubEnv(native.NO_NATIVE_ENV, '');
  native.hashBackend(); // decides the static instance's backend before the variable is set
  vi.stubEnv(native.NO_NATIVE_ENV, '1');
  vi.resetModules();
  fallback = (await import('../src/hash-batch.js')) as HashBatchModule;
  fallback.hashBackend();
  vi.unstubAllEnvs();
});
afterAll(() => vi.unstubAllEnvs());

describe('backend selection', () => {
  it('uses the addon when it is built, the crypto.hash loop otherwise', () => {
    expect(native.hashBackend()).toBe(addonBuilt ? 'native' : 'js');
    expect(native.nativeHashAvailable()).toBe(addonBuilt);
    if (addonBuilt) expect(native.hashBackendReason()).toBeUndefined();
    else expect(native.hashBackendReason()).toMatch(/not built/);
  });

  it('AUDIENCE_ETL_NO_NATIVE=1 forces the crypto.hash loop', () => {
    expect(fallback.hashBackend()).toBe('js');
    expect(fallback.nativeHashAvailable()).toBe(false);
    expect(fallback.hashBackendReason()).toMatch(/AUDIENCE_ETL_NO_NATIVE/);
  });
});

// `fallback` is assigned in beforeAll, hence getters rather than the modules themselves.
describe.each<[string, () => HashBatchModule]>([
  ['default backend', () => native],
  ['forced fallback', () => fallback],
])('%s', (_, mod) => {

  it.each(vectors.sha256.map((v) => [v.input, v.sha256] as const))('sha256 vector %j', (input, sha256) => {
    expect(mod().hashMany([input], 'sha256', 'hex')).toEqual([sha256]);
  });

  it('all sha256 vectors in one batch', () => {
    const inputs = vectors.sha256.map((v) => v.input);
    expect(mod().hashMany(inputs)).toEqual(vectors.sha256.map((v) => v.sha256));
  });

  it.each(COMBOS)('%s/%s equals createHash for arbitrary unicode strings', (algorithm, encoding) => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }), // includes lone surrogates
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
      fc.emailAddress(),
      fc.constant(''),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (values) => {
        expect(mod().hashMany(values, algorithm, encoding)).toEqual(expected(values, algorithm, encoding));
      }),
      { numRuns: 60 },
    );
  });

  it.each(COMBOS)('%s/%s digests have the fixed width and pattern', (algorithm, encoding) => {
    const digests = mod().hashMany(['', 'a', 'ü', 'mary@example.com'], algorithm, encoding);
    for (const d of digests) {
      expect(d).toHaveLength(mod().digestWidth(algorithm, encoding));
      expect(d).toMatch(hashPattern(algorithm, encoding));
    }
  });

  it.each([0, 1, 2, 255, 256, 1023, 4096, 4097, 9000])('batch of %i values, across native chunk boundaries', (size) => {
    const values = Array.from({ length: size }, (_, i) => (i % 7 === 3 ? `nömé${i}` : i % 11 === 5 ? '' : `user${i}@example.com`));
    for (const [algorithm, encoding] of COMBOS) {
      expect(mod().hashMany(values, algorithm, encoding)).toEqual(expected(values, algorithm, encoding));
    }
  });

  it('values whose total length spans several chunks, and one value larger than a chunk', () => {
    const values = ['a'.repeat(400_000), 'é'.repeat(400_000), 'b'.repeat(400_000), 'x', 'c'.repeat(1_500_000), ''];
    expect(mod().hashMany(values, 'sha256', 'hex')).toEqual(expected(values, 'sha256', 'hex'));
    expect(mod().hashMany(values, 'md5', 'base64')).toEqual(expected(values, 'md5', 'base64'));
  });

  it('lone surrogates that would pair up if the batch were joined stay apart', () => {
    const values = ['a\ud83d', '\ude00b', '\ud83d', '\ude00', 'plain'];
    expect(mod().hashMany(values, 'sha1', 'hex')).toEqual(expected(values, 'sha1', 'hex'));
  });

  it.each(COMBOS)('%s/%s hashJoined gives the digests of the joined values, in order', (algorithm, encoding) => {
    const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.emailAddress(), fc.constant(''));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 5000 }), (values) => {
        const ends = new Uint32Array(values.length);
        values.reduce((at, v, i) => (ends[i] = at + v.length), 0);
        const hasher = new (mod().BatchHasher)(algorithm, encoding);
        expect(hasher.hashJoined(values.join(''), ends)).toBe(expected(values, algorithm, encoding).join(''));
      }),
      { numRuns: 25 },
    );
    const split = ['a\ud83d', '\ude00b', '\ud83d', '\ude00'];
    const ends = Uint32Array.from([2, 4, 5, 6]);
    expect(new (mod().BatchHasher)(algorithm, encoding).hashJoined(split.join(''), ends)).toBe(expected(split, algorithm, encoding).join(''));
  });

  it('hashManyInto writes at outStart and leaves the rest of the array alone', () => {
    const out = ['keep', 'keep', 'x', 'x', 'keep'];
    mod().hashManyInto(['a', 'b'], 'sha256', 'base64', out, 2);
    expect(out).toEqual(['keep', 'keep', ...expected(['a', 'b'], 'sha256', 'base64'), 'keep']);
  });

  it('BatchHasher checks its options once and hashes like hashMany', () => {
    const hasher = new (mod().BatchHasher)('md5', 'hex');
    expect(hasher.hashMany(['x', 'y'])).toEqual(expected(['x', 'y'], 'md5', 'hex'));
    const out: string[] = [];
    hasher.hashManyInto(['z'], out);
    expect(out).toEqual(expected(['z'], 'md5', 'hex'));
    expect(() => new (mod().BatchHasher)('sha512' as HashAlgorithm, 'hex')).toThrow(/unknown hash algorithm "sha512"/);
    expect(() => new (mod().BatchHasher)('sha256', 'base32' as HashEncoding)).toThrow(/unknown hash encoding "base32"/);
  });

  // The fallback instance has its own copy of errors.js, so the class is checked by name and code.
  const badOption = expect.objectContaining({ name: 'AudienceEtlError', code: 'BAD_OPTION' });
  it('rejects an unknown algorithm or encoding with BAD_OPTION', () => {
    expect(() => mod().hashMany(['x'], 'sha3' as HashAlgorithm, 'hex')).toThrow(badOption);
    expect(() => mod().hashManyInto(['x'], 'sha256', 'latin1' as HashEncoding, [])).toThrow(badOption);
  });
});

// What happens when the built file is broken: the loader is replaced by fakes (the file must exist,
// since a missing file is ruled out before loading). Every case still gives createHash's digests.
describe.runIf(addonBuilt)('a broken addon falls back to crypto.hash', () => {
  type Dlopen = typeof process.dlopen;
  interface FakeAddon {
    hashBatch(algorithm: number, encoding: number, input: Uint8Array, offsets: Uint32Array, count: number, output: Uint8Array): void;
  }
  /** A correct addon written in JS, whose calls after the `healthy` first ones throw. */
  function fakeAddon(healthy: number, corrupt = false): FakeAddon {
    let calls = 0;
    return {
      hashBatch(algorithm, encoding, input, offsets, count, output) {
        if (++calls > healthy) throw new RangeError('offsets exceed input');
        const name = (['sha256', 'sha1', 'md5'] as const)[algorithm]!;
        const enc = (['hex', 'base64'] as const)[encoding]!;
        let at = 0;
        for (let i = 0; i < count; i++) {
          const digest = createHash(name).update(input.subarray(offsets[i], offsets[i + 1])).digest(enc);
          at += Buffer.from(output.buffer, output.byteOffset).write(corrupt ? digest.toUpperCase() : digest, at, 'latin1');
        }
      },
    };
  }
  async function loadWith(dlopen: (module: { exports: unknown }) => void): Promise<HashBatchModule> {
    vi.stubEnv(native.NO_NATIVE_ENV, '');
    vi.resetModules();
    const spy = vi.spyOn(process, 'dlopen').mockImplementation(dlopen as Dlopen);
    try {
      const mod = (await import('../src/hash-batch.js')) as HashBatchModule;
      mod.hashBackend();
      return mod;
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
  }
  const values = Array.from({ length: 5000 }, (_, i) => `v${i}@example.com`);

  it('a file that does not load', async () => {
    const mod = await loadWith(() => {
      throw new Error('undefined symbol: SHA256_Init');
    });
    expect(mod.hashBackend()).toBe('js');
    expect(mod.hashBackendReason()).toBe('addon failed to load: undefined symbol: SHA256_Init');
    expect(mod.hashMany(values.slice(0, 9))).toEqual(expected(values.slice(0, 9), 'sha256', 'hex'));
  });

  it('a file without hashBatch', async () => {
    const mod = await loadWith(() => undefined);
    expect(mod.hashBackendReason()).toBe('addon exports no hashBatch');
  });

  it('an addon with wrong digests is caught by the self-test', async () => {
    const mod = await loadWith((module) => (module.exports = fakeAddon(Infinity, true)));
    expect(mod.hashBackend()).toBe('js');
    expect(mod.hashBackendReason()).toBe('addon failed its self-test');
    expect(mod.hashMany(values.slice(0, 3), 'md5', 'hex')).toEqual(expected(values.slice(0, 3), 'md5', 'hex'));
  });

  it('an addon that throws mid-batch: the batch completes with crypto.hash, later ones too', async () => {
    // 6 calls for the self-test, then one chunk of the batch; the second chunk's call throws.
    const mod = await loadWith((module) => (module.exports = fakeAddon(7)));
    expect(mod.hashBackend()).toBe('native');
    for (const algorithm of HASH_ALGORITHMS) expect(mod.hashMany(values, algorithm, 'hex')).toEqual(expected(values, algorithm, 'hex'));
    expect(mod.hashBackend()).toBe('js');
    expect(mod.hashBackendReason()).toBe('addon call failed: offsets exceed input');
  });
});

// The addon's own argument checks: a wrong call must throw, never read or write out of bounds.
describe.runIf(addonBuilt)('native addon arguments', () => {
  interface Addon {
    hashBatch(...args: unknown[]): void;
  }
  const addon = (): Addon => {
    const module = { exports: {} as Addon };
    process.dlopen(module, addonPath, constants.dlopen.RTLD_NOW);
    return module.exports;
  };
  const input = Buffer.from('abcdef');
  const offsets = new Uint32Array([0, 3, 6]);

  it('hashes a well-formed call', () => {
    const output = Buffer.alloc(128);
    addon().hashBatch(0, 0, input, offsets, 2, output);
    expect(output.toString('latin1')).toBe(expected(['abc', 'def'], 'sha256', 'hex').join(''));
  });

  it.each<[string, unknown[], RegExp]>([
    ['too few arguments', [0, 0, input, offsets, 2], /6 arguments/],
    ['unknown algorithm', [3, 0, input, offsets, 2, Buffer.alloc(128)], /algorithm/],
    ['unknown encoding', [0, 2, input, offsets, 2, Buffer.alloc(128)], /encoding/],
    ['offsets not a Uint32Array', [0, 0, input, [0, 3, 6], 2, Buffer.alloc(128)], /Uint32Array/],
    ['output too short', [0, 0, input, offsets, 2, Buffer.alloc(127)], /too short/],
    ['count beyond offsets', [0, 0, input, offsets, 3, Buffer.alloc(256)], /too short/],
    ['descending offsets', [0, 0, input, new Uint32Array([0, 5, 2]), 2, Buffer.alloc(128)], /ascend/],
    ['offsets past the input', [0, 0, input, new Uint32Array([0, 3, 7]), 2, Buffer.alloc(128)], /exceed/],
  ])('throws on %s', (_, args, message) => {
    expect(() => addon().hashBatch(...args)).toThrow(message);
  });
});
