/**
 * `WebStorageStore`: a cache store over `localStorage` or `sessionStorage` (or any object with
 * the same five members), for front ends. Subpath: `axios-http-cache/web-storage`.
 *
 * Web Storage holds strings only, so each entry is one item holding JSON; a binary body is kept
 * as base64 (a third bigger than the bytes). For large or binary responses prefer `IndexedDBStore`.
 * Storage is synchronous and small (about 5 MB per origin in most browsers): keep entries small.
 */
import { CorruptEntryError, CacheError, StoreError } from '../errors.js';
import { EventHub, asStoreError } from './event-hub.js';
import type { CacheRecord, CachedBody } from '../record.js';
import type { CacheStore, StoreEvent } from './store.js';
import { base64ToBytes, bytesToBase64, recordProblem, type BinaryKind } from './record-shape.js';
import { checkStoreOptions, storeOptionError } from './store-options.js';
import { isQuotaError } from './storage-quota.js';

/** The part of the DOM `Storage` interface this store uses; `localStorage` and `sessionStorage` have it. */
export type WebStorageLike = Pick<Storage, 'length' | 'key' | 'getItem' | 'setItem' | 'removeItem'>;

export interface WebStorageStoreOptions {
  /**
   * Where entries live.
   * @default globalThis.localStorage (a TypeError if there is none)
   */
  readonly storage?: WebStorageLike;
  /**
   * Prepended to every item name; `clear()`, `keys()`, `entries()` and quota eviction touch only
   * items with this prefix.
   * @default 'axios-http-cache:'
   */
  readonly prefix?: string;
  /**
   * The application's clock, epoch ms, for expiry checks: pass the same clock you give `attachCache`
   * (its `now` option).
   * @default Date.now
   */
  readonly now?: () => number;
}

/** The JSON an item holds: `e` expiresAt, `c` createdAt, `r` the record with its body as text or base64. */
interface StoredItem {
  readonly e: number;
  readonly c: number;
  readonly r: Record<string, unknown>;
}

type StoredBody =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'binary'; readonly base64: string; readonly as?: BinaryKind };

const DEFAULT_PREFIX = 'axios-http-cache:';
const KNOWN_OPTIONS = ['storage', 'prefix', 'now'] as const;

function defaultStorage(): WebStorageLike {
  let storage: unknown;
  try {
    storage = (globalThis as { localStorage?: unknown }).localStorage;
  } catch (error) {
    throw new TypeError('axios-http-cache: WebStorageStore option storage was not given and globalThis.localStorage is not accessible here; pass a Storage (localStorage, sessionStorage or an object with the same members)', { cause: error });
  }
  if (typeof storage !== 'object' || storage === null) {
    throw storeOptionError('WebStorageStore', 'option storage was not given and there is no globalThis.localStorage here; pass a Storage (localStorage, sessionStorage or an object with the same members)');
  }
  return storage as WebStorageLike;
}

function encodeBody(body: CachedBody): StoredBody {
  if (body.type === 'text') return body;
  const base64 = bytesToBase64(body.bytes);
  return body.as === undefined ? { type: 'binary', base64 } : { type: 'binary', base64, as: body.as };
}

function decodeBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const { type, base64, as } = body as { type?: unknown; base64?: unknown; as?: unknown };
  if (type !== 'binary' || typeof base64 !== 'string') return body;
  const bytes = base64ToBytes(base64);
  return as === undefined ? { type: 'binary', bytes } : { type: 'binary', bytes, as };
}

/** Expiry and age of an item, read without decoding its body; `undefined` when the item is unreadable. */
function peek(text: string): { expiresAt: number; createdAt: number } | undefined {
  try {
    const item = JSON.parse(text) as Partial<StoredItem> | null;
    if (typeof item?.e === 'number' && typeof item.c === 'number') return { expiresAt: item.e, createdAt: item.c };
  } catch {
    // unreadable: the caller treats it as the first thing to evict
  }
  return undefined;
}

export class WebStorageStore implements CacheStore {
  readonly #storage: WebStorageLike;
  readonly #prefix: string;
  readonly #now: () => number;
  readonly #events = new EventHub();

  constructor(options: WebStorageStoreOptions = {}) {
    checkStoreOptions('WebStorageStore', options, KNOWN_OPTIONS);
    if (options.prefix !== undefined && (typeof options.prefix !== 'string' || options.prefix === '')) {
      throw storeOptionError('WebStorageStore', 'option prefix must be a non-empty string, so that clear() cannot touch other data');
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw storeOptionError('WebStorageStore', 'option now must be a function returning epoch ms');
    }
    this.#storage = options.storage ?? defaultStorage();
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#now = options.now ?? Date.now;
  }

  get(key: string): Promise<CacheRecord | undefined> {
    return this.#run('get', () => this.#read(key));
  }

