/**
 * Cache management on the handle: inspect (`get`, `has`, `keys`, `entries`, `count`, `size`) and invalidate
 * (`delete`, `clear`). Unlike the request path, these are explicit calls: a store failure rejects them (and is
 * also reported as an `error` event), and they have no timeout, since a walk over a large store takes long.
 */
import type { AxiosRequestConfig } from 'axios';
import type { CacheRecord } from '../record.js';
import type { CacheContext } from './context.js';
import { abandonStreams } from './stream-tee.js';
import { deleteMatching, guarded, guardedCall, listingOf, readRecord, reportedListing, walk } from './delete-matching.js';
import { isVariantKey } from './records.js';
import type { CacheQuery } from './options.js';
import { compileQuery, freshUntil, isEmptyQuery } from './query.js';
import type { CompiledQuery, QueryBase } from './query.js';
import { findRecordFor, modelFor, requestConfigFor } from './request-target.js';
import { checkQuery } from './resolve-options.js';
import type { ResolvedOptions } from './resolve-options.js';
import { fromCachedBody } from './body.js';
import { ReadOnlyError } from '../errors.js';
import { exportEntries, importEntries } from './portable.js';
import type { ImportResult, ImportSource, PortableEntry } from './portable.js';

/** A stored response as `cache.get()` and `cache.entries()` describe it. */
export interface CacheEntry {
  readonly key: string;
  /** Normalised absolute URL (query kept verbatim and in order, credential parameters removed). */
  readonly url: string;
  /** Upper-case method. */
  readonly method: string;
  readonly status: number;
  readonly statusText: string;
  /** Stored response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: parsed when it is JSON, else a string, or bytes (Buffer, ArrayBuffer or Uint8Array, as stored). */
  readonly data: unknown;
  /** Epoch ms when the entry was first stored. */
  readonly createdAt: number;
  /** Epoch ms when it stops being fresh (RFC 9111 §4.2); after that it is revalidated or served stale. */
  readonly freshUntil: number;
  /**
   * Epoch ms when the store drops it: the end of freshness plus any time kept for revalidation (an hour by default
   * with an ETag or Last-Modified) or a stale window. Not when it stops being fresh: that is {@link freshUntil}.
   */
  readonly expiresAt: number;
  /** True when the entry is no longer fresh (RFC 9111 §4.2): it is kept only for revalidation or a stale window. */
  readonly stale: boolean;
  /** Tags given with `cache: { tags }` when it was stored. */
  readonly tags: readonly string[];
}

/** The management half of {@link CacheHandle}. */
export interface CacheManager {
  /** The entry that would answer this URL or request config (Vary variants included), or undefined. Not counted as a hit. */
  get(target: string | AxiosRequestConfig): Promise<CacheEntry | undefined>;
  /** Whether {@link get} would find an entry. */
  has(target: string | AxiosRequestConfig): Promise<boolean>;
  /** Keys of the entries matching `query` (all by default), streamed from the store. */
  keys(query?: CacheQuery): AsyncIterable<string>;
  /** Entries matching `query` (all by default), streamed from the store and filtered as they arrive. */
  entries(query?: CacheQuery): AsyncIterable<CacheEntry>;
  /** Records held by the store (a response with `Vary` holds one record per variant plus one). */
  count(): Promise<number>;
  /** Bytes held, where the store can tell; undefined otherwise. */
  size(): Promise<number | undefined>;
  /** Deletes every entry matching `query`; resolves how many entries were deleted. An empty query is refused: use {@link clear}. Rejects with a `ReadOnlyError` under `readOnly`. */
  delete(query: CacheQuery): Promise<number>;
  /** Deletes everything in this cache's store namespace, and nothing else. Rejects with a `ReadOnlyError` under `readOnly`. */
  clear(): Promise<void>;
  /**
   * The entries matching `query` (all by default) in the portable form ({@link PortableEntry}: versioned, JSON, one
   * object per entry, NDJSON-friendly), streamed from the store. Entries past their `expiresAt` are left out.
   */
  export(query?: CacheQuery): AsyncIterable<PortableEntry>;
  /**
   * Writes entries from {@link export} (objects, or NDJSON lines) into this cache's store, keeping their expiry:
   * expired ones are skipped, an entry already stored under the same key is replaced. Every entry is checked before it
   * is written: an invalid one rejects with a TypeError naming the entry and the field (entries before it stay
   * written). Entries whose keys hold keyed hashes (credentials, partitions, Vary on credentials) hit only under the
   * `secret` they were stored with. Rejects with a `ReadOnlyError` under `readOnly`.
   */
  import(entries: ImportSource): Promise<ImportResult>;
}

