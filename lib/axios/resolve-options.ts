import type { CacheStore } from '../stores/store.js';
import { ALWAYS_CREDENTIALS, DEFAULT_IGNORED_PARAMS } from './options.js';
import type { CacheOptions, CacheQuery, RequestCacheOptions, TtlOption } from './options.js';
import { compileUrlPattern } from './url-pattern.js';

/** Instance options after validation, with defaults filled in and lookups precomputed. */
export interface ResolvedOptions {
  readonly store: CacheStore;
  readonly shared: boolean;
  readonly methods: ReadonlySet<string>; // upper-case
  readonly statuses: readonly number[] | undefined;
  readonly ttl: TtlOption | undefined;
  readonly ttlByUrl: ReadonlyArray<readonly [(url: string) => boolean, TtlOption]>;
  readonly cacheControl: boolean;
  readonly ignoredParams: ReadonlySet<string>; // lower-case
  readonly matchHeaders: readonly string[]; // lower-case
  readonly key: CacheOptions['key'];
  readonly filter: CacheOptions['filter'];
  readonly staleIfErrorMs: number | undefined;
  readonly staleWhileRevalidateMs: number | undefined;
  readonly dedupe: boolean | 'store';
  readonly dedupeLeaseMs: number;
  readonly dedupeWaitMs: number;
  readonly maxStreamBytes: number;
  readonly storeTimeoutMs: number;
  readonly retainForRevalidationMs: number;
  readonly now: () => number;
  readonly secret: Uint8Array;
  readonly partition: CacheOptions['partition'];
  readonly debug: (message: string, details: Record<string, unknown>) => void;
  readonly frozen: boolean;
  readonly readOnly: boolean;
  readonly onlyIfCached: boolean;
}

const KNOWN_OPTIONS = new Set([
  'store', 'shared', 'methods', 'statuses', 'ttl', 'ttlByUrl', 'cacheControl', 'ignoredParams',
  'matchHeaders', 'key', 'filter', 'staleIfError', 'staleWhileRevalidate', 'dedupe', 'dedupeLeaseMs', 'dedupeWaitMs', 'storeTimeoutMs',
  'maxStreamBytes',
  'retainForRevalidationMs', 'now', 'debug', 'secret', 'partition', 'frozen', 'readOnly', 'onlyIfCached',
]);

const KNOWN_REQUEST_OPTIONS = new Set([
  'ttl', 'key', 'refresh', 'forceRefresh', 'onlyIfCached', 'staleIfError', 'staleWhileRevalidate', 'tags', 'invalidate', 'partition', 'frozen', 'onUpdate',
]);

const STORABLE_METHODS = new Set(['GET', 'HEAD', 'POST']);

/** The `debug` of a cache given none: recordOutcome skips building the log line's details for it. */
export const NO_DEBUG = (): void => undefined;

/** A logger that throws must not break the request it is logging. */
function quiet(log: (message: string, details: Record<string, unknown>) => void): (message: string, details: Record<string, unknown>) => void {
  return (message, details) => {
    try {
      log(message, details);
    } catch {
      // Nothing better to do with a broken logger than to stop it from breaking the cache.
    }
  };
}

function fail(option: string, why: string): never {
  throw new TypeError(`axios-http-cache: option "${option}" ${why}`);
}

function optionalBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(name, `must be a boolean, got ${describe(value)}`);
  return value;
}

function duration(name: string, value: unknown, allowInfinity = false): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowInfinity && !Number.isFinite(value))) {
    fail(name, `must be a non-negative number of milliseconds, got ${describe(value)}`);
  }
  return value;
}

function byteCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(name, `must be a whole non-negative number of bytes (0 turns it off), got ${describe(value)}`);
  }
  return value;
}

function checkTtl(name: string, value: unknown): TtlOption {
  if (typeof value === 'function') return value as TtlOption;
  return duration(name, value, true);
}

function staleWindow(name: string, value: unknown): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return Infinity;
  return duration(name, value);
}

function stringList(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    fail(name, `must be an array of non-empty strings, got ${describe(value)}`);
  }
  return value as string[];
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

function isStore(value: unknown): value is CacheStore {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.get === 'function' && typeof candidate.set === 'function' && typeof candidate.delete === 'function';
}

