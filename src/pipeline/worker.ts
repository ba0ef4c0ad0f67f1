import { parentPort, workerData } from 'node:worker_threads';
import { packEncoded } from '../destinations/encoded.js';
import { getDestination } from '../destinations/index.js';
import { BlockProcessor, type BlockJob, type BlockSetup } from './block-job.js';
import { serializeError } from './pool.js';

/** A worker thread of a parallel CSV run: one BlockProcessor, answering block jobs in turn. */
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
 * once the first arrives (sinks that never give any back get buffers of exact size).
 */
let spares: ArrayBuffer[] | undefined;
const MAX_SPARES = 4;

parentPort!.on('message', ({ id, job, spare }: { id: number; job?: BlockJob; spare?: ArrayBuffer }) => {
  if (spare !== undefined) {
    spares ??= [];
    if (spares.length < MAX_SPARES) spares.push(spare);
    return;
  }
  try {
    if (!processor) throw setupError;
    const result = processor.process(job!);
    parentPort!.postMessage({ id, result }, result.encoded !== undefined ? packEncoded(result.encoded, spares) : []);
  } catch (err) {
    parentPort!.postMessage({ id, error: serializeError(err) });
  }
});
