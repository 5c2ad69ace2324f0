/**
 * Talks to the origin: one trip per key at a time (single-flight), conditional when there is something to
 * revalidate, the 304 applied to the stored response, the answer stored when RFC 9111 and the options allow, and
 * each caller answered with its own copy.
 */
import { AxiosError, AxiosHeaders, CanceledError, isAxiosError, isCancel } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CacheRecord } from '../record.js';
import { canServeStaleOnError, conditionalHeaders, isUnsafeMethod, mergeNotModified, notModifiedApplies, parseCacheControl, storability, storeExpiryAt } from '../semantics/index.js';
import { info, mark, markError, ownError, ownResponse, recordAnswer, refusal } from './answer.js';
import type { CacheContext } from './context.js';
import { invalidateAfter } from './invalidate.js';
import { wantsBytes } from './key.js';
import { recordOutcome } from './outcome.js';
import { buildRecord, plainResponseHeaders, variantKey } from './records.js';
import { redirectedTo, unframedCompressed } from './adapter-traces.js';
import { policyOfRecord } from './request-model.js';
import { leasedTrip } from './store-lease.js';
import { discardBody, isStreamRequest } from './stream-body.js';
import { teeToStore } from './stream-tee.js';
import type { Exchange } from './request-model.js';
import { asError } from '../errors.js';

/** The outcome of one (possibly shared) trip to the origin, before it is handed to each caller. */
export type OriginResult =
  /** `unannounced`: the record this trip stored until the first caller answered announces it (see announceStored). */
  | { readonly kind: 'response'; readonly response: AxiosResponse; readonly record: CacheRecord | undefined; unannounced: CacheRecord | undefined }
  | { readonly kind: 'revalidated'; readonly record: CacheRecord }
  | { readonly kind: 'stale'; readonly record: CacheRecord; readonly reason: string }
  /** Another process went to the origin and stored this entry while this one waited (`dedupe: 'store'`). */
  | { readonly kind: 'shared'; readonly record: CacheRecord }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * Writes a record under its primary key and, for a `Vary` response, also under its variant key (RFC 9111
 * §4.1: several variants per URL). The primary always holds the latest variant, so the common case is one
 * read. Both copies carry the primary key in `record.key`: that is the key the entry answers for.
 */
function writeRecord(ctx: CacheContext, primaryKey: string, record: CacheRecord): Promise<boolean> {
  const stored = record.key === primaryKey ? record : { ...record, key: primaryKey };
  if (stored.vary && stored.varyValues && stored.varyEpoch !== undefined) {
    return ctx.access.set(variantKey(primaryKey, stored.varyEpoch, stored.varyValues), stored, stored.expiresAt).then(() => ctx.access.set(primaryKey, stored, stored.expiresAt));
  }
  // No Vary (the usual case): the store's answer itself, with no async step around it.
  return ctx.access.set(primaryKey, stored, stored.expiresAt);
}