  set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    return this.#run('set', () => {
      if (expiresAt <= this.#now()) {
        this.#storage.removeItem(this.#prefix + key);
        return;
      }
      const item: StoredItem = { e: expiresAt, c: record.createdAt, r: { ...record, body: encodeBody(record.body) } };
      this.#write(this.#prefix + key, JSON.stringify(item));
    });
  }

  delete(key: string): Promise<void> {
    return this.#run('delete', () => this.#storage.removeItem(this.#prefix + key));
  }

  clear(): Promise<void> {
    return this.#run('clear', () => {
      for (const name of this.#names()) this.#storage.removeItem(name);
    });
  }

  /** Removes every expired (or unreadable) item of this namespace; returns how many. Web Storage has no native expiry. */
  sweep(): Promise<number> {
    return this.#run('sweep', () => {
      const now = this.#now();
      let removed = 0;
      for (const name of this.#names()) {
        const text = this.#storage.getItem(name);
        const meta = text === null ? undefined : peek(text);
        if (meta === undefined || meta.expiresAt <= now) {
          this.#storage.removeItem(name);
          removed += 1;
        }
      }
      return removed;
    });
  }

  /** Live keys of this namespace. Web Storage is in memory already, so names are listed up front. */
  async *keys(): AsyncIterable<string> {
    for (const name of this.#names()) {
      const text = this.#storage.getItem(name);
      const meta = text === null ? undefined : peek(text);
      if (meta !== undefined && meta.expiresAt > this.#now()) yield name.slice(this.#prefix.length);
    }
    await Promise.resolve();
  }

  /** Live records of this namespace; an unreadable item is deleted, reported as an `error` event and skipped. */
  async *entries(): AsyncIterable<CacheRecord> {
    for (const name of this.#names()) {
      const key = name.slice(this.#prefix.length);
      try {
        const record = this.#read(key);
        if (record !== undefined) yield record;
      } catch (error) {
        this.#events.emit({ type: 'error', error: error instanceof Error ? error : new StoreError('entries', String(error)) });
      }
    }
    await Promise.resolve();
  }

  count(): Promise<number> {
    return this.#run('count', () => {
      const now = this.#now();
      return this.#names().filter((name) => {
        const text = this.#storage.getItem(name);
        const meta = text === null ? undefined : peek(text);
        return meta !== undefined && meta.expiresAt > now;
      }).length;
    });
  }

  /** Approximate bytes of this namespace: names plus values, two bytes per UTF-16 code unit. */
  size(): Promise<number | undefined> {
    return this.#run('size', () =>
      this.#names().reduce((total, name) => total + 2 * (name.length + (this.#storage.getItem(name)?.length ?? 0)), 0),
    );
  }

  onEvent(listener: (event: StoreEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  #read(key: string): CacheRecord | undefined {
    const name = this.#prefix + key;
    const text = this.#storage.getItem(name);
    if (text === null) return undefined;
    let item: Partial<StoredItem> | null;
    let record: unknown;
    try {
      item = JSON.parse(text) as Partial<StoredItem> | null;
      record = typeof item?.r === 'object' && item.r !== null ? { ...item.r, body: decodeBody(item.r['body']) } : undefined;
    } catch (error) {
      this.#storage.removeItem(name);
      throw new CorruptEntryError(key, 'the item is not valid JSON or its base64 body does not decode', { cause: error });
    }
    const problem = typeof item?.e === 'number' ? recordProblem(record) : 'it has no expiry';
    if (problem !== undefined) {
      this.#storage.removeItem(name);
      throw new CorruptEntryError(key, problem);
    }
    if ((item?.e ?? 0) <= this.#now()) {
      this.#storage.removeItem(name);
      return undefined;
    }
    return record as CacheRecord;
  }

  /** `setItem`; on a quota error, evict the oldest items of this namespace and retry once. */
  #write(name: string, text: string): void {
    try {
      this.#storage.setItem(name, text);
      return;
    } catch (error) {
      if (!isQuotaError(error)) throw error;
    }
    const evicted = this.#evict(2 * (name.length + text.length));
    try {
      this.#storage.setItem(name, text);
    } catch (error) {
      throw new StoreError('set', `storage quota exceeded, even after evicting ${evicted} entries of this namespace`, { cause: error });
    }
    this.#events.emit({ type: 'warning', error: new CacheError('ECACHE_QUOTA_EVICTED', `storage quota exceeded: evicted ${evicted} entries of prefix ${JSON.stringify(this.#prefix)} to make room`) });
  }

  /** Removes unreadable, then expired, then the oldest items until about `neededBytes` are free; returns how many. */
  #evict(neededBytes: number): number {
    const now = this.#now();
    const candidates = this.#names().map((name) => {
      const text = this.#storage.getItem(name) ?? '';
      const meta = peek(text);
      // Unreadable items sort first, expired ones next, then by age and by expiry.
      const rank = meta === undefined ? 0 : meta.expiresAt <= now ? 1 : 2;
      return { name, bytes: 2 * (name.length + text.length), rank, createdAt: meta?.createdAt ?? 0, expiresAt: meta?.expiresAt ?? 0 };
    });
    candidates.sort((a, b) => a.rank - b.rank || a.createdAt - b.createdAt || a.expiresAt - b.expiresAt);
    let freedBytes = 0;
    let evicted = 0;
    for (const candidate of candidates) {
      if (freedBytes >= neededBytes && candidate.rank === 2) break;
      this.#storage.removeItem(candidate.name);
      freedBytes += candidate.bytes;
      evicted += 1;
    }
    return evicted;
  }

  /** Item names of this namespace, listed before any is removed (removal shifts `key(index)`). */
  #names(): string[] {
    const names: string[] = [];
    for (let index = 0; index < this.#storage.length; index += 1) {
      const name = this.#storage.key(index);
      if (name?.startsWith(this.#prefix)) names.push(name);
    }
    return names;
  }

  /** Runs a synchronous storage step as a promise; anything thrown becomes a rejection, never an exception. */
  #run<T>(operation: string, step: () => T): Promise<T> {
    try {
      return Promise.resolve(step());
    } catch (error) {
      return Promise.reject(asStoreError(operation, error));
    }
  }
}
