import { AxiosError, AxiosHeaders, CanceledError, isCancel } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheRecord } from '../record.js';
import {
  canServeStaleOnError,
  conditionalHeaders,
  invalidationTargets,
  isUnsafeMethod,
  mergeNotModified,
  notModifiedApplies,
  storability,
  storeExpiryAt,
} from '../semantics/index.js';
import type { CacheContext, OriginResult, RequestPlan } from './context.js';
import { info, mark, markError, serveRecord } from './serve.js';
import { buildRecord, plainResponseHeaders, variantKey } from './records.js';
import { copyRawBody, settle } from './response.js';
import { redirectedTo } from './redirects.js';
import { unframedCompressed } from './completeness.js';
import { invalidationSuffixes, wantsBytes } from './key.js';
import { invalidateRequested } from './invalidate.js';
import { asError } from '../errors.js';

/** Deletes what RFC 9111 §4.4 says a successful unsafe request invalidates: its URL, Location and Content-Location. */
export async function invalidateAfter(ctx: CacheContext, method: string, url: string, response: AxiosResponse, suffixes: readonly string[]): Promise<void> {
  const targets = invalidationTargets(method, response.status, url, plainResponseHeaders(response.headers));
  for (const target of targets) {
    const normalised = ctx.normaliseUrl({ url: target });
    for (const key of ['GET', 'HEAD'].flatMap((keyMethod) => suffixes.map((suffix) => `${keyMethod} ${normalised}${suffix}`))) {
      const keyMethod = key.slice(0, key.indexOf(' '));
      // Only a listener needs to know whether there was anything to delete: skip the extra read otherwise.
      const existed = ctx.events.has('deleted') ? (await ctx.access.get(key)) !== undefined : false;
      if ((await ctx.access.delete(key)) && existed) {
        ctx.events.emit('deleted', { key, url: normalised, method: keyMethod, reason: `invalidated by ${method} ${url}` });
      }
    }
  }
  await invalidateRequested(ctx, method, url, response);
}

/**
 * Writes a record under its primary key and, for a `Vary` response, also under its variant key (RFC 9111
 * §4.1: several variants per URL). The primary always holds the latest variant, so the common case is one
 * read. Both copies carry the primary key in `record.key`: that is the key the entry answers for.
 */
async function writeRecord(ctx: CacheContext, primaryKey: string, record: CacheRecord): Promise<boolean> {
  const stored = record.key === primaryKey ? record : { ...record, key: primaryKey };
  if (stored.vary && stored.varyValues && stored.varyEpoch !== undefined) {
    await ctx.access.set(variantKey(primaryKey, stored.varyEpoch, stored.varyValues), stored, stored.expiresAt);
  }
  return ctx.access.set(primaryKey, stored, stored.expiresAt);
}

/** Stores an origin response if RFC 9111, the options and the filter allow it; returns the stored record. */
async function maybeStore(ctx: CacheContext, plan: RequestPlan, response: AxiosResponse, requestTime: number, responseTime: number, previous: CacheRecord | undefined): Promise<CacheRecord | undefined> {
  const { key, url, method } = plan;
  let ttlMs: number | undefined;
  let refused: boolean;
  try {
    ttlMs = typeof plan.ttl === 'function' ? plan.ttl(response) : plan.ttl;
    refused = ctx.options.filter !== undefined && !ctx.options.filter(response);
  } catch (thrown) {
    // A throwing ttl or filter callback costs this response its place in the cache, never the response itself.
    const error = asError(thrown);
    ctx.stats.errors += 1;
    ctx.debug(`not stored: the ttl or filter option threw: ${error.message}`, { key, url, error });
    ctx.events.emit('error', { key, url, method, error, operation: 'options' });
    return undefined;
  }
  if (ttlMs !== undefined && (typeof ttlMs !== 'number' || Number.isNaN(ttlMs) || ttlMs < 0)) {
    ctx.debug('not stored: the ttl function returned no non-negative number', { key, url, ttl: ttlMs });
    return undefined;
  }
  if (ttlMs === 0) {
    ctx.debug('not stored: ttl 0', { key, url });
    return undefined;
  }
  if (refused) {
    ctx.debug('not stored: the filter option refused it', { key, url });
    return undefined;
  }
  const redirect = redirectedTo(response, plan.wire, ctx.normaliseUrl);
  if (redirect !== undefined) {
    // What a redirect itself allowed is unknown here (axios followed it): never store the target under this URL.
    ctx.debug(`not stored: the answer came through a redirect to ${redirect}`, { key, url });
    return undefined;
  }
  if (unframedCompressed(response, method)) {
    ctx.debug('not stored: a compressed body that ended with the connection (no Content-Length, not chunked) may be cut off', { key, url });
    return undefined;
  }
  const now = ctx.options.now();
  const policy = { ...plan.policy, ttlMs };
  const draft = { key, method, url, response, requestTime, responseTime, ttlMs, createdAt: now, tags: plan.options.tags };
  const built = buildRecord(draft, plan.facts, plan.wire, plan.config, policy, ctx.options, now);
  if ('reason' in built) {
    ctx.debug(`not stored: ${built.reason}`, { key, url, status: response.status });
    return undefined;
  }
  let record = built.record;
  if (record.vary && record.varyValues) {
    // Keep the variant generation of the current primary record, so earlier variants stay reachable.
    const primary = previous?.key === key ? previous : await ctx.access.get(key);
    record = { ...record, varyEpoch: primary?.varyEpoch ?? now };
  }
  if (!(await writeRecord(ctx, key, record))) return undefined;
  ctx.stats.stores += 1;
  // Announced once, by the first caller to be answered, after its `miss`: see announceStored.
  const payload = { key, url, method, expiresAt: record.expiresAt };
  unannounced.set(record, () => ctx.events.emit('stored', payload));
  ctx.debug('stored', { key, url, expiresAt: record.expiresAt });
  return record;
}

