/**
 * The caching adapter's body, top to bottom: build the request model, read the entry, and decide what answers
 * (RFC 9111 §4): a hit, a stale answer (max-stale, stale-while-revalidate), a revalidation, or the origin.
 */
import { CanceledError } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheRecord } from '../record.js';
import { decideReuse } from '../semantics/index.js';
import { gatewayTimeout, info, mark, markError, recordAnswer } from './answer.js';
import type { CacheContext } from './context.js';
import { invalidateAfter } from './invalidate.js';
import type { RequestCacheOptions } from './options.js';
import { copyConfig, fetchFromOrigin } from './origin.js';
import { notifyUpdate } from './on-update.js';
import { recordOutcome } from './outcome.js';
import { leaseName } from './key.js';
import { bodyKindFits, findMatchingRecord, variantKey } from './records.js';
import { isModel, modelRequest, policyOfRecord } from './request-model.js';
import type { Exchange, NotCached } from './request-model.js';
import { NOT_SYNCHRONOUS } from './store-access.js';
import { drainBody } from './stream-body.js';
import { asError } from '../errors.js';

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

/** The caching adapter's body: decide from the store, the RFC and the options; go to the origin only when needed. */
export function handleRequest(ctx: CacheContext, config: InternalAxiosRequestConfig, inner: AxiosAdapter, request: RequestCacheOptions | false): Promise<AxiosResponse> {
  try {
    const retried = markDispatched(config);
    const plan = modelRequest(ctx, config, request, inner, retried);
    return isModel(plan) ? lookup(ctx, plan) : bypass(ctx, config, inner, plan);
  } catch (error) {
    // A throwing `key` option, say: the request fails as axios requests fail, by rejecting.
    return Promise.reject(asError(error));
  }
}

/**
 * Passes a request to the origin without reading or writing the cache (but still invalidating after unsafe methods).
 * Under the instance option `onlyIfCached` (unless the request's own `cache.onlyIfCached` is false) nothing goes to
 * the network: a request the cache does not answer (a POST, `cache: false`...) gets the 504 a miss gets.
 */
async function bypass(ctx: CacheContext, config: InternalAxiosRequestConfig, inner: AxiosAdapter, passed: NotCached): Promise<AxiosResponse> {
  const { wire, reason } = passed;
  const { method, url } = wire;
  if (passed.error) recordOutcome(ctx, 'error', { key: undefined, url, method, error: passed.error, operation: 'key' }, passed.error.message);
  recordOutcome(ctx, 'bypass', { key: undefined, url, method, reason }, `bypass: ${reason}`);
  if (passed.options?.onlyIfCached ?? ctx.options.onlyIfCached) {
    ctx.debug('only-if-cached: a request the cache does not answer gets a 504, never the network', { url, method });
    return gatewayTimeout(ctx, { config, key: undefined });
  }
  const cacheInfo = info(ctx, undefined, 'bypass', undefined);
  let response: AxiosResponse;
  try {
    response = await inner(config);
  } catch (error) {
    throw markError(error, cacheInfo);
  }
  await invalidateAfter(ctx, { wire, config, partition: passed.partition, requested: passed.options?.invalidate }, response);
  return mark(response, cacheInfo);
}

/**
 * What answers a request: the response at once (a hit), or a promise of it (the origin, a 504). A stored answer the
 * caller refuses (`validateStatus`, `maxContentLength`) is thrown by `recordAnswer`, and rejects the request.
 */
type Answer = AxiosResponse | Promise<AxiosResponse>;

function promised(answer: Answer): Promise<AxiosResponse> {
  return answer instanceof Promise ? answer : Promise.resolve(answer);
}

/**
 * Reads the entry (synchronously when the store can) and answers from it. A store read with a promise is answered
 * inside its callback with the response itself (not a promise of it): two ticks less on the hit path.
 */
function lookup(ctx: CacheContext, plan: Exchange): Promise<AxiosResponse> {
  if (plan.options.forceRefresh) return promised(answered(ctx, plan, undefined));
  const primary = ctx.access.getSync(plan.key);
  if (primary !== NOT_SYNCHRONOUS) return primary?.vary ? withVariant(ctx, plan, primary) : promised(answered(ctx, plan, primary));
  // An async store: a primary without Vary answers in the same step it is read (one promise tick less on the hit path).
  return ctx.access.get(plan.key).then((read) => (read?.vary ? withVariant(ctx, plan, read) : answered(ctx, plan, read)));
}

