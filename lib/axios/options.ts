import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheStore } from '../stores/store.js';

/** A duration in ms, or a function of the response computing one. */
export type TtlOption = number | ((response: AxiosResponse) => number);

/** A URL pattern: a glob (`*` matches within a path segment run, `**` anything) or a RegExp. */
export type UrlPattern = string | RegExp;

/** Instance options of {@link attachCache}. Every one is optional. */
export interface CacheOptions {
  /** Where entries live. Default: a new `MemoryStore()` (bounded by entry count and bytes). */
  store?: CacheStore | undefined;
  /**
   * `false` (default): a private cache, like a browser's. `true`: a shared cache (RFC 9111 §1): honours
   * `s-maxage`, never stores `private` responses, and stores responses to requests with `Authorization`
   * only when the response allows it (§3.5). Use `true` on a server that calls APIs for many users.
   */
  shared?: boolean | undefined;
  /** Methods that may be read from and written to the cache. Default `['get', 'head']`. POST is opt-in; its body is then part of the key. */
  methods?: readonly string[] | undefined;
  /** Cacheable status codes. Default: what RFC 9111 allows (explicitly fresh, or heuristically cacheable). */
  statuses?: readonly number[] | undefined;
  /** Freshness (ms) for responses without explicit freshness (no max-age, s-maxage or Expires). Default: none (RFC rules only, incl. heuristic freshness). */
  ttl?: TtlOption | undefined;
  /** `[[pattern, ttl], ...]`: first match wins over `ttl`; a ttl of 0 means never cache those URLs. Default `[]`. */
  ttlByUrl?: ReadonlyArray<readonly [UrlPattern, TtlOption]> | undefined;
  /** `true` (default) honours Cache-Control, Expires and Pragma; `false` makes `ttl`/`ttlByUrl` authoritative (no-store still wins). */
  cacheControl?: boolean | undefined;
  /**
   * Credential names: query parameters and request headers that are left out of the key and of stored data, and
   * that count as credentials (RFC 9111 §3.5 in shared mode, never shared by de-duplication, only a keyed hash
   * when a response varies on them). Case-insensitive. A list of your own replaces {@link DEFAULT_IGNORED_PARAMS}
   * (spread it to extend: `[...DEFAULT_IGNORED_PARAMS, 'x-tenant-token']`), but `Authorization`,
   * `Proxy-Authorization` and `Cookie` always count. Default: {@link DEFAULT_IGNORED_PARAMS}.
   */
  ignoredParams?: readonly string[] | undefined;
  /** Request headers that become part of the key, besides those the response's `Vary` names. Default `[]`. */
  matchHeaders?: readonly string[] | undefined;
  /** Replace the default key (method + normalised absolute URL + body hash). Default: built in. */
  key?: ((request: InternalAxiosRequestConfig) => string) | undefined;
  /** Return false to not store a response. Default: store what RFC 9111 allows. */
  filter?: ((response: AxiosResponse) => boolean) | undefined;
  /**
   * On a network error or 5xx, serve a stale entry: `true` (any age), ms past expiry, or `false` (default: only when the
   * response said `stale-if-error`). "Any age" is bounded by retention: with `true` (or `Infinity`) a record is kept at
   * most 7 days past the end of its freshness (`MAX_STALE_RETENTION_MS`), and so is a response's own
   * `stale-if-error`; a finite number of ms is kept in full. After that the entry is gone and the error passes through.
   */
  staleIfError?: boolean | number | undefined;
  /**
   * Serve stale at once and refresh in the background: `true` (any age), ms past expiry, or `false` (default: only the
   * `stale-while-revalidate` directive). As for `staleIfError`, `true` keeps a record at most 7 days past the end of its
   * freshness (`MAX_STALE_RETENTION_MS`); a finite number of ms is kept in full.
   */
  staleWhileRevalidate?: boolean | number | undefined;
  /** Concurrent identical misses share one origin request. Default `true`. */
  dedupe?: boolean | undefined;
  /** How long one store operation may take before the request goes to the network instead (ms). Default 500. */
  storeTimeoutMs?: number | undefined;
  /** How long a stale entry with a validator (ETag/Last-Modified) is kept for revalidation (ms). Default 3,600,000 (1 h). */
  retainForRevalidationMs?: number | undefined;
  /** A logger that explains each decision ("miss: no entry", "not stored: Cache-Control no-store"). Default: none. */
  debug?: ((message: string, details: Record<string, unknown>) => void) | undefined;
  /** Clock (epoch ms), for tests. It reaches the default store too; give the same clock to a store you pass. Default `Date.now`. */
  now?: (() => number) | undefined;
  /**
   * The key of the keyed hashes (HMAC-SHA-256) that stand in for credentials wherever the cache must compare them
   * later: `Vary` on a credential header or `Cookie`, credential `matchHeaders`, partitions. A string of at least
   * 16 characters; give every process that shares a store the same secret so that they share those entries.
   * Default: random per `attachCache` (such entries are then only found by the process that stored them).
   */
  secret?: string | undefined;
  /**
   * The partition a request's entries belong to (a user or session id): entries of one partition are never served
   * to another. Return undefined for requests that are not partitioned. A request's own `cache.partition` wins.
   * Front ends whose store outlives a login should partition by user, and call `cache.clear()` on logout.
   * Default: none. Cost: one keyed hash per request that has a partition.
   */
  partition?: ((request: InternalAxiosRequestConfig) => string | undefined) | undefined;
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
