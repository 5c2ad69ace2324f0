/**
 * A near cache in front of a shared store: `new TieredStore({ near: new MemoryStore(), far: new RedisStore(...) })`.
 *
 * Reads answer from the near tier (this process' MemoryStore) when it holds the key, synchronously through `peekSync`,
 * and otherwise from the far tier (the truth, shared by every process), filling the near tier on the event loop's next
 * turn, once the caller has its answer (a change of the key meanwhile cancels the fill). Writes and deletes go to the far tier first; once it has answered (taken it or failed),
 * the near copy is replaced or dropped and the change is announced on the far store's invalidation channel (Redis
 * pub/sub, see `redis-invalidation.ts`), whose listeners in other processes drop their near copy.
 *
 * The near tier is only trusted as far as the channel is: while the channel is down (not yet subscribed,
 * disconnected, heartbeat unanswered) or absent (a far store with no channel, such as MongoStore), a near entry lives
 * at most `nearMaxAgeMs`; when the channel goes down or comes back, the near tier is emptied, since messages may have
 * been lost in between. Listings, `clear()` and counts are the far tier's.
 *
 * No `node:` imports: this file is part of the main entry.
 */
import { asError, StoreClosedError } from '../errors.js';
import type { CacheRecord } from '../record.js';
import { EventHub } from './event-hub.js';
import type { InvalidationChannel, InvalidationListener, InvalidationSource } from './invalidation-channel.js';
import { MemoryStore } from './memory.js';
import type { Awaitable, CacheStore, StoreEvent, StoreFilter } from './store.js';
import { checkStoreOptions, storeOptionError } from './store-options.js';

/** A far store as the tiered store needs it: the contract plus the listings it delegates. */
export type FarStore = CacheStore & Required<Pick<CacheStore, 'clear' | 'keys' | 'entries' | 'count'>>;

export interface TieredStoreOptions {
  /**
   * The shared store every process reads and writes: a `RedisStore` (whose pub/sub channel keeps near tiers
   * true), a `MongoStore` (no channel: near entries then always live at most `nearMaxAgeMs`), or any store with
   * `clear`, `keys`, `entries` and `count`. The tiered store never closes it.
   */
  readonly far: FarStore;
  /**
   * This process' copy of the hottest entries: a `MemoryStore`, sized with its own `maxEntries` and `maxBytes`.
   * @default new MemoryStore({ now })
   */
  readonly near?: MemoryStore;
  /**
   * Longest time a near entry is served while the invalidation channel is down or absent, in ms: the staleness
   * bound when other processes' changes cannot be heard. Shorter costs more far reads; also half of it is the
   * channel's heartbeat period (one `PING` per process on the subscriber connection).
   * @default 1000
   */
  readonly nearMaxAgeMs?: number;
  /**
   * The application's clock, epoch ms: pass the same clock as `attachCache` and the two tiers.
   * @default Date.now
   */
  readonly now?: () => number;
}

const KNOWN_OPTIONS = ['far', 'near', 'nearMaxAgeMs', 'now'] as const;
const FAR_METHODS = ['get', 'set', 'delete', 'clear', 'keys', 'entries', 'count'] as const;

/** Announcements kept for a channel that could not take them; past this, one "everything changed" replaces them. */
const MAX_UNANNOUNCED = 1000;