/** `stored` events waiting for the `miss` of the request that stored them, so listeners see miss → stored. */
const unannounced = new WeakMap<CacheRecord, () => void>();

function announceStored(record: CacheRecord | undefined): void {
  const announce = record && unannounced.get(record);
  if (!record || !announce) return;
  unannounced.delete(record);
  announce();
}

/** 304 handling (RFC 9111 §4.3.4): refresh the stored headers and times, then answer from the record. */
async function refreshFromNotModified(ctx: CacheContext, plan: RequestPlan, stored: CacheRecord, response: AxiosResponse, requestTime: number, responseTime: number): Promise<CacheRecord | undefined> {
  const headers304 = plainResponseHeaders(response.headers);
  if (!notModifiedApplies(stored, { status: 304, headers: headers304 })) return undefined;
  const merged: CacheRecord = { ...stored, headers: mergeNotModified(stored.headers, headers304), requestTime, responseTime };
  const policy = stored.ttlMs === undefined ? plan.policy : { ...plan.policy, ttlMs: stored.ttlMs };
  const updated: CacheRecord = { ...merged, expiresAt: storeExpiryAt(merged, policy) };
  // RFC 9111 §4.3.4: the stored response is updated with the 304's fields, and must then still be storable: a 304
  // that says `no-store` (or `private` to a shared cache) answers this request but ends the entry.
  const verdict = storability(plan.facts, { status: updated.status, headers: updated.headers }, policy);
  if (!verdict.storable) {
    ctx.debug(`revalidated, and removed: the 304 made it unstorable (${verdict.reason})`, { key: plan.key, url: plan.url });
    await ctx.access.delete(plan.key);
  } else if (updated.expiresAt > ctx.options.now()) await writeRecord(ctx, plan.key, updated);
  ctx.stats.revalidations += 1;
  ctx.events.emit('revalidated', { key: plan.key, url: plan.url, method: plan.method });
  ctx.debug('revalidated: the origin answered 304', { key: plan.key, url: plan.url });
  return updated;
}

/** One trip to the origin, shared by every caller of a flight. Never rejects (a flight's waiters rely on it). */
function originTrip(ctx: CacheContext, plan: RequestPlan, stale: CacheRecord | undefined, signal: AbortSignal | undefined): Promise<OriginResult> {
  return tripOnce(ctx, plan, stale, signal).catch((error: unknown): OriginResult => ({ kind: 'error', error }));
}

/**
 * The config of the origin call. Statuses are settled per caller afterwards (each with its own `validateStatus`),
 * so the adapter rejects only for what went wrong on the way: a reset, a cut-off or undecodable body, a timeout.
 * Such a failure never leaves an entry behind.
 */
function originConfig(plan: RequestPlan, stale: CacheRecord | undefined, signal: AbortSignal | undefined): { config: InternalAxiosRequestConfig; conditional: boolean } {
  // Own headers: axios' http adapter adds Accept-Encoding and User-Agent to the headers object it is given, and a
  // retry of the caller's config must not arrive carrying them.
  const config: InternalAxiosRequestConfig = { ...plan.config, headers: new AxiosHeaders(plan.config.headers), validateStatus: null };
  if (signal) {
    // A shared call: each caller waits with its own timeout and cancellation (see SingleFlight).
    config.signal = signal;
    config.timeout = 0;
    delete config.cancelToken;
  }
  const conditional = stale ? conditionalHeaders(stale) : {};
  const names = Object.keys(conditional);
  if (names.length === 0) return { config, conditional: false };
  const headers = config.headers;
  for (const name of names) headers.set(name, conditional[name]);
  // Node's fetch adds `Cache-Control: no-cache` to a conditional request without one, and origins such as Express
  // answer no-cache with a full 200. A revalidation says what it is, as browsers do: max-age=0.
  if (!headers.has('cache-control')) headers.set('cache-control', 'max-age=0');
  config.headers = headers;
  return { config, conditional: true };
}

