import { asStoreError, DeferredDeleteError, isClosedStore, isUnreachable, StoreError, StoreTimeoutError } from '../errors.js';
import type { CacheRecord } from '../record.js';
import { recordFor } from './records.js';
import type { CacheStore } from '../stores/store.js';
import { Deadlines } from './deadlines.js';

/** How long the cache leaves an unreachable store alone before trying it again (ms). */
const COOL_DOWN_MS = 1000;

/** The same failure of the same operation is reported once in this window (ms); `stats.errors` still counts each. */
const REPEAT_WINDOW_MS = 60_000;

/** Deletions kept for a store that could not take them. Past this, the oldest is given up and reported. */
const MAX_DEFERRED_DELETES = 10_000;
/** The longest pause between two timed retries of deferred deletions (they start after {@link COOL_DOWN_MS} and double). */
const MAX_RETRY_PAUSE_MS = 30_000;

/** What {@link StoreAccess.getSync} answers for a store that has no synchronous read. */
export const NOT_SYNCHRONOUS = Symbol('not synchronous');

type Operation = 'get' | 'set' | 'delete' | 'lease' | 'release';

export interface StoreAccessHooks {
  /**
   * A store operation failed. `repeat` is true when the same failure of the same operation was reported
   * moments ago: count it, but emit no second event for it.
   */
  readonly failure: (error: Error, operation: string, key: string | undefined, repeat: boolean) => void;
  /** A deletion deferred earlier (see {@link DeferredDeleteError}) has now reached the store. */
  readonly deferredDeleteApplied: (key: string) => void;
}


function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The cache's only way to a store. Every operation resolves (never rejects): a failure, a timeout or
 * undecodable data becomes `undefined` / `false` plus a failure report, so a broken store turns requests
 * into misses instead of failing them. A store method may answer with a value or a promise, and may throw.
 *
 * - Only an unreachable store (a timeout, a lost or refused connection: see `isUnreachable`) is left alone for a
 *   short cool-down; after it, one operation probes while the others still skip. A store that refuses some
 *   operations (a read-only replica, a full Redis, an ACL) keeps serving the others.
 * - A deletion that fails or is skipped is kept and retried once the store answers again, and on a timer (after
 *   {@link COOL_DOWN_MS}, doubling up to {@link MAX_RETRY_PAUSE_MS}) because other processes read the entry meanwhile;
 *   until then its key reads as a miss here, so an invalidation after an unsafe request is never lost to an outage.
 *   A closed store (`StoreClosedError`) will never take them: they are dropped and the retries stop.
 * - The same failure of the same operation is reported once per {@link REPEAT_WINDOW_MS}, not once per request.
 */
export class StoreAccess {
  private skipUntil = 0;
  /** True while the one operation allowed through after a cool-down is under way. */
  private probing = false;
  private readonly deadlines: Deadlines;
  /** Keys whose deletion the store has not taken yet, oldest first. */
  private readonly deferredDeletes = new Set<string>();
  private flushing = false;
  /** The timed retry of the deferred deletions, while some wait; and the pause before the next one. */
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryPauseMs = COOL_DOWN_MS;
  /** When each failure (operation, code, message) was last reported. */
  private readonly reported = new Map<string, number>();

  constructor(
    readonly store: CacheStore,
    private readonly timeoutMs: number,
    private readonly now: () => number,
    private readonly hooks: StoreAccessHooks,
    /** `readOnly`: writes and deletions never reach the store (they resolve false, and nothing is deferred). */
    private readonly readOnly = false,
  ) {
    this.deadlines = new Deadlines(timeoutMs);
  }

  /** True while the store is being left alone after it could not be reached. */
  private get coolingDown(): boolean {
    return this.skipUntil !== 0 && this.now() < this.skipUntil;
  }

