import { getAdapter } from 'axios';
import type { AxiosAdapter, AxiosInstance, AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios';
import { MemoryStore } from '../stores/memory.js';
import type { CacheStore } from '../stores/store.js';
import './augment.js';
import type { CachedResponse } from './cache-info.js';
import type { CacheContext, CacheStats } from './context.js';
import { flightIdentity } from './origin.js';
import type { OriginResult } from './origin.js';
import type { Exchange } from './request-model.js';
import { CacheEvents } from './events.js';
import { checkEventName } from './diagnostics.js';
import type { CacheEventName, CacheListener } from './events.js';
import { handleRequest } from './decide.js';
import { UrlParser } from './wire-request.js';
import { ModelMemo } from './model-memo.js';
import { createManager } from './manage.js';
import type { CacheManager } from './manage.js';
import type { CacheOptions, RequestCacheOptions } from './options.js';
import { resolveOptions, resolveRequestOptions } from './resolve-options.js';
import { SingleFlight } from './single-flight.js';
import { StoreAccess } from './store-access.js';
import { asError } from '../errors.js';
import { tracedAdapter, tracedAdapterOf } from './adapter-traces.js';
import { methodAndUrl } from './key.js';
import { recordOutcome } from './outcome.js';

/**
 * The request methods of a cached instance, resolving to {@link CachedResponse} by default (a type argument `R`
 * still overrides it, as in axios).
 */
export interface CachedMethods {
  <T = unknown, R = CachedResponse<T>, D = unknown>(config: AxiosRequestConfig<D>): Promise<R>;
  <T = unknown, R = CachedResponse<T>, D = unknown>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  request<T = unknown, R = CachedResponse<T>, D = unknown>(config: AxiosRequestConfig<D>): Promise<R>;
  get<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  delete<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  head<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  options<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, config?: AxiosRequestConfig<D>): Promise<R>;
  post<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  put<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  patch<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  postForm<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  putForm<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
  patchForm<T = unknown, R = CachedResponse<T>, D = unknown>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R>;
}

/**
 * An axios instance with a cache attached, typed so that its responses carry `fromCache` and `cacheInfo`
 * ({@link CachedResponse}). Still an `AxiosInstance`: pass it wherever one is expected.
 */
export type CachedAxiosInstance = CachedMethods & AxiosInstance;

/**
 * What {@link attachCache} returns: the store, management methods (see {@link CacheManager}), events and stats
 * of this cache, and a way to remove it.
 */
export interface CacheHandle extends CacheManager {
  /**
   * The instance the cache is attached to (the same object), typed so that its responses have `fromCache` and
   * `cacheInfo` without `?.`:
   *
   * ```ts
   * const api = attachCache(axios.create({ baseURL }), { ttl: 180_000 }).instance;
   * const { cacheInfo } = await api.get('/users'); // cacheInfo.status: 'hit' | 'stale' | ...
   * ```
   *
   * The typing holds while the cache is attached: after {@link detach}, responses no longer carry them.
   */
  readonly instance: CachedAxiosInstance;
  readonly store: CacheStore;
  /** Listen to `hit`, `miss`, `stale`, `revalidated`, `stored`, `deleted`, `bypass` and `error`. */
  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): void;
  off<E extends CacheEventName>(event: E, listener: CacheListener<E>): void;
  /** Counters since attach. */
  stats(): CacheStats & { readonly hitRatio: number };
  /** Removes the interceptors; the instance then behaves as if never cached. */
  detach(): void;
}

interface Attached {
  readonly handle: CacheHandle;
  readonly interceptorId: number;
  readonly restoreAdapter: () => void;
  readonly unsubscribe: () => void;
}

const attached = new WeakMap<AxiosInstance, Attached>();
/**
 * What each caching adapter stands in for: per-request wrappers map to the adapter they wrap, and each
 * instance's default caching adapter to the instance's own adapter setting. A caching adapter met again (a
 * retried config, an instance derived with `api.create()` and given its own cache) is unwrapped, so caches never stack.
 */
const wrapped = new WeakMap<AxiosAdapter, AxiosAdapterSetting>();

type AxiosAdapterSetting = NonNullable<InternalAxiosRequestConfig['adapter']>;

