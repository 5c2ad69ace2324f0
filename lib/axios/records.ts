import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { CorruptEntryError } from '../errors.js';
import { RECORD_FORMAT_VERSION } from '../record.js';
import type { CacheRecord } from '../record.js';
import { emptyFields, headersToStore, storability, storeExpiryAt, varyNames, varyValues, varyValuesMatch } from '../semantics/index.js';
import type { PolicyOptions, RequestFacts } from '../semantics/index.js';
import { hmacSha256Hex, sha256Hex } from './hash.js';
import type { KeyOptions } from './key.js';
import { toCachedBody } from './body.js';
import { bodyFits } from './stream-body.js';
import { headerValueString } from './wire-request.js';
import type { WireRequest } from './wire-request.js';

/** Response headers as a plain object: lower-case names, one string each. Set-Cookie is never kept. */
export function plainResponseHeaders(headers: unknown): Record<string, string> {
  // AxiosHeaders keeps each header as an own property, as a plain object does (its toJSON would only copy them).
  const source = (headers as Record<string, unknown> | null | undefined) ?? {};
  const result = emptyFields();
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value === undefined || value === null || value === false) continue;
    const lower = name.toLowerCase();
    // A cached response never replays cookies: they belong to the exchange that set them.
    if (lower === 'set-cookie') continue;
    result[lower] = headerValueString(value);
  }
  return result;
}

/** What a `Vary: Accept-Encoding` value means once the adapter has decoded the body: every request matches it. */
const DECODED = '(decoded by the adapter)';

/**
 * The values a request has for the headers a response varies on (RFC 9111 §4.1), as stored and compared, read
 * from the wire request (so `Authorization` that axios adds from `auth` counts).
 * - Credential headers (`ignoredParams`, `Cookie`) are kept only as a keyed hash: stored data never holds them.
 * - `Accept-Encoding`: the cache stores the decoded body whatever encoding the origin chose, so unless the caller
 *   turned decompression off, the encoding negotiated does not change what a caller gets and every request matches.
 *   Other headers the adapter or the browser adds on its own (`User-Agent`, …) read as absent unless the caller
 *   set them: the same adapter adds the same value to every request.
 */
export function varyFingerprint(names: readonly string[], wire: WireRequest, config: InternalAxiosRequestConfig, options: KeyOptions): (string | null)[] {
  const presented = Object.create(null) as Record<string, string>;
  for (const name of names) {
    const value = wire.headers.get(name);
    if (value !== undefined) presented[name] = value;
  }
  const values = varyValues(names, presented);
  return values.map((value, index) => {
    const name = names[index] ?? '';
    if (name === 'accept-encoding' && config.decompress !== false) return DECODED;
    if (value === null) return null;
    return options.ignoredParams.has(name) || name === 'cookie' ? `hmac:${hmacSha256Hex(options.secret, value)}` : value;
  });
}


/** Where one variant of a `Vary` response lives, given the primary key and the variant generation. */
export function variantKey(key: string, epoch: number, fingerprint: readonly (string | null)[]): string {
  return `${key} vary:${epoch}:${sha256Hex(JSON.stringify(fingerprint))}`;
}

/** What {@link variantKey} appends to the primary key. */
const VARIANT_SUFFIX = / vary:\d+:[0-9a-f]{64}$/;

/** True for the store key of a variant record (the primary key, then a variant suffix). */
export function isVariantKey(key: string): boolean {
  return VARIANT_SUFFIX.test(key);
}

/**
 * The record a store answered for `key`, if it is one that may answer for that key: its own `key`, or the primary
 * key of the variant `key` names. A record found under another key (copied, or written by someone with access to
 * part of the keyspace) throws a CorruptEntryError, which reads as a miss.
 */