/** Answers from the variant that matches the request (RFC 9111 §4.1), the primary being read already: not read again. */
function withVariant(ctx: CacheContext, plan: Exchange, primary: CacheRecord): Promise<AxiosResponse> {
  return findMatchingRecord((key) => (key === plan.key ? Promise.resolve(primary) : ctx.access.get(key)), plan.key, plan.wire, plan.config, ctx.options).then((record) => answered(ctx, plan, record));
}

/** Answers, then gives back the single-flight ticket: after `decide` has joined or started any origin call. */
function answered(ctx: CacheContext, plan: Exchange, record: CacheRecord | undefined): Answer {
  try {
    return decide(ctx, plan, record);
  } finally {
    ctx.flights.end();
  }
}

/** Decides from the entry found (or none) what answers the request: RFC 9111 §4. */
function decide(ctx: CacheContext, plan: Exchange, found: CacheRecord | undefined): Answer {
  const { key, url, method } = plan;
  // A body stored as text never answers a caller who asked for bytes, nor a stream body a caller who asked for no
  // stream, nor the reverse: that caller's answer replaces it.
  const record = found && !bodyKindFits(found, method, plan.config) ? undefined : found;
  if (found && !record) ctx.debug('miss: the stored body is not of the kind this caller asked for (responseType)', { key, url });
  const { onlyIfCached } = plan;

  if (record) {
    // One clock read for the decision and the answer's Age.
    const now = ctx.options.now();
    const decision = plan.options.refresh
      ? ({ action: 'revalidate', ageMs: 0, reason: 'refresh requested' } as const)
      : decideReuse(plan.facts, record, now, policyOfRecord(plan.policy, record.ttlMs));
    if (decision.action === 'fresh') {
      recordOutcome(ctx, 'hit', { key, url, method }, 'hit: fresh');
      return recordAnswer(ctx, plan, record, 'hit', false, now);
    }
    if (decision.action === 'stale-within-max-stale') {
      recordOutcome(ctx, 'stale', { key, url, method, reason: 'max-stale' }, 'served stale: the request allows max-stale');
      return recordAnswer(ctx, plan, record, 'stale', false, now);
    }
    if (decision.action === 'stale-while-revalidate') {
      recordOutcome(ctx, 'stale', { key, url, method, reason: 'stale-while-revalidate' }, `served stale: stale-while-revalidate, ${onlyIfCached ? 'not refreshed (only-if-cached)' : 'refreshing in the background'}`);
      refreshInBackground(ctx, plan, record);
      return recordAnswer(ctx, plan, record, 'stale', false, now);
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

/**
 * RFC 5861 §3: answer now, refresh once in the background; a second stale hit does not start another refresh, but
 * waits for the first one's news (`onUpdate`). Never under only-if-cached: that request stays off the network.
 * Requests share a refresh only when they are the same variant (`Vary`) with the same credentials (a keyed hash, as
 * leases name them): another user or another variant starts its own, so never hears of someone else's response.
 */
function refreshInBackground(ctx: CacheContext, plan: Exchange, record: CacheRecord): void {
  if (plan.onlyIfCached) return;
  const { onUpdate } = plan.options;
  const variant = record.vary && record.varyValues ? variantKey(plan.key, record.varyEpoch ?? record.createdAt, record.varyValues) : plan.key;
  const waitKey = leaseName(variant, plan.wire, ctx.options.secret);
  const running = ctx.refreshing.get(waitKey);
  if (running) {
    if (onUpdate) running.push({ config: plan.config, wire: plan.wire, onUpdate, started: false });
    return;
  }
  const waiters = onUpdate ? [{ config: plan.config, wire: plan.wire, onUpdate, started: true }] : [];
  ctx.refreshing.set(waitKey, waiters);
  // The caller has its answer: the refresh must not be cancelled with the caller's request.
  const config = copyConfig(plan.config);
  delete config.signal;
  delete config.cancelToken;
  fetchFromOrigin(ctx, { ...plan, config }, record).then(
    (response) => {
      // A stream body is stored once read to its end: read it for nobody.
      drainBody(response.data);
      ctx.refreshing.delete(waitKey);
      notifyUpdate(ctx, record, response, waiters, plan);
    },
    (error: unknown) => {
      ctx.refreshing.delete(waitKey);
      if (!(error instanceof CanceledError)) ctx.debug('background refresh failed', { key: plan.key, error });
    },
  );
}
