/**
 * Batch hashing: values per second of hashMany() (src/hash-batch.ts) against one call per value.
 *
 * Input: --values (default 1,000,000) normalized identifiers from a PRNG seeded with --seed (42),
 * one third each: emails (~25 bytes, ASCII), E.164 phones (12 bytes) and lowercase names (~6 bytes,
 * one in ten with an accent, as Meta keeps UTF-8 in names). They are hashed key by key, as the
 * pipeline's hash stage does, so a batch holds one kind of value.
 *
 * Backends, all in this process so that the ratios share the machine's current load:
 *   crypto.hash   a loop of crypto.hash(algorithm, value, encoding): the reference (ratio 1.00);
 *   createHash    a loop of createHash(algorithm).update(value).digest(encoding);
 *   batch N       hashMany() over batches of N values: the native addon when it is built (the
 *                 backend is printed; AUDIENCE_ETL_NO_NATIVE=1 measures the fallback instead);
 *   addon only    the addon's own call on pre-encoded input, for batches of 4096: the ceiling.
 * Digests are handed on batch by batch and dropped (--retain keeps all of them alive, which mostly
 * measures the garbage collector). Every figure is the best of --repeat (5) runs after a warm-up,
 * each run after a full garbage collection, and is reported only after the run's digest count and
 * a sample of its digests were checked against crypto.hash.
 *
 * Run after the build:  node dist/benchmarks/hash-batch.js [--values N] [--repeat R] [--seed S] [--retain] [--json]
 */
import { createHash, hash } from 'node:crypto';
import { constants } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HASH_ALGORITHMS, HASH_ENCODINGS, type HashAlgorithm, type HashEncoding } from '../src/hash.js';
import { seeded } from './generate.js';
import { digestWidth, hashBackend, hashBackendReason, hashMany, nativeAddonFile } from '../src/hash-batch.js';


const oneShot = (value: string, algorithm: HashAlgorithm, encoding: HashEncoding): string => hash(algorithm, value, encoding);

// A full collection before each timed run, so that no run pays for the garbage of the one before.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const BATCH_SIZES = [256, 1024, 4096];
const KINDS = ['email', 'phone', 'name'] as const;
type Kind = (typeof KINDS)[number];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const FIRST = ['mary', 'john', 'ana', 'li', 'peter', 'carla', 'tom', 'wei', 'ahmed', 'lucas', 'sofia', 'pedro'];
const ACCENTED = ['josé', 'zoë', 'émilie', 'björn', 'joão', 'müller'];
const DOMAINS = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'uol.com.br', 'example.com'];

function makeValues(kind: Kind, count: number, random: () => number): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const digits = (n: number): string => String(Math.floor(random() * 10 ** n)).padStart(n, '0');
  const values = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    if (kind === 'email') values[i] = `${pick(FIRST)}.${pick(FIRST)}${digits(4)}@${pick(DOMAINS)}`;
    else if (kind === 'phone') values[i] = `+1${200 + Math.floor(random() * 700)}${digits(7)}`;
    else values[i] = random() < 0.1 ? pick(ACCENTED) : pick(FIRST);
  }
  return values;
}

function chunk(values: readonly string[], size: number): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < values.length; i += size) batches.push(values.slice(i, i + size));
  return batches;
}

const SAMPLE_EVERY = 997;
const RETAIN = process.argv.includes('--retain');

/**
 * Where a run hands each batch of digests, as the hash stage hands them to the next stage: counted,
 * every 997th kept for the check, and all of them kept only with --retain (then the garbage
 * collector's cost of a million live strings dominates every backend alike).
 */
class Collector {
  count = 0;
  readonly samples: string[] = [];
  readonly kept: string[][] = [];

  take(digests: string[]): void {
    for (let i = (SAMPLE_EVERY - (this.count % SAMPLE_EVERY)) % SAMPLE_EVERY; i < digests.length; i += SAMPLE_EVERY) this.samples.push(digests[i]!);
    this.count += digests.length;
    if (RETAIN) this.kept.push(digests);
  }
}

type Run = (algorithm: HashAlgorithm, encoding: HashEncoding, collector: Collector) => void;

/** Checks the digest count and a sample of digests, then returns the best values/s of `repeat` timed runs. */
function measure(run: Run, columns: readonly string[][], algorithm: HashAlgorithm, encoding: HashEncoding, repeat: number): number {
  const all = columns.flat();
  let best = 0;
  for (let r = 0; r <= repeat; r++) {
    const collector = new Collector();
    collectGarbage();
    const start = process.hrtime.bigint();
    run(algorithm, encoding, collector);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (collector.count !== all.length) throw new Error(`expected ${all.length} digests, got ${collector.count}`);
    collector.samples.forEach((digest, k) => {
      if (digest !== hash(algorithm, all[k * SAMPLE_EVERY]!, encoding)) throw new Error(`digest ${k * SAMPLE_EVERY} differs from crypto.hash`);
    });
    if (r > 0) best = Math.max(best, all.length / seconds); // run 0 is the warm-up
  }
  return best;
}

/** One call per value, over the same batches of 4096 values as the pipeline's chunks. */
function loopRun(columns: readonly string[][], one: (v: string, a: HashAlgorithm, e: HashEncoding) => string): Run {
  const batches = columns.flatMap((column) => chunk(column, 4096));
  return (algorithm, encoding, collector) => {
    for (const batch of batches) {
      const digests = new Array<string>(batch.length);
      for (let i = 0; i < batch.length; i++) digests[i] = one(batch[i]!, algorithm, encoding);
      collector.take(digests);
    }
  };
}

