/**
 * Redirects are followed inside axios' adapter, so the response the cache receives may answer another URL than
 * the one requested, after a 3xx the cache never saw (whose `private` or `no-store` it could not honour). The cache
 * never stores such a response: this module tells whether a response came through a redirect.
 *
 * - Node's http adapter (follow-redirects) puts the final URL on `response.request.res.responseUrl`.
 * - XMLHttpRequest has `responseURL`.
 * - The fetch adapter keeps no trace of it: the cache hands it a fetch that notes `redirected` responses.
 */
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { UrlNormaliser } from './wire-request.js';
import type { WireRequest } from './wire-request.js';

type FetchLike = (input: unknown, init?: unknown) => Promise<{ readonly redirected?: boolean; readonly url?: string }>;

/** Final URLs of fetch requests that were redirected, by the Request object axios passed to fetch (its `response.request`). */
const fetchRedirects = new WeakMap<object, string>();
const trackers = new WeakMap<FetchLike, FetchLike>();

function track(fetch: () => FetchLike | undefined): FetchLike {
  return (input, init) => {
    const original = fetch();
    if (!original) return Promise.reject(new TypeError('fetch is not available in this environment'));
    return original(input, init).then((response) => {
      if (response.redirected === true && typeof input === 'object' && input !== null && typeof response.url === 'string') fetchRedirects.set(input, response.url);
      return response;
    });
  };
}

const globalTracker = track(() => (globalThis as { fetch?: FetchLike }).fetch);

/**
 * The config to choose the inner adapter with: the same, with an `env.fetch` that notes redirects. A tracker is made
 * once per fetch function, because axios' fetch adapter keeps one instance per `env.fetch` it is given.
 */
export function withRedirectTracking(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
  const env = config.env as { fetch?: unknown } | undefined;
  const own = env?.fetch;
  if (own !== undefined && typeof own !== 'function') return config;
  let tracker = globalTracker;
  if (typeof own === 'function') {
    const original = own as FetchLike;
    tracker = trackers.get(original) ?? track(() => original);
    trackers.set(original, tracker);
  }
  return { ...config, env: { ...config.env, fetch: tracker } } as InternalAxiosRequestConfig;
}

interface RequestTraces {
  readonly res?: { readonly responseUrl?: unknown } | null;
  readonly responseURL?: unknown;
}

/** The key URL a response was redirected to, or undefined when it answers the URL requested. */
export function redirectedTo(response: AxiosResponse, wire: WireRequest, normalise: UrlNormaliser): string | undefined {
  const request = response.request as (RequestTraces & object) | null | undefined;
  if (request === null || typeof request !== 'object') return undefined;
  const final = fetchRedirects.get(request) ?? request.res?.responseUrl ?? request.responseURL;
  if (typeof final !== 'string' || final === '') return undefined;
  let reduced: string;
  try {
    reduced = normalise({ url: final });
  } catch {
    return final;
  }
  return reduced === wire.url ? undefined : reduced;
}
