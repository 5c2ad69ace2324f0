import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheStore } from '../stores/store.js';
import type { CachedResponse } from './cache-info.js';

/** A duration in ms, or a function of the response computing one. */
export type TtlOption = number | ((response: AxiosResponse) => number);

/** A URL pattern: a glob (`*` matches within a path segment run, `**` anything) or a RegExp. */
export type UrlPattern = string | RegExp;

/**
 * Instance options of {@link attachCache}. Every one is optional. Each says what it does, its `@default`, and its
 * cost on a request where it has one.
 */
export interface CacheOptions {
  /**
   * Where entries live.
   * @default a new `MemoryStore({ now })`, bounded by entry count and bytes, on this cache's clock
   */
  store?: CacheStore | undefined;
  /**
   * `false`: a private cache, like a browser's. `true`: a shared cache (RFC 9111 §1): honours `s-maxage`, never
   * stores `private` responses, and stores responses to requests with credentials only when the response allows
   * it (§3.5). Use `true` on a server that calls APIs for many users.
   * @default false
   */
  shared?: boolean | undefined;
  /**
   * Methods that may be read from and written to the cache. POST is opt-in.
   * @default ['get', 'head']
   */
  methods?: readonly string[] | undefined;
  /**
   * Cacheable status codes, e.g. `[200, 203, 204, 300, 301, 308]` to store no errors.
   * @default what RFC 9111 allows (explicitly fresh, or heuristically cacheable), errors with explicit freshness included
   */
  statuses?: readonly number[] | undefined;
  /**
   * Freshness (ms) for responses without explicit freshness (no max-age, s-maxage or Expires).
   * @default none: RFC rules only, heuristic freshness included
   */
  ttl?: TtlOption | undefined;
  /**
   * `[[pattern, ttl], ...]`: the first match wins over `ttl`; a ttl of 0 means never cache those URLs.
   * Cost: a linear scan of the list on every request, each glob matched in time linear in the URL.
   * @default []
   */
  ttlByUrl?: ReadonlyArray<readonly [UrlPattern, TtlOption]> | undefined;
  /**
   * `true` honours Cache-Control, Expires and Pragma; `false` makes `ttl` / `ttlByUrl` authoritative (no-store
   * still wins).
   * @default true
   */
  cacheControl?: boolean | undefined;
  /**
   * Credential names: query parameters and request headers that are left out of the key and of stored data, and
   * that count as credentials (RFC 9111 §3.5 in shared mode, never shared by de-duplication, only a keyed hash
   * where they must be compared). Case-insensitive. A list of your own replaces {@link DEFAULT_IGNORED_PARAMS}
   * (spread it to extend: `[...DEFAULT_IGNORED_PARAMS, 'x-tenant-token']`), but `Authorization`,
   * `Proxy-Authorization` and `Cookie` always count.
   * @default DEFAULT_IGNORED_PARAMS
   */
  ignoredParams?: readonly string[] | undefined;
  /**
   * Request headers that become part of the key, besides those the response's `Vary` names.
   * Cost: a SHA-256 of these header values on every request (and a keyed hash per credential among them).
   * @default []
   */
  matchHeaders?: readonly string[] | undefined;
  /**
   * Replaces the default key (method + URL + body hash + shape). It must return a non-empty string; otherwise the
   * request goes uncached, with an `error` event.
   * @default the built-in key (see docs/keys.md); cost with a body: a keyed hash of the body bytes on every request
   */
  key?: ((request: InternalAxiosRequestConfig) => string) | undefined;
  /**
   * Return false to not store a response.
   * @default store what RFC 9111 allows
   */
  filter?: ((response: AxiosResponse) => boolean) | undefined;
  /**
   * On a network error or 5xx, serve a stale entry: `true` (any age), ms past expiry, or `false` (only when the
   * response said `stale-if-error`). "Any age" is bounded by retention: with `true` (or `Infinity`) a record is kept
   * at most 7 days past the end of its freshness (`MAX_STALE_RETENTION_MS`), and so is a response's own
   * `stale-if-error`; a finite number of ms is kept in full. After that the entry is gone and the error passes through.
   * @default false
   */
  staleIfError?: boolean | number | undefined;
  /**
   * Serve stale at once and refresh in the background: `true` (any age), ms past expiry, or `false` (only the
   * `stale-while-revalidate` directive). As for `staleIfError`, `true` keeps a record at most 7 days past the end of
   * its freshness (`MAX_STALE_RETENTION_MS`); a finite number of ms is kept in full.
   * @default false
   */
  staleWhileRevalidate?: boolean | number | undefined;
  /**
   * Concurrent identical misses (same key, same credentials, same answer shape) share one origin request: `true`
   * within this process; `'store'` across every process sharing the store too (the first to miss takes a lease in
   * the store and goes to the origin, the others wait for its entry, see `dedupeLeaseMs` and `dedupeWaitMs`);
   * `false` never. The store must keep leases (MemoryStore, RedisStore, MongoStore, a TieredStore over one of these).
   * Cost of `'store'`, in store round trips: a miss that leads takes the lease, reads once more and gives the lease
   * back (the last not awaited), and renews its lease every `dedupeLeaseMs / 3` while its origin call runs; a process
   * that waits makes two (try the lease, read the entry; three for a `Vary` response) per pause, the pause growing
   * from 5 to 100 ms: about 20 round trips a second per waiting process and key (its own callers share them).
   * @default true
   */
  dedupe?: boolean | 'store' | undefined;
  /**
   * With `dedupe: 'store'`: the time a lease lives without renewal (ms). The process that goes to the origin renews
   * its lease every third of this while its call runs, so a slow origin keeps the others waiting instead of sending
   * them all at once; a leader that crashed or hangs stops renewing, and another process takes over at most this
   * long after its last renewal.
   * @default 5000
   */
  dedupeLeaseMs?: number | undefined;
  /**
   * With `dedupe: 'store'`: the longest a process waits for another process's entry while that process holds the
   * lease (ms); then it asks the origin itself. A caller with its own `timeout` fails with axios' timeout error
   * once that passes, as it would waiting for the origin. The leader stops renewing its lease after this long too.
   * @default 30000
   */
  dedupeWaitMs?: number | undefined;
  /**
   * The largest `responseType: 'stream'` body kept (bytes): a stream is teed as the caller reads it and stored once
   * read whole; a larger body is passed on whole but not stored. `0` passes every stream request by the cache.
   * Cost: up to this many bytes held per stream being read.
   * @default 5_242_880 (5 MiB, the default MemoryStore's largest entry)
   */
  maxStreamBytes?: number | undefined;
  /**
   * How long one store operation may take before the request goes to the network instead (ms).
   * @default 500
   */
  storeTimeoutMs?: number | undefined;
  /**
   * How long a stale entry with a validator (ETag / Last-Modified) is kept for revalidation (ms).
   * @default 3_600_000 (1 h)
   */
  retainForRevalidationMs?: number | undefined;
  /**
   * A logger told every decision ("miss: no entry", "not stored: Cache-Control no-store").
   * @default none
   */
  debug?: ((message: string, details: Record<string, unknown>) => void) | undefined;
  /**
   * The clock (epoch ms). It reaches the default store too; give the same clock to a store you construct.
   * @default Date.now
   */
  now?: (() => number) | undefined;
  /**
   * The key of the keyed hashes (HMAC-SHA-256) that stand in for credentials and bodies wherever the cache must
   * compare them later: bodies, credential query parameters, `Vary` on a credential header or `Cookie`, credential
   * `matchHeaders`, partitions. A string of at least 16 characters; give every process that shares a store the same
   * secret so that they share those entries.
   * @default random per `attachCache` (such entries are then only found by the process that stored them)
   */
  secret?: string | undefined;
  /**
   * The partition a request's entries belong to (a user or session id): entries of one partition are never served
   * to another. Return undefined for requests that are not partitioned. A request's own `cache.partition` wins.
   * Front ends whose store outlives a login should partition by user, and call `cache.clear()` on logout.
   * Cost: one keyed hash per request that has a partition.
   * @default none
   */
  partition?: ((request: InternalAxiosRequestConfig) => string | undefined) | undefined;
  /**
   * `true`: a hit hands every caller the same deep-frozen `response.data`, made once per entry by the caller's own
   * `transformResponse` (JSON parsed once, not on every hit), instead of a private copy parsed again per hit. For
   * read-mostly data; not for callers that sort or edit `response.data` in place (that throws in strict mode). Binary
   * bodies are still copied. A request's own `cache.frozen` wins. See the README's "Frozen shared data".
   * Cost: the first hit of an entry parses and freezes it; the frozen data is held with the entry (counted in a
   * MemoryStore's `maxBytes`, in a RedisStore's `memoBytes`).
   * @default false
   */
  frozen?: boolean | undefined;
  /**
   * Never write to or delete from the store: reads and revalidations as usual (a 304 still answers from the stored
   * entry; a new 200 is returned but not stored), no invalidation after unsafe methods, no clean-up of unusable
   * entries; `cache.delete()`, `cache.clear()` and `cache.import()` reject. For a shared, pre-built cache (CI fixtures).
   * @default false
   */
  readOnly?: boolean | undefined;
  /**
   * Never go to the network: answer from the store, and a 504 when nothing usable is stored (as
   * `Cache-Control: only-if-cached` on every request) or when the cache never answers the request (a POST or other
   * unsafe method, `cache: false`). A request's own `cache.onlyIfCached` wins. With
   * `readOnly`, a recorded cache replays API calls without a network (see the README).
   * @default false
   */
  onlyIfCached?: boolean | undefined;
}

