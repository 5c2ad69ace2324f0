import type { ModelMemo } from './model-memo.js';
import type { CacheEvents } from './events.js';
import type { OriginResult } from './origin.js';
import type { Exchange } from './request-model.js';
import type { ResolvedOptions } from './resolve-options.js';
import type { SingleFlight } from './single-flight.js';
import type { StoreAccess } from './store-access.js';
import type { UpdateWaiter } from './on-update.js';
import type { UrlNormaliser, UrlParser } from './wire-request.js';

/** Counters since attach, as `cache.stats()` reports them. */
export interface CacheStats {
  hits: number;
  misses: number;
  staleServed: number;
  revalidations: number;
  stores: number;
  errors: number;
  bypasses: number;
}

/** Everything one attached cache shares across its requests. */
export interface CacheContext {
  readonly options: ResolvedOptions;
  readonly access: StoreAccess;
  readonly events: CacheEvents;
  readonly stats: CacheStats;
  /** This cache's URL parser (it remembers this cache's last request's parse) and its key-URL function. */
  readonly urls: UrlParser;
  /** The last repeated request's model parts, for the next request like it (model-memo.ts). */
  readonly models: ModelMemo;
  readonly normaliseUrl: UrlNormaliser;
  readonly flights: SingleFlight<OriginResult, Exchange>;
  /** Keys with a background (stale-while-revalidate) refresh under way, and the stale callers waiting to hear of it (`onUpdate`). */
  readonly refreshing: Map<string, UpdateWaiter[]>;
  readonly debug: (message: string, details: Record<string, unknown>) => void;
}


