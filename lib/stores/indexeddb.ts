/**
 * `IndexedDBStore`: a cache store over IndexedDB, for front ends. Subpath: `axios-http-cache/indexeddb`.
 *
 * One object store keyed by cache key, with an index on `expiresAt`. Records are kept by structured
 * clone, so a binary body stays a `Uint8Array` (no base64). IndexedDB is shared by every tab of the
 * origin: a response cached in one tab is a hit in another, and it survives reloads.
 */
import { CacheError, CorruptEntryError, StoreError } from '../errors.js';
import { EventHub, asStoreError } from './event-hub.js';
import type { CacheRecord } from '../record.js';
import type { CacheStore, StoreEvent } from './store.js';
import { EXPIRES_AT_INDEX, openStoreDatabase, transactionDone } from './idb-promise.js';
import { isQuotaError } from './storage-quota.js';
import { recordProblem } from './record-shape.js';
import { checkStoreOptions, storeOptionError } from './store-options.js';

export interface IndexedDBStoreOptions {
  /**
   * Database name.
   * @default 'axios-http-cache'
   */
  readonly dbName?: string;
  /**
   * Object store name inside the database; `clear()` empties only this one.
   * @default 'entries'
   */
  readonly storeName?: string;
  /**
   * The factory to open databases with.
   * @default globalThis.indexedDB (a TypeError if there is none)
   */
  readonly indexedDB?: IDBFactory;
  /**
   * The application's clock, epoch ms, for expiry checks: pass the same clock you give `attachCache`
   * (its `now` option).
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * After a write, expired entries are swept through the `expiresAt` index at most this often,
   * in the background, at most 200 per sweep. `0` turns the automatic sweep off
   * (`sweep()` still works). Cost: one index scan of at most 200 entries per sweep.
   * @default 60_000
   */
  readonly sweepIntervalMs?: number;
}

/** What one object-store row holds. */
interface StoredRow {
  readonly key: string;
  readonly expiresAt: number;
  readonly record: unknown;
}

/** Most expired entries one sweep deletes, so that a sweep stays cheap. */
const SWEEP_BATCH = 200;
/** Rows read per page by `keys()` and `entries()`. */
const PAGE_SIZE = 50;
const KNOWN_OPTIONS = ['dbName', 'storeName', 'indexedDB', 'now', 'sweepIntervalMs'] as const;

function defaultFactory(): IDBFactory {
  const factory = (globalThis as { indexedDB?: unknown }).indexedDB;
  if (typeof factory !== 'object' || factory === null) {
    throw storeOptionError('IndexedDBStore', 'option indexedDB was not given and there is no globalThis.indexedDB here; pass an IDBFactory, or use another store');
  }
  return factory as IDBFactory;
}

function nonEmpty(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw storeOptionError('IndexedDBStore', `option ${name} must be a non-empty string`);
  return value;
}

/** Why a row read back cannot be used, or `undefined` when it holds a record of this version. */
function rowProblem(row: Partial<StoredRow>): string | undefined {
  return typeof row.expiresAt === 'number' ? recordProblem(row.record) : 'it has no expiry';
}

/** A copy of the record whose binary body owns exactly its bytes (a view would clone its whole buffer). */
function compact(record: CacheRecord): CacheRecord {
  const { body } = record;
  if (body.type !== 'binary') return record;
  const { bytes } = body;
  const exact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.constructor === Uint8Array;
  return exact ? record : { ...record, body: { type: 'binary', bytes: new Uint8Array(bytes) } };
}

export class IndexedDBStore implements CacheStore {
  readonly #factory: IDBFactory;
  readonly #dbName: string;
  readonly #storeName: string;
  readonly #now: () => number;
  readonly #sweepIntervalMs: number;
  readonly #events = new EventHub();
  #db: Promise<IDBDatabase> | undefined;
  #lastSweepAt = Number.NEGATIVE_INFINITY;
  #sweeping: Promise<void> | undefined;