/** Stores an origin response if RFC 9111, the options and the filter allow it; returns the stored record. */
async function maybeStore(ctx: CacheContext, plan: Exchange, response: AxiosResponse, requestTime: number, responseTime: number, previous: CacheRecord | undefined): Promise<CacheRecord | undefined> {
  const { key, url, method } = plan;
  if (ctx.options.readOnly) {
    ctx.debug('not stored: the cache is read-only', { key, url });
    return undefined;
  }
  let ttlMs: number | undefined;
  let refused: boolean;
  try {
    ttlMs = typeof plan.ttl === 'function' ? plan.ttl(response) : plan.ttl;
    refused = ctx.options.filter !== undefined && !ctx.options.filter(response);
  } catch (thrown) {
    // A throwing ttl or filter callback costs this response its place in the cache, never the response itself.
    const error = asError(thrown);
    recordOutcome(ctx, 'error', { key, url, method, error, operation: 'options' }, `not stored: the ttl or filter option threw: ${error.message}`);
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
  const redirect = redirectedTo(response, plan.wire, ctx.urls);
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
  const policy = policyOfRecord(plan.policy, ttlMs);
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
  // Counted now; announced once, by the first caller to be answered, after its `miss`: see announceStored.
  recordOutcome(ctx, 'stored', { key, url, method, expiresAt: record.expiresAt }, 'stored', true);
  return record;
}

/**
 * The `stored` event of a record, emitted after the `miss` of a request that receives it, so listeners see miss →
 * stored. It names what was stored: callers sharing one call share its key, not always its URL (a `key` option).
 */
function announceStored(ctx: CacheContext, record: CacheRecord): void {
  ctx.events.emit('stored', { key: record.key, url: record.url, method: record.method, expiresAt: record.expiresAt });
}

/**
 * Announces the record a shared call stored if no caller took the announcement (every caller left before the answer):
 * checked after the callers still waiting have been answered, each of whom would have taken it after its `miss`.
 */
function announceUnclaimed(ctx: CacheContext, result: OriginResult): OriginResult {
  if (result.kind === 'response' && result.unannounced !== undefined) {
    setTimeout(() => {
      const record = result.unannounced;
      if (record === undefined) return;
      result.unannounced = undefined;
      announceStored(ctx, record);
    }, 0);
  }
  return result;
}

/** 304 handling (RFC 9111 §4.3.4): refresh the stored headers and times, then answer from the record. */
async function refreshFromNotModified(ctx: CacheContext, plan: Exchange, stored: CacheRecord, response: AxiosResponse, requestTime: number, responseTime: number): Promise<CacheRecord | undefined> {
  const headers304 = plainResponseHeaders(response.headers);
  if (!notModifiedApplies(stored, { status: 304, headers: headers304 })) return undefined;
  const merged: CacheRecord = { ...stored, headers: mergeNotModified(stored.headers, headers304), requestTime, responseTime };
  const policy = policyOfRecord(plan.policy, stored.ttlMs);
  const updated: CacheRecord = { ...merged, expiresAt: storeExpiryAt(merged, policy) };
  if (parseCacheControl(plan.facts.headers['cache-control']).noStore) {
    // RFC 9111 §5.2.1.5: a request that says no-store has no part of its exchange stored, the update included.
    ctx.debug('revalidated, not updated: the request says no-store', { key: plan.key, url: plan.url });
  } else {
    // RFC 9111 §4.3.4: the stored response is updated with the 304's fields, and must then still be storable: a 304
    // that says `no-store` (or `private` to a shared cache) answers this request but ends the entry. Only the
    // response's own directives are judged: the request (its credentials) was judged when storing.
    const verdict = storability({ method: plan.method, headers: {} }, { status: updated.status, headers: updated.headers }, policy);
    if (!verdict.storable) {
      ctx.debug(`revalidated, and removed: the 304 made it unstorable (${verdict.reason})`, { key: plan.key, url: plan.url });
      await ctx.access.delete(plan.key);
    } else if (updated.expiresAt > ctx.options.now()) await writeRecord(ctx, plan.key, updated);
  }
  recordOutcome(ctx, 'revalidated', { key: plan.key, url: plan.url, method: plan.method }, 'revalidated: the origin answered 304');
  return updated;
}

/** One trip to the origin, shared by every caller of a flight. Never rejects (a flight's waiters rely on it). */
function originTrip(ctx: CacheContext, plan: Exchange, stale: CacheRecord | undefined, signal: AbortSignal | undefined): Promise<OriginResult> {
  return tripOnce(ctx, plan, stale, signal).catch((error: unknown): OriginResult => ({ kind: 'error', error }));
}

/**
 * A copy of the request headers for the origin call, holding what the caller's holds: axios has made them an
 * AxiosHeaders (whose headers are its own properties) before any adapter runs, and the adapter normalises them as
 * it would the caller's own, so they are copied as they are, without a second normalisation.
 */
function ownHeaders(headers: InternalAxiosRequestConfig['headers']): AxiosHeaders {
  if (!(headers instanceof AxiosHeaders)) return new AxiosHeaders(headers);
  const copy = new AxiosHeaders();
  const slots = copy as unknown as Record<string, unknown>;
  const source = headers as unknown as Record<string, unknown>;
  for (const name of Object.keys(source)) {
    // An own `__proto__` would be set as the copy's prototype: let AxiosHeaders handle that one.
    if (name === '__proto__') return new AxiosHeaders(headers);
    slots[name] = source[name];
  }
  return copy;
}

/**
 * A copy of a request config, as `{ ...config }` makes it but several times faster: axios builds configs as
 * null-prototype objects, which V8 keeps as dictionaries, and spreading one takes its slow path (about 10 µs per miss).
 */
export function copyConfig(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
  const source = config as unknown as Record<PropertyKey, unknown>;
  const copy: Record<PropertyKey, unknown> = {};
  for (const name of Object.keys(source)) {
    // An own `__proto__` is copied as the own property it is (an assignment would set the copy's prototype).
    if (name === '__proto__') Object.defineProperty(copy, name, { value: source[name], enumerable: true, writable: true, configurable: true });
    else copy[name] = source[name];
  }
  for (const symbol of Object.getOwnPropertySymbols(source)) {
    if (Object.prototype.propertyIsEnumerable.call(source, symbol)) copy[symbol] = source[symbol];
  }
  return copy as unknown as InternalAxiosRequestConfig;
}

/** The config of one origin call, and what of the caller's config it borrowed (see {@link originConfig}). */
interface OriginCall {
  readonly config: InternalAxiosRequestConfig;
  readonly conditional: boolean;
  /** The caller's own headers and validateStatus, to put back once the adapter has answered; none for a copy. */
  readonly lent: { readonly headers: InternalAxiosRequestConfig['headers']; readonly validateStatus: InternalAxiosRequestConfig['validateStatus']; readonly own: boolean } | undefined;
}

/**
 * The config of the origin call. Statuses are settled per caller afterwards (each with its own `validateStatus`),
 * so the adapter rejects only for what went wrong on the way: a reset, a cut-off or undecodable body, a timeout.
 * Such a failure never leaves an entry behind.
 *
 * A call whose callers can leave (a shared signal) gets a copy of the caller's config. Any other call borrows the
 * caller's config itself: its headers and validateStatus are swapped for the call's, and {@link giveBack} restores them
 * as soon as the adapter has answered (copying axios' config, a null-prototype dictionary, costs several µs per miss).
 * Meanwhile nobody else reads them: axios waits for the adapter, and the key, the flight identity and the storing
 * rules read the request model, not the config.
 */
function originConfig(plan: Exchange, stale: CacheRecord | undefined, signal: AbortSignal | undefined): OriginCall {
  const caller = plan.config;
  // Own headers: axios' http adapter adds Accept-Encoding and User-Agent to the headers object it is given, and a
  // retry of the caller's config must not arrive carrying them. Made whole before the caller's config is touched.
  const headers = ownHeaders(caller.headers);
  const conditional = stale ? conditionalHeaders(stale) : {};
  const names = Object.keys(conditional);
  for (const name of names) headers.set(name, conditional[name]);
  // Node's fetch adds `Cache-Control: no-cache` to a conditional request without one, and origins such as Express
  // answer no-cache with a full 200. A revalidation says what it is, as browsers do: max-age=0.
  if (names.length !== 0 && !headers.has('cache-control')) headers.set('cache-control', 'max-age=0');
  let config: InternalAxiosRequestConfig;
  let lent: OriginCall['lent'];
  if (signal) {
    // A shared call: each caller waits with its own timeout and cancellation (see SingleFlight).
    config = copyConfig(caller);
    config.signal = signal;
    config.timeout = 0;
    delete config.cancelToken;
  } else {
    config = caller;
    lent = { headers: caller.headers, validateStatus: caller.validateStatus, own: Object.prototype.hasOwnProperty.call(caller, 'validateStatus') };
  }
  config.headers = headers;
  config.validateStatus = null;
  return { config, conditional: names.length !== 0, lent };
}

/** Puts back what an origin call borrowed of the caller's config. */
function giveBack(call: OriginCall): void {
  if (call.lent === undefined) return;
  call.config.headers = call.lent.headers;
  const { validateStatus } = call.lent;
  if (!call.lent.own) delete call.config.validateStatus;
  // An own `validateStatus: undefined` (every status resolves) is put back as it was, outside axios' declared types.
  else (call.config as { validateStatus?: unknown }).validateStatus = validateStatus;
}

async function tripOnce(ctx: CacheContext, plan: Exchange, stale: CacheRecord | undefined, signal: AbortSignal | undefined): Promise<OriginResult> {
  // The clock first: nothing between borrowing the caller's config and the adapter call may throw.
  const requestTime = ctx.options.now();
  const call = originConfig(plan, stale, signal);
  let response: AxiosResponse;
  try {
    response = await plan.inner(call.config);
  } catch (error) {
    giveBack(call);
    const responseTime = ctx.options.now();
    if (!isCancel(error) && stale && canServeStaleOnError(plan.facts, stale, responseTime, plan.policy)) {
      return { kind: 'stale', record: stale, reason: 'origin unreachable' };
    }
    return { kind: 'error', error };
  }
  giveBack(call);
  const responseTime = ctx.options.now();
  if (call.conditional && stale && response.status === 304) {
    discardBody(response.data);
    const updated = await refreshFromNotModified(ctx, plan, stale, response, requestTime, responseTime);
    // A 304 that does not match what is stored: ask again, unconditionally.
    return updated ? { kind: 'revalidated', record: updated } : originTrip(ctx, plan, undefined, signal);
  }
  if (stale && response.status >= 500 && canServeStaleOnError(plan.facts, stale, responseTime, plan.policy)) {
    discardBody(response.data);
    return { kind: 'stale', record: stale, reason: `origin ${response.status}` };
  }
  // Only an unsafe method invalidates: a GET skips the call and its promise.
  if (isUnsafeMethod(plan.method)) await invalidateAfter(ctx, { wire: plan.wire, config: plan.config, partition: plan.partition, requested: plan.options.invalidate }, response);
  if (isStreamRequest(plan.config)) {
    // Stored (and announced) once the caller has read the body whole: see stream-tee.ts.
    const teed = teeToStore(ctx, plan, response, (whole) => maybeStore(ctx, plan, whole, requestTime, responseTime, stale).then((record) => record && announceStored(ctx, record)));
    return { kind: 'response', response: teed, record: undefined, unannounced: undefined };
  }
  const record = await maybeStore(ctx, plan, response, requestTime, responseTime, stale);
  return { kind: 'response', response, record, unannounced: record };
}

/**
 * The request headers as one string that two requests share only when their headers are the same, in any order:
 * sorted by (unique, lower-case) name, each name and value prefixed with its length, so no value can pass for
 * another's boundary. Cheaper than JSON: nothing is escaped, no array is built per header.
 */
function headersLine(headers: ReadonlyMap<string, string>): string {
  const names = [...headers.keys()].sort();
  let line = '';
  for (const name of names) {
    const value = headers.get(name) ?? '';
    line += `${name.length}:${name}${value.length}:${value}`;
  }
  return line;
}

/**
 * What two requests under one key must also share to share an origin call: everything the origin sees, credentials
 * included (in memory only), and the answer's shape (bytes or text, the caller's size limit).
 */
export function flightIdentity(plan: Exchange): string {
  const { config, wire } = plan;
  return `${wire.credentials}\n${String(wantsBytes(config))} ${config.maxContentLength ?? ''}\n${headersLine(wire.headers)}`;
}

/** Ask the origin (sharing the call with identical concurrent requests when `dedupe` is on), then answer this caller. */
export async function fetchFromOrigin(ctx: CacheContext, plan: Exchange, stale: CacheRecord | undefined): Promise<AxiosResponse> {
  const { config } = plan;
  let result: OriginResult;
  let shared = false;
  // A stream is read by one caller only: stream requests never share a call (see stream-tee.ts).
  if (ctx.options.dedupe && !isStreamRequest(config)) {
    // Requests share a call only when their identities are the same too (flightIdentity, compared by the flights).
    const flightKey = `${stale ? 'revalidate' : 'fetch'} ${plan.key}`;
    // Across processes too, for a plain miss: a revalidation or a caller asking for the origin itself goes on its own.
    // A read-only cache writes nothing, leases included: it shares calls within this process only.
    const acrossProcesses = ctx.options.dedupe === 'store' && !ctx.options.readOnly && !stale && plan.options.forceRefresh !== true && plan.options.refresh !== true;
    const flight = await ctx.flights.run(flightKey, plan, config, (signal) => {
      const trip = acrossProcesses
        ? leasedTrip(ctx, plan, signal, () => originTrip(ctx, plan, stale, signal)).catch((error: unknown): OriginResult => ({ kind: 'error', error }))
        : originTrip(ctx, plan, stale, signal);
      // A signal means callers that can leave (their own signal, token or timeout): should all of them have gone before
      // the answer, what it stored is announced all the same.
      return signal === undefined ? trip : trip.then((result) => announceUnclaimed(ctx, result));
    }, plan.ticket);
    // Cancelled by the caller's own signal or token, or past the caller's own timeout.
    if (flight.cancelled) throw flight.reason instanceof AxiosError ? flight.reason : new CanceledError(undefined, undefined, config);
    result = flight.value;
    shared = !flight.alone;
  } else {
    result = await originTrip(ctx, plan, stale, undefined);
  }

  switch (result.kind) {
    case 'revalidated':
      return recordAnswer(ctx, plan, result.record, 'revalidated', true);
    case 'shared':
      recordOutcome(ctx, 'hit', { key: plan.key, url: plan.url, method: plan.method }, 'hit: stored by another process while this one waited for it');
      return recordAnswer(ctx, plan, result.record, 'hit');
    case 'stale':
      recordOutcome(ctx, 'stale', { key: plan.key, url: plan.url, method: plan.method, reason: result.reason }, `served stale: ${result.reason}`);
      return recordAnswer(ctx, plan, result.record, 'stale');
    case 'error': {
      recordOutcome(ctx, 'miss', { key: plan.key, url: plan.url, method: plan.method, reason: 'origin error' }, 'miss: the origin call failed');
      // The caller's error names the caller's own config, never the origin call's (whose validateStatus is null): a retry
      // plugin sends `error.config` again, and must send what the caller asked for.
      const failure = shared || (isAxiosError(result.error) && result.error.config !== config) ? ownError(result.error, config) : result.error;
      throw markError(failure, info(ctx, plan.key, 'miss', undefined));
    }
    case 'response': {
      const reason = stale ? 'revalidation answered with a new response' : 'no usable entry';
      recordOutcome(ctx, 'miss', { key: plan.key, url: plan.url, method: plan.method, reason }, `miss: ${reason}`);
      // Shared by the flight's callers: the first one answered announces the record.
      const unannounced = result.unannounced;
      if (unannounced !== undefined) {
        result.unannounced = undefined;
        announceStored(ctx, unannounced);
      }
      // A response nobody else receives is this caller's already: it is given its config and marked in place.
      const own = shared ? ownResponse(result.response, config) : result.response;
      own.config = config;
      const response = mark(own, info(ctx, plan.key, 'miss', result.record));
      // Each caller's own validateStatus decides, as axios' settle would have: the response itself, or a throw (a promise
      // returned from this async function would cost the caller two more ticks).
      const refused = refusal(response, config);
      if (refused !== undefined) throw refused;
      return response;
    }
  }
}
