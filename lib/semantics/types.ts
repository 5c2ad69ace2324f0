/**
 * Types shared by the pure RFC 9111 functions in this folder.
 * Nothing here knows about axios or stores; every time is an epoch-ms number passed in.
 */

/** HTTP header fields: lower-case names, one string each (repeated fields joined with ", "). */
export type Headers = Readonly<Record<string, string>>;

/** What the cache knows about the request being answered. */
export interface RequestFacts {
  /** Upper-case method. */
  readonly method: string;
  readonly headers: Headers;
}

/** What the cache knows about a response (fresh from the origin). */
export interface ResponseFacts {
  readonly status: number;
  readonly headers: Headers;
}

/** A response as stored, with the times RFC 9111 §4.2.3 needs. */
export interface StoredFacts extends ResponseFacts {
  /** Epoch ms when the request was sent. */
  readonly requestTime: number;
  /** Epoch ms when the response was received. */
  readonly responseTime: number;
}

/** Parsed Cache-Control (request or response). Unknown directives are ignored. */
export interface CacheDirectives {
  readonly maxAge?: number; // seconds
  readonly sMaxage?: number; // seconds
  readonly maxStale?: number; // seconds; Infinity for a bare `max-stale`
  readonly minFresh?: number; // seconds
  readonly staleWhileRevalidate?: number; // seconds
  readonly staleIfError?: number; // seconds
  readonly noStore: boolean;
  /** `true` for a bare no-cache; the field names for the qualified form. */
  readonly noCache: boolean | readonly string[];
  /** `true` for a bare private; the field names for the qualified form. */
  readonly private: boolean | readonly string[];
  readonly public: boolean;
  readonly mustRevalidate: boolean;
  readonly proxyRevalidate: boolean;
  readonly mustUnderstand: boolean;
  readonly immutable: boolean;
  readonly onlyIfCached: boolean;
  readonly noTransform: boolean;
}

/** Cache-wide policy knobs (resolved from the user's options by the axios layer). */
export interface PolicyOptions {
  /** A shared cache (RFC 9111 §1): honours s-maxage, never stores `private`, restricts Authorization. */
  readonly shared: boolean;
  /** When false, the response's Cache-Control/Expires/Pragma freshness is ignored in favour of `ttlMs` (no-store still wins). */
  readonly cacheControl: boolean;
  /** Freshness for responses without explicit freshness (or for every response when cacheControl is false). */
  readonly ttlMs?: number | undefined;
  /** Cacheable status codes; undefined means what RFC 9111 allows. */
  readonly statuses?: readonly number[] | undefined;
  /** Extra stale-while-revalidate window (ms) granted by the user on top of the response directive. */
  readonly staleWhileRevalidateMs?: number | undefined;
  /** Extra stale-if-error window (ms) granted by the user on top of the response directive; Infinity for "always". */
  readonly staleIfErrorMs?: number | undefined;
  /**
   * How long (ms) past the end of freshness a response with a validator (ETag or Last-Modified)
   * is kept so it can still be revalidated with a conditional request. Default: 1 hour.
   */
  readonly retainForRevalidationMs?: number | undefined;
}

/** The outcome of asking whether a stored response can answer a request (RFC 9111 §4). */
export type ReuseDecision =
  /** The response is fresh: serve it. */
  | { readonly action: 'fresh'; readonly ageMs: number }
  /** Past its freshness, but the request's max-stale allows it (§5.2.1.2): serve it as stale. */
  | { readonly action: 'stale-within-max-stale'; readonly ageMs: number }
  | { readonly action: 'stale-while-revalidate'; readonly ageMs: number }
  | { readonly action: 'revalidate'; readonly ageMs: number; readonly reason: string }
  | { readonly action: 'unusable'; readonly reason: string };

export type StorabilityVerdict = { readonly storable: true } | { readonly storable: false; readonly reason: string };
