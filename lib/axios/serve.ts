import { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosResponse } from 'axios';
import type { CacheRecord } from '../record.js';
import { ageHeaderValue, currentAgeMs } from '../semantics/index.js';
import type { CacheInfo, CacheStatus } from './cache-info.js';
import { cachedRequest } from './cache-info.js';
import type { CacheContext, RequestPlan } from './context.js';
import { freshUntil } from './query.js';
import { cachedBodyLength, fromCachedBody, settle } from './response.js';

export function info(ctx: Pick<CacheContext, 'options'>, key: string | undefined, status: CacheStatus, record: CacheRecord | undefined, revalidated = false): CacheInfo {
  const fresh = record === undefined ? undefined : freshUntil(ctx.options, record);
  return { key, status, createdAt: record?.createdAt, freshUntil: fresh, expiresAt: record?.expiresAt, revalidated };
}

/** Marks an origin response (or the response inside an origin error) with how the cache answered. */
export function mark(response: AxiosResponse, cacheInfo: CacheInfo): AxiosResponse {
  response.fromCache = false;
  response.cacheInfo = cacheInfo;
  return response;
}

export function markError(error: unknown, cacheInfo: CacheInfo): unknown {
  const response = (error as { response?: AxiosResponse } | null)?.response;
  if (response && typeof response === 'object') mark(response, cacheInfo);
  return error;
}

/** Answers from a stored record, without the network: a fresh copy of the body, headers with a current Age. */
export function serveRecord(ctx: CacheContext, plan: RequestPlan, record: CacheRecord, status: CacheStatus, revalidated = false): Promise<AxiosResponse> {
  const limit = plan.config.maxContentLength;
  if (typeof limit === 'number' && limit > -1 && plan.method !== 'HEAD' && cachedBodyLength(record.body) > limit) {
    // The caller's own limit holds for stored answers as it would for the network's.
    return Promise.reject(new AxiosError(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE, plan.config));
  }
  const now = ctx.options.now();
  const headers = new AxiosHeaders(record.headers);
  // RFC 9111 §5.1: a response served from cache carries its current age.
  headers.set('age', ageHeaderValue(currentAgeMs(record, now)));
  const response: AxiosResponse = {
    data: plan.method === 'HEAD' ? '' : fromCachedBody(record.body),
    status: record.status,
    statusText: record.statusText,
    headers,
    config: plan.config,
    request: cachedRequest(plan.config, record.status, record.statusText, headers),
    fromCache: true,
    cacheInfo: info(ctx, plan.key, status, record, revalidated),
  };
  return settle(response, plan.config);
}

/** A 504 for `only-if-cached` requests the cache cannot answer (RFC 9111 §5.2.1.7). */
export function gatewayTimeout(ctx: CacheContext, plan: RequestPlan): Promise<AxiosResponse> {
  const headers = new AxiosHeaders();
  const response: AxiosResponse = {
    data: '',
    status: 504,
    statusText: 'Gateway Timeout',
    headers,
    config: plan.config,
    request: cachedRequest(plan.config, 504, 'Gateway Timeout', headers),
    fromCache: false,
    cacheInfo: info(ctx, plan.key, 'miss', undefined),
  };
  return settle(response, plan.config);
}