  /**
   * A synchronous read, for stores that offer one (the memory store; a tiered store's near tier through `peekSync`):
   * a hit then costs no promise ticks. Failures are reported like async ones and read as a miss.
   */
  getSync(key: string): CacheRecord | undefined | typeof NOT_SYNCHRONOUS {
    const store = this.store;
    // A store that can only peek (a tiered store's near tier) answers a miss as "not synchronous": get() then asks it.
    if (!store.getSync && !store.peekSync) return NOT_SYNCHRONOUS;
    if (this.deferredDeletes.size !== 0 && this.deferredDeletes.has(key)) return this.deferredRead();
    // A synchronous read settles at once, so after a cool-down it can be the probe without marking one.
    if (this.skipUntil !== 0 && (this.probing || this.now() < this.skipUntil)) return undefined;
    let value: unknown;
    try {
      value = store.getSync ? store.getSync(key) : store.peekSync?.(key);
    } catch (reason) {
      this.failed('get', key, reason);
      return undefined;
    }
    // A getSync that answers with a promise is no synchronous read: leave it (observed) and read with get().
    if (isThenable(value)) {
      value.then(undefined, () => undefined);
      return NOT_SYNCHRONOUS;
    }
    if (value === undefined && !store.getSync) return NOT_SYNCHRONOUS;
    if (this.skipUntil !== 0) this.probeDone(true);
    try {
      return this.ownRecord(key, value);
    } catch (reason) {
      this.failed('get', key, reason);
      return undefined;
    }
  }

  get(key: string): Promise<CacheRecord | undefined> {
    if (this.deferredDeletes.size !== 0 && this.deferredDeletes.has(key)) return Promise.resolve(this.deferredRead());
    return this.run('get', key, () => this.store.get(key), (value) => this.ownRecord(key, value), undefined);
  }

  set(key: string, record: CacheRecord, expiresAt: number): Promise<boolean> {
    if (this.readOnly) return Promise.resolve(false);
    return this.run('set', key, () => this.store.set(key, record, expiresAt), () => {
      // The new record supersedes a deletion still waiting for this key.
      if (this.deferredDeletes.size !== 0) this.deferredDeletes.delete(key);
      return true;
    }, false);
  }

  /** Asks the store to keep `record` with `bytes` held beside it (see `CacheStore.retain`); false when it cannot or fails. */
  retain(key: string, record: CacheRecord, bytes: number): boolean {
    if (this.store.retain === undefined) return false;
    try {
      return this.store.retain(key, record, bytes) === true;
    } catch (reason) {
      this.failed('set', key, reason);
      return false;
    }
  }

  /** Resolves true when the store took the deletion; false when it is deferred (and reported), or the cache is read-only. */
  delete(key: string): Promise<boolean> {
    if (this.readOnly) return Promise.resolve(false);
    return this.run('delete', key, () => this.store.delete(key), () => {
      if (this.deferredDeletes.size !== 0) this.deferredDeletes.delete(key);
      return true;
    }, false);
  }

  /**
   * Deletions a caller sent to the store itself and saw fail (a deletion by query: `delete-matching.ts`): kept and
   * retried like the cache's own deferred deletions, each key reading as a miss meanwhile, and reported (a
   * `DeferredDeleteError` per key). Nothing is kept for a read-only cache.
   */
  deletionsFailed(keys: readonly string[], reason: unknown): void {
    if (this.readOnly) return;
    for (const key of keys) this.failed('delete', key, reason);
  }

  /**
   * Takes, renews or names the holder of a lease (`dedupe: 'store'`, see `store-lease.ts`): the token holding it, or
   * undefined when the store failed (reported), so the caller falls back to what one process can do alone.
   * `late` is what becomes of the lease when the store gives it to `token` only after `storeTimeoutMs`, the caller
   * having gone on without it: `'release'` gives it back at once (nobody would use or release it, and other processes
   * would wait for it until it ran out); `'keep'` leaves it (a renewal, whose holder is still at work; a pass).
   */
  lease(name: string, token: string, ttlMs: number, late: 'release' | 'keep'): Promise<string | undefined> {
    const store = this.store;
    const answeredLate = late === 'release' ? (holder: unknown): void => {
      if (holder === token) this.giveBack(name, token);
    } : undefined;
    return this.run('lease', name, () => store.lease?.(name, token, ttlMs), (holder) => {
      if (typeof holder !== 'string') throw new TypeError(`the store's lease() answered ${typeof holder}, not the token holding the lease`);
      return holder;
    }, undefined, answeredLate);
  }

  /**
   * Releases a lease the store gave after its caller had stopped waiting. Straight to the store, which has just
   * answered: the cool-down that its lateness started would skip the release. A failure is reported.
   */
  private giveBack(name: string, token: string): void {
    let pending: unknown;
    try {
      pending = this.store.release?.(name, token);
    } catch (reason) {
      this.failed('release', name, reason);
      return;
    }
    if (isThenable(pending)) pending.then(undefined, (reason: unknown) => void this.failed('release', name, reason));
  }

