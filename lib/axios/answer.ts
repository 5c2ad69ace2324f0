/**
 * Builds the answer a caller gets: a stored record served as a response, an origin response or error marked with how
 * the cache answered, each settled with the caller's own `validateStatus`, in objects of the caller's own.
 */
import { AxiosError, AxiosHeaders, isAxiosError, isCancel } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheRecord } from '../record.js';
import { ageHeaderValue, currentAgeMs } from '../semantics/index.js';
import { cachedBodyLength, copyRawBody, fromCachedBody } from './body.js';
import { cachedRequest } from './cache-info.js';
import { samePairs } from './field-pairs.js';
import type { CacheInfo, CacheStatus } from './cache-info.js';
import type { CacheContext } from './context.js';
import { frozenData, NOT_MADE } from './frozen.js';
import { freshUntil } from './query.js';
import type { RequestModel } from './request-model.js';

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

/**
 * Answers from a stored record, without the network: a fresh copy of the body, headers with a current Age. The
 * response itself, or a throw of the error a caller's `validateStatus` or `maxContentLength` makes of it: the hit path
 * of a store read with a promise answers in its callback, and an async caller returns it, with the response itself
 * instead of a promise of it (a promise answered with a promise costs two more ticks). `now` is the clock reading the
 * caller decided with, when it has one.
 */
export function recordAnswer(ctx: Pick<CacheContext, 'options' | 'access'>, plan: RequestModel, record: CacheRecord, status: CacheStatus, revalidated = false, now = ctx.options.now()): AxiosResponse {
  const limit = plan.config.maxContentLength;
  if (typeof limit === 'number' && limit > -1 && plan.method !== 'HEAD' && cachedBodyLength(record.body) > limit) {
    // The caller's own limit holds for stored answers as it would for the network's.
    throw new AxiosError(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE, plan.config);
  }
  const headers = servedHeaders(record, now);
  let data: unknown = plan.method === 'HEAD' ? '' : NOT_MADE;
  if (data === NOT_MADE && (plan.options.frozen ?? ctx.options.frozen)) data = frozenData(ctx.access, plan.key, record, plan.config, headers);
  const response: AxiosResponse = {
    data: data === NOT_MADE ? fromCachedBody(record.body) : data,
    status: record.status,
    statusText: record.statusText,
    headers,
    config: plan.config,
    request: cachedRequest(plan.config, plan.method, record.status, record.statusText, headers),
    fromCache: true,
    cacheInfo: info(ctx, plan.key, status, record, revalidated),
  };
  const refused = refusal(response, plan.config);
  if (refused !== undefined) throw refused;
  return response;
}

/** A lower-case header name AxiosHeaders keeps as it is. */
const PLAIN_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** A header value AxiosHeaders keeps as it is: no control characters, no surrounding blanks. */
// The control-character ranges are the point: they are what AxiosHeaders strips.
// eslint-disable-next-line no-control-regex
const PLAIN_VALUE = /^(?:[^\x00-\x08\x0a-\x1f\x7f \t](?:[^\x00-\x08\x0a-\x1f\x7f]*[^\x00-\x08\x0a-\x1f\x7f \t])?)?$/;

/**
 * The headers of a stored answer, with its current age (RFC 9111 §5.1). Stored headers went through AxiosHeaders on
 * their way in, so they are normally in the form it keeps (lower-case names, sanitised values): those are copied as
 * its own properties, which is all that `new AxiosHeaders(headers)` would do, at a fraction of the cost of a hit.
 * Anything else (a record written by other code) takes AxiosHeaders' own normalisation.
 */
function servedHeaders(record: CacheRecord, now: number): AxiosHeaders {
  const age = ageHeaderValue(currentAgeMs(record, now));
  const pairs = plainHeaderPairs(record);
  if (pairs === undefined) return new AxiosHeaders(record.headers).set('age', age);
  const headers = new AxiosHeaders();
  const slots = headers as unknown as Record<string, string>;
  for (let i = 0; i < pairs.length; i += 2) slots[pairs[i] as string] = pairs[i + 1] as string;
  slots['age'] = age;
  return headers;
}