async function tripOnce(ctx: CacheContext, plan: RequestPlan, stale: CacheRecord | undefined, signal: AbortSignal | undefined): Promise<OriginResult> {
  const { config, conditional } = originConfig(plan, stale, signal);
  const requestTime = ctx.options.now();
  let response: AxiosResponse;
  try {
    response = await plan.inner(config);
  } catch (error) {
    const responseTime = ctx.options.now();
    if (!isCancel(error) && stale && canServeStaleOnError(plan.facts, stale, responseTime, plan.policy)) {
      return { kind: 'stale', record: stale, reason: 'origin unreachable' };
    }
    return { kind: 'error', error };
  }
  const responseTime = ctx.options.now();
  if (conditional && stale && response.status === 304) {
    const updated = await refreshFromNotModified(ctx, plan, stale, response, requestTime, responseTime);
    // A 304 that does not match what is stored: ask again, unconditionally.
    return updated ? { kind: 'revalidated', record: updated } : originTrip(ctx, plan, undefined, signal);
  }
  if (stale && response.status >= 500 && canServeStaleOnError(plan.facts, stale, responseTime, plan.policy)) {
    return { kind: 'stale', record: stale, reason: `origin ${response.status}` };
  }
  if (isUnsafeMethod(plan.method)) await invalidateAfter(ctx, plan.method, plan.url, response, invalidationSuffixes(plan.wire, plan.config, ctx.options, plan.partition));
  const record = await maybeStore(ctx, plan, response, requestTime, responseTime, stale);
  return { kind: 'response', response, record };
}

/** A response shared by a flight's callers, made one caller's own: its object, config, headers and bytes. */
function ownResponse(response: AxiosResponse, config: InternalAxiosRequestConfig): AxiosResponse {
  return { ...response, config, headers: new AxiosHeaders(response.headers as AxiosHeaders), data: copyRawBody(response.data as unknown) };
}

/** The same failure, addressed to one caller: axios transforms `error.response` in place per caller. */
function ownError(error: unknown, config: InternalAxiosRequestConfig): unknown {
  if (!(error instanceof AxiosError) || error instanceof CanceledError) return error;
  const response = error.response ? ownResponse(error.response, config) : undefined;
  const copy = new AxiosError(error.message, error.code, config, error.request, response);
  copy.cause = error.cause ?? error;
  copy.stack = error.stack ?? '';
  return copy;
}

/** Ask the origin (sharing the call with identical concurrent requests when `dedupe` is on), then answer this caller. */
export async function fetchFromOrigin(ctx: CacheContext, plan: RequestPlan, stale: CacheRecord | undefined): Promise<AxiosResponse> {
  const { config } = plan;
  let result: OriginResult;
  let shared = false;
  if (ctx.options.dedupe) {
    // Requests share a call only when everything the origin sees is the same, credentials included (in memory only).
    // The answer's shape too: bytes or text, and the caller's size limit.
    const flightKey = `${stale ? 'revalidate' : 'fetch'} ${plan.key}\n${plan.wire.credentials}\n${String(wantsBytes(config))} ${config.maxContentLength ?? ''}\n${JSON.stringify([...plan.wire.headers].sort())}`;
    const flight = await ctx.flights.run(flightKey, config, (signal) => originTrip(ctx, plan, stale, signal), plan.ticket);
    // Cancelled by the caller's own signal or token, or past the caller's own timeout.
    if (flight.cancelled) throw flight.reason instanceof AxiosError ? flight.reason : new CanceledError(undefined, undefined, config);
    result = flight.value;
    shared = true;
  } else {
    result = await originTrip(ctx, plan, stale, undefined);
  }

  switch (result.kind) {
    case 'revalidated':
      return serveRecord(ctx, plan, result.record, 'revalidated', true);
    case 'stale':
      ctx.stats.staleServed += 1;
      ctx.events.emit('stale', { key: plan.key, url: plan.url, method: plan.method, reason: result.reason });
      ctx.debug(`served stale: ${result.reason}`, { key: plan.key, url: plan.url });
      return serveRecord(ctx, plan, result.record, 'stale');
    case 'error': {
      ctx.stats.misses += 1;
      ctx.events.emit('miss', { key: plan.key, url: plan.url, method: plan.method, reason: 'origin error' });
      throw markError(shared ? ownError(result.error, config) : result.error, info(ctx, plan.key, 'miss', undefined));
    }
    case 'response': {
      ctx.stats.misses += 1;
      ctx.events.emit('miss', { key: plan.key, url: plan.url, method: plan.method, reason: stale ? 'revalidation answered with a new response' : 'no usable entry' });
      announceStored(result.record);
      const response = mark(shared ? ownResponse(result.response, config) : { ...result.response, config }, info(ctx, plan.key, 'miss', result.record));
      // Each caller's own validateStatus decides, as axios' settle would have.
      return settle(response, config);
    }
  }
}
