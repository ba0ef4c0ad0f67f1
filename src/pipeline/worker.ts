import { parentPort, workerData } from 'node:worker_threads';
import { packEncoded } from '../destinations/encoded.js';
import { getDestination } from '../destinations/index.js';
import { BlockProcessor, type BlockJob, type BlocksResult, type BlockSetup } from './block-job.js';
import { serializeError } from './pool.js';

/** A worker thread of a parallel CSV run: one BlockProcessor, answering messages of a few blocks in turn. */
const setup = workerData as BlockSetup;
let processor: BlockProcessor | undefined;
let setupError: unknown;
try {
  processor = new BlockProcessor(getDestination(setup.destination), setup);
} catch (err) {
  setupError = err;
}

/**
 * Buffers the main thread gave back once it wrote their bytes (see `WorkerPool.recycle`); set
 * once the first arrives (sinks that never give any back get buffers of exact size). A message's
 * blocks each take one.
 */
let spares: ArrayBuffer[] | undefined;
const MAX_SPARES = 12;

parentPort!.on('message', ({ id, job, spares: given }: { id: number; job: BlockJob[]; spares?: ArrayBuffer[] }) => {
  if (given !== undefined && given.length > 0) {
    spares ??= [];
    for (const spare of given) if (spares.length < MAX_SPARES) spares.push(spare);
  }
  const answer: BlocksResult = { results: [] };
  const transfer: ArrayBuffer[] = [];
  try {
    if (!processor) throw setupError;
    for (const block of job) {
      const result = processor.process(block);
      if (result.encoded !== undefined) transfer.push(...packEncoded(result.encoded, spares));
      answer.results.push(result);
    }
  } catch (err) {
    answer.error = serializeError(err);
  }
  parentPort!.postMessage({ id, result: answer }, transfer);
});
