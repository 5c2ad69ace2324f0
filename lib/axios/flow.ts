import { CanceledError } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheRecord } from '../record.js';
import { decideReuse, isUnsafeMethod, parseCacheControl } from '../semantics/index.js';
import type { PolicyOptions, RequestFacts } from '../semantics/index.js';
import { policyFor } from './context.js';
import type { CacheContext, RequestPlan } from './context.js';
import { KeyOptionError, UNKEYABLE, invalidationSuffixes, partitionOf, partitionSuffix, requestKey, wantsBytes } from './key.js';
import { wireRequest } from './wire-request.js';
import type { WireRequest } from './wire-request.js';
import { NOT_SYNCHRONOUS } from './store-access.js';
import type { RequestCacheOptions, TtlOption } from './options.js';
import { fetchFromOrigin, invalidateAfter } from './origin-flow.js';
import { findMatchingRecord } from './records.js';
import { gatewayTimeout, info, mark, markError, serveRecord } from './serve.js';
import { asError } from '../errors.js';

/** Passes a request to the origin without reading or writing the cache (but still invalidating after unsafe methods). */
export async function bypass(ctx: CacheContext, config: InternalAxiosRequestConfig, inner: AxiosAdapter, wire: WireRequest, reason: string, partition = ''): Promise<AxiosResponse> {
  const { method, url } = wire;
  ctx.stats.bypasses += 1;
  ctx.events.emit('bypass', { key: undefined, url, method, reason });
  ctx.debug(`bypass: ${reason}`, { url, method });
  const cacheInfo = info(ctx, undefined, 'bypass', undefined);
  let response: AxiosResponse;
  try {
    response = await inner(config);
  } catch (error) {
    throw markError(error, cacheInfo);
  }
  if (isUnsafeMethod(method)) await invalidateAfter(ctx, method, url, response, invalidationSuffixes(wire, config, ctx.options, partition));
  return mark(response, cacheInfo);
}

function resolveTtl(ctx: CacheContext, url: string, request: RequestCacheOptions): TtlOption | undefined {
  if (request.ttl !== undefined) return request.ttl;
  for (const [matches, ttl] of ctx.options.ttlByUrl) if (matches(url)) return ttl;
  return ctx.options.ttl;
}

/** The caching adapter's body: decide from the store, the RFC and the options; go to the origin only when needed. */
export function handleRequest(
  ctx: CacheContext,
  config: InternalAxiosRequestConfig,
  inner: AxiosAdapter,
  request: RequestCacheOptions | false,
): Promise<AxiosResponse> {
  try {
    return plan(ctx, config, inner, request);
  } catch (error) {
    // A throwing `key` option, say: the request fails as axios requests fail, by rejecting.
    return Promise.reject(asError(error));
  }
}

const CALLER_CONDITIONALS: readonly string[] = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range'];

/**
 * Marks a config the caching adapter has dispatched. axios keeps unknown config fields when a config is sent
 * again, so a retry (axios-retry, retry-axios, or `api.request(error.config)`) arrives marked: it must reach the
 * origin rather than be answered again with the stored response it is retrying.
 */
const DISPATCHED = 'axios-http-cache:dispatched';

function markDispatched(config: InternalAxiosRequestConfig): boolean {
  const fields = config as unknown as Record<string, unknown>;
  const again = fields[DISPATCHED] === true;
  fields[DISPATCHED] = true;
  return again;
}

/** The request facts RFC 9111 decides on: the request directives, and whether it carries credentials (§3.5). */
function requestFacts(wire: WireRequest): RequestFacts {
  const headers = Object.create(null) as Record<string, string>;
  const cacheControl = wire.headers.get('cache-control');
  const pragma = wire.headers.get('pragma');
  if (cacheControl !== undefined) headers['cache-control'] = cacheControl;
  else if (pragma !== undefined) headers.pragma = pragma;
  // Any credential counts, not only Authorization: API keys, tokens in the query, cookies.
  if (wire.credentials !== '') headers.authorization = wire.headers.get('authorization') ?? '(credentials)';
  return { method: wire.method, headers };
}

/** A `key` or `partition` option returned something unusable: an error event, and the request goes uncached. */
function keyOptionFailed(ctx: CacheContext, config: InternalAxiosRequestConfig, inner: AxiosAdapter, wire: WireRequest, error: KeyOptionError): Promise<AxiosResponse> {
  ctx.stats.errors += 1;
  ctx.events.emit('error', { key: undefined, url: wire.url, method: wire.method, error, operation: 'key' });
  return bypass(ctx, config, inner, wire, error.message);
}

