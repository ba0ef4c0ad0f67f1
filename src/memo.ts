import { detach } from './normalize/text.js';

/** Lookups per sampling window: the hit rate of the last window decides whether the memo stays on. */
const WINDOW = 4096;
/** A window with fewer hits than this share turns the memo off: emails and phones are mostly unique. */
const MIN_HIT_RATE = 0.25;
/** Lookups skipped while off before a new window samples the data again (inputs are often sorted). */
const REST = 1 << 18;

/**
 * A bounded memo of a pure function's results for one field, that measures itself. CRM columns
 * such as first names, countries, genders or states repeat constantly, so normalizing and hashing
 * them once per distinct value saves most of their cost; emails and phones rarely repeat, so there
 * a memo would only add a map insert per value. After each window of lookups the memo keeps
 * itself on only if enough of them hit; while off, `get` costs a counter. Cleared when full rather
 * than evicted one by one (a plain Map stays fast), and keys are detached copies so that the memo
 * never keeps a whole input chunk alive through a slice of it.
 */
export class AdaptiveMemo<V> {
  private readonly map = new Map<string, V>();
  private lookups = 0;
  private hits = 0;
  private resting = 0;

  constructor(private readonly limit = 20_000) {}

  /** Whether lookups are being answered; while false, `get` misses and `set` is skipped. */
  get active(): boolean {
    return this.resting === 0;
  }

  get(key: string): V | undefined {
    if (this.resting > 0) {
      this.resting--;
      return undefined;
    }
    const value = this.map.get(key);
    if (value !== undefined) this.hits++;
    if (++this.lookups === WINDOW) {
      if (this.hits < WINDOW * MIN_HIT_RATE) {
        this.resting = REST;
        this.map.clear();
      }
      this.lookups = 0;
      this.hits = 0;
    }
    return value;
  }

  /** Records a result; call only after a `get` of the same key missed while active. */
  set(key: string, value: V): void {
    if (this.resting > 0) return;
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(detach(key), typeof value === 'string' ? (detach(value) as V) : value);
  }
}
