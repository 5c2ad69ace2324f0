/** How a response was answered, on every response of a cached instance as `response.cacheInfo`. */
export type CacheStatus = 'hit' | 'stale' | 'revalidated' | 'miss' | 'bypass';

export interface CacheInfo {
  /** The store key; undefined when the request bypassed the cache. */
  readonly key: string | undefined;
  /**
   * - `hit`: a fresh stored response, no network.
   * - `stale`: a stale stored response (stale-while-revalidate, stale-if-error or a request's max-stale).
   * - `revalidated`: the origin answered 304 and the stored response was served, refreshed.
   * - `miss`: the origin answered (and the response was stored if it could be).
   * - `bypass`: the cache was not consulted (`cache: false`, a method or body that is not cached).
   */
  readonly status: CacheStatus;
  /** Epoch ms the served entry was first stored; undefined when none was stored. */
  readonly createdAt: number | undefined;
  /** Epoch ms the stored entry expires from the store; undefined when none was stored. */
  readonly expiresAt: number | undefined;
  /** True when the origin confirmed the stored response with a 304 during this request. */
  readonly revalidated: boolean;
}
