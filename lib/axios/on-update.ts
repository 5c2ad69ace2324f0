/**
 * `cache: { onUpdate(response) }`: a caller answered with stale data (stale-while-revalidate) hears about the
 * background refresh when it brings a changed response, so a front end can re-render. Callers that share one
 * refresh each get their own call, with a response of their own; a throwing or rejecting `onUpdate` becomes an
 * `error` event, never an unhandled rejection. Only requests of the same variant and credentials share a refresh
 * (decide.ts), and a waiter other than the one whose request made the refresh gets it only when the cache could
 * have served it that response anyway: it was stored, and the waiter's request matches its `Vary`.
 */
import { AxiosHeaders } from 'axios';
import type { AxiosResponse, AxiosResponseHeaders, InternalAxiosRequestConfig } from 'axios';
import { asError } from '../errors.js';
import type { CacheRecord, CachedBody } from '../record.js';
import { varyNames } from '../semantics/index.js';
import { ownResponse } from './answer.js';
import { toCachedBody } from './body.js';
import type { CachedResponse } from './cache-info.js';
import type { CacheContext } from './context.js';
import { recordOutcome } from './outcome.js';
import { plainResponseHeaders, varyFingerprint } from './records.js';
import type { WireRequest } from './wire-request.js';

/** One stale caller waiting for the background refresh of its key. */
export interface UpdateWaiter {
  readonly config: InternalAxiosRequestConfig;
  readonly wire: WireRequest;
  /** True for the request whose stale answer started the refresh. */
  readonly started: boolean;
  readonly onUpdate: (response: CachedResponse) => unknown;
}

function sameBody(a: CachedBody, b: CachedBody | undefined): boolean {
  if (b === undefined || a.type !== b.type) return false;
  if (a.type === 'text') return b.type === 'text' && a.text === b.text;
  if (b.type !== 'binary' || a.bytes.length !== b.bytes.length) return false;
  return a.bytes.every((byte, index) => byte === b.bytes[index]);
}

/**
 * True when a refresh brought a new response that differs from the stale record: another status or another body.
 * A 304 (the record revalidated), a stale answer after a failure or a 5xx is no change.
 */
function changedBy(stale: CacheRecord, refreshed: AxiosResponse): boolean {
  // A 5xx is a failed refresh, even for a caller whose validateStatus lets it through.
  if (refreshed.cacheInfo?.status !== 'miss' || refreshed.status >= 500) return false;
  const body = toCachedBody(refreshed.data);
  // A stream (`responseType: 'stream'`) cannot be compared before it is read: such refreshes are not reported.
  if (body === undefined) return false;
  return refreshed.status !== stale.status || !sameBody(stale.body, body);
}

/**
 * Whether a waiter that did not make the refresh may have its response: the response was stored, so this cache
 * would serve it (not `private` in shared mode, not `no-store`...), and the waiter's request matches the stored
 * response's `Vary` as the one that made it does (RFC 9111 §4.1).
 */
function mayShare(ctx: CacheContext, refreshed: AxiosResponse, maker: { readonly wire: WireRequest; readonly config: InternalAxiosRequestConfig }, waiter: UpdateWaiter): boolean {
  if (refreshed.cacheInfo?.createdAt === undefined) return false;
  const names = varyNames(plainResponseHeaders(refreshed.headers));
  if (names === '*') return false;
  const theirs = varyFingerprint(names, waiter.wire, waiter.config, ctx.options);
  const makers = varyFingerprint(names, maker.wire, maker.config, ctx.options);
  return JSON.stringify(theirs) === JSON.stringify(makers);
}

/** axios' response transformation (`transformResponse`), as `dispatchRequest` applies it, for one caller's config. */
function transformed(response: AxiosResponse, config: InternalAxiosRequestConfig): unknown {
  const given = config.transformResponse;
  const transforms = given === undefined ? [] : Array.isArray(given) ? given : [given];
  const headers = AxiosHeaders.from(response.headers as AxiosHeaders) as AxiosResponseHeaders;
  let data: unknown = response.data;
  for (const transform of transforms) data = transform.call(config, data, headers.normalize(false), response.status) as unknown;
  return data;
}

/** Hands the refreshed response to each waiter's `onUpdate`: its own copy, transformed with its own config. */
export function notifyUpdate(
  ctx: CacheContext,
  stale: CacheRecord,
  refreshed: AxiosResponse,
  waiters: readonly UpdateWaiter[],
  maker: { readonly wire: WireRequest; readonly config: InternalAxiosRequestConfig },
): void {
  const { cacheInfo } = refreshed;
  if (waiters.length === 0 || cacheInfo === undefined || !changedBy(stale, refreshed)) return;
  const { key, url, method } = stale;
  const failed = (thrown: unknown): void => {
    const error = asError(thrown);
    recordOutcome(ctx, 'error', { key, url, method, error, operation: 'onUpdate' }, `the onUpdate callback failed: ${error.message}`);
  };
  for (const waiter of waiters) {
    if (!waiter.started && !mayShare(ctx, refreshed, maker, waiter)) continue;
    try {
      const own = ownResponse(refreshed, waiter.config);
      const response: CachedResponse = { ...own, data: transformed(own, waiter.config), fromCache: false, cacheInfo: { ...cacheInfo } };
      const result = waiter.onUpdate(response);
      if (typeof result === 'object' && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, failed);
      }
    } catch (thrown) {
      failed(thrown);
    }
  }
}