function batchRun(columns: readonly string[][], size: number): Run {
  const batches = columns.flatMap((column) => chunk(column, size));
  return (algorithm, encoding, collector) => {
    for (const batch of batches) collector.take(hashMany(batch, algorithm, encoding));
  };
}

interface Addon {
  hashBatch(algorithm: number, encoding: number, input: Uint8Array, offsets: Uint32Array, count: number, output: Uint8Array): void;
}

/**
 * The addon alone, on input encoded beforehand (batches of 4096): hashing plus hex/base64, no JS
 * strings. Its digests are decoded and checked after the timed loop. Undefined without the addon.
 */
function measureAddonOnly(columns: readonly string[][], algorithm: HashAlgorithm, encoding: HashEncoding, repeat: number): number | undefined {
  if (hashBackend() !== 'native') return undefined;
  const module = { exports: {} as Addon };
  process.dlopen(module, nativeAddonFile()!, constants.dlopen.RTLD_NOW);
  const addon = module.exports;
  const all = columns.flat();
  const width = digestWidth(algorithm, encoding);
  const output = Buffer.alloc(all.length * width);
  let done = 0;
  const batches = columns.flatMap((column) =>
    chunk(column, 4096).map((batch) => {
      const parts = batch.map((v) => Buffer.from(v, 'utf8'));
      const offsets = new Uint32Array(batch.length + 1);
      parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
      const into = output.subarray(done * width, (done + batch.length) * width);
      done += batch.length;
      return { input: Buffer.concat(parts), offsets, count: batch.length, into };
    }),
  );
  const ids = { sha256: 0, sha1: 1, md5: 2, hex: 0, base64: 1 };
  let best = 0;
  for (let r = 0; r <= repeat; r++) {
    output.fill(0);
    collectGarbage();
    const start = process.hrtime.bigint();
    for (const b of batches) addon.hashBatch(ids[algorithm], ids[encoding], b.input, b.offsets, b.count, b.into);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    for (let i = 0; i < all.length; i += SAMPLE_EVERY) {
      if (output.toString('latin1', i * width, (i + 1) * width) !== hash(algorithm, all[i]!, encoding)) throw new Error(`digest ${i} differs`);
    }
    if (r > 0) best = Math.max(best, all.length / seconds); // run 0 is the warm-up
  }
  return best;
}

function main(): void {
  const values = option('values', 1_000_000);
  const repeat = option('repeat', 5);
  const random = seeded(option('seed', 42));
  const columns = KINDS.map((kind, k) => makeValues(kind, Math.floor(values / 3) + (k < values % 3 ? 1 : 0), random));
  const backend = hashBackend();
  const rows: { algorithm: string; encoding: string; backend: string; valuesPerSecond: number; ratio: number }[] = [];
  for (const algorithm of HASH_ALGORITHMS) {
    for (const encoding of HASH_ENCODINGS) {
      const reference = measure(loopRun(columns, oneShot), columns, algorithm, encoding, repeat);
      const add = (name: string, vps: number): void => {
        rows.push({ algorithm, encoding, backend: name, valuesPerSecond: Math.round(vps), ratio: vps / reference });
      };
      add('crypto.hash', reference);
      add('createHash', measure(loopRun(columns, (v, a, e) => createHash(a).update(v).digest(e)), columns, algorithm, encoding, repeat));
      for (const size of BATCH_SIZES) add(`batch ${size} (${backend})`, measure(batchRun(columns, size), columns, algorithm, encoding, repeat));
      const ceiling = measureAddonOnly(columns, algorithm, encoding, repeat);
      if (ceiling !== undefined) add('addon only, 4096', ceiling);
    }
  }
  // Per kind, SHA-256 hex: short ASCII values, and names where an accent sends a batch down the UTF-8 path.
  const kinds = KINDS.map((kind, k) => {
    const only = [columns[k]!];
    const reference = measure(loopRun(only, oneShot), only, 'sha256', 'hex', repeat);
    const batch = measure(batchRun(only, 4096), only, 'sha256', 'hex', repeat);
    return { kind, values: only[0]!.length, cryptoHash: Math.round(reference), batch4096: Math.round(batch), ratio: batch / reference };
  });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ values, repeat, retain: RETAIN, backend, reason: hashBackendReason() ?? null, rows, kinds }, null, 2));
    return;
  }
  console.log(`${values} values (emails, phones, names), best of ${repeat}${RETAIN ? ', all digests retained' : ''}; backend: ${backend}${backend === 'js' ? ` (${hashBackendReason()})` : ''}`);
  console.log('algorithm  encoding  backend                      values/s  × crypto.hash');
  for (const r of rows) {
    const vps = r.valuesPerSecond.toLocaleString('en-US').padStart(12);
    console.log(`${r.algorithm.padEnd(9)}  ${r.encoding.padEnd(8)}  ${r.backend.padEnd(22)} ${vps}  ${r.ratio.toFixed(2).padStart(6)}`);
  }
  console.log('\nsha256 hex by kind      values   crypto.hash/s    batch 4096/s  ratio');
  for (const k of kinds) {
    const f = (n: number): string => n.toLocaleString('en-US').padStart(14);
    console.log(`${k.kind.padEnd(18)} ${String(k.values).padStart(9)}  ${f(k.cryptoHash)}  ${f(k.batch4096)}  ${k.ratio.toFixed(2).padStart(5)}`);
  }
}

main();
