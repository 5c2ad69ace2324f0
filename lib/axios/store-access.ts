import { asError, StoreError, StoreTimeoutError } from '../errors.js';
import type { CacheRecord } from '../record.js';
import type { CacheStore } from '../stores/store.js';
import { Deadlines } from './deadlines.js';

/** How long the cache leaves a failing store alone before trying it again (ms). */
const COOL_DOWN_MS = 1000;

/** What {@link StoreAccess.getSync} answers for a store that has no synchronous read. */
export const NOT_SYNCHRONOUS = Symbol('not synchronous');

export type StoreFailure = (error: Error, operation: string, key: string | undefined) => void;

/** A store's failure as the error the cache reports: the library's own errors as they are, others wrapped in a StoreError. */
function storeFailure(operation: string, reason: unknown): Error {
  if (reason instanceof Error && 'code' in reason && typeof reason.code === 'string' && reason.code.startsWith('ECACHE_')) return reason;
  const message = reason instanceof Error ? reason.message : String(reason);
  return new StoreError(operation, message, { cause: reason });
}

/**
 * The cache's only way to a store. Every operation resolves (never rejects): a failure, a timeout or
 * undecodable data becomes `undefined` / `false` plus a call to `onFailure`, so a broken store turns requests
 * into misses instead of failing them. After a failure the store is skipped for a short cool-down, so an
 * unreachable server does not add its timeout to every request; the next operation after it probes again.
 */
export class StoreAccess {
  private skipUntil = 0;
  private readonly deadlines: Deadlines;

  constructor(
    readonly store: CacheStore,
    private readonly timeoutMs: number,
    private readonly now: () => number,
    private readonly onFailure: StoreFailure,
  ) {
    this.deadlines = new Deadlines(timeoutMs);
  }

  /** True while the store is being left alone after a failure. */
  get coolingDown(): boolean {
    return this.skipUntil !== 0 && this.now() < this.skipUntil;
  }

  /**
   * A synchronous read, for stores that offer one (the memory store): a hit then costs no promise ticks.
   * Failures are reported like async ones and read as a miss.
   */
  getSync(key: string): CacheRecord | undefined | typeof NOT_SYNCHRONOUS {
    if (!this.store.getSync) return NOT_SYNCHRONOUS;
    try {
      return this.store.getSync(key);
    } catch (reason) {
      this.onFailure(storeFailure('get', reason), 'get', key);
      return undefined;
    }
  }

  get(key: string): Promise<CacheRecord | undefined> {
    return this.run('get', key, () => this.store.get(key), undefined);
  }

  set(key: string, record: CacheRecord, expiresAt: number): Promise<boolean> {
    return this.run('set', key, () => this.store.set(key, record, expiresAt).then(() => true), false);
  }

  delete(key: string): Promise<boolean> {
    return this.run('delete', key, () => this.store.delete(key).then(() => true), false);
  }

  private run<T>(operation: string, key: string, start: () => Promise<T>, fallback: T): Promise<T> {
    if (this.skipUntil !== 0) {
      if (this.now() < this.skipUntil) return Promise.resolve(fallback);
      this.skipUntil = 0;
    }
    // One promise per operation: the store's own, observed; no wrapper chain on the hit path.
    return new Promise<T>((resolve) => {
      let finished = false;
      const fail = (reason: unknown): void => {
        if (finished) return;
        finished = true;
        const error = storeFailure(operation, reason);
        // Undecodable data is the entry's fault, not the store's: no cool-down for it.
        if (!('code' in error && error.code === 'ECACHE_CORRUPT')) this.skipUntil = this.now() + COOL_DOWN_MS;
        this.onFailure(error, operation, key);
        resolve(fallback);
      };
      const waiting = this.store.inMemory ? undefined : this.deadlines.track(() => fail(new StoreTimeoutError(operation, this.timeoutMs)));
      let pending: Promise<T>;
      try {
        pending = start();
      } catch (error) {
        pending = Promise.reject(asError(error));
      }
      pending.then(
        (value) => {
          if (waiting !== undefined && !this.deadlines.done(waiting)) return;
          finished = true;
          resolve(value);
        },
        (reason: unknown) => {
          if (waiting !== undefined) this.deadlines.done(waiting);
          fail(reason);
        },
      );
    });
  }
}
