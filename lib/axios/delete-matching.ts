/**
 * Deletion by query, and the store walk it needs: below both the request path (a request's `cache.invalidate`) and
 * the management API (`cache.delete()`, listings). Store failures here are reported and rethrown: these are
 * explicit calls. A walk over a large store takes long, so a walk has no overall timeout; each store call in it (a
 * read, one step of a listing, a deletion) is bounded by `storeTimeoutMs`, so a hung store fails the walk instead of
 * hanging it.
 */
import { asError, CorruptEntryError, IncompleteDeletionError, ReadOnlyError } from '../errors.js';
import type { CacheRecord } from '../record.js';
import type { CacheStore } from '../stores/store.js';
import type { CacheContext } from './context.js';
import { recordOutcome } from './outcome.js';
import { abandonStreams } from './stream-tee.js';
import type { CompiledQuery } from './query.js';
import { recordFor, variantKey } from './records.js';

/** Reports a store failure of a management call the way request-path failures are reported. */
export function reportFailure(ctx: CacheContext, error: unknown, operation: string, key: string | undefined): void {
  const failure = asError(error);
  recordOutcome(ctx, 'error', { key, url: undefined, method: undefined, error: failure, operation }, `store ${operation} failed: ${failure.message}`);
}

/**
 * A store call of a management operation, its failure reported as an `error` event before it is rethrown. Unbounded:
 * for calls over the whole namespace (`count`, `size`, `clear`), which take as long as the store is large; a single
 * entry's read, write or deletion goes through {@link guardedCall}.
 */
export async function guarded<T>(ctx: CacheContext, operation: string, key: string | undefined, run: () => T | PromiseLike<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    reportFailure(ctx, error, operation, key);
    throw error;
  }
}

/** {@link guarded} for one entry's store call, bounded by `storeTimeoutMs`: a hung store rejects with a StoreTimeoutError. */
export function guardedCall<T>(ctx: CacheContext, operation: string, key: string, run: () => T | PromiseLike<T>): Promise<T> {
  return guarded(ctx, operation, key, () => ctx.access.bounded(operation, run));
}

/**
 * A store read for management: an undecodable entry (the store deletes it) or a record found under a key it does not
 * belong to (deleted here, as on the request path) reads as absent, plus an `error` event.
 */
export async function readRecord(ctx: CacheContext, key: string): Promise<CacheRecord | undefined> {
  try {
    const value: unknown = await ctx.access.bounded('get', () => ctx.options.store.get(key));
    try {
      return recordFor(key, value);
    } catch (misplaced) {
      await ctx.access.delete(key);
      throw misplaced;
    }
  } catch (error) {
    reportFailure(ctx, error, 'get', key);
    if (error instanceof CorruptEntryError) return undefined;
    throw error;
  }
}

/** Every store key a record occupies: its key, and its variant key when it is one variant of a `Vary` response. */
function storeKeysOf(record: CacheRecord): string[] {
  if (!record.vary || !record.varyValues) return [record.key];
  return [record.key, variantKey(record.key, record.varyEpoch ?? record.createdAt, record.varyValues)];
}

/**
 * A store listing with every step bounded by `storeTimeoutMs`: a listing that keeps answering takes as long as it
 * needs; one that answers nothing for that long (a store hung mid-listing) rejects with a StoreTimeoutError and is
 * let go. A listing stopped early is closed (its cursor released), waiting for that close at most `storeTimeoutMs`
 * and never on a listing that failed.
 */
