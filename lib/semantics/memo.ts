/**
 * A memo bounded in bytes, shared by the header-field parsers of this folder (Cache-Control, HTTP-date).
 *
 * A cache hit parses the same stored field values again, so parsers remember their results by field
 * value. Field values come from the network, and a count bound alone lets a few hundred long values hold
 * megabytes; so every memo is bounded by an estimate of the bytes it holds: 2 bytes per UTF-16 code unit
 * of each key, the parser's own estimate of each value, and {@link MEMO_ENTRY_OVERHEAD_BYTES} per entry.
 * When an insertion takes the total past the budget, the oldest entries are dropped until it fits again;
 * a single entry larger than the whole budget is computed but not remembered.
 */

/** Default budget of each memo: 256 KB of estimated keys and values. */
export const MEMO_BUDGET_BYTES = 256 * 1024;
/** Estimated cost of one entry besides its key and value (the Map slot and the entry record). */
export const MEMO_ENTRY_OVERHEAD_BYTES = 64;

/** Estimated bytes of a string held in memory (UTF-16). */
export function stringBytes(text: string): number {
  return 2 * text.length;
}

/** Dropped keys the eviction queue holds at most before it is compacted (and at most half of it). */
const COMPACT_AFTER = 1024;

/**
 * Keys seen once wait on probation, at most this many, before they enter the memo proper. A key used once (the
 * URL of a request with a new query each time, say) then only passes through a small young table: it never joins
 * the long-lived one, whose churn costs garbage collection more than the parse it saves.
 */
export const PROBATION_ENTRIES = 64;

export class BoundedMemo<V> {
  /** Values kept as they are, with no wrapper per entry: an entry's bytes are worked out again when it is dropped. */
  readonly #entries = new Map<string, V>();
  /** Keys seen once; a second sighting moves the entry to {@link #entries}. */
  readonly #probation = new Map<string, V>();
  /**
   * The keys put on probation, in a ring: the slot written next holds the oldest. (A Map's first key is found by
   * stepping over the slots of its deleted entries, which a table with this churn is full of.) A slot whose key has
   * left probation since is skipped.
   */
  readonly #ring: (string | undefined)[] = new Array<string | undefined>(PROBATION_ENTRIES).fill(undefined);
  #ringNext = 0;
  /** The remembered keys, oldest first, from {@link #head} on (the ones before it were dropped). */
  #order: string[] = [];
  #head = 0;
  readonly #valueBytes: (value: V) => number;
  readonly budgetBytes: number;
  /** Bytes of both tables. */
  #bytes = 0;

  /** `valueBytes` estimates the memory a value holds (strings inside it included); the same value, the same estimate. */
  constructor(valueBytes: (value: V) => number, budgetBytes: number = MEMO_BUDGET_BYTES) {
    this.#valueBytes = valueBytes;
    this.budgetBytes = budgetBytes;
  }

  /** Estimated bytes held now; never above {@link budgetBytes}. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held, on probation or not. */
  get size(): number {
    return this.#entries.size + this.#probation.size;
  }

  /** The remembered value for `key`, or `compute(key)`, remembered if it fits the budget. */
  remember(key: string, compute: (key: string) => V): V {
    const known = this.#entries.get(key);
    if (known !== undefined || this.#entries.has(key)) return known as V;
    const trial = this.#probation.get(key);
    if (trial !== undefined || this.#probation.has(key)) {
      // Seen twice: into the memo proper (its bytes are counted already).
      this.#probation.delete(key);
      this.#entries.set(key, trial as V);
      this.#order.push(key);
      return trial as V;
    }
    const value = compute(key);
    const bytes = this.#entryBytes(key, value);
    if (bytes > this.budgetBytes) return value;
    const slot = this.#ringNext;
    const leaving = this.#ring[slot];
    if (leaving !== undefined) this.#leaveProbation(leaving);
    this.#ring[slot] = key;
    this.#ringNext = slot + 1 === PROBATION_ENTRIES ? 0 : slot + 1;
    this.#probation.set(key, value);
    this.#bytes += bytes;
    if (this.#bytes > this.budgetBytes) this.#fit();
    return value;
  }

  /** Drops `key` from probation if it is still there. */
  #leaveProbation(key: string): void {
    if (!this.#probation.has(key)) return;
    this.#bytes -= this.#entryBytes(key, this.#probation.get(key) as V);
    this.#probation.delete(key);
  }

  /** Drops the oldest key still on probation; false when none is. */
  #dropOldestOnProbation(): boolean {
    for (let step = 0; step < PROBATION_ENTRIES; step++) {
      const slot = (this.#ringNext + step) % PROBATION_ENTRIES;
      const key = this.#ring[slot];
      this.#ring[slot] = undefined;
      if (key !== undefined && this.#probation.has(key)) {
        this.#leaveProbation(key);
        return true;
      }
    }
    return false;
  }

  /** Drops the oldest entries of the memo proper, then of probation, until the budget holds again. */
  #fit(): void {
    // The oldest first, read from the queue: walking the Map from its start would step over the slots of every entry
    // deleted since its last rehash, on every insertion of a memo that is full (one per request with a new URL).
    while (this.#bytes > this.budgetBytes && this.#head < this.#order.length) {
      const oldKey = this.#order[this.#head] as string;
      this.#head += 1;
      this.#bytes -= this.#entryBytes(oldKey, this.#entries.get(oldKey) as V);
      this.#entries.delete(oldKey);
    }
    while (this.#bytes > this.budgetBytes && this.#dropOldestOnProbation());
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#order.length) {
      this.#order.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #entryBytes(key: string, value: V): number {
    return stringBytes(key) + this.#valueBytes(value) + MEMO_ENTRY_OVERHEAD_BYTES;
  }

  clear(): void {
    this.#entries.clear();
    this.#probation.clear();
    this.#ring.fill(undefined);
    this.#ringNext = 0;
    this.#order = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}