function unwrap(setting: AxiosAdapterSetting | undefined): AxiosAdapterSetting | undefined {
  let current = setting;
  while (typeof current === 'function' && wrapped.has(current)) current = wrapped.get(current);
  return current;
}

/** What axios uses when an instance names no adapter. */
const DEFAULT_ADAPTERS = ['xhr', 'http', 'fetch'];

function innerAdapter(config: InternalAxiosRequestConfig): AxiosAdapter {
  return tracedAdapter(unwrap(config.adapter) ?? DEFAULT_ADAPTERS, config);
}

/**
 * Gives an axios instance an HTTP cache (RFC 9111) and returns its handle.
 *
 * A caching adapter becomes the instance's default adapter (calling the one it had on a miss), and a synchronous
 * request interceptor wraps any other adapter a request brings. So all cache work happens at the adapter, after
 * every request interceptor (auth, signing) has run and after axios has serialised the body: the key sees the
 * request exactly as it would go on the wire, and response interceptors (retry, logging) see cached and network
 * responses alike.
 *
 * Instances derived from a cached instance (`api.create()`, or `axios.create()` after attaching to the default
 * `axios` instance, since axios copies its defaults, adapter included, into each new instance) share its cache
 * while it is attached: their requests are answered, counted and reported by it. Requests that bring their own
 * adapter, on a derived instance, are not cached (only the instance the cache is attached to wraps them). Once the
 * parent is detached, derived instances pass straight through to the original adapter, and answer without
 * `cacheInfo`; a later `attachCache` on the parent does not reach them. `detachCache(child)` makes a derived
 * instance plain at any time, and `attachCache(child)` gives it a cache of its own instead (detaching it then
 * leaves it plain too).
 *
 * @throws TypeError when an option is invalid (the message names it), or when the instance already has a cache.
 */