  constructor(options: IndexedDBStoreOptions = {}) {
    checkStoreOptions('IndexedDBStore', options, KNOWN_OPTIONS);
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw storeOptionError('IndexedDBStore', 'option now must be a function returning epoch ms');
    }
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw storeOptionError('IndexedDBStore', 'option sweepIntervalMs must be a finite number of ms, 0 or more');
    }
    this.#factory = options.indexedDB ?? defaultFactory();
    this.#dbName = nonEmpty('dbName', options.dbName, 'axios-http-cache');
    this.#storeName = nonEmpty('storeName', options.storeName, 'entries');
    this.#now = options.now ?? Date.now;
    this.#sweepIntervalMs = sweepIntervalMs;
  }

  async get(key: string): Promise<CacheRecord | undefined> {
    const row = await this.#transact('get', 'readonly', (store) => {
      const request = store.get(key);
      return () => request.result as Partial<StoredRow> | undefined;
    });
    if (row === undefined) return undefined;
    const problem = rowProblem(row);
    if (problem !== undefined) {
      await this.delete(key);
      throw new CorruptEntryError(key, problem);
    }
    if ((row.expiresAt ?? 0) <= this.#now()) {
      await this.delete(key);
      return undefined;
    }
    return row.record as CacheRecord;
  }

  async set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    if (expiresAt <= this.#now()) {
      await this.delete(key);
      return;
    }
    const row: StoredRow = { key, expiresAt, record: compact(record) };
    const put = (store: IDBObjectStore): (() => void) => {
      store.put(row);
      return () => undefined;
    };
    try {
      await this.#transact('set', 'readwrite', put);
    } catch (error) {
      if (!(error instanceof StoreError && isQuotaError(error.cause))) throw error;
      // Browsers account freed IndexedDB space lazily, so one round of eviction is not always enough: a second,
      // larger round (half of what is left) comes before giving up.
      let evicted = await this.#evictForQuota(10);
      try {
        await this.#transact('set', 'readwrite', put);
      } catch (retryError) {
        if (!(retryError instanceof StoreError && isQuotaError(retryError.cause))) throw retryError;
        evicted += await this.#evictForQuota(2);
        await this.#transact('set', 'readwrite', put).catch((lastError: unknown) => {
          throw new StoreError('set', `storage quota exceeded, even after evicting ${evicted} entries`, { cause: lastError });
        });
      }
      this.#events.emit({ type: 'warning', error: new CacheError('ECACHE_QUOTA_EVICTED', `storage quota exceeded: evicted ${evicted} entries of ${this.#storeName} to make room`) });
    }
    this.#maybeSweep();
  }

  delete(key: string): Promise<void> {
    return this.#transact('delete', 'readwrite', (store) => {
      store.delete(key);
      return () => undefined;
    });
  }

  clear(): Promise<void> {
    return this.#transact('clear', 'readwrite', (store) => {
      store.clear();
      return () => undefined;
    });
  }

  /** Live entries, counted through the `expiresAt` index without reading any record. */
  count(): Promise<number> {
    const range = IDBKeyRange.lowerBound(this.#now(), true);
    return this.#transact('count', 'readonly', (store) => {
      const request = store.index(EXPIRES_AT_INDEX).count(range);
      return () => request.result;
    });
  }

  async *keys(): AsyncIterable<string> {
    for await (const record of this.entries()) yield record.key;
  }

  /** Live records, read in pages of 50 rows (a transaction cannot stay open across the caller's awaits). */
  async *entries(): AsyncIterable<CacheRecord> {
    let after: string | undefined;
    for (;;) {
      const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
      const rows = await this.#transact('entries', 'readonly', (store) => {
        const request = store.getAll(range, PAGE_SIZE);
        return () => request.result as Partial<StoredRow>[];
      });
      for (const row of rows) {
        if (typeof row.key !== 'string') continue;
        const problem = rowProblem(row);
        if (problem !== undefined) {
          await this.delete(row.key);
          this.#events.emit({ type: 'error', error: new CorruptEntryError(row.key, problem) });
        } else if ((row.expiresAt ?? 0) > this.#now()) {
          yield row.record as CacheRecord;
        }
      }
      if (rows.length < PAGE_SIZE) return;
      after = rows[rows.length - 1]?.key;
    }
  }

  /** Deletes up to {@link SWEEP_BATCH} expired entries, found through the `expiresAt` index; returns how many. */
  sweep(): Promise<number> {
    return this.#deleteByExpiry(IDBKeyRange.upperBound(this.#now()), SWEEP_BATCH, 'sweep');
  }

  onEvent(listener: (event: StoreEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  /** Waits for a background sweep, then closes the connection. A later call opens it again. */
  async close(): Promise<void> {
    await this.#sweeping;
    const db = this.#db;
    this.#db = undefined;
    if (db !== undefined) (await db.catch(() => undefined))?.close();
  }

  /** On a quota error: drops every expired entry, then 1/`divisor` of the rest closest to expiry (at least one). */
  async #evictForQuota(divisor: number): Promise<number> {
    const expired = await this.#deleteByExpiry(IDBKeyRange.upperBound(this.#now()), Number.POSITIVE_INFINITY, 'set');
    const live = await this.count();
    const soonest = await this.#deleteByExpiry(null, Math.max(1, Math.ceil(live / divisor)), 'set');
    return expired + soonest;
  }

  /** Walks the `expiresAt` index over `range`, lowest expiry first, deleting up to `limit` rows. */
  #deleteByExpiry(range: IDBKeyRange | null, limit: number, operation: string): Promise<number> {
    return this.#transact(operation, 'readwrite', (store) => {
      let deleted = 0;
      const request = store.index(EXPIRES_AT_INDEX).openCursor(range);
      request.onsuccess = () => {
        const cursor = request.result;
        if (cursor === null || deleted >= limit) return;
        cursor.delete();
        deleted += 1;
        cursor.continue();
      };
      return () => deleted;
    });
  }

  #maybeSweep(): void {
    if (this.#sweepIntervalMs === 0 || this.#sweeping !== undefined) return;
    const now = this.#now();
    if (now - this.#lastSweepAt < this.#sweepIntervalMs) return;
    this.#lastSweepAt = now;
    this.#sweeping = this.sweep()
      .then(() => undefined, (error: unknown) => this.#events.emit({ type: 'error', error: asStoreError('sweep', error) }))
      .finally(() => {
        this.#sweeping = undefined;
      });
  }

  #open(): Promise<IDBDatabase> {
    if (this.#db === undefined) {
      const opening = openStoreDatabase(this.#factory, this.#dbName, this.#storeName).then((db) => {
        // Another tab wants a newer version (or the browser drops the database): let go, reopen on next use.
        db.onversionchange = () => {
          db.close();
          if (this.#db === opening) this.#db = undefined;
        };
        db.onclose = () => {
          if (this.#db === opening) this.#db = undefined;
        };
        return db;
      });
      void opening.catch(() => {
        if (this.#db === opening) this.#db = undefined;
      });
      this.#db = opening;
    }
    return this.#db;
  }

  /**
   * Runs `work` in one transaction. `work` queues requests synchronously and returns a reader of
   * their results, called once the transaction has committed. Failures reject as `StoreError`.
   */
  async #transact<T>(operation: string, mode: IDBTransactionMode, work: (store: IDBObjectStore) => () => T): Promise<T> {
    try {
      const db = await this.#open();
      const transaction = db.transaction(this.#storeName, mode, { durability: 'relaxed' });
      const done = transactionDone(transaction);
      let read: () => T;
      try {
        read = work(transaction.objectStore(this.#storeName));
      } catch (error) {
        try {
          transaction.abort();
        } catch {
          // already finished: nothing to undo
        }
        await done.catch(() => undefined);
        throw error;
      }
      await done;
      return read();
    } catch (error) {
      throw asStoreError(operation, error);
    }
  }
}