/** Per-request options: `config.cache`. `false` skips the cache entirely (no read, no write). */
export interface RequestCacheOptions {
  /** Freshness for this response when it has no explicit freshness (as the instance `ttl`). */
  ttl?: TtlOption | undefined;
  /** This request's key, replacing the computed one. */
  key?: string | undefined;
  /** Revalidate with the origin even if the stored entry is fresh. */
  refresh?: boolean | undefined;
  /** Ignore any stored entry and store the new response. */
  forceRefresh?: boolean | undefined;
  /** Never go to the network: answer a 504 on a miss (as `Cache-Control: only-if-cached`). */
  onlyIfCached?: boolean | undefined;
  /** As the instance option, for this request (`true` keeps the entry at most 7 days past freshness). */
  staleIfError?: boolean | number | undefined;
  /** As the instance option, for this request (`true` keeps the entry at most 7 days past freshness). */
  staleWhileRevalidate?: boolean | number | undefined;
  /** The partition (user or session id) this request's entry belongs to; see the instance option `partition`. */
  partition?: string | undefined;
  /** Labels for the entry this response is stored as; `cache.delete({ tag })` removes every entry with a tag. */
  tags?: readonly string[] | undefined;
  /**
   * After this request succeeds (2xx or 3xx) with an unsafe method (POST, PUT, PATCH, DELETE, ...), also delete
   * these: a URL glob string (relative ones resolve against the request's `baseURL`; a glob covers the URLs
   * below it, so `'/users'` drops `/users/7` and `/users?page=2`), a RegExp over absolute URLs, or a
   * {@link CacheQuery} such as `{ tag: 'users' }`.
   */
  invalidate?: ReadonlyArray<UrlPattern | CacheQuery> | undefined;
  /** As the instance option `frozen`, for this request: `true` shares one frozen `response.data` on a hit, `false` copies. */
  frozen?: boolean | undefined;
  /**
   * Called once when this request was answered with stale data (stale-while-revalidate) and the background refresh
   * brings a changed response (another status or body; a 304 is no change): the refreshed response, transformed by
   * `transformResponse` (response interceptors do not run), `fromCache: false`. Never called for a refresh that
   * failed. What it throws or rejects with becomes an `error` event (operation `'onUpdate'`).
   */
  onUpdate?: ((response: CachedResponse) => unknown) | undefined;
}

