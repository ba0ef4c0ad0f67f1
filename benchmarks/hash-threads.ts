/**
 * The hash stage on every core, order kept: values go to worker threads in chunks (one joined
 * string plus end offsets, which cross threads as two copies), each worker hashes its chunk with
 * the batch hasher, and the main thread takes the digests back in chunk order, from the head of a
 * queue, as `src/pipeline/parallel.ts` does. Used by `audience-etl bench` (benchmarks/run.ts).
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { BatchHasher, digestWidth } from '../src/hash-batch.js';
import type { HashAlgorithm, HashEncoding } from '../src/hash.js';
import { WorkerPool } from '../src/pipeline/pool.js';

interface Chunk {
  text: string;
  ends: Uint32Array;
}

/** Chunks of this many values: large enough that a message's fixed cost vanishes. */
const CHUNK = 16_384;

/**
 * Hashes `values` on `threads` workers and returns the digests in input order (`digest(i)`), with
 * the seconds the hashing took (workers started and warmed up beforehand, so only the stage is
 * timed). Digests stay in their chunk's string, as the pipeline hands encoded text to its sinks.
 */
export async function hashOnThreads(
  values: readonly string[],
  threads: number,
  algorithm: HashAlgorithm = 'sha256',
  encoding: HashEncoding = 'hex',
): Promise<{ count: number; digest: (i: number) => string; seconds: number }> {
  const pool = new WorkerPool<Chunk, string>(new URL(import.meta.url), { algorithm, encoding }, threads);
  const width = digestWidth(algorithm, encoding);
  const chunkOf = (start: number): Chunk => {
    const end = Math.min(values.length, start + CHUNK);
    const ends = new Uint32Array(end - start);
    for (let i = start, at = 0; i < end; i++) ends[i - start] = at += values[i]!.length;
    return { text: values.slice(start, end).join(''), ends };
  };
  try {
    await Promise.all(Array.from({ length: threads * 2 }, () => pool.run(chunkOf(0)))); // warm-up
    const chunks: string[] = [];
    let count = 0;
    const started = performance.now();
    const queue: Promise<string>[] = [];
    const take = async () => {
      const text = await queue.shift()!;
      chunks.push(text);
      count += text.length / width;
    };
    for (let at = 0; at < values.length; at += CHUNK) {
      queue.push(pool.run(chunkOf(at)));
      if (queue.length >= threads * 2) await take();
    }
    while (queue.length) await take();
    const seconds = (performance.now() - started) / 1000;
    const digest = (i: number) => chunks[Math.floor(i / CHUNK)]!.slice((i % CHUNK) * width, (i % CHUNK + 1) * width);
    return { count, digest, seconds };
  } finally {
    await pool.close();
  }
}

if (!isMainThread && parentPort) {
  const { workerData } = await import('node:worker_threads');
  const { algorithm, encoding } = workerData as { algorithm: HashAlgorithm; encoding: HashEncoding };
  const hasher = new BatchHasher(algorithm, encoding);
  parentPort.on('message', ({ id, job }: { id: number; job: Chunk }) => {
    parentPort!.postMessage({ id, result: hasher.hashJoined(job.text, job.ends) });
  });
}
