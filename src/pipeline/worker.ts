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

parentPort!.on('message', ({ id, job }: { id: number; job: BlockJob }) => {
  try {
    if (!processor) throw setupError;
    const result = processor.process(job);
    parentPort!.postMessage({ id, result }, result.encoded !== undefined ? packEncoded(result.encoded) : []);
  } catch (err) {
    parentPort!.postMessage({ id, error: serializeError(err) });
  }
});