/** An operation whose outcome may fill the near tier, and whether an invalidation of its key came meanwhile. */
/** Runs `task` on the event loop's next turn, after the I/O callbacks of this one (browsers: a zero timer). */
const nextTurn: (task: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (task) => {
        (globalThis as unknown as { setImmediate: (task: () => void) => unknown }).setImmediate(task);
      }
    : (task) => {
        setTimeout(task, 0);
      };

interface Watch {
  stale: boolean;
  /** The channel's state generation when the operation started. */
  readonly epoch: number;
}

/** A far read under way: joined by later reads of its key until an invalidation of the key marks it stale. */
interface FarRead extends Watch {
  readonly promise: Promise<CacheRecord | undefined>;
}

function hasInvalidationChannel(store: object): store is InvalidationSource {
  return typeof (store as Partial<InvalidationSource>).openInvalidationChannel === 'function';
}

export class TieredStore implements CacheStore {
  readonly near: MemoryStore;
  readonly far: FarStore;
  readonly nearMaxAgeMs: number;
  /** The far tier's indexed query, present when the far store has one (see {@link CacheStore.find}). */
  readonly find?: (filter: StoreFilter) => AsyncIterable<CacheRecord>;
  /** The far tier's leases (`dedupe: 'store'`), present when the far store keeps them: a lease is shared by every process, so it lives where the truth does. */
  readonly lease?: (name: string, token: string, ttlMs: number) => Awaitable<string>;
  /** Ends a far-tier lease; present with {@link TieredStore.lease}. */
  readonly release?: (name: string, token: string) => Awaitable<void>;
  readonly #now: () => number;
  readonly #events = new EventHub();
  /** The channel this store opened (and closes); undefined when the far store has none. */
  readonly #channel: InvalidationChannel | undefined;
  readonly #unsubscribeFar: (() => void) | undefined;
  /** Far reads under way, by key. */
  readonly #reads = new Map<string, FarRead>();
  /** Writes under way per key, marked stale by an invalidation of their key. */
  readonly #watches = new Map<string, Set<Watch>>();
  /** Keys whose change could not be announced yet; `undefined` stands for everything. */
  readonly #unannounced = new Set<string | undefined>();
  /** When the oldest change in `#unannounced` failed to be announced (epoch ms). */
  #unannouncedSince = 0;
  #up = false;
  #epoch = 0;
  #closed = false;

  constructor(options: TieredStoreOptions) {
    if (options === undefined) throw storeOptionError('TieredStore', 'needs options: { far } (a RedisStore or MongoStore), and optionally { near } (a MemoryStore)');
    checkStoreOptions('TieredStore', options, KNOWN_OPTIONS);
    const { far } = options;
    if (typeof far !== 'object' || far === null) throw storeOptionError('TieredStore', 'needs option far: the shared store (new RedisStore(...) or new MongoStore(...))');
    const missing = FAR_METHODS.filter((method) => typeof (far as unknown as Record<string, unknown>)[method] !== 'function');
    if (missing.length > 0) throw storeOptionError('TieredStore', `option far must be a shared store such as RedisStore or MongoStore: it has no ${missing.map((name) => `${name}()`).join(', ')}`);
    if (far instanceof MemoryStore || far instanceof TieredStore) throw storeOptionError('TieredStore', 'option far must be a store shared by every process (RedisStore, MongoStore), not one held in this process');
    this.far = far;
    if (far.find !== undefined) {
      const find = far.find.bind(far);
      this.find = (filter) => {
        this.#checkOpen('find');
        return find(filter);
      };
    }
    if (far.lease !== undefined && far.release !== undefined) {
      const [lease, release] = [far.lease.bind(far), far.release.bind(far)];
      this.lease = (name, token, ttlMs) => {
        this.#checkOpen('lease');
        return lease(name, token, ttlMs);
      };
      this.release = (name, token) => release(name, token);
    }
    this.#now = options.now ?? Date.now;
    if (typeof this.#now !== 'function') throw storeOptionError('TieredStore', 'option now must be a function returning epoch ms');
    const near = options.near ?? new MemoryStore({ now: this.#now });
    if (!(near instanceof MemoryStore)) throw storeOptionError('TieredStore', 'option near must be a MemoryStore (new MemoryStore({ maxEntries, maxBytes }))');
    this.near = near;
    this.nearMaxAgeMs = options.nearMaxAgeMs ?? 1000;
    if (!Number.isSafeInteger(this.nearMaxAgeMs) || this.nearMaxAgeMs < 2) throw storeOptionError('TieredStore', `option nearMaxAgeMs must be an integer number of ms, at least 2, got ${String(options.nearMaxAgeMs)}`);

    this.#unsubscribeFar = far.onEvent?.((event) => {
      this.#events.emit(event);
    });
    this.#channel = hasInvalidationChannel(far) ? far.openInvalidationChannel() : undefined;
    this.#channel?.open(this.#listener(), Math.floor(this.nearMaxAgeMs / 2));
  }

  /**
   * True while the invalidation channel is up (subscribed, heartbeat answered): near entries then live to their own
   * expiry. False while it is down or when the far store has none: near entries then live at most `nearMaxAgeMs`.
   */
  get listening(): boolean {
    return this.#up;
  }

  /** The near copy, or `undefined` when only the far tier can tell: the cache's synchronous hit path. */
  peekSync(key: string): CacheRecord | undefined {
    return this.#closed ? undefined : this.near.getSync(key);
  }

  /** Frozen data (`frozen: true`) is held with the near copy, whose record the cache reads, and counted in its `maxBytes`. */
  retain(key: string, record: CacheRecord, bytes: number): boolean {
    return !this.#closed && this.near.retain(key, record, bytes);
  }

  get(key: string): Promise<CacheRecord | undefined> {
    if (this.#closed) return Promise.reject(new StoreClosedError('TieredStore', 'get'));
    const held = this.near.getSync(key);
    return held !== undefined ? Promise.resolve(held) : this.#readFar(key);
  }

  /**
   * Writes to the far tier, then keeps the record near and announces the change. A far write that fails leaves no
   * near copy (and is announced all the same: the far tier may have taken it before the failure reached us).
   */
  async set(key: string, record: CacheRecord, expiresAt: number): Promise<void> {
    this.#checkOpen('set');
    const watch = this.#watch(key);
    try {
      await this.far.set(key, record, expiresAt);
    } catch (error) {
      this.#unwatch(key, watch);
      this.#drop(key);
      await this.#announce(key);
      throw error;
    }
    this.#unwatch(key, watch);
    this.#drop(key);
    // Another process' change of this key heard during the write may be the later one: then keep nothing near.
    if (!watch.stale) this.#keepNear(key, record, expiresAt, watch);
    await this.#announce(key);
  }

  /** Deletes from the far tier, then drops the near copy and announces it, whether the far tier took it or not. */
  async delete(key: string): Promise<void> {
    this.#checkOpen('delete');
    try {
      await this.far.delete(key);
    } finally {
      this.#drop(key);
      await this.#announce(key);
    }
  }

  /**
   * Deletes `keys` as {@link TieredStore.delete} does each: from the far tier first (in one call when it has
   * `deleteMany`), then drops the near copies and announces each key, whether the far tier took them or not.
   */
  async deleteMany(keys: readonly string[]): Promise<void> {
    this.#checkOpen('delete');
    try {
      if (this.far.deleteMany !== undefined) await this.far.deleteMany(keys);
      else for (const key of keys) await this.far.delete(key);
    } finally {
      for (const key of keys) this.#drop(key);
      await Promise.all(keys.map((key) => this.#announce(key)));
    }
  }

  /** Clears the far tier (the namespace every process shares), this near tier, and announces it. */
  async clear(): Promise<void> {
    this.#checkOpen('clear');
    try {
      await this.far.clear();
    } finally {
      this.#dropAll();
      await this.#announce(undefined);
    }
  }

  keys(): AsyncIterable<string> {
    this.#checkOpen('keys');
    return this.far.keys();
  }

  entries(): AsyncIterable<CacheRecord> {
    this.#checkOpen('entries');
    return this.far.entries();
  }

  count(): Promise<number> {
    this.#checkOpen('count');
    return this.far.count();
  }

  size(): Promise<number | undefined> {
    this.#checkOpen('size');
    return this.far.size !== undefined ? this.far.size() : Promise.resolve(undefined);
  }

  /** Errors of the far tier and of the invalidation channel. */
  onEvent(listener: (event: StoreEvent) => void): () => void {
    return this.#events.subscribe(listener);
  }

  /**
   * Closes what this store opened: the invalidation channel (its subscriber connection). The near and far stores
   * are the caller's, and so are their clients: close them yourself. Later calls reject with a StoreClosedError.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribeFar?.();
    this.#dropAll();
    await this.#channel?.close();
  }

  #checkOpen(operation: string): void {
    if (this.#closed) throw new StoreClosedError('TieredStore', operation);
  }

  #readFar(key: string): Promise<CacheRecord | undefined> {
    const joined = this.#reads.get(key);
    if (joined !== undefined) return joined.promise;
    let answer: Awaitable<CacheRecord | undefined>;
    try {
      answer = this.far.get(key);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    const epoch = this.#epoch;
    const promise = Promise.resolve(answer).then((record) => {
      if (this.#reads.get(key) === read) this.#reads.delete(key);
      if (record !== undefined && !read.stale) this.#fillLater(key, record, read);
      return record;
    }, (error: unknown) => {
      if (this.#reads.get(key) === read) this.#reads.delete(key);
      throw error;
    });
    const read: FarRead = { stale: false, epoch, promise };
    this.#reads.set(key, read);
    return promise;
  }

  /**
   * Keeps a far read's record near once its caller has it: on the event loop's next turn (`setImmediate` in Node, a
   * zero timer elsewhere), so a far hit costs its caller what the far read costs and the fill runs while the process
   * waits on I/O. The read is watched until then: a change of the key meanwhile (`#drop`) cancels the fill.
   */
  #fillLater(key: string, record: CacheRecord, read: Watch): void {
    const watch = this.#watch(key, read.epoch);
    nextTurn(() => {
      this.#unwatch(key, watch);
      if (!watch.stale && !this.#closed) this.#keepNear(key, record, record.expiresAt, watch);
    });
  }

  /**
   * Keeps a record near: until its own expiry while the channel has been up since the operation began, else at
   * most `nearMaxAgeMs` (nobody can tell this process when the far copy changes).
   */
  #keepNear(key: string, record: CacheRecord, expiresAt: number, watch: Watch): void {
    const heard = this.#up && watch.epoch === this.#epoch;
    void this.near.set(key, record, heard ? expiresAt : Math.min(expiresAt, this.#now() + this.nearMaxAgeMs));
  }

  #watch(key: string, epoch = this.#epoch): Watch {
    const watch: Watch = { stale: false, epoch };
    let watches = this.#watches.get(key);
    if (watches === undefined) {
      watches = new Set();
      this.#watches.set(key, watches);
    }
    watches.add(watch);
    return watch;
  }

  #unwatch(key: string, watch: Watch): void {
    const watches = this.#watches.get(key);
    if (watches?.delete(watch) === true && watches.size === 0) this.#watches.delete(key);
  }

  /** `key` changed elsewhere or here: no near copy, no pending read or write of it may fill one. */
  #drop(key: string): void {
    void this.near.delete(key);
    const read = this.#reads.get(key);
    if (read !== undefined) {
      read.stale = true;
      this.#reads.delete(key);
    }
    const watches = this.#watches.get(key);
    if (watches !== undefined) for (const watch of watches) watch.stale = true;
  }

  #dropAll(): void {
    void this.near.clear();
    for (const read of this.#reads.values()) read.stale = true;
    this.#reads.clear();
    for (const watches of this.#watches.values()) for (const watch of watches) watch.stale = true;
  }

  /**
   * Tells other processes; a failure is reported and kept, to be announced again on the channel's next heartbeat,
   * after the next announcement that succeeds, and once the channel is back. `since`: when the change first failed.
   */
  async #announce(key: string | undefined, since = this.#now()): Promise<void> {
    const channel = this.#channel;
    if (channel === undefined) return;
    try {
      await channel.announce(key);
    } catch (error) {
      if (this.#unannounced.size === 0 || since < this.#unannouncedSince) this.#unannouncedSince = since;
      const overflow = this.#unannounced.size >= MAX_UNANNOUNCED;
      if (overflow) this.#unannounced.clear();
      this.#unannounced.add(overflow ? undefined : key);
      this.#events.emitError(error);
      return;
    }
    if (this.#unannounced.size > 0) this.#announceAgain();
  }

  #listener(): InvalidationListener {
    return {
      invalidated: (key) => {
        if (key === undefined) this.#dropAll();
        else this.#drop(key);
      },
      state: (up) => {
        this.#up = up;
        this.#epoch++;
        this.#dropAll();
        if (up) this.#announceAgain();
      },
      heartbeat: () => {
        if (this.#unannounced.size > 0) this.#announceAgain();
      },
      error: (error) => {
        this.#events.emitError(error);
      },
    };
  }

  /**
   * Announces the backlog again; a backlog older than `nearMaxAgeMs` (peers may have trusted their copies longer than
   * the bound) or too big is announced as one "everything changed".
   */
  #announceAgain(): void {
    const since = this.#unannouncedSince;
    const everything = this.#unannounced.has(undefined) || this.#now() - since > this.nearMaxAgeMs || this.#unannounced.size >= MAX_UNANNOUNCED;
    const keys = everything ? [undefined] : [...this.#unannounced];
    this.#unannounced.clear();
    for (const key of keys) void this.#announce(key, since);
  }
}
