import { detach } from './normalize/text.js';

/** Lookups per sampling window: the hit rate of the last window decides whether the memo stays on. */
const WINDOW = 4096;
/** A window with fewer hits than this share turns the memo off: emails and phones are mostly unique. */
const MIN_HIT_RATE = 0.25;
/** Lookups skipped while off before a new window samples the data again (inputs are often sorted). */
const REST = 1 << 18;

/**
 * The on/off state and sampling counters of AdaptiveMemos that decide together: the memos of one
 * field, one per country, share one, so that whether names or emails repeat is learnt from all rows
 * at once. Each memo deciding alone kept a rarely seen country's memo of unique values (emails,
 * phones, ids) inserting until that country alone had filled a window: over the first ~30,000 rows
 * of a 10-country file that was ~120 ms of a worker's ~250 ms of warm-up.
 */
export class MemoGauge {
  lookups = 0;
  hits = 0;
  resting = 0;
  /** Bumped each time the memos turn off: a memo that sees a new epoch empties its map. */
  epoch = 0;
}

/**
 * A bounded memo of a pure function's results for one field, that measures itself. CRM columns
 * such as first names, countries, genders or states repeat constantly, so normalizing and hashing
 * them once per distinct value saves most of their cost; emails and phones rarely repeat, so there
 * a memo would only add a map insert per value. After each window of lookups the memo keeps
 * itself on only if enough of them hit; while off, `get` costs a counter. Memos given one
 * `MemoGauge` count and decide together. Cleared when full rather than evicted one by one (a
 * plain Map stays fast), and keys are detached copies so that the memo never keeps a whole input
 * chunk alive through a slice of it.
 */
export class AdaptiveMemo<V> {
  private readonly map = new Map<string, V>();
  /** The gauge's epoch this map was filled in. */
  private epoch: number;

  constructor(
    private readonly limit = 20_000,
    private readonly gauge = new MemoGauge(),
  ) {
    this.epoch = gauge.epoch;
  }

  /** Whether lookups are being answered; while false, `get` misses and `set` is skipped. */
  get active(): boolean {
    return this.gauge.resting === 0;
  }

  get(key: string): V | undefined {
    const gauge = this.gauge;
    if (gauge.resting > 0) {
      gauge.resting--;
      return undefined;
    }
    // Entries from before the memos last turned off go, as the memo that turned them off dropped
    // its own: still right (results are pure) but worth their memory only while the memos are on.
    if (this.epoch !== gauge.epoch) this.empty();
    const value = this.map.get(key);
    if (value !== undefined) gauge.hits++;
    if (++gauge.lookups === WINDOW) {
      if (gauge.hits < WINDOW * MIN_HIT_RATE) {
        gauge.resting = REST;
        gauge.epoch++;
        this.empty();
      }
      gauge.lookups = 0;
      gauge.hits = 0;
    }
    return value;
  }

  /** Records a result; call only after a `get` of the same key missed while active. */
  set(key: string, value: V): void {
    if (this.gauge.resting > 0) return;
    if (this.epoch !== this.gauge.epoch || this.map.size >= this.limit) this.empty();
    this.map.set(detach(key), typeof value === 'string' ? (detach(value) as V) : value);
  }

  private empty(): void {
    this.map.clear();
    this.epoch = this.gauge.epoch;
  }
}