/** Works out the request's key and policy, or bypasses the cache; not async, so a hit costs no extra ticks. */
function plan(ctx: CacheContext, config: InternalAxiosRequestConfig, inner: AxiosAdapter, request: RequestCacheOptions | false): Promise<AxiosResponse> {
  const retried = markDispatched(config);
  const wire = wireRequest(config, ctx.urls, ctx.options.ignoredParams);
  const { method, url } = wire;
  if (request === false) return bypass(ctx, config, inner, wire, 'cache: false');
  const partition = partitionOf(ctx.options, config, request);
  if (partition instanceof KeyOptionError) return keyOptionFailed(ctx, config, inner, wire, partition);
  const suffix = partitionSuffix(ctx.options.secret, partition);
  if (!ctx.options.methods.has(method)) return bypass(ctx, config, inner, wire, `method ${method} is not cached`, suffix);
  if (config.responseType === 'stream') return bypass(ctx, config, inner, wire, 'responseType stream is passed through');
  const conditional = CALLER_CONDITIONALS.find((name) => wire.headers.has(name));
  if (conditional !== undefined) return bypass(ctx, config, inner, wire, `the request carries its own ${conditional}`);
  const ttl = resolveTtl(ctx, url, request);
  if (ttl === 0) return bypass(ctx, config, inner, wire, 'ttl 0 for this URL');

  const key = requestKey(ctx.options, wire, config, request, partition);
  if (key === UNKEYABLE) return bypass(ctx, config, inner, wire, 'the request body cannot be keyed (stream or form)', suffix);
  if (key instanceof KeyOptionError) return keyOptionFailed(ctx, config, inner, wire, key);

  return lookup(ctx, {
    config,
    inner,
    method,
    url,
    key,
    partition: suffix,
    wire,
    facts: requestFacts(wire),
    // A retried request goes to the origin, and its answer replaces what is stored.
    options: retried ? { ...request, forceRefresh: true } : request,
    ttl,
    ticket: ctx.flights.begin(),
    policy: policyFor(ctx.options, request, typeof ttl === 'number' ? ttl : undefined),
  });
}

/** Reads the entry (synchronously when the store can) and answers from it. */
function lookup(ctx: CacheContext, plan: RequestPlan): Promise<AxiosResponse> {
  if (plan.options.forceRefresh) return answered(ctx, plan, undefined);
  const primary = ctx.access.getSync(plan.key);
  if (primary !== NOT_SYNCHRONOUS && (primary === undefined || !primary.vary)) return answered(ctx, plan, primary);
  return findMatchingRecord((key) => ctx.access.get(key), plan.key, plan.wire, plan.config, ctx.options).then((record) => answered(ctx, plan, record));
}

/** Answers, then gives back the single-flight ticket: after `answer` has joined or started any origin call. */
function answered(ctx: CacheContext, plan: RequestPlan, record: CacheRecord | undefined): Promise<AxiosResponse> {
  try {
    return answer(ctx, plan, record);
  } finally {
    ctx.flights.end();
  }
}

/** Decides from the entry found (or none) what answers the request: RFC 9111 §4. */
function answer(ctx: CacheContext, plan: RequestPlan, found: CacheRecord | undefined): Promise<AxiosResponse> {
  const { key, url, method } = plan;
  // A body stored as text never answers a caller who asked for bytes, nor the reverse: that caller's answer replaces it.
  const record = found && method !== 'HEAD' && (found.body.type === 'binary') !== wantsBytes(plan.config) ? undefined : found;
  if (found && !record) ctx.debug('miss: the stored body is not of the kind this caller asked for (responseType)', { key, url });
  const onlyIfCached = plan.options.onlyIfCached === true || (ctx.options.cacheControl && parseCacheControl(plan.facts.headers['cache-control']).onlyIfCached);

  if (record) {
    const policy: PolicyOptions = record.ttlMs === undefined ? plan.policy : { ...plan.policy, ttlMs: record.ttlMs };
    const decision = plan.options.refresh
      ? ({ action: 'revalidate', ageMs: 0, reason: 'refresh requested' } as const)
      : decideReuse(plan.facts, record, ctx.options.now(), policy);
    if (decision.action === 'fresh') {
      const stale = decision.stale === true;
      if (stale) ctx.stats.staleServed += 1;
      else ctx.stats.hits += 1;
      if (stale) ctx.events.emit('stale', { key, url, method, reason: 'max-stale' });
      else ctx.events.emit('hit', { key, url, method });
      ctx.debug(stale ? 'served stale: the request allows max-stale' : 'hit: fresh', { key, url });
      return serveRecord(ctx, plan, record, stale ? 'stale' : 'hit');
    }
    if (decision.action === 'stale-while-revalidate') {
      ctx.stats.staleServed += 1;
      ctx.events.emit('stale', { key, url, method, reason: 'stale-while-revalidate' });
      ctx.debug('served stale: stale-while-revalidate, refreshing in the background', { key, url });
      refreshInBackground(ctx, plan, record);
      return serveRecord(ctx, plan, record, 'stale');
    }
    if (onlyIfCached) return gatewayTimeout(ctx, plan);
    if (decision.action === 'revalidate') {
      ctx.debug(`revalidate: ${decision.reason}`, { key, url });
      return fetchFromOrigin(ctx, plan, record);
    }
    ctx.debug(`miss: stored response unusable (${decision.reason})`, { key, url });
    return fetchFromOrigin(ctx, plan, undefined);
  }
  if (onlyIfCached) return gatewayTimeout(ctx, plan);
  ctx.debug(plan.options.forceRefresh ? 'miss: forceRefresh' : 'miss: no entry', { key, url });
  return fetchFromOrigin(ctx, plan, undefined);
}

/** RFC 5861 §3: answer now, refresh once in the background; a second stale hit does not start another refresh. */
function refreshInBackground(ctx: CacheContext, plan: RequestPlan, record: CacheRecord): void {
  if (ctx.refreshing.has(plan.key)) return;
  ctx.refreshing.add(plan.key);
  // The caller has its answer: the refresh must not be cancelled with the caller's request.
  const config: InternalAxiosRequestConfig = { ...plan.config };
  delete config.signal;
  delete config.cancelToken;
  fetchFromOrigin(ctx, { ...plan, config }, record).then(
    () => ctx.refreshing.delete(plan.key),
    (error: unknown) => {
      ctx.refreshing.delete(plan.key);
      if (!(error instanceof CanceledError)) ctx.debug('background refresh failed', { key: plan.key, error });
    },
  );
}
