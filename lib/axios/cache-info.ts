import { Axios } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';

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
  /**
   * Epoch ms the stored entry stops being fresh (RFC 9111 §4.2): from then on it is revalidated or served stale,
   * no longer served as a `hit`. Undefined when none was stored. At or before {@link expiresAt}.
   */
  readonly freshUntil: number | undefined;
  /**
   * Epoch ms the store drops the entry: the end of freshness plus any time it is kept for revalidation
   * (`retainForRevalidationMs`, an hour by default, when it has an ETag or Last-Modified) or a stale window.
   * Not when it stops being fresh: that is {@link freshUntil}. Undefined when none was stored.
   */
  readonly expiresAt: number | undefined;
  /** True when the origin confirmed the stored response with a 304 during this request. */
  readonly revalidated: boolean;
}

/**
 * `response.request` of a response the cache answered without the network (a hit, a stale answer, a revalidated
 * answer, or an `only-if-cached` 504). It answers what code asks of axios' own request objects: Node's
 * `response.request.res.responseUrl` and `response.request.path`, and the browser's `response.request.responseURL`.
 * A stored response never came through a redirect, so the URL is the one requested (params appended, no userinfo
 * and no fragment).
 */
export interface CachedRequest {
  /** Always true: no request went to the network; the cache answered. */
  readonly fromCache: true;
  /** Upper-case method. */
  readonly method: string;
  /** `https:` or `http:`. */
  readonly protocol: string;
  /** Host name and port, as in the URL. */
  readonly host: string;
  /** Path and query string, as Node's `ClientRequest.path`. */
  readonly path: string;
  /** The absolute URL, as the browser's `XMLHttpRequest.responseURL`. */
  readonly responseURL: string;
  /** What Node's `ClientRequest.res` (the `IncomingMessage`) would say. */
  readonly res: {
    /** The absolute URL, as Node's `res.responseUrl`. */
    readonly responseUrl: string;
    readonly statusCode: number;
    readonly statusMessage: string;
    /** Response headers, lower-case names. */
    readonly headers: Readonly<Record<string, string>>;
  };
}

/** A builder with no defaults of its own: `getUri` is axios' URL building (base URL, params, paramsSerializer). */
const uriBuilder = new Axios({});

function fallbackBase(): string {
  return (globalThis as { location?: { href?: string } }).location?.href ?? 'http://localhost/';
}

/** What of AxiosHeaders is read (structural: axios' CommonJS typings declare AxiosHeaders differently). */
interface HeadersLike {
  toJSON(asStrings?: boolean): Record<string, unknown>;
}

/** Built on a hit at the cost of one small object; the URL is worked out only when someone reads it. */
class CacheAnsweredRequest implements CachedRequest {
  readonly fromCache = true as const;
  readonly method: string;
  readonly #config: InternalAxiosRequestConfig;
  readonly #status: number;
  readonly #statusText: string;
  readonly #headers: HeadersLike;
  #url: URL | undefined;

  constructor(config: InternalAxiosRequestConfig, method: string, status: number, statusText: string, headers: HeadersLike) {
    this.method = method;
    this.#config = config;
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = headers;
  }

  #parsed(): URL {
    if (this.#url === undefined) {
      let url: URL;
      try {
        url = new URL(uriBuilder.getUri(this.#config), fallbackBase());
      } catch {
        url = new URL(fallbackBase());
      }
      url.username = '';
      url.password = '';
      url.hash = '';
      this.#url = url;
    }
    return this.#url;
  }

  get protocol(): string {
    return this.#parsed().protocol;
  }
  get host(): string {
    return this.#parsed().host;
  }
  get path(): string {
    const url = this.#parsed();
    return `${url.pathname}${url.search}`;
  }
  get responseURL(): string {
    return this.#parsed().href;
  }
  get res(): CachedRequest['res'] {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#headers.toJSON(true))) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
    return { responseUrl: this.responseURL, statusCode: this.#status, statusMessage: this.#statusText, headers };
  }
}

/** The `response.request` of an answer from the cache; see {@link CachedRequest}. `method` is the config's, upper-case. */
export function cachedRequest(config: InternalAxiosRequestConfig, method: string, status: number, statusText: string, headers: HeadersLike): CachedRequest {
  return new CacheAnsweredRequest(config, method, status, statusText, headers);
}

/**
 * A response of a cached instance: `fromCache` and `cacheInfo` are always there. This is what the methods of
 * {@link CacheHandle.instance} resolve to, so `response.cacheInfo.status` compiles without `?.` or a cast.
 */
export interface CachedResponse<T = unknown, D = unknown> extends AxiosResponse<T, D> {
  /** True when the response came from the cache (fresh, stale or revalidated with a 304). */
  fromCache: boolean;
  /** How the cache answered this request. */
  cacheInfo: CacheInfo;
}

/**
 * The `cacheInfo` of a response, typed as present: for responses typed as plain `AxiosResponse` (in an
 * interceptor, say).
 *
 * @throws TypeError when the response did not come through a cached instance.
 */
export function cacheInfoOf(response: AxiosResponse): CacheInfo {
  const info = (response as Partial<CachedResponse> | null | undefined)?.cacheInfo;
  if (info === undefined) {
    throw new TypeError('axios-http-cache: cacheInfoOf() got a response without cacheInfo: it did not come through a cached instance; call attachCache() on the instance that sent the request');
  }
  return info;
}