export async function* boundedListing<T>(ctx: CacheContext, operation: string, listing: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = listing[Symbol.asyncIterator]();
  let open = true;
  let failed = false;
  try {
    for (;;) {
      let step: IteratorResult<T>;
      try {
        step = await ctx.access.bounded(operation, () => iterator.next());
      } catch (error) {
        failed = true;
        throw error;
      }
      if (step.done === true) {
        open = false;
        return;
      }
      yield step.value;
    }
  } finally {
    // Closed when stopped early (its cursor released), as long as the store answers within `storeTimeoutMs`: a store
    // that hangs or fails on the close does not hold or fail what stopped the listing. Not waited for when the
    // listing itself failed.
    if (open && !failed) await ctx.access.bounded(operation, () => iterator.return?.()).catch(() => undefined);
    else if (failed) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/** {@link boundedListing}, with a failure of the listing itself reported as an `error` event before it is rethrown. */
export async function* reportedListing<T>(ctx: CacheContext, operation: string, listing: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* boundedListing(ctx, operation, listing);
  } catch (error) {
    reportFailure(ctx, error, operation, undefined);
    throw error;
  }
}

export function listingOf(store: CacheStore, what: 'keys' | 'entries'): never {
  throw new TypeError(`axios-http-cache: the store (${store.constructor.name}) cannot list its ${what}: it has no ${what}() method`);
}

/**
 * Streams the records matching any of `queries`. A `Vary` response is stored twice (under its key and its
 * variant key), so variants are de-duplicated by (key, varying values); that set holds only Vary responses.
 */
export async function* walk(ctx: CacheContext, queries: readonly CompiledQuery[]): AsyncGenerator<CacheRecord> {
  const seenVariants = new Set<string>();
  const firstSighting = (record: CacheRecord): boolean => {
    if (!record.vary) return true;
    const identity = `${record.key}\n${JSON.stringify(record.varyValues ?? null)}`;
    if (seenVariants.has(identity)) return false;
    seenVariants.add(identity);
    return true;
  };
  if (queries.length > 0 && queries.every((query) => query.key !== undefined)) {
    for (const query of queries) {
      const record = await readRecord(ctx, query.key ?? '');
      if (record && query.matches(record) && firstSighting(record)) yield record;
    }
    return;
  }
  const store = ctx.options.store;
  const indexed = store.find !== undefined && queries.length > 0;
  if (!indexed && !store.entries) listingOf(store, 'entries');
  try {
    if (store.find && indexed) {
      // One indexed lookup per query. A record several queries match is yielded by the first of them only: find()
      // never leaves out a match, so that query's lookup already produced it.
      for (const [index, query] of queries.entries()) {
        for await (const record of boundedListing(ctx, 'find', store.find(query.filter))) {
          if (query.matches(record) && !queries.slice(0, index).some((earlier) => earlier.matches(record)) && firstSighting(record)) yield record;
        }
      }
    } else if (store.entries) {
      for await (const record of boundedListing(ctx, 'entries', store.entries())) {
        if (queries.some((query) => query.matches(record)) && firstSighting(record)) yield record;
      }
    }
  } catch (error) {
    reportFailure(ctx, error, indexed ? 'find' : 'entries', undefined);
    throw error;
  }
}

/** Entries whose store keys go to one `deleteMany` call: bounds the memory a deletion holds, whatever it matches. */
const DELETE_BATCH_ENTRIES = 500;

/**
 * Deletes every record matching any of `queries`, each with all the store keys it occupies, and emits `deleted`
 * for each. Resolves the number of entries deleted; rejects with a ReadOnlyError for a read-only cache.
 *
 * A store with `deleteMany` gets the keys of up to {@link DELETE_BATCH_ENTRIES} entries per call (`deleted` is emitted
 * for them once the call has resolved); any other store gets one `delete` per key, entry by entry.
 *
 * A deletion that fails does not stop the walk: its keys become deferred deletions of `ctx.access` (each reads as a
 * miss in this process, is retried, and is reported by a `DeferredDeleteError` event), its entries are not counted,
 * and once the walk is over the call rejects with an {@link IncompleteDeletionError} naming them. A listing that
 * fails part way ends the walk: what was found is still deleted, then the call rejects the same way (the listing's
 * failure is its `cause`). So neither the management API nor a request's `cache.invalidate` ever takes a partial
 * deletion for a complete one.
 */
export async function deleteMatching(ctx: CacheContext, queries: readonly CompiledQuery[], reason: string, operation: string): Promise<number> {
  abandonStreams(ctx, `a deletion (${reason}) ran while the body was read`);
  if (ctx.options.readOnly) throw new ReadOnlyError(reason);
  const store = ctx.options.store;
  const deleteMany = store.deleteMany?.bind(store);
  let deleted = 0;
  const pending: string[] = [];
  let batch: CacheRecord[] = [];
  /**
   * Deletes `keys` in one call, bounded by `storeTimeoutMs` (a hung store must not hang the walk); the keys that failed
   * or timed out (handed to the deferred deletions), none when it succeeded.
   */
  const attempt = async (keys: readonly string[], run: () => Promise<unknown>): Promise<readonly string[]> => {
    try {
      await run();
      return [];
    } catch (error) {
      ctx.access.deletionsFailed(keys, error);
      pending.push(...keys);
      return keys;
    }
  };
  const flush = async (): Promise<void> => {
    const keys = batch.flatMap(storeKeysOf);
    const failed = new Set<string>(deleteMany
      ? await attempt(keys, () => ctx.access.bounded('delete', () => deleteMany(keys)))
      : (await Promise.all(keys.map((key) => attempt([key], () => ctx.access.bounded('delete', () => store.delete(key)))))).flat());
    for (const record of batch) {
      if (storeKeysOf(record).some((key) => failed.has(key))) continue;
      deleted += 1;
      recordOutcome(ctx, 'deleted', { key: record.key, url: record.url, method: record.method, reason }, `deleted ${record.key}: ${reason}`);
    }
    batch = [];
  };
  const batchEntries = deleteMany ? DELETE_BATCH_ENTRIES : 1;
  let listingError: unknown;
  try {
    for await (const record of walk(ctx, queries)) {
      batch.push(record);
      if (batch.length >= batchEntries) await flush();
    }
  } catch (error) {
    if (error instanceof TypeError) throw error; // a store that cannot list: nothing was deleted
    listingError = error;
  }
  if (batch.length > 0) await flush();
  ctx.debug(`deleted ${deleted} ${deleted === 1 ? 'entry' : 'entries'}: ${reason}`, { deleted, pending: pending.length });
  if (listingError !== undefined || pending.length > 0) throw new IncompleteDeletionError(operation, deleted, pending, listingError);
  return deleted;
}