function decodeData(record: CacheRecord): unknown {
  if (record.method === 'HEAD') return '';
  const data = fromCachedBody(record.body);
  if (typeof data !== 'string' || !/\bjson\b|\+json/i.test(record.headers['content-type'] ?? '')) return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

function toEntry(options: ResolvedOptions, record: CacheRecord, now: number): CacheEntry {
  const fresh = freshUntil(options, record);
  return {
    key: record.key,
    url: record.url,
    method: record.method,
    status: record.status,
    statusText: record.statusText,
    headers: { ...record.headers },
    data: decodeData(record),
    createdAt: record.createdAt,
    freshUntil: fresh,
    expiresAt: record.expiresAt,
    stale: fresh <= now,
    tags: [...(record.tags ?? [])],
  };
}

/** Builds the management methods of one attached cache; `defaults` reads the instance defaults at call time. */
export function createManager(ctx: CacheContext, defaults: () => AxiosRequestConfig): CacheManager {
  const store = ctx.options.store;
  const base = (): QueryBase => ({ baseURL: defaults().baseURL });
  const compile = (name: string, query: CacheQuery | undefined): CompiledQuery[] => {
    if (query === undefined || isEmptyQuery(checkQuery(name, query))) return [];
    return [compileQuery(query, ctx.options, ctx.normaliseUrl, base(), ctx.options.now())];
  };

  const get = async (target: string | AxiosRequestConfig): Promise<CacheEntry | undefined> => {
    if (typeof target !== 'string' && (typeof target !== 'object' || target === null)) {
      throw new TypeError('axios-http-cache: cache.get() and cache.has() take a URL string or a request config');
    }
    const config = requestConfigFor(defaults(), target);
    const model = modelFor(ctx, config);
    if (model === undefined) return undefined;
    const record = await findRecordFor((k) => readRecord(ctx, k), ctx, model);
    return record === undefined ? undefined : toEntry(ctx.options, record, ctx.options.now());
  };

  async function* entries(query?: CacheQuery): AsyncGenerator<CacheEntry> {
    const queries = compile('query', query);
    const now = ctx.options.now();
    if (queries.length === 0 && !store.entries) listingOf(store, 'entries');
    const selected = queries.length === 0 ? [{ key: undefined, matches: () => true, filter: {} }] : queries;
    for await (const record of walk(ctx, selected)) yield toEntry(ctx.options, record, now);
  }

  async function* keys(query?: CacheQuery): AsyncGenerator<string> {
    const queries = compile('query', query);
    if (queries.length === 0) {
      if (!store.keys) listingOf(store, 'keys');
      for await (const key of reportedListing(ctx, 'keys', store.keys())) if (!isVariantKey(key)) yield key;
      return;
    }
    const yieldedVaryKeys = new Set<string>();
    for await (const record of walk(ctx, queries)) {
      if (record.vary) {
        if (yieldedVaryKeys.has(record.key)) continue;
        yieldedVaryKeys.add(record.key);
      }
      yield record.key;
    }
  }

  async function* exported(query?: CacheQuery): AsyncGenerator<PortableEntry> {
    yield* exportEntries(ctx, compile('query', query));
  }

  return {
    get,
    has: async (target) => (await get(target)) !== undefined,
    keys,
    entries,
    count: async () => {
      if (store.count) return guarded(ctx, 'count', undefined, () => (store.count as () => Promise<number>).call(store));
      let total = 0;
      for await (const _ of keys()) total += 1;
      return total;
    },
    size: async () => (store.size ? guarded(ctx, 'size', undefined, () => (store.size as () => Promise<number | undefined>).call(store)) : undefined),
    delete: async (query) => {
      // Untyped callers pass what they would pass to a URL-taking API: say what the query object looks like.
      const given: unknown = query;
      if (typeof given === 'string') {
        throw new TypeError(`axios-http-cache: cache.delete() takes a query object, not a string: use cache.delete({ url: ${JSON.stringify(given)} }) for that URL, or cache.delete({ pattern: ${JSON.stringify(`${given.replace(/\/+$/, '')}/*`)} }) for the URLs under it`);
      }
      if (given instanceof RegExp) {
        throw new TypeError(`axios-http-cache: cache.delete() takes a query object, not a RegExp: use cache.delete({ pattern: ${String(given)} })`);
      }
      const queries = compile('query', query);
      if (queries.length === 0) throw new TypeError('axios-http-cache: cache.delete() needs at least one criterion; call cache.clear() to delete everything');
      return deleteMatching(ctx, queries, 'cache.delete()', 'cache.delete()');
    },
    clear: async () => {
      if (ctx.options.readOnly) throw new ReadOnlyError('cache.clear()');
      abandonStreams(ctx, 'cache.clear() ran while the body was read');
      if (store.clear) {
        await guarded(ctx, 'clear', undefined, () => (store.clear as () => PromiseLike<void> | void).call(store));
      } else {
        if (!store.keys) listingOf(store, 'keys');
        for await (const key of reportedListing(ctx, 'keys', store.keys())) await guardedCall(ctx, 'delete', key, () => store.delete(key));
      }
      ctx.debug('cleared the store', {});
    },
    export: exported,
    import: (source) => importEntries(ctx, source),
  };
}