/** How to turn a database client passed as `store` into a store, when it looks like one; '' otherwise. */
function wrapHint(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const has = (name: string): boolean => typeof (value as Record<string, unknown>)[name] === 'function';
  // ioredis (Redis and Cluster) and node-redis clients: commands such as del, hget and expire.
  if (has('del') && (has('hget') || has('expire') || has('sendCommand'))) {
    return "; this looks like a Redis client: wrap it, `new RedisStore({ client })` from 'axios-http-cache/redis'";
  }
  if (has('insertOne') && has('findOne')) {
    return "; this looks like a MongoDB collection: wrap it, `new MongoStore({ collection })` from 'axios-http-cache/mongodb'";
  }
  if (has('collection') && (has('command') || has('createCollection'))) {
    return "; this looks like a MongoDB database: wrap it, `new MongoStore({ db })` from 'axios-http-cache/mongodb'";
  }
  if (has('db') && has('connect')) {
    return "; this looks like a MongoClient: wrap one of its databases, `new MongoStore({ db: client.db('name') })` from 'axios-http-cache/mongodb'";
  }
  return '';
}

/** `dedupe`, `dedupeLeaseMs` and `dedupeWaitMs`: a lease in the store needs a store that keeps leases. */
function dedupeOptions(o: CacheOptions, store: CacheStore): { dedupe: boolean | 'store'; dedupeLeaseMs: number; dedupeWaitMs: number } {
  const given: unknown = o.dedupe;
  if (given !== undefined && given !== 'store' && typeof given !== 'boolean') fail('dedupe', `must be true, false or 'store', got ${describe(given)}`);
  const dedupe = o.dedupe ?? true;
  if (dedupe === 'store' && (typeof store.lease !== 'function' || typeof store.release !== 'function')) {
    fail('dedupe', "is 'store', but this store keeps no leases (it has no lease() and release()): use a RedisStore or a MongoStore shared by the processes, or dedupe: true");
  }
  return { dedupe, dedupeLeaseMs: leaseOption(o, 'dedupeLeaseMs', dedupe, 5000), dedupeWaitMs: leaseOption(o, 'dedupeWaitMs', dedupe, 30_000) };
}

/** One of the times of `dedupe: 'store'`: at least 1 ms, and given only with it. */
function leaseOption(o: CacheOptions, name: 'dedupeLeaseMs' | 'dedupeWaitMs', dedupe: boolean | 'store', fallback: number): number {
  const given = o[name];
  if (given === undefined) return fallback;
  if (dedupe !== 'store') fail(name, `applies only with dedupe: 'store'; set dedupe: 'store' or leave ${name} out`);
  const ms = duration(name, given);
  if (ms < 1) fail(name, `must be at least 1 ms, got ${ms}`);
  return ms;
}

