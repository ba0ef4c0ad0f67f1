import { Worker } from 'node:worker_threads';
import { AudienceEtlError, ERROR_CODES, type ErrorCode } from '../errors.js';

/** Spares handed over with one job: enough for its blocks' results, with a few to spare. */
const MAX_SPARES_PER_JOB = 8;
/** Spares kept here at most, waiting for jobs; beyond that they are left to the garbage collector. */
const MAX_SPARES_HELD = 32;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** An error as it crosses a thread boundary (its message holds no PII, as every error here). */
export interface SerializedError {
  code?: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  byte?: number;
  stage?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AudienceEtlError) {
    // The message already ends with the position; keep the bare text and the parts.
    return { code: err.code, message: err.message, file: err.file, line: err.line, column: err.column, byte: err.byte, stage: err.stage };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

export function deserializeError(e: SerializedError): Error {
  if (e.code && (ERROR_CODES as readonly string[]).includes(e.code)) {
    const err = new AudienceEtlError(e.code as ErrorCode, '', {});
    return Object.assign(err, { message: e.message, file: e.file, line: e.line, column: e.column, byte: e.byte, stage: e.stage });
  }
  return new Error(e.message);
}

/**
 * A fixed set of worker threads running one module; each job goes to the least busy worker.
 * Workers answer `{id, result}` or `{id, error}`. Order is the caller's business (see
 * `parallel.ts`), which queues results and emits them from the head.
 */
export class WorkerPool<Job, Result> {
  private readonly workers: Worker[] = [];
  private readonly busy: number[] = [];
  private readonly pending = new Map<number, Pending & { worker: number }>();
  private nextId = 1;
  private failed: Error | undefined;

  constructor(file: URL, workerData: unknown, size: number) {
    for (let i = 0; i < size; i++) {
      // A block's rows die young: a small young generation and old space keep each thread's memory flat.
      const worker = new Worker(file, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 } });
      worker.on('message', (message: { id: number; result?: unknown; error?: SerializedError }) => {
        const job = this.pending.get(message.id);
        if (!job) return;
        this.pending.delete(message.id);
        this.busy[i]!--;
        if (message.error) job.reject(deserializeError(message.error));
        else job.resolve(message.result);
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0 && this.pending.size) this.fail(new Error(`a worker thread stopped with exit code ${code}`));
      });
      this.workers.push(worker);
      this.busy.push(0);
    }
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const job of this.pending.values()) job.reject(err);
    this.pending.clear();
  }

  run(job: Job, transfer: ArrayBuffer[] = []): Promise<Result> {
    if (this.failed) return Promise.reject(this.failed);
    let target = 0;
    for (let i = 1; i < this.busy.length; i++) if (this.busy[i]! < this.busy[target]!) target = i;
    const id = this.nextId++;
    this.busy[target]!++;
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, worker: target });
      const spares = this.spares.splice(0, MAX_SPARES_PER_JOB);
      this.workers[target]!.postMessage({ id, job, spares }, spares.length > 0 ? [...transfer, ...spares] : transfer);
    });
  }

  /**
   * Keeps a buffer a result brought back, to hand to a worker with its next job, transferred, to
   * fill again (see `packEncoded`): reused memory instead of a fresh allocation per block on the
   * worker, and on this thread fewer garbage collections forced by external memory. Riding along
   * with jobs, spares cost no message of their own (a message costs 30-200 us of a worker's time).
   */
  recycle(buffer: ArrayBuffer): void {
    if (this.failed || this.workers.length === 0 || buffer.byteLength === 0 || this.spares.length >= MAX_SPARES_HELD) return;
    this.spares.push(buffer);
  }

  private readonly spares: ArrayBuffer[] = [];

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
