/**
 * The request model: built once per request, from the request exactly as it goes on the wire (see wire-request.ts),
 * it holds the key, the facts RFC 9111 decides on, the parsed per-request options and the policy. The request flow,
 * single-flight and `cache.get()` all use it.
 */
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { parseCacheControl } from '../semantics/index.js';
import type { PolicyOptions, RequestFacts } from '../semantics/index.js';
import type { CacheContext } from './context.js';
import { KeyOptionError, UNKEYABLE, partitionOf, partitionSuffix, requestKey } from './key.js';
import type { RequestCacheOptions, TtlOption } from './options.js';
import type { ResolvedOptions } from './resolve-options.js';
import { isStreamRequest } from './stream-body.js';
import { wireRequest } from './wire-request.js';
import type { WireRequest } from './wire-request.js';

/** What of a request's model is worked out from the request alone (not from its config object's identity). */
export interface ModelParts {
  readonly method: string;
  readonly url: string;
  readonly key: string;
  /** The key part of the request's partition, '' when it has none: invalidation stays within it. */
  readonly partition: string;
  /** The request as it goes on the wire. */
  readonly wire: WireRequest;
  readonly facts: RequestFacts;
  /** Never go to the network (`cache.onlyIfCached`, or `Cache-Control: only-if-cached`): a miss answers 504. */
  readonly onlyIfCached: boolean;
  readonly policy: PolicyOptions;
  readonly ttl: TtlOption | undefined;
}

/** One request, as the cache sees it. */
export interface RequestModel extends ModelParts {
  readonly config: InternalAxiosRequestConfig;
  readonly options: RequestCacheOptions;
}

/** A request the cache passes by: why, and what invalidation after it needs. */
export interface NotCached {
  readonly reason: string;
  readonly wire: WireRequest;
  /** The partition's key part ('' when none or unknown). */
  readonly partition: string;
  /** A `key` or `partition` option that returned something unusable (reported as an `error` event). */
  readonly error?: KeyOptionError;
  /** The request's own options (its `cache.invalidate` still applies); absent for `cache: false`. */
  readonly options?: RequestCacheOptions;
}

const CALLER_CONDITIONALS: readonly string[] = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range'];

/** The first conditional (or range) header the caller set itself, if any; a loop, as this runs on every hit. */
function callerConditional(headers: ReadonlyMap<string, string>): string | undefined {
  for (const name of CALLER_CONDITIONALS) if (headers.has(name)) return name;
  return undefined;
}

function resolveTtl(options: ResolvedOptions, url: string, request: RequestCacheOptions): TtlOption | undefined {
  if (request.ttl !== undefined) return request.ttl;
  for (const [matches, ttl] of options.ttlByUrl) if (matches(url)) return ttl;
  return options.ttl;
}

/** The fact headers of the usual request, with no directives and no credentials: one shared, frozen object. */
const NO_FACT_HEADERS = Object.freeze(Object.create(null) as Record<string, string>);

/** The request facts RFC 9111 decides on: the request directives, and whether it carries credentials (§3.5). */
function requestFacts(wire: WireRequest): RequestFacts {
  const cacheControl = wire.headers.get('cache-control');
  const pragma = wire.headers.get('pragma');
  if (cacheControl === undefined && pragma === undefined && wire.credentials === '') return { method: wire.method, headers: NO_FACT_HEADERS };
  const headers = Object.create(null) as Record<string, string>;
  if (cacheControl !== undefined) headers['cache-control'] = cacheControl;
  else if (pragma !== undefined) headers.pragma = pragma;
  // Any credential counts, not only Authorization: API keys, tokens in the query, cookies.
  if (wire.credentials !== '') headers.authorization = wire.headers.get('authorization') ?? '(credentials)';
  return { method: wire.method, headers };
}

/**
 * Builds the model of a request, or says why the cache passes it by. Not async: a hit costs no extra ticks. Given the
 * adapter a miss calls, it builds the caching adapter's {@link Exchange} at once (one object per request, not a model
 * copied into an exchange), taking the single-flight ticket last; a `retried` config (dispatched before) then has
 * `forceRefresh`.
 */