/**
 * Selects cache entries for `cache.entries()`, `cache.keys()` and `cache.delete()`. Every criterion given must
 * hold (they are ANDed); an empty query selects everything (except for `delete`, which refuses it: use `clear()`).
 */
export interface CacheQuery {
  /** One exact URL (absolute, or relative to the instance's `baseURL`), normalised as keys are (query kept in order, credential parameters removed). */
  url?: string | undefined;
  /** Several exact URLs: an entry matches if it has any of them. */
  urls?: readonly string[] | undefined;
  /** A glob string (relative ones resolve against `baseURL`) or a RegExp tested against each entry's absolute URL. */
  pattern?: UrlPattern | undefined;
  /** Only entries stored for this method (case-insensitive). */
  method?: string | undefined;
  /** Exactly this store key. */
  key?: string | undefined;
  /** Only entries stored with this tag (see the request option `cache.tags`). */
  tag?: string | undefined;
  /** `true`: only entries that are no longer fresh (kept for revalidation or a stale window); `false`: only fresh ones. */
  expired?: boolean | undefined;
  /** A `Date`: entries created before that instant. A number: entries older than that many ms (created more than that long ago). */
  olderThan?: Date | number | undefined;
}

/** Credential headers whatever `ignoredParams` says: an `ignoredParams` list of your own adds to these. */
export const ALWAYS_CREDENTIALS: readonly string[] = Object.freeze(['authorization', 'proxy-authorization', 'cookie']);

/** The credential names (headers and query parameters) left out of keys and stored data by default. */
export const DEFAULT_IGNORED_PARAMS: readonly string[] = Object.freeze([
  // headers
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  'x-xsrf-token',
  // query parameters: bearer and OAuth tokens, API keys, passwords
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'api_key',
  'apikey',
  'client_secret',
  'password',
  'secret',
  // signed URLs (AWS SigV4, Google Cloud Storage, Azure SAS and generic signatures)
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  // more API keys, tokens and session ids seen in query strings and headers
  'key',
  'x-goog-api-key',
  'auth_token',
  'api_token',
  'private_token',
  'private-token',
  'jwt',
  'sessionid',
  'session_id',
]);
