/**
 * In-process store over lru-cache: the default store, and the one on the hit path of every
 * benchmark. `get` does no copying and no encoding: records are kept exactly as given (the
 * cache never mutates a record and copies bodies before handing them to callers).
 *
 * lru-cache is given no `max`: with one it allocates arrays of `max` slots up front (about 23 MB
 * for a million, while empty). It is bounded by `maxSize` only, its arrays grow with what it holds,
 * and `set` enforces `maxEntries` itself by dropping the least recently used entry (`pop()`).
 */
import { LRUCache } from 'lru-cache';
import type { CacheRecord } from '../record.js';
import type { CacheStore } from './store.js';
import { checkStoreOptions, positiveIntegerOption, storeOptionError } from './store-options.js';

const MIB = 1024 * 1024;

/** Rough fixed cost of one entry (record object, strings' headers, lru slots), in bytes. */
const ENTRY_OVERHEAD_BYTES = 256;

export interface MemoryStoreOptions {
  /**
   * Most records held at once; the least recently used record is dropped beyond it. An empty store
   * costs the same whatever this limit: nothing is allocated ahead for it.
   * @default 1000
   */
  readonly maxEntries?: number;
  /**
   * Upper bound of the total estimated size of held records, in bytes (see {@link estimateRecordBytes}).
   * @default 52428800 (50 MiB)
   */
  readonly maxBytes?: number;
  /**
   * Largest single record kept, in estimated bytes; a larger record is not stored (and any older
   * record under its key is dropped). Must not exceed `maxBytes`.
   * @default maxBytes / 10
   */
  readonly maxEntryBytes?: number;
  /**
   * The application's clock, epoch ms, for expiry: pass the same clock you give `attachCache` (its
   * `now` option); the default store of `attachCache` gets that clock already.
   * @default Date.now
   */
  readonly now?: () => number;
}

/**
 * A record kept with an absolute expiry other than its own `expiresAt` (the contract allows one). The cache always
 * passes the record's own, so records are kept bare: no wrapper object per entry. Either way `expiresAt` is the
 * expiry the record was set with. Sizes are kept by lru-cache itself (`size` on set), not here.
 */
class Expiring {
  constructor(
    readonly record: CacheRecord,
    readonly expiresAt: number,
  ) {}
}

/** What the store keeps per key. */
type Held = CacheRecord | Expiring;

function recordOf(held: Held): CacheRecord {
  return held instanceof Expiring ? held.record : held;
}

/**
 * Estimated memory held by a record, in bytes: body bytes (binary) or two bytes per UTF-16 code
 * unit (text), two bytes per character of header names, values, key and URL, plus a fixed overhead.
 */
export function estimateRecordBytes(record: CacheRecord): number {
  let chars = record.key.length + record.url.length + record.statusText.length;
  for (const name in record.headers) {
    chars += name.length + (record.headers[name]?.length ?? 0);
  }
  const bodyBytes = record.body.type === 'binary' ? record.body.bytes.byteLength : 2 * record.body.text.length;
  return ENTRY_OVERHEAD_BYTES + 2 * chars + bodyBytes;
}

/** Leases held before the expired ones are swept out: leases end by themselves, but a Map does not forget. */
const MAX_LEASES = 1000;

const KNOWN_OPTIONS = ['maxEntries', 'maxBytes', 'maxEntryBytes', 'now'] as const;

export class MemoryStore implements CacheStore {
  /** Operations never wait on I/O, so the cache skips its per-operation timeout for this store. */
  readonly inMemory = true;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly #now: () => number;
  readonly #lru: LRUCache<string, Held>;
  /** Leases (`dedupe: 'store'`): the holder's token and when the lease ends, by the store's clock. */
  readonly #leases = new Map<string, { readonly token: string; readonly until: number }>();

  constructor(options: MemoryStoreOptions = {}) {
    checkStoreOptions('MemoryStore', options, KNOWN_OPTIONS);
    this.maxEntries = positiveIntegerOption('MemoryStore', 'maxEntries', options.maxEntries ?? 1000);
    this.maxBytes = positiveIntegerOption('MemoryStore', 'maxBytes', options.maxBytes ?? 50 * MIB);
    this.maxEntryBytes = positiveIntegerOption('MemoryStore', 'maxEntryBytes', options.maxEntryBytes ?? Math.max(1, Math.floor(this.maxBytes / 10)));
    if (this.maxEntryBytes > this.maxBytes) {
      throw storeOptionError('MemoryStore', `option maxEntryBytes (${this.maxEntryBytes}) must not exceed maxBytes (${this.maxBytes})`);
    }
    const now = options.now ?? Date.now;
    if (typeof now !== 'function') {
      throw storeOptionError('MemoryStore', 'option now must be a function returning epoch ms');
    }
    this.#now = now;
    // No `max` (see the file comment): maxEntries is enforced in set(). No lru-cache ttl either: every read checks
    // the expiry the record was set with, and count()/size() purge; a ttl would add two numbers per entry and a
    // clock read per get.
    this.#lru = new LRUCache<string, Held>({ maxSize: this.maxBytes, maxEntrySize: this.maxEntryBytes });
  }