/**
 * Each record's stored headers as name, value, name, value... (undefined when one is not in AxiosHeaders' form),
 * worked out on its first hit: the stored headers are a prototype-less map, slow to walk on every hit. Dropped with
 * the record.
 */
const headerPairs = new WeakMap<CacheRecord, readonly string[] | undefined>();

/**
 * The plain pairs last worked out for each record key, at most {@link RECENT_PAIRS} keys. A store that decodes a new
 * record on every read (Redis, MongoDB) answers the same headers again under the same key: comparing them with the
 * pairs checked before costs a fraction of checking them again (and of remembering each new record in a WeakMap).
 */
const recentPairs = new Map<string, readonly string[]>();
const RECENT_PAIRS = 128;

function plainHeaderPairs(record: CacheRecord): readonly string[] | undefined {
  const known = headerPairs.get(record);
  if (known !== undefined || headerPairs.has(record)) return known;
  const recent = recentPairs.get(record.key);
  if (recent !== undefined && samePairs(record.headers, recent)) return recent;
  let pairs: string[] | undefined = [];
  const stored = record.headers;
  for (const name of Object.keys(stored)) {
    const value = stored[name];
    if (typeof value !== 'string' || name === '__proto__' || !PLAIN_NAME.test(name) || !PLAIN_VALUE.test(value)) {
      pairs = undefined;
      break;
    }
    pairs.push(name, value);
  }
  headerPairs.set(record, pairs);
  if (pairs !== undefined) {
    if (recentPairs.size >= RECENT_PAIRS && !recentPairs.has(record.key)) recentPairs.delete(recentPairs.keys().next().value as string);
    recentPairs.set(record.key, pairs);
  }
  return pairs;
}

/** A 504 for `only-if-cached` requests the cache cannot answer (RFC 9111 §5.2.1.7). */
export function gatewayTimeout(ctx: Pick<CacheContext, 'options'>, plan: Pick<RequestModel, 'config'> & { readonly key: string | undefined }): Promise<AxiosResponse> {
  const headers = new AxiosHeaders();
  const response: AxiosResponse = {
    data: '',
    status: 504,
    statusText: 'Gateway Timeout',
    headers,
    config: plan.config,
    request: cachedRequest(plan.config, (plan.config.method ?? 'get').toUpperCase(), 504, 'Gateway Timeout', headers),
    fromCache: false,
    cacheInfo: info(ctx, plan.key, 'miss', undefined),
  };
  return settle(response, plan.config);
}

/**
 * Resolves or rejects like axios' own `settle`: a status the request's `validateStatus` refuses becomes an
 * AxiosError carrying the response, exactly as if the network had answered it.
 */
function settle(response: AxiosResponse, config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  const refused = refusal(response, config);
  return refused === undefined ? Promise.resolve(response) : Promise.reject(refused);
}

/** The AxiosError of a status the request's `validateStatus` refuses; undefined when it accepts it. */
export function refusal(response: AxiosResponse, config: InternalAxiosRequestConfig): AxiosError | undefined {
  const validate = config.validateStatus;
  if (!response.status || !validate || validate(response.status)) return undefined;
  return new AxiosError(
    `Request failed with status code ${response.status}`,
    response.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
    config,
    response.request,
    response,
  );
}

/** A response shared by a flight's callers, made one caller's own: its object, config, headers and bytes. */
export function ownResponse(response: AxiosResponse, config: InternalAxiosRequestConfig): AxiosResponse {
  return { ...response, config, headers: new AxiosHeaders(response.headers as AxiosHeaders), data: copyRawBody(response.data as unknown) };
}

/** The same failure, addressed to one caller: axios transforms `error.response` in place per caller. */
export function ownError(error: unknown, config: InternalAxiosRequestConfig): unknown {
  if (!isAxiosError(error) || isCancel(error)) return error;
  const response = error.response ? ownResponse(error.response, config) : undefined;
  const copy = new AxiosError(error.message, error.code, config, error.request, response);
  copy.cause = error.cause ?? error;
  copy.stack = error.stack ?? '';
  return copy;
}
