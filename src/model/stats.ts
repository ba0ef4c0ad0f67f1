import type { RejectReason } from './reasons.js';

/** Counts for one destination key. */
export interface FieldCounts {
  valid: number;
  invalid: number;
  empty: number;
  /** Values that arrived already hashed (counted within `valid` or `invalid`). */
  arrived_hashed: number;
}

/** One rejected row as written to `rejects.ndjson`: never a value, only where and why. */
export interface RejectEntry {
  line: number;
  reason: RejectReason;
  /** Destination keys that were invalid in the row, by name. */
  invalid?: string[];
  /** File the row came from, when a run reads several. */
  file?: string;
}

/** Receives each reject as it happens (the run writes them to `rejects.ndjson`). */
export type RejectListener = (entry: RejectEntry) => void;

/**
 * The counters of one run. One object is shared by every stage of a run, so the report can
 * prove `rows_in = rows_out + rows_rejected`.
 */
export class RunStats {
  rowsIn = 0;
  rowsOut = 0;
  rowsRejected = 0;
  readonly fields: Record<string, FieldCounts> = Object.create(null);
  readonly rejectReasons: Partial<Record<RejectReason, number>> = Object.create(null);
  private readonly listeners: RejectListener[] = [];

  /** The counts of one key, created at zero on first use. */
  field(key: string): FieldCounts {
    let counts = this.fields[key];
    if (counts === undefined) {
      counts = { valid: 0, invalid: 0, empty: 0, arrived_hashed: 0 };
      this.fields[key] = counts;
    }
    return counts;
  }

  onReject(listener: RejectListener): void {
    this.listeners.push(listener);
  }

  reject(entry: RejectEntry): void {
    this.rowsRejected++;
    this.rejectReasons[entry.reason] = (this.rejectReasons[entry.reason] ?? 0) + 1;
    for (const listener of this.listeners) listener(entry);
  }

  /** True when every row that came in went out or was rejected. */
  balanced(): boolean {
    return this.rowsIn === this.rowsOut + this.rowsRejected;
  }

  toJSON(): StatsReport {
    return {
      rows_in: this.rowsIn,
      rows_out: this.rowsOut,
      rows_rejected: this.rowsRejected,
      balanced: this.balanced(),
      fields: { ...this.fields },
      rejects: { ...this.rejectReasons },
    };
  }
}

export interface StatsReport {
  rows_in: number;
  rows_out: number;
  rows_rejected: number;
  balanced: boolean;
  fields: Record<string, FieldCounts>;
  rejects: Partial<Record<RejectReason, number>>;
}