export function modelRequest(ctx: CacheContext, config: InternalAxiosRequestConfig, request: RequestCacheOptions | false, inner: AxiosAdapter, retried: boolean): Exchange | NotCached;
export function modelRequest(ctx: CacheContext, config: InternalAxiosRequestConfig, request: RequestCacheOptions | false): RequestModel | NotCached;
export function modelRequest(ctx: CacheContext, config: InternalAxiosRequestConfig, request: RequestCacheOptions | false, inner?: AxiosAdapter, retried = false): RequestModel | NotCached {
  const parts = ctx.models.recall(ctx, config, request) ?? workOut(ctx, config, request);
  if (!('key' in parts)) return parts;
  // `request` is not false here: that request is passed by.
  const options = request === false ? {} : request;
  const model: RequestModel & { readonly inner: AxiosAdapter | undefined; readonly ticket: number } = {
    config,
    method: parts.method,
    url: parts.url,
    key: parts.key,
    partition: parts.partition,
    wire: parts.wire,
    facts: parts.facts,
    onlyIfCached: parts.onlyIfCached,
    // A retried request goes to the origin, and its answer replaces what is stored.
    options: retried ? { ...options, forceRefresh: true } : options,
    ttl: parts.ttl,
    policy: parts.policy,
    inner,
    // Last: nothing between the ticket and the store read.
    ticket: inner === undefined ? 0 : ctx.flights.begin(),
  };
  return model;
}

/** The parts of a request's model worked out (and remembered for the next request, see model-memo.ts), or why the cache passes it by. */
function workOut(ctx: CacheContext, config: InternalAxiosRequestConfig, request: RequestCacheOptions | false): ModelParts | NotCached {
  const wire = wireRequest(config, ctx.urls, ctx.options.ignoredParams);
  const { method, url } = wire;
  // The partition first: even a request the cache passes by invalidates within it.
  const partition = partitionOf(ctx.options, config, request === false ? {} : request);
  if (partition instanceof KeyOptionError) return { reason: partition.message, wire, partition: '', error: partition };
  const suffix = partitionSuffix(ctx.options.secret, partition);
  if (request === false) return { reason: 'cache: false', wire, partition: suffix };
  if (!ctx.options.methods.has(method)) return { reason: `method ${method} is not cached`, wire, partition: suffix, options: request };
  if (ctx.options.maxStreamBytes === 0 && isStreamRequest(config)) return { reason: 'responseType stream with maxStreamBytes 0', wire, partition: suffix, options: request };
  const conditional = callerConditional(wire.headers);
  if (conditional !== undefined) return { reason: `the request carries its own ${conditional}`, wire, partition: suffix, options: request };
  const ttl = resolveTtl(ctx.options, url, request);
  if (ttl === 0) return { reason: 'ttl 0 for this URL', wire, partition: suffix, options: request };
  const key = requestKey(ctx.options, wire, config, request, partition);
  if (key === UNKEYABLE) return { reason: 'the request body cannot be keyed (stream or form)', wire, partition: suffix, options: request };
  if (key instanceof KeyOptionError) return { reason: key.message, wire, partition: suffix, options: request, error: key };
  const facts = requestFacts(wire);
  const parts: ModelParts = {
    method,
    url,
    key,
    partition: suffix,
    wire,
    facts,
    onlyIfCached: (request.onlyIfCached ?? ctx.options.onlyIfCached) || (ctx.options.cacheControl && facts.headers['cache-control'] !== undefined && parseCacheControl(facts.headers['cache-control']).onlyIfCached),
    ttl,
    policy: policyFor(ctx.options, request, typeof ttl === 'number' ? ttl : undefined),
  };
  ctx.models.remember(ctx, config, request, parts);
  return parts;
}

/** A model on its way through the flow: the adapter to call on a miss, and the single-flight ticket taken before the store read. */
export interface Exchange extends RequestModel {
  readonly inner: AxiosAdapter;
  readonly ticket: number;
}

export function isModel<M extends RequestModel>(value: M | NotCached): value is M {
  return 'key' in value;
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

/** The policy with the ttl a record was stored with (freshness for responses without explicit freshness). */
export function policyOfRecord(policy: PolicyOptions, ttlMs: number | undefined): PolicyOptions {
  return ttlMs === undefined ? policy : { ...policy, ttlMs };
}
