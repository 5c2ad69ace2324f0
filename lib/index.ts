/**
 * axios-http-cache: a persistent RFC 9111 HTTP cache for axios.
 * Explicit named exports only; Node-only stores live in their own entry points.
 */
import './axios/augment.js';

export { attachCache, detachCache } from './axios/attach.js';
export type { CacheHandle, CachedAxiosInstance, CachedMethods } from './axios/attach.js';
export type { CacheEntry, CacheManager } from './axios/manage.js';
export type { ImportResult, ImportSource, PortableBody, PortableEntry } from './axios/portable.js';
export { PORTABLE_FORMAT, PORTABLE_FORMAT_VERSION } from './axios/portable.js';
export type { CacheQuery } from './axios/options.js';
export type { CacheOptions, RequestCacheOptions, TtlOption, UrlPattern } from './axios/options.js';
export { DEFAULT_IGNORED_PARAMS } from './axios/options.js';
export type { CachedRequest, CachedResponse, CacheInfo, CacheStatus } from './axios/cache-info.js';
export { cacheInfoOf } from './axios/cache-info.js';
export type { CacheStats } from './axios/context.js';
export type { CacheEventBase, CacheEventMap, CacheEventName, CacheListener } from './axios/events.js';
export { subscribeDiagnostics } from './axios/diagnostics.js';
export type { DiagnosticsChannelName } from './axios/diagnostics.js';
export { MemoryStore } from './stores/memory.js';
export type { MemoryStoreOptions } from './stores/memory.js';
export { TieredStore } from './stores/tiered.js';
export type { FarStore, TieredStoreOptions } from './stores/tiered.js';
export type { CacheStore, StoreEvent, StoreFilter } from './stores/store.js';
export type { CacheRecord, CachedBody, StoredHeaders } from './record.js';
export { RECORD_FORMAT_VERSION } from './record.js';
export { CacheError, CorruptEntryError, DeferredDeleteError, EntryTooLargeError, ImportError, IncompleteDeletionError, ReadOnlyError, StoreClosedError, StoreError, StoreTimeoutError, StoreVersionError } from './errors.js';