/** Validates instance options; throws a TypeError naming the first bad option. */
export function resolveOptions(input: CacheOptions | undefined, makeDefaultStore: (now: () => number) => CacheStore): ResolvedOptions {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new TypeError(`axios-http-cache: options must be an object, got ${describe(input)}`);
  }
  const o: CacheOptions = input ?? {};
  for (const name of Object.keys(o)) {
    if (!KNOWN_OPTIONS.has(name)) fail(name, 'is not a known option');
  }
  if (o.store !== undefined && !isStore(o.store)) fail('store', `must implement get(), set() and delete()${wrapHint(o.store)}`);

  const methods = o.methods === undefined ? ['GET', 'HEAD'] : stringList('methods', o.methods).map((m) => m.toUpperCase());
  for (const method of methods) {
    if (!STORABLE_METHODS.has(method)) fail('methods', `may only contain get, head and post (RFC 9111 §2), got ${JSON.stringify(method)}`);
  }

  let statuses: number[] | undefined;
  if (o.statuses !== undefined) {
    if (!Array.isArray(o.statuses) || o.statuses.some((s) => !Number.isInteger(s) || s < 200 || s > 599)) {
      fail('statuses', 'must be an array of integer status codes from 200 to 599');
    }
    statuses = [...(o.statuses as readonly number[])];
  }

  const ttl = o.ttl === undefined ? undefined : checkTtl('ttl', o.ttl);
  const ttlByUrl: Array<readonly [(url: string) => boolean, TtlOption]> = [];
  if (o.ttlByUrl !== undefined) {
    if (!Array.isArray(o.ttlByUrl)) fail('ttlByUrl', 'must be an array of [pattern, ttl] pairs');
    o.ttlByUrl.forEach((pair: unknown, index) => {
      if (!Array.isArray(pair) || pair.length !== 2) fail(`ttlByUrl[${index}]`, 'must be a [pattern, ttl] pair');
      const [pattern, value] = pair as [unknown, unknown];
      if (typeof pattern !== 'string' && !(pattern instanceof RegExp)) fail(`ttlByUrl[${index}]`, 'pattern must be a glob string or a RegExp');
      ttlByUrl.push([compileUrlPattern(pattern), checkTtl(`ttlByUrl[${index}]`, value)]);
    });
  }

  if (o.key !== undefined && typeof o.key !== 'function') fail('key', `must be a function (request) => string, got ${describe(o.key)}`);
  if (o.filter !== undefined && typeof o.filter !== 'function') fail('filter', `must be a function (response) => boolean, got ${describe(o.filter)}`);
  if (o.debug !== undefined && typeof o.debug !== 'function') fail('debug', `must be a function (message, details) => void, got ${describe(o.debug)}`);
  if (o.now !== undefined && typeof o.now !== 'function') fail('now', `must be a function returning epoch ms, got ${describe(o.now)}`);

  if (o.secret !== undefined && (typeof o.secret !== 'string' || o.secret.length < 16)) {
    fail('secret', `must be a string of at least 16 characters (the same in every process sharing a store), got ${describe(o.secret)}`);
  }
  if (o.partition !== undefined && typeof o.partition !== 'function') fail('partition', `must be a function (request) => string | undefined, got ${describe(o.partition)}`);
  const now = o.now ?? Date.now;
  const ignored = o.ignoredParams === undefined ? DEFAULT_IGNORED_PARAMS : stringList('ignoredParams', o.ignoredParams);
  // One clock: the default store keeps time with the cache, so entries are never stored already expired.
  const store = o.store ?? makeDefaultStore(now);

  return {
    store,
    shared: optionalBoolean('shared', o.shared, false),
    methods: new Set(methods),
    statuses,
    ttl,
    ttlByUrl,
    cacheControl: optionalBoolean('cacheControl', o.cacheControl, true),
    // Whatever list is given, these stay credentials: they can never be shared or stored as they are.
    ignoredParams: new Set([...ALWAYS_CREDENTIALS, ...ignored.map((p) => p.toLowerCase())]),
    matchHeaders: o.matchHeaders === undefined ? [] : stringList('matchHeaders', o.matchHeaders).map((h) => h.toLowerCase()).sort(),
    key: o.key,
    filter: o.filter,
    staleIfErrorMs: staleWindow('staleIfError', o.staleIfError),
    staleWhileRevalidateMs: staleWindow('staleWhileRevalidate', o.staleWhileRevalidate),
    ...dedupeOptions(o, store),
    maxStreamBytes: o.maxStreamBytes === undefined ? 5 * 1024 * 1024 : byteCount('maxStreamBytes', o.maxStreamBytes),
    storeTimeoutMs: o.storeTimeoutMs === undefined ? 500 : duration('storeTimeoutMs', o.storeTimeoutMs),
    retainForRevalidationMs: o.retainForRevalidationMs === undefined ? 3_600_000 : duration('retainForRevalidationMs', o.retainForRevalidationMs),
    now,
    secret: o.secret === undefined ? crypto.getRandomValues(new Uint8Array(32)) : new TextEncoder().encode(o.secret),
    partition: o.partition,
    debug: o.debug === undefined ? NO_DEBUG : quiet(o.debug),
    frozen: optionalBoolean('frozen', o.frozen, false),
    readOnly: optionalBoolean('readOnly', o.readOnly, false),
    onlyIfCached: optionalBoolean('onlyIfCached', o.onlyIfCached, false),
  };
}

/**
 * The options of a request that gives none (no `cache` field): one frozen object for all of them, so that "no options
 * of its own" is a matter of identity (the model memo answers only such requests), whatever a user's own options
 * object is made of (a Proxy, non-enumerable fields, another prototype).
 */
export const NO_REQUEST_OPTIONS: RequestCacheOptions = Object.freeze({});

/**
 * Validates a request's `config.cache`. Returns false for `cache: false`, an options object otherwise.
 * A bad per-request value throws a TypeError, which axios hands to the caller as a rejected request.
 */
