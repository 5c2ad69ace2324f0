import type { CacheRecord } from '../record.js';

/** Something a store wants the cache's owner to know about, outside any single request. */
export interface StoreEvent {
  readonly type: 'error' | 'warning';
  readonly error: Error;
}

/**
 * What a listing or deletion by query selects, in terms a store can answer from its own indexes. Every field given
 * narrows the selection (they combine with AND); an empty filter selects every record.
 *
 * A store may answer a superset (it may ignore a field it keeps no index for): the cache checks every record it gets
 * back against the whole query. It must never leave out a live record that matches.
 */
export interface StoreFilter {
  /** Records whose `tags` include this tag. */
  readonly tag?: string;
  /** Records whose `url` is one of these. */
  readonly urls?: readonly string[];
  /**
   * Records whose `url`, without its scheme and `://`, starts with this: the literal part of a URL glob before its
   * first wildcard (globs match http and https alike).
   */
  readonly urlPrefix?: string;
  /** Records with this upper-case `method`. */
  readonly method?: string;
  /** Records whose `createdAt` is before this epoch ms. */
  readonly createdBefore?: number;
}

/** A value, or a promise of it: what a store method may answer. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * The storage contract every back end implements. Stores know nothing of HTTP.
 *
 * Rules every store follows (checked by `test/stores/store-contract.ts`):
 * - `get` never returns a record whose `expiresAt` has passed, even if the back end's
 *   native expiry has not removed it yet.
 * - `set` overwrites; `expiresAt` is absolute (epoch ms) and maps to native TTL where possible.
 * - `delete` (and `deleteMany`) is idempotent.
 * - `clear` removes only this store's namespace.
 * - A record that cannot be decoded (garbage, another format version, truncated) is deleted and
 *   `get` rejects with a `CorruptEntryError`; the cache turns that into a miss plus an `error` event.
 * - A record larger than the back end can hold is not written: `set` rejects with an `EntryTooLargeError`.
 *
 * The cache accepts a plain value as well as a promise from `get`, `set`, `delete` and `clear` (a store
 * may be synchronous), and treats a method that throws like one that rejects.
 */
export interface CacheStore {
  /**
   * True for stores whose operations never wait on I/O (the memory store). The cache then skips its
   * per-operation timeout, which would otherwise cost a timer on every hit.
   */
  readonly inMemory?: boolean;
  get(key: string): Awaitable<CacheRecord | undefined>;
  /**
   * The same as `get`, synchronously, for stores that never wait on I/O. Optional: when present the cache
   * uses it on the hit path, saving the promise round trips of `get`.
   */
  getSync?(key: string): CacheRecord | undefined;
  /**
   * A synchronous look at what a store holds in memory, for stores that answer only some reads without I/O (a
   * tiered store's near tier): a record, or `undefined` when only `get` can tell. Optional, and ignored when
   * `getSync` is present; the cache reads with `get` whenever it answers `undefined`.
   */
  peekSync?(key: string): CacheRecord | undefined;
  set(key: string, record: CacheRecord, expiresAt: number): Awaitable<void>;
  /**
   * Keeps `record` (the very object this store answered for `key`) as it is for as long as the entry is unchanged,
   * with `bytes` more memory counted against the store's limits: the cache holds data made from it (`frozen: true`)
   * in a WeakMap keyed by that object, so it lives and dies with the entry. Later reads of `key` answer the same
   * object until the entry is written again, deleted or dropped. `bytes` is the total held beside the record (a
   * later call replaces it). Answers false when it cannot (the entry is gone or holds another record, or it would not
   * fit): the cache then keeps nothing. Optional, synchronous, and never does I/O.
   */
  retain?(key: string, record: CacheRecord, bytes: number): boolean;
  delete(key: string): Awaitable<void>;
  /**
   * Deletes each of `keys` as `delete` would (idempotent: a missing key is no error), in as few round trips or
   * transactions as the back end allows. Optional: without it the cache deletes one key at a time. When it rejects,
   * any of the keys may or may not be gone.
   */
  deleteMany?(keys: readonly string[]): Awaitable<void>;
  clear?(): Awaitable<void>;
  /** Every live key of this namespace, streamed (never all loaded at once). */
  keys?(): AsyncIterable<string>;
  /** Every live record of this namespace, streamed. */
  entries?(): AsyncIterable<CacheRecord>;
  /**
   * The live records matching `filter`, streamed, answered from the store's own indexes (a tag set, an indexed
   * column), so that a selective query costs its matches rather than a walk of the whole namespace. Optional:
   * without it the cache walks `entries()`. See {@link StoreFilter} for what a store may leave unfiltered.
   */
  find?(filter: StoreFilter): AsyncIterable<CacheRecord>;
  /** Number of records in this namespace, where the store can tell cheaply. */
  count?(): Promise<number>;
  /** Approximate bytes held by this namespace, where the store can tell. */
  size?(): Promise<number | undefined>;
  /** Subscribe to errors and warnings that happen outside a request; returns an unsubscribe function. */
  onEvent?(listener: (event: StoreEvent) => void): () => void;
  /**
   * Cross-process single flight (`dedupe: 'store'`): takes the lease `name` for `token` for `ttlMs` unless another
   * token holds it, in one atomic step, and answers the token that holds it afterwards (`token` itself when taken).
   * The holder's own call extends its lease to `ttlMs` from now (a leader renews while its origin call runs).
   * Leases live apart from entries: no listing, count or `clear` sees them, and each ends by itself after its
   * `ttlMs`. Optional, together with `release`.
   */
  lease?(name: string, token: string, ttlMs: number): Awaitable<string>;
  /** Ends the lease `name` if `token` still holds it (compare and delete); otherwise leaves it alone. */
  release?(name: string, token: string): Awaitable<void>;
  /** Release resources the store created itself (never a client the user passed in). */
  close?(): Promise<void>;
}
