import { Transform, type TransformCallback } from 'node:stream';
import { Delta, DeltaState, fingerprintRow, hashCustomerId } from '../src/delta/state.js';
import { AudienceEtlError } from '../src/errors.js';
import type { Row, RowChunk } from '../src/model/row.js';
import type { RunStats } from '../src/model/stats.js';

export interface DeltaOptions {
  /** The state file, beside the output (newtail: `newtailStatePath(out, prefix)`). Missing: a full load. */
  statePath: string;
  /** The key that identifies a customer (newtail: `CUSTOMER_ID`). */
  idKey: string;
  /** Every output key, in schema order: a change in any of them makes the row changed. */
  keys: readonly string[];
  stats: RunStats;
  /** The run's clock, for the state's header. */
  now?: () => Date;
  /** Written into rejects when a run reads several inputs. */
  file?: string;
}

/** How the rows of a run compared with the state. */
export interface DeltaCounts {
  /** Customers absent from the state: written. */
  new: number;
  /** Customers whose output row differs from the state's: written. */
  changed: number;
  /** Customers whose output row is the state's: not written, counted in rows_out. */
  unchanged: number;
  /** Later rows of a customer already seen in this run: rejected as `duplicate_customer`. */
  duplicate: number;
}

/**
 * The delta stage (newtail `--delta`): a Transform of validated rows, placed after validate and
 * before the sink, that passes only rows new or changed since the state was written.
 *
 * Accounting: an unchanged row is delivered (the destination already holds it exactly), so it is
 * added to `stats.rowsOut` here and counted in `counts().unchanged`; the sink adds the rows it
 * writes. `rows_in = rows_out + rows_rejected` holds, and rows written = rows_out − unchanged.
 * A second row of one customer is rejected (`duplicate_customer`): the state keeps one fingerprint
 * per customer, so the first row wins, as in the files.
 *
 * The state file is only read here. `commit()`, called by the run after the sink has finished and
 * its files are in place, writes the next state atomically; a run that fails or crashes before it
 * leaves the previous state valid, and the next run sends those rows again.
 */
export class DeltaStage extends Transform {
  readonly statePath: string;
  private readonly idKey: string;
  private readonly keys: readonly string[];
  private readonly stats: RunStats;
  private readonly now: () => Date;
  private readonly file: string | undefined;
  private state: DeltaState | undefined;
  private readonly id = new Uint32Array(2);
  private readonly fp = new Uint32Array(2);
  private readonly tally: DeltaCounts = { new: 0, changed: 0, unchanged: 0, duplicate: 0 };
  private flushed = false;
  private committed = false;

  constructor(options: DeltaOptions) {
    // Checked before super(): once constructed, the stream schedules loading the state.
    if (!options.keys.includes(options.idKey)) {
      throw new AudienceEtlError('BAD_OPTION', `delta: the id key ${options.idKey} is not one of the output keys`);
    }
    super({ objectMode: true });
    this.statePath = options.statePath;
    this.idKey = options.idKey;
    this.keys = options.keys;
    this.stats = options.stats;
    this.now = options.now ?? (() => new Date());
    this.file = options.file;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    DeltaState.load(this.statePath).then(
      (state) => {
        this.state = state;
        callback();
      },
      callback,
    );
  }

  /** Customers in the state as it was loaded (0 for a first, full load). */
  get loaded(): number {
    return this.state?.loaded ?? 0;
  }

  counts(): DeltaCounts {
    return { ...this.tally };
  }

  override _transform(chunk: RowChunk, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (!Array.isArray(chunk)) {
        callback(null, this.pass(chunk) ? chunk : undefined);
        return;
      }
      const out: Row[] = [];
      for (let i = 0; i < chunk.length; i++) if (this.pass(chunk[i]!)) out.push(chunk[i]!);
      if (out.length) this.push(out);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    this.flushed = true;
    callback();
  }

  /**
   * Writes the next state. Call it once, after the pipeline (sink included) has finished without
   * error; never after a failed run.
   */
  async commit(): Promise<void> {
    if (!this.flushed || this.state === undefined) {
      throw new AudienceEtlError('INVARIANT', 'delta: commit() called before every row went through the stage');
    }
    if (this.committed) return;
    this.committed = true;
    await this.state.save(this.statePath, this.now());
  }

  private pass(row: Row): boolean {
    const values = row.values ?? {};
    const id = values[this.idKey];
    if (typeof id !== 'string') throw new AudienceEtlError('INVARIANT', `delta: a row without ${this.idKey} reached the delta stage`, { line: row.line });
    hashCustomerId(id, this.id);
    fingerprintRow(values, this.keys, this.fp);
    switch (this.state!.classify(this.id, this.fp)) {
      case Delta.New:
        this.tally.new++;
        return true;
      case Delta.Changed:
        this.tally.changed++;
        return true;
      case Delta.Unchanged:
        this.tally.unchanged++;
        this.stats.rowsOut++;
        return false;
      default:
        this.tally.duplicate++;
        this.stats.reject({ line: row.line, reason: 'duplicate_customer', ...(this.file ? { file: this.file } : {}) });
        return false;
    }
  }
}

/** Factory for the delta stage; see {@link DeltaStage}. */
export function delta(options: DeltaOptions): DeltaStage {
  return new DeltaStage(options);
}
