import type { CacheRecord } from '../record.js';
import type { PolicyOptions } from '../semantics/index.js';
import type { CacheEvents } from './events.js';
import type { UrlNormaliser, UrlParser } from './wire-request.js';
import type { ResolvedOptions } from './resolve-options.js';
import type { RequestCacheOptions } from './options.js';
import type { SingleFlight } from './single-flight.js';
import type { StoreAccess } from './store-access.js';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { RequestFacts } from '../semantics/index.js';
import type { TtlOption } from './options.js';
import type { WireRequest } from './wire-request.js';

/** Counters since attach, as `cache.stats()` reports them. */
export interface CacheStats {
  hits: number;
  misses: number;
  staleServed: number;
  revalidations: number;
  stores: number;
  errors: number;
  bypasses: number;
}

/** The outcome of one (possibly shared) trip to the origin, before it is handed to each caller. */
export type OriginResult =
  | { readonly kind: 'response'; readonly response: AxiosResponse; readonly record: CacheRecord | undefined }
  | { readonly kind: 'revalidated'; readonly record: CacheRecord }
  | { readonly kind: 'stale'; readonly record: CacheRecord; readonly reason: string }
  | { readonly kind: 'error'; readonly error: unknown };

/** Everything one attached cache shares across its requests. */
export interface CacheContext {
  readonly options: ResolvedOptions;
  readonly access: StoreAccess;
  readonly events: CacheEvents;
  readonly stats: CacheStats;
  /** This cache's URL parser (its memo belongs to the cache) and its key-URL function. */
  readonly urls: UrlParser;
  readonly normaliseUrl: UrlNormaliser;
  readonly flights: SingleFlight<OriginResult>;
  /** Keys with a background (stale-while-revalidate) refresh under way. */
  readonly refreshing: Set<string>;
  readonly debug: (message: string, details: Record<string, unknown>) => void;
}


/** The RFC policy for one request: instance options, with this request's overrides applied. */
const plainPolicies = new WeakMap<ResolvedOptions, Map<number | undefined, PolicyOptions>>();

export function policyFor(options: ResolvedOptions, request: RequestCacheOptions, ttlMs: number | undefined): PolicyOptions {
  if (request.staleWhileRevalidate !== undefined || request.staleIfError !== undefined) return buildPolicy(options, request, ttlMs);
  // Most requests add nothing of their own: share one frozen policy per ttl instead of allocating one per hit.
  let byTtl = plainPolicies.get(options);
  if (!byTtl) plainPolicies.set(options, (byTtl = new Map<number | undefined, PolicyOptions>()));
  let policy = byTtl.get(ttlMs);
  if (!policy) {
    if (byTtl.size >= 100) byTtl.clear();
    byTtl.set(ttlMs, (policy = Object.freeze(buildPolicy(options, request, ttlMs))));
  }
  return policy;
}

function buildPolicy(options: ResolvedOptions, request: RequestCacheOptions, ttlMs: number | undefined): PolicyOptions {
  return {
    shared: options.shared,
    cacheControl: options.cacheControl,
    ttlMs,
    statuses: options.statuses,
    staleWhileRevalidateMs: windowMs(request.staleWhileRevalidate) ?? options.staleWhileRevalidateMs,
    staleIfErrorMs: windowMs(request.staleIfError) ?? options.staleIfErrorMs,
    retainForRevalidationMs: options.retainForRevalidationMs,
  };
}

function windowMs(value: boolean | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === true) return Infinity;
  if (value === false) return 0;
  return value;
}

/** Everything the flow works out about one request before deciding. */
export interface RequestPlan {
  readonly config: InternalAxiosRequestConfig;
  readonly inner: AxiosAdapter;
  readonly method: string;
  readonly url: string;
  readonly key: string;
  /** The key part of the request's partition, '' when it has none: invalidation stays within it. */
  readonly partition: string;
  /** The request as it goes on the wire (see wire-request.ts). */
  readonly wire: WireRequest;
  readonly facts: RequestFacts;
  readonly options: RequestCacheOptions;
  readonly policy: PolicyOptions;
  readonly ttl: TtlOption | undefined;
  /** The single-flight ticket taken before the store read (see `SingleFlight.begin`). */
  readonly ticket: number;
}

