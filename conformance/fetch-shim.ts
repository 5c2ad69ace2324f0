/**
 * A WHATWG `fetch` over an axios instance (with or without `attachCache`), so that a test suite written for
 * `fetch` can drive the axios cache. It maps what fetch callers can say (method, headers, body, `cache` mode,
 * `redirect` mode) onto axios' request config and hands back a real `Response` built from the axios response,
 * which is the cached one whenever the cache answered.
 */
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse, RawAxiosRequestHeaders } from 'axios';
import '../lib/axios/augment.js';
import type { RequestCacheOptions } from '../lib/index.js';

/**
 * How fetch's `cache` mode reaches the axios cache.
 * - `'request-headers'`: the axios cache sits below a fetch that has no HTTP cache of its own, as undici's
 *   cache interceptor sits below undici's `fetch`: the modes only add request headers (Fetch standard, HTTP-network-
 *   or-cache fetch, steps 15 to 17: conditional requests become `no-store`; `no-cache` adds
 *   `Cache-Control: max-age=0`; `no-store` and `reload` add `Pragma: no-cache` and `Cache-Control: no-cache`).
 * - `'cache-options'`: the axios cache is this fetch's HTTP cache, as a browser's is: `no-store` skips it
 *   (`cache: false`), `reload` ignores and replaces the stored entry (`forceRefresh`), `no-cache` revalidates
 *   (`refresh`), `only-if-cached` never goes to the network (`onlyIfCached`).
 */
export type CacheModeMapping = 'request-headers' | 'cache-options';

export interface AxiosFetchOptions {
  readonly cacheModes: CacheModeMapping;
  /** Redirects followed before a `redirect: 'follow'` fetch fails, as fetch's limit. Default 20. */
  readonly maxRedirects?: number;
}

export type FetchInit = {
  readonly method?: string | undefined;
  readonly headers?: HeadersInit | undefined;
  readonly body?: string | null | undefined;
  readonly cache?: RequestCache | undefined;
  readonly redirect?: RequestRedirect | undefined;
};

export type FetchLike = (url: string, init?: FetchInit) => Promise<Response>;

const CONDITIONAL_HEADERS = ['if-modified-since', 'if-none-match', 'if-unmodified-since', 'if-match', 'if-range'];
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 20;

/** Builds a fetch function whose every request goes through `instance` (and so through its cache). */
export function createAxiosFetch(instance: AxiosInstance, options: AxiosFetchOptions): FetchLike {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  return async (url, init = {}) => {
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body ?? undefined;
    let target = url;
    const headers = new Headers(init.headers);
    const cacheOption = applyCacheMode(init.cache ?? 'default', headers, options.cacheModes);
    for (let redirects = 0; ; redirects += 1) {
      const response = await send(instance, { url: target, method, headers, body, cacheOption });
      const location = response.headers.get('location');
      const mode = init.redirect ?? 'follow';
      if (!REDIRECT_STATUSES.has(response.status) || location === null || mode === 'manual') return response;
      if (mode === 'error') throw new TypeError(`fetch failed: redirect to ${location} with redirect: 'error'`);
      if (redirects >= maxRedirects) throw new TypeError(`fetch failed: more than ${maxRedirects} redirects`);
      target = new URL(location, target).href;
      // Fetch standard, HTTP-redirect fetch step 12: 303 (not HEAD), and 301/302 after POST, become a bodiless GET.
      if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        for (const name of ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length']) headers.delete(name);
      }
    }
  };
}

/** Applies a fetch `cache` mode; returns the per-request cache option it maps to (`undefined`: the instance's). */
export function applyCacheMode(mode: RequestCache, headers: Headers, mapping: CacheModeMapping): RequestCacheOptions | false | undefined {
  if (mapping === 'cache-options') {
    switch (mode) {
      case 'no-store':
        return false;
      case 'reload':
        return { forceRefresh: true };
      case 'no-cache':
        return { refresh: true };
      case 'only-if-cached':
        return { onlyIfCached: true };
      default:
        return undefined;
    }
  }
  let effective = mode;
  if (effective === 'default' && CONDITIONAL_HEADERS.some((name) => headers.has(name))) effective = 'no-store';
  if (effective === 'no-cache' && !headers.has('cache-control')) headers.set('cache-control', 'max-age=0');
  if (effective === 'no-store' || effective === 'reload') {
    if (!headers.has('pragma')) headers.set('pragma', 'no-cache');
    if (!headers.has('cache-control')) headers.set('cache-control', 'no-cache');
  }
  return undefined;
}

interface OneRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string | undefined;
  readonly cacheOption: RequestCacheOptions | false | undefined;
}

async function send(instance: AxiosInstance, request: OneRequest): Promise<Response> {
  const requestHeaders: RawAxiosRequestHeaders = {};
  request.headers.forEach((value, name) => {
    requestHeaders[name] = value;
  });
  const config: AxiosRequestConfig<string> = {
    url: request.url,
    method: request.method,
    headers: requestHeaders,
    responseType: 'arraybuffer',
    // fetch hands back every status; redirects are followed above, one hop at a time, so each hop meets the cache.
    validateStatus: () => true,
    maxRedirects: 0,
    // The raw body, as fetch gives it: no JSON parsing, no string conversion of the request body.
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
  };
  if (request.body !== undefined) config.data = request.body;
  if (request.cacheOption !== undefined) config.cache = request.cacheOption;
  const response = await instance.request<unknown, AxiosResponse<unknown>, string>(config);
  return toResponse(response);
}

/** A WHATWG Response with the axios response's status, headers and body. */
export function toResponse(response: AxiosResponse<unknown>): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers as Record<string, unknown>)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of values) if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') headers.append(name, String(item));
  }
  const status = response.status;
  const bytes = NULL_BODY_STATUSES.has(status) ? null : bodyBytes(response.data);
  // The Response constructor only takes 200..599; the suite's origin uses other codes (999) as signals.
  const constructible = status >= 200 && status <= 599;
  const result = new Response(bytes, { status: constructible ? status : 200, statusText: response.statusText, headers });
  if (!constructible) Object.defineProperty(result, 'status', { value: status });
  return result;
}

function bodyBytes(data: unknown): Uint8Array<ArrayBuffer> | null {
  if (data === undefined || data === null || data === '') return null;
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return new Uint8Array(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new TextEncoder().encode(JSON.stringify(data));
}
