/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars --
   an augmentation must repeat axios' own type parameters exactly, defaults included; the fields it adds use none of them. */
import type { CacheInfo } from './cache-info.js';
import type { RequestCacheOptions } from './options.js';

declare module 'axios' {
  interface AxiosRequestConfig<D = any, P = any> {
    /** `false`: skip the cache for this request (no read, no write); an object: tune this request. */
    cache?: RequestCacheOptions | false | undefined;
  }
  interface AxiosResponse<T = any, D = any, H = {}, P = any> {
    /** True when the response came from the cache (fresh, stale or revalidated with a 304). */
    fromCache?: boolean | undefined;
    /** How the cache answered this request. */
    cacheInfo?: CacheInfo | undefined;
  }
}
