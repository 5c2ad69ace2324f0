import { CanceledError } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheRecord } from '../record.js';
import { decideReuse, isUnsafeMethod, parseCacheControl } from '../semantics/index.js';
import type { PolicyOptions } from '../semantics/index.js';
import { policyFor } from './context.js';
import type { CacheContext, RequestPlan } from './context.js';
import { UNKEYABLE, defaultKey, scanRequestHeaders } from './key.js';
import { NOT_SYNCHRONOUS } from './store-access.js';
import type { RequestCacheOptions, TtlOption } from './options.js';
import { fetchFromOrigin, invalidateAfter } from './origin-flow.js';
import { findMatchingRecord } from './records.js';
import { gatewayTimeout, info, mark, markError, serveRecord } from './serve.js';
import { asError } from '../errors.js';

/** Passes a request to the origin without reading or writing the cache (but still invalidating after unsafe methods). */
export async function bypass(ctx: CacheContext, config: InternalAxiosRequestConfig, inner: AxiosAdapter, method: string, url: string, reason: string): Promise<AxiosResponse> {
  ctx.stats.bypasses += 1;
  ctx.events.emit('bypass', { key: undefined, url, method, reason });
  ctx.debug(`bypass: ${reason}`, { url, method });
  const cacheInfo = info(undefined, 'bypass', undefined);
  let response: AxiosResponse;
  try {
    response = await inner(config);
  } catch (error) {
    throw markError(error, cacheInfo);
  }
  if (isUnsafeMethod(method)) await invalidateAfter(ctx, method, url, response);
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

/** Works out the request's key and policy, or bypasses the cache; not async, so a hit costs no extra ticks. */
function plan(ctx: CacheContext, config: InternalAxiosRequestConfig, inner: AxiosAdapter, request: RequestCacheOptions | false): Promise<AxiosResponse> {
  const method = (config.method ?? 'get').toUpperCase();
  const url = ctx.normaliseUrl(config);
  if (request === false) return bypass(ctx, config, inner, method, url, 'cache: false');
  if (!ctx.options.methods.has(method)) return bypass(ctx, config, inner, method, url, `method ${method} is not cached`);
  if (config.responseType === 'stream') return bypass(ctx, config, inner, method, url, 'responseType stream is passed through');
  const scan = scanRequestHeaders(config);
  if (scan.conditional !== undefined) return bypass(ctx, config, inner, method, url, `the request carries its own ${scan.conditional}`);
  const ttl = resolveTtl(ctx, url, request);
  if (ttl === 0) return bypass(ctx, config, inner, method, url, 'ttl 0 for this URL');

  let key: string | typeof UNKEYABLE;
  if (request.key !== undefined) key = request.key;
  else if (ctx.options.key) key = ctx.options.key(config);
  else key = defaultKey(method, url, config, ctx.options.ignoredParams, ctx.options.matchHeaders, method === 'POST');
  if (key === UNKEYABLE) return bypass(ctx, config, inner, method, url, 'the request body cannot be keyed (stream or form)');

  const headers: Record<string, string> = {};
  if (scan.cacheControl !== undefined) headers['cache-control'] = scan.cacheControl;
  else if (scan.pragma !== undefined) headers.pragma = scan.pragma;
  // RFC 9111 §3.5: a shared cache must know whether the request carried credentials.
  if (scan.authorization !== undefined) headers.authorization = scan.authorization;

  return lookup(ctx, {
    config,
    inner,
    method,
    url,
    key,
    facts: { method, headers },
    options: request,
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
  return findMatchingRecord((key) => ctx.access.get(key), plan.key, plan.config, ctx.options.ignoredParams).then((record) => answered(ctx, plan, record));
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
function answer(ctx: CacheContext, plan: RequestPlan, record: CacheRecord | undefined): Promise<AxiosResponse> {
  const { key, url, method } = plan;
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
    if (onlyIfCached) return gatewayTimeout(plan);
    if (decision.action === 'revalidate') {
      ctx.debug(`revalidate: ${decision.reason}`, { key, url });
      return fetchFromOrigin(ctx, plan, record);
    }
    ctx.debug(`miss: stored response unusable (${decision.reason})`, { key, url });
    return fetchFromOrigin(ctx, plan, undefined);
  }
  if (onlyIfCached) return gatewayTimeout(plan);
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