export function attachCache(instance: AxiosInstance, options?: CacheOptions): CacheHandle {
  if (!instance || typeof instance !== 'function' || !instance.interceptors) {
    throw new TypeError('axios-http-cache: attachCache() needs an axios instance (axios or axios.create())');
  }
  if (attached.has(instance)) throw new TypeError('axios-http-cache: this axios instance already has a cache; call detachCache() first');
  const resolved = resolveOptions(options, (now) => new MemoryStore({ now }));
  const stats: CacheStats = { hits: 0, misses: 0, staleServed: 0, revalidations: 0, stores: 0, errors: 0, bypasses: 0 };
  const debug = resolved.debug;
  const events = new CacheEvents((error, event) => debug('an event listener threw', { event, error }));
  const sink = { stats, events, debug };
  const access = new StoreAccess(resolved.store, resolved.storeTimeoutMs, resolved.now, {
    failure: (error, operation, key, repeat) => {
      const message = `store ${operation} failed${repeat ? ' again (no second error event)' : ''}: ${error.message}`;
      recordOutcome(sink, 'error', { key, url: undefined, method: undefined, error, operation }, message, repeat);
    },
    deferredDeleteApplied: (key) => {
      recordOutcome(sink, 'deleted', { key, ...methodAndUrl(key), reason: 'deferred invalidation applied once the store answered again' }, 'a deferred deletion reached the store');
    },
  }, resolved.readOnly);
  const urls = new UrlParser(resolved.ignoredParams);
  const ctx: CacheContext = {
    options: resolved,
    access,
    events,
    stats,
    urls,
    models: new ModelMemo(),
    normaliseUrl: urls.url,
    flights: new SingleFlight<OriginResult, Exchange>(resolved.storeTimeoutMs + 1000, flightIdentity),
    refreshing: new Map(),
    debug,
  };
  const unsubscribe = resolved.store.onEvent?.((event) => {
    const payload = { key: undefined, url: undefined, method: undefined, error: event.error, operation: event.type };
    const message = `store ${event.type}: ${event.error.message}`;
    // A warning is reported as an event too, but only an error counts as one.
    if (event.type === 'error') recordOutcome(sink, 'error', payload, message);
    else {
      debug(message, { error: event.error });
      events.emit('error', payload);
    }
  }) ?? (() => undefined);

  // The caching adapter becomes the instance's default adapter, standing in for the one it had, so a plain
  // request reaches it with no per-request work in the interceptor.
  const previous = instance.defaults.adapter;
  const original = unwrap(previous);
  // Instances derived with `instance.create()` inherit this adapter: they share this cache while it is attached,
  // and once it is detached, pass straight through to the adapter it stood in for.
  const live = { attached: true };
  // The adapter is chosen only when the origin is asked (a hit never pays for it), and once for every request whose
  // `env` would choose the same.
  const chooseAdapter = tracedAdapterOf(original ?? DEFAULT_ADAPTERS);
  const originAdapter: AxiosAdapter = (originConfig) => chooseAdapter(originConfig)(originConfig);
  const cachingAdapter: AxiosAdapter = (config) => {
    if (!live.attached) {
      try {
        return getAdapter(original ?? DEFAULT_ADAPTERS, config)(config);
      } catch (error) {
        return Promise.reject(asError(error));
      }
    }
    let request: RequestCacheOptions | false;
    try {
      request = resolveRequestOptions(config.cache);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    return handleRequest(ctx, config, originAdapter, request);
  };
  wrapped.set(cachingAdapter, original ?? DEFAULT_ADAPTERS);
  instance.defaults.adapter = cachingAdapter;

  // A request with an adapter of its own (or an instance whose default adapter was replaced after attach, as
  // mock adapters do) gets that adapter wrapped, per request, so it is cached too.
  const interceptorId = instance.interceptors.request.use(
    (config) => {
      if (config.adapter === cachingAdapter) return config;
      const request = resolveRequestOptions(config.cache);
      const inner = innerAdapter(config);
      const adapter: AxiosAdapter = (adapterConfig) => handleRequest(ctx, adapterConfig, inner, request);
      wrapped.set(adapter, inner);
      config.adapter = adapter;
      return config;
    },
    undefined,
    { synchronous: true },
  );

  const handle: CacheHandle = {
    ...createManager(ctx, () => instance.defaults as AxiosRequestConfig),
    store: resolved.store,
    on: (event, listener) => {
      checkEventName(event, 'cache.on()');
      if (typeof listener !== 'function') throw new TypeError(`axios-http-cache: cache.on('${event}', listener) needs a listener function`);
      events.on(event, listener);
    },
    off: (event, listener) => {
      checkEventName(event, 'cache.off()');
      events.off(event, listener);
    },
    stats: () => {
      const served = stats.hits + stats.staleServed + stats.revalidations;
      const total = served + stats.misses;
      return { ...stats, hitRatio: total === 0 ? 0 : served / total };
    },
    detach: () => detachCache(instance),
    // The same object: the cache now answers every request it sends, so each response has cacheInfo.
    instance: instance as CachedAxiosInstance,
  };
  const restoreAdapter = (): void => {
    live.attached = false;
    if (instance.defaults.adapter !== cachingAdapter) return;
    // An instance that had inherited a parent's caching adapter becomes plain, not a sharer of the parent's cache.
    const restored = typeof previous === 'function' && wrapped.has(previous) ? original : previous;
    if (restored === undefined) delete instance.defaults.adapter;
    else instance.defaults.adapter = restored;
  };
  attached.set(instance, { handle, interceptorId, unsubscribe, restoreAdapter });
  return handle;
}

/**
 * Removes the cache from an instance (idempotent), leaving it plain. Also works on an instance derived with
 * `create()` from a cached one, which has no cache of its own but shares its parent's: it stops sharing it. The
 * store is left as it is; close it yourself if you own it.
 */
export function detachCache(instance: AxiosInstance): void {
  const entry = attached.get(instance);
  if (!entry) {
    // A derived instance: its default adapter is the caching adapter it inherited. Put back what that stood in for.
    const inherited = instance?.defaults?.adapter;
    if (typeof inherited === 'function' && wrapped.has(inherited)) instance.defaults.adapter = unwrap(inherited) ?? DEFAULT_ADAPTERS;
    return;
  }
  instance.interceptors.request.eject(entry.interceptorId);
  entry.restoreAdapter();
  entry.unsubscribe();
  attached.delete(instance);
}