export function resolveRequestOptions(value: unknown): RequestCacheOptions | false {
  if (value === undefined || value === null) return NO_REQUEST_OPTIONS;
  if (value === false) return false;
  if (value === true) {
    throw new TypeError('axios-http-cache: request option "cache" is true, which it does not take: requests of a cached instance are cached already; leave it out, or pass false (skip the cache) or an options object such as { ttl: 60_000 }');
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`axios-http-cache: request option "cache" must be false or an object, got ${describe(value)}`);
  }
  const o = value as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!KNOWN_REQUEST_OPTIONS.has(name)) throw new TypeError(`axios-http-cache: request option "cache.${name}" is not a known option`);
  }
  if (o.ttl !== undefined) checkTtl('cache.ttl', o.ttl);
  if (o.key !== undefined && (typeof o.key !== 'string' || o.key === '')) {
    throw new TypeError(`axios-http-cache: request option "cache.key" must be a non-empty string, got ${describe(o.key)}`);
  }
  for (const flag of ['refresh', 'forceRefresh', 'onlyIfCached', 'frozen'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') {
      throw new TypeError(`axios-http-cache: request option "cache.${flag}" must be a boolean, got ${describe(o[flag])}`);
    }
  }
  if (o.staleIfError !== undefined) staleWindow('cache.staleIfError', o.staleIfError);
  if (o.staleWhileRevalidate !== undefined) staleWindow('cache.staleWhileRevalidate', o.staleWhileRevalidate);
  if (o.tags !== undefined) stringList('cache.tags', o.tags);
  if (o.partition !== undefined && (typeof o.partition !== 'string' || o.partition === '')) {
    throw new TypeError(`axios-http-cache: request option "cache.partition" must be a non-empty string (a user or session id), got ${describe(o.partition)}`);
  }
  if (o.invalidate !== undefined) checkInvalidate(o.invalidate);
  if (o.onUpdate !== undefined && typeof o.onUpdate !== 'function') {
    throw new TypeError(`axios-http-cache: request option "cache.onUpdate" must be a function (response) => void, got ${describe(o.onUpdate)}`);
  }
  return o;
}

function checkInvalidate(value: unknown): void {
  if (!Array.isArray(value)) fail('cache.invalidate', `must be an array of URL globs, RegExps or queries, got ${describe(value)}`);
  value.forEach((item: unknown, index) => {
    if ((typeof item === 'string' && item !== '') || item instanceof RegExp) return;
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      checkQuery(`cache.invalidate[${index}]`, item);
      return;
    }
    fail(`cache.invalidate[${index}]`, `must be a URL glob, a RegExp or a query object, got ${describe(item)}`);
  });
}

const QUERY_FIELDS = new Set(['url', 'urls', 'pattern', 'method', 'key', 'tag', 'expired', 'olderThan']);

/** Validates a {@link CacheQuery} (for `cache.delete()`, listings and `cache.invalidate`); throws a TypeError naming the field. */
export function checkQuery(name: string, value: unknown): CacheQuery {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(name, `must be a query object, got ${describe(value)}`);
  const q = value as Record<string, unknown>;
  for (const field of Object.keys(q)) if (!QUERY_FIELDS.has(field)) fail(`${name}.${field}`, 'is not a known query field');
  for (const field of ['url', 'method', 'key', 'tag'] as const) {
    if (q[field] !== undefined && (typeof q[field] !== 'string' || q[field] === '')) fail(`${name}.${field}`, `must be a non-empty string, got ${describe(q[field])}`);
  }
  if (q.urls !== undefined) stringList(`${name}.urls`, q.urls);
  if (q.pattern !== undefined && !(q.pattern instanceof RegExp) && (typeof q.pattern !== 'string' || q.pattern === '')) {
    fail(`${name}.pattern`, `must be a glob string or a RegExp, got ${describe(q.pattern)}`);
  }
  if (q.expired !== undefined && typeof q.expired !== 'boolean') fail(`${name}.expired`, `must be a boolean, got ${describe(q.expired)}`);
  if (q.olderThan !== undefined) {
    const valid = q.olderThan instanceof Date ? !Number.isNaN(q.olderThan.getTime()) : typeof q.olderThan === 'number' && q.olderThan >= 0 && !Number.isNaN(q.olderThan);
    if (!valid) fail(`${name}.olderThan`, `must be a valid Date or a non-negative age in ms, got ${describe(q.olderThan)}`);
  }
  return value;
}