export function recordFor(key: string, value: unknown): CacheRecord | undefined {
  if (value === undefined || value === null) return undefined;
  const recordKey = (value as { key?: unknown }).key;
  if (recordKey === key) return value as CacheRecord;
  if (typeof recordKey === 'string' && key.startsWith(recordKey) && VARIANT_SUFFIX.test(key) && key.lastIndexOf(' vary:') === recordKey.length) return value as CacheRecord;
  throw new CorruptEntryError(key, typeof recordKey === 'string' ? `it holds the record of ${JSON.stringify(recordKey)}` : 'it is not a cache record');
}

/**
 * The record that answers this request, following `Vary` (RFC 9111 §4.1): the primary record when the request's
 * varying headers match it, else the matching variant. Chained with `.then`: with a remote store this is the hit path.
 */
export function findMatchingRecord(
  get: (key: string) => Promise<CacheRecord | undefined>,
  key: string,
  wire: WireRequest,
  config: InternalAxiosRequestConfig,
  options: KeyOptions,
): Promise<CacheRecord | undefined> {
  return get(key).then((primary) => {
    if (!primary?.vary) return primary;
    const fingerprint = varyFingerprint(primary.vary, wire, config, options);
    if (varyValuesMatch(primary.varyValues, fingerprint)) return primary;
    return get(variantKey(key, primary.varyEpoch ?? primary.createdAt, fingerprint)).then((variant) =>
      variant && varyValuesMatch(variant.varyValues, fingerprint) ? variant : undefined,
    );
  });
}

/**
 * Whether a stored body is of the kind the caller asked for: text, bytes (`arraybuffer`, `blob`) or a stream. A body
 * of another kind never answers it (a HEAD has no body to mind).
 */
export function bodyKindFits(record: CacheRecord, method: string, config: InternalAxiosRequestConfig): boolean {
  return method === 'HEAD' || bodyFits(record.body, config);
}

export interface RecordDraft {
  readonly key: string;
  readonly method: string;
  readonly url: string;
  readonly response: AxiosResponse;
  readonly requestTime: number;
  readonly responseTime: number;
  readonly ttlMs: number | undefined;
  readonly createdAt: number;
  readonly tags: readonly string[] | undefined;
}

export type BuildOutcome = { readonly record: CacheRecord } | { readonly reason: string };

/** Turns an origin response into a record, or says why it must not be stored (RFC 9111 §3). */
export function buildRecord(
  draft: RecordDraft,
  request: RequestFacts,
  wire: WireRequest,
  config: InternalAxiosRequestConfig,
  policy: PolicyOptions,
  options: KeyOptions,
  now: number,
): BuildOutcome {
  const { response } = draft;
  const headers = plainResponseHeaders(response.headers);
  const verdict = storability(request, { status: response.status, headers }, policy);
  if (!verdict.storable) return { reason: verdict.reason };
  const vary = varyNames(headers);
  // RFC 9111 §4.1: a Vary of "*" always fails to match, so storing it would only waste space.
  if (vary === '*') return { reason: 'Vary: *' };
  const body = toCachedBody(response.data);
  if (!body) return { reason: 'the body is a stream or another live object' };
  const stored = headersToStore({ status: response.status, headers }, policy);
  const { requestTime, responseTime } = draft;
  const expiresAt = storeExpiryAt({ status: response.status, headers: stored, requestTime, responseTime }, policy);
  if (expiresAt <= now) return { reason: 'already stale, with no validator or stale window to keep it for' };
  // One object literal, every entry with the same fields in the same order, optional ones after: an object built
  // by spreading is several hundred bytes larger, and every cached entry keeps one.
  const record: Mutable<CacheRecord> = {
    v: RECORD_FORMAT_VERSION,
    key: draft.key,
    method: draft.method,
    url: draft.url,
    status: response.status,
    statusText: response.statusText ?? '',
    headers: stored,
    body,
    requestTime,
    responseTime,
    createdAt: draft.createdAt,
    expiresAt,
  };
  if (draft.ttlMs !== undefined) record.ttlMs = draft.ttlMs;
  if (draft.tags !== undefined && draft.tags.length > 0) record.tags = draft.tags;
  if (vary.length > 0) {
    record.vary = vary;
    record.varyValues = varyFingerprint(vary, wire, config, options);
  }
  return { record };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
