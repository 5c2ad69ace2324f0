/**
 * A map bounded in bytes, least recently used out first: each value says what it costs against the budget.
 *
 * RedisStore keeps what it holds in memory beside Redis in these: its decoded records (decoded-memo.ts) and its
 * retained `frozen: true` records, each memory with its own budget and one way of keeping to it.
 */
export interface Costed {
  /** What the value counts against the budget, in bytes. */
  readonly cost: number;
}

export class ByteBudgetLru<V extends Costed> {
  /** Least recently used first: a Map keeps insertion order, and a use moves the key to the end. */
  readonly #entries = new Map<string, V>();
  readonly #budgetBytes: number;
  #bytes = 0;

  constructor(budgetBytes: number) {
    this.#budgetBytes = budgetBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value under `key`, leaving its place in the order as it is. */
  peek(key: string): V | undefined {
    return this.#entries.get(key);
  }

  /** Marks `key` (holding `value`, as {@link peek} answered it) as the most recently used. */
  touch(key: string, value: V): void {
    if (this.#entries.size < 2) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
  }

  /**
   * Keeps `value` under `key` (replacing what was there) as the most recently used, then lets the least recently used
   * go until the total is within the budget. The caller refuses values that cost more than it wants kept.
   */
  set(key: string, value: V): void {
    this.delete(key);
    this.#entries.set(key, value);
    this.#bytes += value.cost;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#budgetBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.cost;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.cost;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