  get(key: string): Promise<CacheRecord | undefined> {
    return Promise.resolve(this.getSync(key));
  }

  /** `get` without the promise: the cache uses it on the hit path. */
  getSync(key: string): CacheRecord | undefined {
    const held = this.#lru.get(key);
    if (held === undefined) return undefined;
    if (!(held.expiresAt > this.#now())) {
      this.#lru.delete(key);
      return undefined;
    }
    return recordOf(held);
  }

  set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    const ttlMs = Math.ceil(expiresAt - this.#now());
    const bytes = estimateRecordBytes(record);
    if (!(ttlMs > 0) || bytes > this.maxEntryBytes) {
      // Already expired, or too large to keep: an older record under this key must not survive.
      this.#lru.delete(key);
      return Promise.resolve();
    }
    // A new key in a full store: drop the least recently used entry (a key already held, even expired, is replaced in place).
    if (this.#lru.size >= this.maxEntries && !this.#lru.has(key)) this.#lru.pop();
    this.#lru.set(key, record.expiresAt === expiresAt ? record : new Expiring(record, expiresAt), { size: bytes });
    return Promise.resolve();
  }

  /** Counts `bytes` held beside the entry's record (the cache's frozen data) in the entry's size, so `maxBytes` bounds both. */
  retain(key: string, record: CacheRecord, bytes: number): boolean {
    const held = this.#lru.peek(key);
    if (held === undefined || recordOf(held) !== record || !(bytes >= 0)) return false;
    const total = estimateRecordBytes(record) + Math.ceil(bytes);
    // Too large to keep with its data, or expired: the entry stays as it is and nothing more is held.
    if (total > this.maxEntryBytes || !(held.expiresAt > this.#now())) return false;
    // lru-cache recounts an entry's size only when its value changes: set the same value again after a delete.
    this.#lru.delete(key);
    this.#lru.set(key, held, { size: total });
    return true;
  }

  delete(key: string): Promise<void> {
    this.#lru.delete(key);
    return Promise.resolve();
  }

  deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#lru.delete(key);
    return Promise.resolve();
  }

  /**
   * Takes the lease when no one else holds it, or extends it for its own holder; see {@link CacheStore.lease}.
   * Expired leases are dropped as they are met.
   */
  lease(name: string, token: string, ttlMs: number): string {
    const now = this.#now();
    const held = this.#leases.get(name);
    if (held !== undefined && held.until > now && held.token !== token) return held.token;
    if (this.#leases.size >= MAX_LEASES) {
      for (const [other, lease] of this.#leases) if (lease.until <= now) this.#leases.delete(other);
    }
    this.#leases.set(name, { token, until: now + ttlMs });
    return token;
  }

  release(name: string, token: string): void {
    if (this.#leases.get(name)?.token === token) this.#leases.delete(name);
  }

  clear(): Promise<void> {
    this.#lru.clear();
    return Promise.resolve();
  }

  /** Keys live when the iteration reaches them (a snapshot of key names, checked one by one). */
  keys(): AsyncIterable<string> {
    return toAsyncIterable(this.#liveSlots(), ([key]) => key);
  }

  /** Records live when the iteration reaches them. */
  entries(): AsyncIterable<CacheRecord> {
    return toAsyncIterable(this.#liveSlots(), ([, held]) => recordOf(held));
  }

  count(): Promise<number> {
    this.#purgeExpired();
    return Promise.resolve(this.#lru.size);
  }

  /** Estimated bytes held (see {@link estimateRecordBytes}). */
  size(): Promise<number> {
    this.#purgeExpired();
    return Promise.resolve(this.#lru.calculatedSize);
  }

  #live(key: string): Held | undefined {
    const held = this.#lru.peek(key);
    if (held === undefined || held.expiresAt > this.#now()) return held;
    this.#lru.delete(key);
    return undefined;
  }

  *#liveSlots(): Generator<readonly [string, Held]> {
    for (const key of [...this.#lru.keys()]) {
      const held = this.#live(key);
      if (held !== undefined) yield [key, held];
    }
  }

  #purgeExpired(): void {
    for (const key of [...this.#lru.keys()]) this.#live(key);
  }
}

/** Adapts a lazy synchronous iteration to the contract's async iteration, one item per `next()`. */
function toAsyncIterable<T, U>(items: Iterator<T>, pick: (item: T) => U): AsyncIterable<U> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: (): Promise<IteratorResult<U>> => {
        const step = items.next();
        return Promise.resolve(step.done === true ? { done: true, value: undefined } : { done: false, value: pick(step.value) });
      },
    }),
  };
}