  /** Ends a lease this token holds; a failure is reported, and the lease then ends by itself. */
  release(name: string, token: string): Promise<boolean> {
    const store = this.store;
    return this.run('release', name, () => store.release?.(name, token), () => true, false);
  }

  /** A read of a key whose deletion is still waiting: a miss, and a nudge to apply the waiting deletions. */
  private deferredRead(): undefined {
    if (!this.coolingDown) this.flush();
    return undefined;
  }

  /** Applies the deferred deletions, one at a time, until they are done or the store fails again. */
  private flush(): void {
    if (this.flushing || this.deferredDeletes.size === 0) return;
    this.flushing = true;
    const done = (): void => {
      this.flushing = false;
      if (this.deferredDeletes.size === 0) this.retryPauseMs = COOL_DOWN_MS;
      else this.retryLater();
    };
    this.applyDeferred().then(done, done);
  }

  /**
   * Retries the deferred deletions on a timer, not only when this process reads one of their keys or the store answers
   * again: other processes keep reading those entries until the deletions land. Unref'd, so it never keeps a finished
   * program alive; the pause doubles while the store keeps failing.
   */
  private retryLater(): void {
    if (this.retryTimer !== undefined || this.deferredDeletes.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryPauseMs = Math.min(this.retryPauseMs * 2, MAX_RETRY_PAUSE_MS);
      if (this.coolingDown) this.retryLater();
      else this.flush();
    }, this.retryPauseMs);
    (this.retryTimer as { unref?: () => void }).unref?.();
  }

  private async applyDeferred(): Promise<void> {
    for (const key of [...this.deferredDeletes]) {
      if (!this.deferredDeletes.has(key)) continue; // superseded by a write meanwhile
      if (!(await this.delete(key))) return; // still waiting: the store failed or is cooling down again
      this.hooks.deferredDeleteApplied(key);
    }
  }

  /** The record answered for `key` if it belongs there; a record found under another key is deleted and reads as a miss. */
  private ownRecord(key: string, value: unknown): CacheRecord | undefined {
    try {
      return recordFor(key, value);
    } catch (error) {
      if (this.readOnly) throw error;
      try {
        const deleting = this.store.delete(key);
        if (isThenable(deleting)) deleting.then(undefined, () => undefined);
      } catch {
        // The failure to read is what gets reported; a failed clean-up adds nothing to it.
      }
      throw error;
    }
  }

  /** `late`, if given, hears what the store answered after the deadline had already settled the operation. */
  private run<T>(operation: Operation, key: string, start: () => unknown, accept: (value: unknown) => T, fallback: T, late?: (value: unknown) => void): Promise<T> {
    let probe = false;
    if (this.skipUntil !== 0) {
      if (this.probing || this.now() < this.skipUntil) {
        this.skipped(operation, key);
        return Promise.resolve(fallback);
      }
      this.probing = probe = true;
    }
    let pending: unknown;
    try {
      pending = start();
    } catch (reason) {
      return Promise.resolve(this.fail(operation, key, reason, probe, fallback));
    }
    // A store may answer synchronously: a value is as good as a resolved promise.
    if (!isThenable(pending)) return Promise.resolve(this.settle(operation, key, pending, accept, probe, fallback));
    const thenable = pending;
    return new Promise<T>((resolve) => {
      this.race(
        operation,
        thenable,
        (value) => resolve(this.settle(operation, key, value, accept, probe, fallback)),
        (reason) => resolve(this.fail(operation, key, reason, probe, fallback)),
        late,
      );
    });
  }

  /**
   * One store call bounded by `storeTimeoutMs` like every request-path operation, for an explicit call that must know
   * why it failed (`cache.import()`): it rejects with the store's failure, or a StoreTimeoutError once the deadline
   * passes. Unlike the request path it reports nothing, defers nothing and ignores the cool-down: the caller decides.
   */
  bounded<T>(operation: string, start: () => T | PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending = start();
      if (isThenable(pending)) this.race(operation, pending, (value) => resolve(value as T), reject);
      else resolve(pending);
    });
  }

  /**
   * Waits for the store's answer at most `storeTimeoutMs` (an in-memory store has no deadline, see inMemory): exactly
   * one of `answered` and `failed` runs, with whichever of the answer and the deadline comes first.
   */
  private race(operation: string, pending: PromiseLike<unknown>, answered: (value: unknown) => void, failed: (reason: unknown) => void, late?: (value: unknown) => void): void {
    if (this.store.inMemory) {
      Promise.resolve(pending).then(answered, failed);
      return;
    }
    // One deadline entry per operation, around the store's own promise; no wrapper chain on the hit path. Whichever
    // of the answer and the deadline comes first settles it, and the other then does nothing.
    const waiting = this.deadlines.track(() => failed(new StoreTimeoutError(operation, this.timeoutMs)));
    try {
      pending.then(
        (value) => {
          if (this.deadlines.done(waiting)) answered(value);
          else late?.(value);
        },
        (reason: unknown) => {
          if (this.deadlines.done(waiting)) failed(reason);
        },
      );
    } catch (reason) {
      if (this.deadlines.done(waiting)) failed(reason);
    }
  }

  /** The store answered `value`: accepted (a probe's end recorded), or reported and read as `fallback`. */
  private settle<T>(operation: Operation, key: string, value: unknown, accept: (value: unknown) => T, probe: boolean, fallback: T): T {
    if (probe) this.probeDone(true);
    try {
      return accept(value);
    } catch (reason) {
      this.failed(operation, key, reason);
      return fallback;
    }
  }

  /** The store failed (or timed out): reported, a probe's end recorded, read as `fallback`. */
  private fail<T>(operation: Operation, key: string, reason: unknown, probe: boolean, fallback: T): T {
    const unreachable = this.failed(operation, key, reason);
    if (probe) this.probeDone(!unreachable);
    return fallback;
  }

  /** The probe after a cool-down is over; `answered` when the store was reachable (even if it refused). */
  private probeDone(answered: boolean): void {
    this.probing = false;
    if (!answered) return;
    this.skipUntil = 0;
    // The store answers again: the deletions it missed come first.
    this.flush();
  }

  /** An operation not tried because the store is cooling down: a deletion is kept for later. */
  private skipped(operation: Operation, key: string): void {
    if (operation === 'delete' && this.defer(key)) {
      this.report(new DeferredDeleteError(key, 'the store is unreachable and left alone for a moment'), operation, key);
    }
  }

  /**
   * Reports a failure (a deletion is kept for later; a closed store's ends the waiting deletions, which it will never
   * take); true when it makes the store cool down.
   */
  private failed(operation: Operation, key: string, reason: unknown): boolean {
    const error = asStoreError(operation, reason);
    const unreachable = isUnreachable(error);
    if (unreachable) this.skipUntil = this.now() + COOL_DOWN_MS;
    const closed = isClosedStore(error);
    if (closed) {
      this.deferredDeletes.clear();
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    if (!closed && operation === 'delete' && this.defer(key)) {
      this.report(new DeferredDeleteError(key, error.message, { cause: error }), operation, key);
    } else {
      this.report(error, operation, key);
    }
    return unreachable;
  }

  /** Remembers a deletion for later; false when it was already waiting. */
  private defer(key: string): boolean {
    if (this.deferredDeletes.has(key)) return false;
    if (this.deferredDeletes.size >= MAX_DEFERRED_DELETES) {
      const oldest = this.deferredDeletes.values().next().value as string;
      this.deferredDeletes.delete(oldest);
      this.report(new StoreError('delete', `gave up the deferred deletion of ${JSON.stringify(oldest)}: more than ${MAX_DEFERRED_DELETES} deletions were waiting`), 'delete', oldest);
    }
    this.deferredDeletes.add(key);
    this.retryLater();
    return true;
  }

  private report(error: Error, operation: Operation, key: string): void {
    const now = this.now();
    const signature = `${operation}\n${(error as { code?: unknown }).code as string}\n${error.message}`;
    const last = this.reported.get(signature);
    const repeat = last !== undefined && now - last < REPEAT_WINDOW_MS && now >= last;
    if (!repeat) {
      if (this.reported.size >= 256) this.reported.clear();
      this.reported.set(signature, now);
    }
    this.hooks.failure(error, operation, key, repeat);
  }
}
